"""The work directory's lifecycle around a run: one run at a time (a lock), the
estate generated when missing, and `--from-scratch` resets."""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from demo_pipeline.config import DemoConfig
from demo_pipeline.errors import DemoPipelineError
from demo_pipeline.estate import build_estate
from demo_pipeline.workdir import Workdir


def reset(workdir: Workdir) -> None:
    """--from-scratch: everything a run derives goes (lake, gold, pipeline state, run
    records, quality results and ledgers); the source estate, logs and alerts stay."""
    for path in (workdir.lake, workdir.gold, workdir.state, workdir.runs, workdir.quality):
        if path.exists():
            shutil.rmtree(path)


def ensure_estate(cfg: DemoConfig, workdir: Workdir, console: Console | None) -> bool:
    """Generate the estate if it is missing or was made with another seed/scale/days
    (then the lake built from the old one is reset too). True if it was generated."""
    wanted = {
        "seed": cfg.estate.seed,
        "scale": cfg.estate.scale,
        "days": cfg.estate.days,
        "start_date": cfg.estate.start_date.isoformat(),
    }
    if workdir.ground_truth.exists():
        truth = json.loads(workdir.ground_truth.read_text(encoding="utf-8"))
        if {k: truth.get(k) for k in wanted} == wanted:
            return False
        reset(workdir)
    build_estate(cfg, workdir, console=console)
    return True


@contextmanager
def exclusive(workdir: Workdir) -> Iterator[None]:
    """One pipeline run per work directory at a time."""
    with open(workdir.root / ".pipeline.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DemoPipelineError(
                f"another pipeline run is using {workdir.root} (lock .pipeline.lock)"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
