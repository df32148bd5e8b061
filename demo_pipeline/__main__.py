"""`python -m demo_pipeline`: the command line (demo_pipeline/cli.py).

Once the command is over, the process runs its exit handlers, flushes its output and
leaves with `os._exit`, skipping the interpreter's teardown. That teardown frees every
object of every module (Polars, NumPy, DuckDB, Faker's locale data) one by one and took
about 0.15 s, a tenth of `generate` at scale 1, to write nothing: every file the
commands write is closed, synced and renamed into place before they return."""

import atexit
import os
import sys

from demo_pipeline.cli import app


def _exit_code(exc: SystemExit) -> int:
    """The status `sys.exit` would give: None is 0, a message is printed and is 1."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


try:
    app(prog_name="python -m demo_pipeline")
    code = 0
except SystemExit as exc:  # how the command line ends, always (Typer's standalone mode)
    code = _exit_code(exc)
atexit._run_exitfuncs()  # what a normal exit runs first: thread pools' joins, finalizers
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
