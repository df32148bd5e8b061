"""The work directory's lifecycle around a run: one run at a time (a lock), the
estate checked (never generated: that is `generate`'s job), and `--from-scratch`
resets."""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from demo_pipeline.config import DemoConfig
from demo_pipeline.errors import DemoPipelineError
from demo_pipeline.workdir import Workdir


def reset(workdir: Workdir) -> None:
    """--from-scratch: everything a run derives goes (lake, gold, pipeline state, run
    records, quality results and ledgers); the source estate, logs and alerts stay."""
    for path in (workdir.lake, workdir.gold, workdir.state, workdir.runs, workdir.quality):
        if path.exists():
            shutil.rmtree(path)


def require_estate(cfg: DemoConfig, workdir: Workdir) -> None:
    """Stop unless `workdir` holds the estate this config describes. The pipeline never
    makes its upstream: the Makefile (`make generate`) and `generators.build_site` run
    `generate` before `run`."""
    wanted = {
        "seed": cfg.estate.seed,
        "scale": cfg.estate.scale,
        "days": cfg.estate.days,
        "start_date": cfg.estate.start_date.isoformat(),
    }
    command = (
        f"make generate SCALE={cfg.estate.scale:g} WORKDIR={workdir.root}, or "
        f"python -m demo_pipeline generate --seed {cfg.estate.seed} "
        f"--scale {cfg.estate.scale:g} --days {cfg.estate.days} --workdir {workdir.root}"
    )
    if not workdir.ground_truth.exists():
        raise DemoPipelineError(
            f"no source estate in {workdir.sources} (expected {workdir.ground_truth}); "
            f"generate it first: {command}"
        )
    truth = json.loads(workdir.ground_truth.read_text(encoding="utf-8"))
    found = {k: truth.get(k) for k in wanted}
    if found != wanted:
        differ = ", ".join(
            f"{k} {found[k]} (wanted {v})" for k, v in wanted.items() if found[k] != v
        )
        raise DemoPipelineError(
            f"the source estate in {workdir.sources} was generated with {differ}; "
            f"generate it again with these settings (then run with --from-scratch): {command}"
        )


@contextmanager
def exclusive(workdir: Workdir) -> Iterator[None]:
    """One pipeline run per work directory at a time."""
    with open(workdir.lock, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DemoPipelineError(
                f"another pipeline run is using {workdir.root} (lock {workdir.lock.name})"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
