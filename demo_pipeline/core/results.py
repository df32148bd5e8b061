"""One check's outcome (`CheckResult`) and the schema of the file that stores them all
(`<workdir>/quality/results.parquet`, written by `quality.results.QualityResults`).

Every stage records checks (extract and silver: tiers 1 and 2; quality: tier 3 and
freshness), so the type lives below all of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl

Tier = Literal[1, 2, 3]
Severity = Literal["info", "warn", "fail", "halt"]
Action = Literal[
    "none", "logged", "quarantined", "halted", "flagged", "annotated", "fallback", "not_run"
]
"""`not_run`: the check could not run (a source it needs was down); the detail says why."""

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
