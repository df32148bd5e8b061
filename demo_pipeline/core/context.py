"""What every stage of one daily run needs to know, passed down explicitly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from demo_pipeline.config import DemoConfig
from demo_pipeline.core.results import CheckResult
from demo_pipeline.runlog import RunLog
from demo_pipeline.workdir import Workdir


@dataclass(frozen=True)
class DayContext:
    cfg: DemoConfig
    workdir: Workdir
    business_date: dt.date
    run_id: str
    log: RunLog
    contract_versions: dict[str, int] = field(default_factory=dict)
    """Contract version in force per table (from quality.contract_updates)."""

    def check(
        self,
        tier: int,
        table: str,
        rule: str,
        *,
        rows_checked: int = 0,
        rows_failed: int = 0,
        severity: str = "info",
        action: str = "none",
        detail: str = "",
    ) -> CheckResult:
        """A CheckResult stamped with this run's id and business date."""
        return CheckResult(
            run_id=self.run_id,
            business_date=self.business_date,
            tier=tier,  # type: ignore[arg-type]
            table=table,
            rule=rule,
            rows_checked=rows_checked,
            rows_failed=rows_failed,
            severity=severity,  # type: ignore[arg-type]
            action=action,  # type: ignore[arg-type]
            detail=detail,
        )


def run_id_for(business_date: dt.date, cfg: DemoConfig) -> str:
    """Deterministic: the same day under the same config always has the same run id."""
    return f"{business_date:%Y%m%d}-{cfg.sha256[:8]}"


def contract_versions_on(cfg: DemoConfig, run_day: dt.date) -> dict[str, int]:
    """The contract version in force per table on `run_day` (updates already landed)."""
    versions: dict[str, int] = {}
    for update in cfg.quality.contract_updates:
        lands = cfg.estate.start_date + dt.timedelta(days=update.applied_on_day - 1)
        if lands <= run_day and update.version > versions.get(update.table, 0):
            versions[update.table] = update.version
    return versions
