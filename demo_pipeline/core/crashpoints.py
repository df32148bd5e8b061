"""Named points where a test can kill the pipeline on purpose (SIGKILL, no cleanup).

Set `DEMO_PIPELINE_KILL_AT=<point>` (or `<point>#<n>` for its n-th passage) and the
process kills itself when it reaches that point: the crash-safety tests use it to
stop a run halfway through a bronze partition swap or a gold build, then rerun and
compare. Unset, a crash point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV_VAR = "DEMO_PIPELINE_KILL_AT"
_passages: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """Kill this process here if the environment asks for it."""
    wanted = os.environ.get(ENV_VAR)
    if not wanted:
        return
    target, _, nth = wanted.partition("#")
    if target != name:
        return
    _passages[name] += 1
    if _passages[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
