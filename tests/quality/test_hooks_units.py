"""The quality steps' bookkeeping on tiny frames: the anomaly log, the results file,
the per-partition order-stats cache, the feed states recorded after silver, and the
"recovered" alerts. Real Parquet files under tmp_path; no pipeline run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

from demo_pipeline.config import DemoConfig
from demo_pipeline.core.context import DayContext
from demo_pipeline.core.results import RESULT_SCHEMA, CheckResult
from demo_pipeline.quality.anomaly import FLAGGED_SCHEMA, order_stats, orders_from_silver
from demo_pipeline.quality.freshness import FeedStatus, FreshnessLedger
from demo_pipeline.quality.hooks import (
    AnomalyLog,
    OrderStatsCache,
    record_feed_states,
    recovery_alerts,
)
from demo_pipeline.quality.results import QualityResults
from demo_pipeline.runlog import RunLog
from demo_pipeline.silver.stage import SilverOutcome, TableOutcome
from demo_pipeline.workdir import Workdir, dated_file

D1, D2, D3 = (dt.date(2026, 11, 2) + dt.timedelta(days=i) for i in range(3))


@pytest.fixture
def context(tmp_path: Path) -> Iterator[Callable[[dt.date], DayContext]]:
    """DayContext factory on one work directory (one run log for the test)."""
    workdir = Workdir(tmp_path / "wd")
    with RunLog(workdir.logs, "units") as log:
        yield lambda day: DayContext(DemoConfig(), workdir, day, f"run-{day}", log)


# --- anomaly log and results file -------------------------------------------------------


def points(day: dt.date, *series: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "measure": ["orders_per_warehouse"] * len(series),
            "series": list(series),
            "business_date": [day] * len(series),
            "rule": ["orders_per_warehouse.zscore"] * len(series),
        },
        schema=FLAGGED_SCHEMA,
    )


def test_anomaly_log_replaces_a_day_and_keeps_the_others(tmp_path: Path):
    """replace_day is idempotent per day: a re-run replaces that day's points (or clears
    them), never adds a second copy, and leaves other days alone; the log stays sorted."""
    log = AnomalyLog(tmp_path / "anomalies.parquet")
    assert log.read().height == 0 and log.read().schema == pl.Schema(FLAGGED_SCHEMA)
    log.replace_day(D2, points(D2, "warehouse_id=3"))
    log.replace_day(D1, points(D1, "warehouse_id=2", "warehouse_id=1"))
    once = log.read()
    log.replace_day(D1, points(D1, "warehouse_id=2", "warehouse_id=1"))
    assert log.read().equals(once)
    assert once.select("business_date", "series").rows() == [
        (D1, "warehouse_id=1"),
        (D1, "warehouse_id=2"),
        (D2, "warehouse_id=3"),
    ]
    log.replace_day(D1, pl.DataFrame(schema=FLAGGED_SCHEMA))
    assert log.read().select("business_date", "series").rows() == [(D2, "warehouse_id=3")]


def check(day: dt.date, rule: str, tier: int = 2) -> CheckResult:
    return CheckResult("r", day, tier, "orders", rule, 10, 0, "info", "none")


def test_quality_results_replace_a_day_instead_of_appending(tmp_path: Path):
    """Re-running a day replaces its results; other days are kept; rows sorted by date,
    tier, table and rule; an empty run of a day removes that day's rows."""
    results = QualityResults(tmp_path / "results.parquet")
    assert results.read().schema == pl.Schema(RESULT_SCHEMA)
    results.replace_day(D2, [check(D2, "b"), check(D2, "a", tier=1)])
    results.replace_day(D1, [check(D1, "a")])
    once = results.read()
    results.replace_day(D2, [check(D2, "b"), check(D2, "a", tier=1)])
    assert results.read().equals(once)
    assert once.select("business_date", "tier", "rule").rows() == [
        (D1, 2, "a"),
        (D2, 1, "a"),
        (D2, 2, "b"),
    ]
    results.replace_day(D2, [])
    assert results.read()["business_date"].to_list() == [D1]


# --- order-stats cache ------------------------------------------------------------------


def write_orders(workdir: Workdir, ingest: dt.date, orders: list[tuple], lines: list[tuple]):
    """Silver orders (order_id, business_date, warehouse_id) and lines (order_id,
    quantity, unit_price_cents) of one ingestion date; no lines file if `lines` is []."""
    target = workdir.silver_file("orders", ingest)
    target.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(
        orders, schema=["order_id", "business_date", "warehouse_id"], orient="row"
    ).write_parquet(target)
    if lines:
        target = workdir.silver_file("order_lines", ingest)
        target.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(
            lines, schema=["order_id", "quantity", "unit_price_cents"], orient="row"
        ).write_parquet(target)


def silver_day(workdir: Workdir, ingest: dt.date, n: int, warehouse: int = 1) -> None:
    """`n` orders of one line each (n x 2 units at 5.00), plus a late one on D2."""
    orders = [(f"{ingest}-{k}", ingest, warehouse) for k in range(n)]
    if ingest == D2:
        orders.append(("late", D1, 2))
    write_orders(workdir, ingest, orders, [(o[0], 2, 500) for o in orders])


def expected_stats(workdir: Workdir, *ingests: dt.date) -> pl.DataFrame:
    orders = pl.concat([pl.read_parquet(workdir.silver_file("orders", d)) for d in ingests])
    lines = pl.concat([pl.read_parquet(workdir.silver_file("order_lines", d)) for d in ingests])
    return order_stats(orders_from_silver(orders, lines))


def summed(stats: pl.DataFrame) -> pl.DataFrame:
    return (
        stats.group_by("business_date", "warehouse_id")
        .agg(pl.all().sum())
        .sort("business_date", "warehouse_id")
    )


def test_stats_cache_covers_the_partitions_since_a_date_and_writes_one_file_each(tmp_path):
    """stats_since(since, today) sums to the stats of every order in the partitions
    ingested from `since` on (a late order counted in its business date); older
    partitions are not read; one cache file per partition read."""
    workdir = Workdir(tmp_path / "wd")
    for day, n in ((D1, 3), (D2, 2), (D3, 4)):
        silver_day(workdir, day, n)
    stats = OrderStatsCache(workdir).stats_since(D2, D3)
    assert summed(stats).equals(summed(expected_stats(workdir, D2, D3)))
    assert sorted(p.name for p in workdir.order_stats.iterdir()) == [
        dated_file(workdir.order_stats, d).name for d in (D2, D3)
    ]
    late = summed(stats).filter(pl.col("business_date") == D1)
    assert late.select("warehouse_id", "orders", "amount_sum").rows() == [(2, 1, 10.0)]


def test_stats_cache_reads_past_partitions_from_cache_and_recomputes_today(tmp_path):
    """An earlier partition's stats come from its cache file; today's partition is always
    recomputed (a re-run rewrites it)."""
    workdir = Workdir(tmp_path / "wd")
    silver_day(workdir, D1, 3)
    silver_day(workdir, D2, 2)
    cache = OrderStatsCache(workdir)
    cache.stats_since(D1, D2)
    for day in (D1, D2):  # tamper with both cache files
        path = dated_file(workdir.order_stats, day)
        pl.read_parquet(path).with_columns(pl.lit(999, pl.Int64).alias("orders")).write_parquet(
            path
        )
    stats = summed(cache.stats_since(D1, D2))
    assert stats.select("business_date", "warehouse_id", "orders").rows() == [
        (D1, 1, 999),  # the D1 partition: read from its (tampered) cache file
        (D1, 2, 1),  # the late order in today's partition: recomputed
        (D2, 1, 2),  # today's own orders: recomputed
    ]


def test_stats_cache_drops_todays_file_when_today_loaded_no_orders(tmp_path):
    """A day whose orders did not load (halted, source down) has no stats: a cache file
    left by an earlier run of that day is removed."""
    workdir = Workdir(tmp_path / "wd")
    silver_day(workdir, D1, 3)
    silver_day(workdir, D2, 2)
    OrderStatsCache(workdir).stats_since(D1, D2)
    workdir.silver_file("orders", D2).unlink()
    stats = OrderStatsCache(workdir).stats_since(D1, D2)
    assert not dated_file(workdir.order_stats, D2).exists()
    assert set(stats["business_date"]) == {D1}


def test_orders_without_lines_count_but_carry_no_amount(tmp_path):
    """Orders whose lines are not in silver (held with a halted batch) count as orders,
    with no priced amount."""
    workdir = Workdir(tmp_path / "wd")
    write_orders(workdir, D1, [("a", D1, 1), ("b", D1, 1)], [])
    stats = OrderStatsCache(workdir).stats_since(D1, D1)
    assert stats.select("orders", "priced", "amount_sum").rows() == [(2, 0, 0.0)]


# --- feed states and recoveries ---------------------------------------------------------


def test_feed_states_after_silver_keep_todays_fallback_and_the_last_good_date(context):
    """After silver: a table loaded is `ok` as of today; a halted or failed one names its
    last good date; a fallback recorded earlier today stays unless silver loaded the
    feed after all."""
    ctx1, ctx2 = context(D1), context(D2)
    ledger = FreshnessLedger(ctx1.workdir.freshness_ledger)
    ledger.record_day(
        D1,
        [FeedStatus(f, D1, "ok", D1) for f in ("api.orders", "erp.products", "erp.suppliers")],
    )
    ledger.record_day(
        D2,
        [
            FeedStatus("erp.suppliers", D2, "fallback", D1, "ERP down"),
            FeedStatus("api.orders", D2, "fallback", D1, "an earlier run of the day"),
        ],
    )
    silver = SilverOutcome(
        tables={
            "orders": TableOutcome("orders", "ok"),
            "products": TableOutcome("products", "halted", detail="column 'sku': missing"),
            "suppliers": TableOutcome("suppliers", "failed", detail="ERP down"),
        }
    )
    record_feed_states(ctx2, silver)
    today = ledger.read().filter(pl.col("business_date") == D2).sort("feed")
    assert today.select("feed", "state", "data_date").rows() == [
        ("api.orders", "ok", D2),
        ("erp.products", "halted", D1),
        ("erp.suppliers", "fallback", D1),
    ]
    assert "sku" in today.filter(pl.col("feed") == "erp.products")["detail"][0]


def test_recovery_alert_names_the_feeds_fresh_again(context):
    """A feed fresh today that was not on its previous recorded day raises one
    'recovered' alert (info) naming it and what it was; feeds fresh both days, or still
    down, raise none."""
    ledger = pl.DataFrame(
        [
            ("api.orders", D1, "fallback", D1 - dt.timedelta(days=1), ""),
            ("api.orders", D2, "ok", D2, ""),
            ("erp.products", D1, "ok", D1, ""),
            ("erp.products", D2, "ok", D2, ""),
            ("erp.suppliers", D1, "halted", None, ""),
            ("erp.suppliers", D2, "failed", None, ""),
        ],
        schema=["feed", "business_date", "state", "data_date", "detail"],
        orient="row",
    )
    alerts = recovery_alerts(context(D2), ledger)
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert.kind, alert.severity, alert.table) == ("recovered", "info", "api.orders")
    assert alert.detail == f"api.orders (fallback on {D1})"
    assert recovery_alerts(context(D1), ledger) == []


def test_stats_leave_out_partitions_of_later_days(tmp_path):
    """A run cleans the next day while this one is finished: a partition ingested after
    `today` may already be there, and is neither counted nor cached."""
    workdir = Workdir(tmp_path / "wd")
    for day, n in ((D1, 3), (D2, 2), (D3, 4)):
        silver_day(workdir, day, n)
    stats = OrderStatsCache(workdir).stats_since(D1, D2)
    assert summed(stats).equals(summed(expected_stats(workdir, D1, D2)))
    assert not dated_file(workdir.order_stats, D3).exists()
