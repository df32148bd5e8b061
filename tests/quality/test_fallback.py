"""Source outage hook: fallback record, stale gold with its age, one alert per source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from demo_pipeline.bronze import write_bronze
from demo_pipeline.config import load_config
from demo_pipeline.core.context import DayContext
from demo_pipeline.quality.alerts import read_alerts
from demo_pipeline.quality.fallback import on_source_failure
from demo_pipeline.quality.freshness import FreshnessLedger, gold_staleness
from demo_pipeline.runlog import RunLog
from demo_pipeline.workdir import Workdir

DAY = dt.date(2026, 11, 15)


def test_outage_falls_back_to_the_previous_bronze_and_alerts(tmp_path: Path):
    """After the last retry: fallback per table, ledger entry, stale tables named in one alert."""
    workdir = Workdir(tmp_path / "build")
    for day in (DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1)):
        write_bronze(workdir.bronze, "api", "orders", day, pl.DataFrame({"order_id": ["a"]}))
    with RunLog(workdir.logs, "r") as log:
        ctx = DayContext(load_config(), workdir, DAY, "r", log)
        results = on_source_failure(ctx, "api", ("orders", "order_lines"), "HTTP 503 x4")
    by_table = {r.table: r for r in results}
    assert by_table["orders"].action == "fallback" and by_table["orders"].tier == 1
    assert "fell back to bronze data of 2026-11-14" in by_table["orders"].detail
    assert "no earlier bronze data" in by_table["order_lines"].detail
    ledger = FreshnessLedger(workdir.freshness_ledger).read()
    assert set(ledger["state"]) == {"fallback"}
    stale = gold_staleness(ledger, DAY).filter("is_stale")
    assert "fact_sales" in stale["gold_table"].to_list()
    (alert,) = read_alerts(workdir.alerts)
    assert (alert["kind"], alert["severity"]) == ("fallback", "critical")
    assert "HTTP 503 x4" in alert["detail"] and "fact_sales" in alert["detail"]
    assert alert["payload"]["text"].startswith(":rotating_light: [fallback]")
