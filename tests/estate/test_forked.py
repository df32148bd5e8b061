"""The forked child: its result or its error comes back to the parent, it can be stopped,
and fork is refused once Polars' thread pool runs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from demo_pipeline.errors import SourceError
from demo_pipeline.estate import forked

# These tests fork the test process itself: only what the child computes is checked,
# and the child never touches Polars.
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _started(what, work):
    child = forked.Child(what, lambda _value: work())
    child.send(None)
    return child


def test_the_child_gets_its_input_and_its_result_comes_back_with_its_cpu_time():
    child = forked.Child("sum", lambda n: {"total": sum(range(n)), "pid": os.getpid()})
    child.send(1_000_000)
    result = child.result()
    assert result["total"] == sum(range(1_000_000))
    assert result["pid"] != os.getpid()
    assert child.cpu_s > 0


def test_the_childs_error_is_raised_in_the_parent_with_its_traceback():
    def fail():
        raise OSError(28, "No space left on device", "/tmp/x")

    with pytest.raises(OSError) as info:
        _started("writer", fail).result()
    assert info.value.errno == 28 and info.value.filename == "/tmp/x"
    assert any("in the forked child process" in note for note in info.value.__notes__)


def test_an_error_that_cannot_be_pickled_keeps_its_message():
    class Local(Exception):  # a local class cannot be pickled
        pass

    def fail():
        raise Local("disk on fire")

    with pytest.raises(SourceError, match="Local: disk on fire"):
        _started("writer", fail).result()


def test_a_child_that_dies_without_a_result_is_a_clear_error():
    with pytest.raises(SourceError, match="writer: the child process ended without a result"):
        _started("writer", lambda: os._exit(3)).result()


def test_stop_ends_a_running_child_or_one_still_waiting_for_its_input():
    _started("sleeper", lambda: __import__("time").sleep(60)).stop()  # killed and reaped
    child = forked.Child("waiting", lambda value: value)
    child.stop()
    assert child.cpu_s < 30


def test_fork_is_refused_once_polars_threads_run():
    """Safe after importing Polars, not after its first parallel operation."""
    code = (
        "import polars as pl\n"
        "from demo_pipeline.estate.forked import fork_safe\n"
        "before = fork_safe()\n"
        "pl.DataFrame({'a': list(range(100_000))}).sort('a')\n"
        "print(before, fork_safe())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split() == ["True", "False"]
