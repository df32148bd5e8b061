"""Row conservation: every row that came in is accounted for.

Per table per run: rows in = rows in silver + rows quarantined + duplicates dropped
+ rows held (a batch halted by its contract stays in bronze, to be backfilled).
A run where this does not hold fails: a row that silently vanished is a bug.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from demo_pipeline.core.results import CheckResult
from demo_pipeline.errors import QualityError


@dataclass(frozen=True)
class Conservation:
    table: str
    rows_in: int
    silver: int
    quarantined: int
    duplicates: int
    held: int = 0

    @property
    def accounted(self) -> int:
        return self.silver + self.quarantined + self.duplicates + self.held

    @property
    def holds(self) -> bool:
        return self.rows_in == self.accounted

    def describe(self) -> str:
        return (
            f"in {self.rows_in} = silver {self.silver} + quarantined {self.quarantined} "
            f"+ duplicates {self.duplicates} + held {self.held}"
            + ("" if self.holds else f" (found {self.accounted})")
        )

    def to_dict(self) -> dict:
        return {**asdict(self), "holds": self.holds}


def conservation_checks(
    records: list[Conservation], run_id: str, business_date: dt.date
) -> list[CheckResult]:
    """One tier-2 result per table (`row_conservation`), failing where rows went missing."""
    return [
        CheckResult(
            run_id=run_id,
            business_date=business_date,
            tier=2,
            table=r.table,
            rule="row_conservation",
            rows_checked=r.rows_in,
            rows_failed=abs(r.rows_in - r.accounted),
            severity="info" if r.holds else "fail",
            action="none" if r.holds else "halted",
            detail=r.describe(),
        )
        for r in records
    ]


def assert_conserved(records: list[Conservation], business_date: dt.date) -> None:
    broken = [r for r in records if not r.holds]
    if broken:
        detail = "; ".join(f"{r.table}: {r.describe()}" for r in broken)
        raise QualityError(f"row conservation failed on {business_date}: {detail}")
