"""What the reliability tests share: the real command line in a subprocess, its message
on one line, order-independent table digests, and a small tmpfs for a disk that fills
up or a folder that is read-only (a real file system, not a simulated error)."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict[str, str] | None = None, timeout: int = 600):
    """`python -m demo_pipeline <args>`, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "demo_pipeline", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(result.stderr.split())


def no_traceback(result: subprocess.CompletedProcess) -> bool:
    return "Traceback (most recent call last)" not in result.stderr + result.stdout


def _digests_module():
    spec = importlib.util.spec_from_file_location(
        "table_digests", REPO / "scripts" / "table_digests.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table_digests(workdir: Path) -> dict[str, dict]:
    """scripts/table_digests.py: per table, rows and an order-independent hash."""
    return _digests_module().digests(workdir)


QUALITY_RESULTS = "quality/results.parquet"


def comparable(digests: dict[str, dict]) -> dict[str, dict]:
    """Digests minus the quality results, which hold the latency check's wall-clock
    outcome: `assert_same_data` compares those apart."""
    return {k: v for k, v in digests.items() if not k.startswith("bench") and k != QUALITY_RESULTS}


def assert_same_data(workdir: Path, reference: Path) -> None:
    """Every table of `workdir` equals the reference's; the quality results too, but for
    the latency check's measured outcome (tests/pipeline/test_recovery.py says why)."""
    from demo_pipeline.workdir import Workdir
    from tests.pipeline.test_recovery import assert_same_quality_results

    assert comparable(table_digests(workdir)) == comparable(table_digests(reference))
    assert_same_quality_results(Workdir(workdir), Workdir(reference))


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextlib.contextmanager
def tmpfs(parent: Path, size: str, *, read_only: bool = False) -> Iterator[Path]:
    """A real tmpfs of `size` mounted under `parent` (root only; skipped otherwise)."""
    if not can_mount():
        pytest.skip("mounting a tmpfs needs root (the disk-full tests use a real small disk)")
    point = parent / f"tmpfs-{uuid.uuid4().hex[:8]}"
    point.mkdir()
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)])
    if mounted.returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def resize(point: Path, size: str) -> None:
    """Give the tmpfs more room (the user freeing disk space)."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(point)], check=True)
