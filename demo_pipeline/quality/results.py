"""Quality results as data: every check's outcome on every run, in
`<workdir>/quality/results.parquet`.

Results are stored per business date, so re-running a day replaces that day's
results instead of adding a second copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from demo_pipeline.atomic import atomic_path

Tier = Literal[1, 2, 3]
Severity = Literal["info", "warn", "fail", "halt"]
Action = Literal["none", "logged", "quarantined", "halted", "flagged", "annotated", "fallback"]

RESULT_SCHEMA = {
    "run_id": pl.String,
    "business_date": pl.Date,
    "tier": pl.Int8,
    "table": pl.String,
    "rule": pl.String,
    "rows_checked": pl.Int64,
    "rows_failed": pl.Int64,
    "severity": pl.String,
    "action": pl.String,
    "detail": pl.String,
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one table for one business date."""

    run_id: str
    business_date: dt.date
    tier: Tier
    table: str
    rule: str
    rows_checked: int
    rows_failed: int
    severity: Severity
    action: Action
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.rows_failed == 0 and self.severity == "info"


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
        new = pl.DataFrame([asdict(r) for r in results], schema=RESULT_SCHEMA)
        kept = self.read().filter(pl.col("business_date") != business_date)
        combined = pl.concat([kept, new]).sort(["business_date", "tier", "table", "rule"])
        with atomic_path(self.path) as tmp:
            combined.write_parquet(tmp)
