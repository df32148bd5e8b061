"""Run half of the estate's build in a forked child process, on the other core.

The build has two nearly independent halves: the ERP (one SQLite file, one writer) and
the orders feed. In one process both take turns on the one interpreter lock, so the
second core idles. A forked child inherits every module imported so far, so it starts
at once; a fresh interpreter would spend as long importing numpy, Polars and Faker as
the half it would run. The inputs both halves share (dimensions, product history) are
computed by each process from the seed: the same values, on the other core, sooner
than the parent could make them and pickle them through the pipe.

Fork is only safe before Polars has started its thread pool: a child inherits the
pool's state but not its threads, and its first parallel operation waits forever.
Polars starts the pool on its first parallel operation, not on import, so the build
forks before it computes anything; the child starts when the parent sends its input.
Where the pool is already running (a test session, a process that ran the pipeline
first), `fork_safe()` says no and the caller runs both halves itself: same output, one
core.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from demo_pipeline.errors import SourceError

# Polars names its compute threads polars-0, polars-1, ... (Linux shows them in /proc).
_TASKS = Path("/proc/self/task")


def fork_safe() -> bool:
    """True when this process may fork a child that uses Polars: a POSIX system whose
    threads can be listed (Linux), none of them Polars' compute pool."""
    if not hasattr(os, "fork") or not _TASKS.is_dir():
        return False
    for task in _TASKS.iterdir():
        try:
            name = (task / "comm").read_text().strip()
        except OSError:  # the thread ended while we looked
            continue
        if name.startswith("polars-") and name.removeprefix("polars-").isdigit():
            return False
    return True


class Child:
    """`work(value)` running in a forked child once the parent has sent it `value`
    (`send`). `result()` waits for it and returns what it returned, or raises what it
    raised (the child's traceback added as a note)."""

    def __init__(self, what: str, work: Callable[[Any], Any]) -> None:
        self.what = what
        self.cpu_s = 0.0  # the child's CPU time (user + system), known once it has ended
        inbox_read, inbox_write = os.pipe()
        outbox_read, outbox_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: wait for its input, run, report, leave without cleanup
            os.close(inbox_write)
            os.close(outbox_read)
            _run_child(work, inbox_read, outbox_write)
        os.close(inbox_read)
        os.close(outbox_write)
        self._pid: int | None = pid
        self._inbox: int | None = inbox_write
        self._read = outbox_read

    def send(self, value: Any) -> None:
        """Hand the child its input (`work(value)` starts then); call once."""
        assert self._inbox is not None, "send() is called once"
        with os.fdopen(self._inbox, "wb") as inbox:
            self._inbox = None
            pickle.dump(value, inbox, protocol=pickle.HIGHEST_PROTOCOL)

    def result(self) -> Any:
        """Wait for the child; its return value, or its exception raised here."""
        with os.fdopen(self._read, "rb") as pipe:
            payload = pipe.read()  # read to the end before waiting: the pipe is small
        status = self._reap()
        if not payload:
            raise SourceError(
                f"{self.what}: the child process ended without a result "
                f"(wait status {status}; expected it to report success or an error)"
            )
        ok, value = pickle.loads(payload)
        if ok:
            return value
        raise value

    def stop(self) -> None:
        """End the child at once (the parent failed: its output is being thrown away)."""
        if self._pid is None:
            return
        with contextlib.suppress(ProcessLookupError):  # it has just ended by itself
            os.kill(self._pid, signal.SIGKILL)
        self._reap()
        os.close(self._read)
        if self._inbox is not None:
            os.close(self._inbox)
            self._inbox = None

    def _reap(self) -> int:
        assert self._pid is not None
        _, status, usage = os.wait4(self._pid, 0)
        self._pid = None
        self.cpu_s = usage.ru_utime + usage.ru_stime
        return status


def _run_child(work: Callable[[Any], Any], inbox: int, outbox: int) -> None:
    code = 0
    try:
        try:
            with os.fdopen(inbox, "rb") as pipe:
                value = pickle.load(pipe)  # EOFError if the parent failed before sending
            payload = pickle.dumps((True, work(value)))
        except BaseException as exc:  # every failure goes back to the parent
            code = 1
            exc.add_note(f"in the forked child process:\n{traceback.format_exc()}")
            try:
                payload = pickle.dumps((False, exc))
            except Exception:  # an exception that cannot be pickled: keep its message
                payload = pickle.dumps((False, SourceError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(outbox, "wb") as pipe:
            pipe.write(payload)
    finally:
        # No atexit handlers, no flushing of the parent's buffers, no lock released.
        os._exit(code)
