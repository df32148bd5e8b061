"""Issue 15, item 2: one work directory, one writer, one estate.

- `generate` takes the work directory's lock, as `run` does: started during a run it is
  refused at once (exit 1, a message naming the work directory, the lock file and the
  run holding it) and the estate is left byte for byte as it was.
- `run` without --seed/--scale/--days uses the settings recorded with the estate
  (`sources/ground_truth.json`); flags that disagree stop it, naming both values,
  unless --regenerate.
- A bad --day stops `run` before anything is written.

Every command is the real CLI in a subprocess, at scale 0.01 over 2 days."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import FLAGS as REFERENCE_FLAGS

REPO = Path(__file__).resolve().parents[2]
SCALE = "0.01"
DAYS = "2"  # the calendar: 2026-11-01..2026-11-02
FLAGS = ("--seed", "42", "--scale", SCALE, "--days", DAYS)  # the estate's own settings

pytestmark = pytest.mark.slow


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "demo_pipeline", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(result.stderr.split())


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (hidden ones too) by relative path -> sha256."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def manifest_scales(workdir: Path) -> set[float]:
    return {
        json.loads(p.read_text(encoding="utf-8"))["scale"]
        for p in sorted((workdir / "runs").glob("*.json"))
    }


@pytest.fixture(scope="module")
def estate(tmp_path_factory) -> Path:
    """A work directory with an estate generated at scale 0.01 (no lake yet)."""
    root = tmp_path_factory.mktemp("one-writer") / "estate"
    result = cli(
        "generate", "--seed", "42", "--scale", SCALE, "--days", DAYS, "--workdir", str(root)
    )
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def ran(reference) -> Path:
    """The same estate, run once (a lake, gold and run records): the shared reference run
    (tests/reliability/conftest.py), generated with these FLAGS and run by `run
    --workdir` alone. Read-only: copy it."""
    assert REFERENCE_FLAGS == FLAGS
    return reference


def copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".pipeline.lock"))
    return dst


# A real `run`, paused inside the pipeline (after the lock is taken, before the first
# day) until the test creates the `go` file.
PAUSED_RUN = """
import pathlib, sys, time
import demo_pipeline.pipeline.runner as runner
ready, go = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
original = runner.start_day
def paused(*args, **kwargs):
    if not go.exists():
        ready.write_text("in the run")
        deadline = time.monotonic() + 120
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return original(*args, **kwargs)
runner.start_day = paused
sys.argv = ["demo_pipeline", *sys.argv[3:]]
from demo_pipeline.cli import app
app()
"""


def test_generate_during_a_run_is_refused_and_writes_nothing(estate, tmp_path):
    """Old code: `generate` swapped the estate under the running pipeline and exited 0."""
    wd = copy(estate, tmp_path / "wd")
    ready, go = tmp_path / "ready", tmp_path / "go"
    run = subprocess.Popen(
        [
            sys.executable,
            "-c",
            PAUSED_RUN,
            str(ready),
            str(go),
            "run",
            *FLAGS,
            "--workdir",
            str(wd),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert run.poll() is None, run.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the run never reached its first day"
            time.sleep(0.05)
        estate_before = snapshot(wd / "sources")

        refused = cli(
            "generate", "--seed", "7", "--scale", SCALE, "--days", DAYS, "--workdir", str(wd)
        )

        assert refused.returncode == 1
        message = one_line(refused)
        assert str(wd) in message
        assert str(wd / ".pipeline.lock") in message
        assert f"pid {run.pid}" in message and "demo_pipeline run" in message
        assert "Traceback" not in refused.stderr
        assert snapshot(wd / "sources") == estate_before
        assert not list(wd.glob(".sources-*"))  # no staging folder left either
    finally:
        go.write_text("go")
        _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err[-2000:]
    assert json.loads((wd / "sources" / "ground_truth.json").read_text())["seed"] == 42
    # Once the run is over, the lock is free again.
    again = cli("generate", "--seed", "42", "--scale", SCALE, "--days", DAYS, "--workdir", str(wd))
    assert again.returncode == 0, again.stderr


def test_run_without_flags_uses_the_recorded_estate(ran):
    """Old code: the config's defaults (scale 1) disagreed with the estate: exit 1. `ran`
    is that run: the estate's FLAGS given to `generate` only, then `run --workdir` with
    no flags, its exit code 0 checked where it is made (tests/reliability/conftest.py)."""
    assert manifest_scales(ran) == {0.01}
    assert len(list((ran / "runs").glob("*.json"))) == int(DAYS)


def test_run_with_other_scale_stops_naming_both_unless_regenerate(estate, tmp_path):
    """Old code: the refused run still created the lock file (and, with --from-scratch,
    deleted the lake first); --regenerate did not exist."""
    wd = copy(estate, tmp_path / "wd")
    before = snapshot(wd)
    refused = cli("run", "--scale", "0.02", "--workdir", str(wd))
    assert refused.returncode == 2
    message = one_line(refused)
    assert "0.01" in message and "0.02" in message and "--regenerate" in message
    assert "Traceback" not in refused.stderr
    assert snapshot(wd) == before

    regenerated = cli("run", "--scale", "0.02", "--regenerate", "--workdir", str(wd))
    assert regenerated.returncode == 0, regenerated.stderr
    truth = json.loads((wd / "sources" / "ground_truth.json").read_text())
    assert (truth["scale"], truth["seed"], truth["days"]) == (0.02, 42, 2)
    assert manifest_scales(wd) == {0.02}


BAD_DAYS = [
    "2026-11-03",  # the day after the calendar's last
    "2026-10-31",  # the day before its first
    "2026-11-31",  # no such date
    "11/02/2026",  # not YYYY-MM-DD
    "yesterday",
]


@pytest.mark.parametrize("day", BAD_DAYS)
def test_bad_day_on_a_run_work_directory_writes_nothing(ran, tmp_path, day):
    """Old code: the lock file was created and --from-scratch deleted the lake before
    --day was checked."""
    wd = copy(ran, tmp_path / "wd")
    before = snapshot(wd)
    result = cli("run", "--from-scratch", "--day", day, "--workdir", str(wd))
    assert result.returncode == 2
    message = one_line(result)
    assert "--day" in message and day in message
    assert "Traceback" not in result.stderr
    assert snapshot(wd) == before


@pytest.mark.parametrize("day", ["2026-11-03", "2026-13-01"])
def test_bad_day_never_creates_the_work_directory(tmp_path, day):
    """Old code: the work directory (and its lock file) was created before the error."""
    wd = tmp_path / "never"
    result = cli("run", "--scale", SCALE, "--days", DAYS, "--day", day, "--workdir", str(wd))
    assert result.returncode == 2
    assert "--day" in one_line(result) and "Traceback" not in result.stderr
    assert not wd.exists()


def test_run_is_refused_while_another_process_holds_the_lock(estate, tmp_path):
    """The same flock, held by another process (no holder recorded): `run` is refused,
    names the lock file, writes no lake, and runs once the lock is free. Old code: the
    message named the lock file's name only, not its path."""
    wd = copy(estate, tmp_path / "wd")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            "fh = open(sys.argv[1], 'a+')\n"
            "fcntl.flock(fh, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "sys.stdin.readline()\n",
            str(wd / ".pipeline.lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused = cli("run", *FLAGS, "--workdir", str(wd))
        assert refused.returncode == 1
        assert str(wd / ".pipeline.lock") in one_line(refused)
        assert not (wd / "lake").exists() and not (wd / "runs").exists()
    finally:
        holder.communicate("\n", timeout=30)
    result = cli("run", "--workdir", str(wd))
    assert result.returncode == 0, result.stderr
