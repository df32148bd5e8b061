"""Quality results as data: every check's outcome on every run, in
`<workdir>/quality/results.parquet` (one row per `core.results.CheckResult`, in
`core.results.RESULT_SCHEMA`).

Results are stored per business date, so re-running a day replaces that day's
results instead of adding a second copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path

import polars as pl

from demo_pipeline.atomic import atomic_path
from demo_pipeline.core.results import RESULT_SCHEMA, CheckResult


class QualityResults:
    """The results file. One writer at a time (the daily run)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def read(self) -> pl.DataFrame:
        if not self.path.exists():
            return pl.DataFrame(schema=RESULT_SCHEMA)
        return pl.read_parquet(self.path)

    def replace_day(self, business_date: dt.date, results: list[CheckResult]) -> None:
        """Replace every result of `business_date` with `results` (atomic, idempotent)."""
        # Column by column: `asdict` deep-copies every field of every result, which
        # cost more than the rest of this (a day has about 60 results).
        names = [f.name for f in fields(CheckResult)]
        new = pl.DataFrame(
            {name: [getattr(r, name) for r in results] for name in names}, schema=RESULT_SCHEMA
        )
        kept = self.read().filter(pl.col("business_date") != business_date)
        combined = pl.concat([kept, new]).sort(["business_date", "tier", "table", "rule"])
        with atomic_path(self.path) as tmp:
            combined.write_parquet(tmp)
