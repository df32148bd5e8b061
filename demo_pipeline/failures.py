"""What the command line prints when something outside the demo's own checks fails:
a full disk, a folder it may not write, a file that is not what it should be.

`explain` turns such an exception into one message that names what failed, what was
expected and found, and what to do next; the CLI prints it instead of a traceback.
It looks through the exception's whole chain (`__cause__`, `__context__`), so the real
cause (the OSError of a full disk, say) is named, not the error it set off later.
Anything it cannot explain is a bug: `crash_report` saves the traceback to a file and
says where, so the user still sees one clear line.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

TRACEBACK_ENV = "DEMO_PIPELINE_TRACEBACK"
"""Set to 1 to get the full traceback of an unexpected error on the terminal."""

EXIT_UNEXPECTED = 70
"""An error the demo does not expect: a bug (EX_SOFTWARE in sysexits.h)."""

_RUST_ERRNO = re.compile(r"\(os error (\d+)\)")  # how Polars' Rust I/O reports errno


def causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything that led to it, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _errno_of(exc: BaseException) -> int | None:
    if isinstance(exc, OSError) and exc.errno:
        return exc.errno
    text = str(exc)
    if match := _RUST_ERRNO.search(text):
        return int(match.group(1))
    if "No space left on device" in text or "database or disk is full" in text:
        return errno.ENOSPC
    if "Read-only file system" in text:
        return errno.EROFS
    return None


def _free_space(path: Path) -> str:
    for candidate in (path, *path.parents):
        if candidate.exists():
            free = shutil.disk_usage(candidate).free
            return f"{free / 2**20:,.1f} MiB free there now"
    return "free space unknown"


def _where(exc: BaseException, workdir: Path | None) -> Path | None:
    filename = getattr(exc, "filename", None)
    if filename:
        return Path(os.fsdecode(filename))
    return workdir


def explain(exc: BaseException, workdir: Path | None = None) -> str | None:
    """One clear message for a failure of the machine or of a file, or None."""
    for cause in causes(exc):
        code = _errno_of(cause)
        where = _where(cause, workdir)
        place = str(where) if where else "the work directory"
        if code in (errno.ENOSPC, errno.EDQUOT):
            free = _free_space(where) if where else "free space unknown"
            return (
                f"disk full: no space left on the file system of {place} ({free}). "
                "Free some disk space (or point --workdir at a larger disk) and run the same "
                "command again: every write is atomic, so nothing half-written was kept."
            )
        if code == errno.EROFS:
            return (
                f"cannot write {place}: it is on a read-only file system. "
                "Point --workdir at a folder you can write."
            )
        if code in (errno.EACCES, errno.EPERM):
            return (
                f"cannot write {place}: permission denied. Point --workdir at a folder you "
                f"can write, or fix its permissions (ls -ld {place})."
            )
        if code == errno.ENOTDIR:
            return f"{place}: expected a folder, found a file. Point --workdir at a folder."
        if isinstance(cause, sqlite3.DatabaseError) and "not a database" in str(cause):
            return (
                f"{place}: a SQLite file was expected, found other bytes ({cause}). "
                "Regenerate the estate: python -m demo_pipeline generate."
            )
    return None


def crash_report(exc: BaseException) -> str:
    """Save the traceback of an unexpected error; return the one line to print."""
    text = "".join(traceback.format_exception(exc))
    try:
        fd, name = tempfile.mkstemp(prefix="demo_pipeline-crash-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        saved = f"the traceback is in {name}"
    except OSError:  # the disk may be the problem: then the traceback goes to the terminal
        return text + f"unexpected error: {type(exc).__name__}: {exc}"
    return (
        f"unexpected error: {type(exc).__name__}: {exc}\n"
        f"This is a bug in demo_pipeline; {saved} (set {TRACEBACK_ENV}=1 to print it here). "
        "Please report it with that file."
    )
