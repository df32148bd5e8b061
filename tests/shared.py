"""Expensive fixtures built once per test run, not once per pytest-xdist worker.

A session-scoped fixture runs once in every worker process that uses it: with `-n 2`,
two workers each built the same fixture site or the same simulated month. `built_once`
builds into a folder every worker of the run shares (the run's base temporary folder),
under a file lock: the first worker to ask builds it, the others wait for it and then
read the same folder. What it holds is read-only to tests; a test that changes something
copies it first (`copy_tree`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def run_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base temporary folder of the whole run: under xdist, every worker's own base
    folder is a child of it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """`<run temp>/shared-<name>`, made by `build(folder)` by the first worker to ask. A
    build that raised leaves no mark, so the next worker to ask tries again (and fails
    the same way, with its own error)."""
    folder = run_temp(tmp_path_factory) / f"shared-{name}"
    done = folder.with_name(folder.name + ".done")
    with locked(folder.with_name(folder.name + ".lock")):
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


def copy_tree(src: Path, dest: Path) -> Path:
    """A writable copy of a shared folder (symlinks kept as symlinks)."""
    return Path(shutil.copytree(src, dest, symlinks=True))
