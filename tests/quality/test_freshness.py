"""Freshness: the per-feed ledger, staleness of gold tables, and the fallback partition."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from demo_pipeline.quality.freshness import (
    FeedStatus,
    FreshnessLedger,
    fallback_result,
    gold_staleness,
    late_arrival_result,
    late_dates,
    latest_partition_before,
    partition_date,
    recomputation_result,
    staleness_results,
)

D = [dt.date(2026, 11, 13) + dt.timedelta(days=i) for i in range(5)]  # 13th .. 17th
FEEDS = {"fact_sales": ("api.orders", "erp.products"), "dim_product": ("erp.products",)}


def ok(feed: str, day: dt.date) -> FeedStatus:
    return FeedStatus(feed, day, "ok", day)


def outage_ledger(tmp_path: Path) -> FreshnessLedger:
    """Days 13..17; the API is down on the 15th (fallback to the 14th), back on the 16th."""
    ledger = FreshnessLedger(tmp_path / "freshness.parquet")
    for day in D:
        orders = (
            FeedStatus("api.orders", day, "fallback", D[1], "503 after 3 retries")
            if day == D[2]
            else ok("api.orders", day)
        )
        ledger.record_day(day, [orders, ok("erp.products", day)])
    return ledger


def staleness_on(ledger: FreshnessLedger, day: dt.date) -> dict[str, tuple]:
    frame = gold_staleness(ledger.read(), day, FEEDS)
    return {
        r["gold_table"]: (r["is_stale"], r["age_days"], r["data_as_of"])
        for r in frame.iter_rows(named=True)
    }


def test_fallback_marks_dependent_gold_tables_stale_with_age(tmp_path: Path):
    """On the outage day the tables built from the API are stale, one day old; others are fresh."""
    ledger = outage_ledger(tmp_path)
    on_outage = staleness_on(ledger, D[2])
    assert on_outage["fact_sales"] == (True, 1, D[1])
    assert on_outage["dim_product"] == (False, 0, D[2])


def test_next_good_day_recovers_by_itself(tmp_path: Path):
    """The day after the outage nothing is stale any more: the age is back to zero."""
    ledger = outage_ledger(tmp_path)
    assert staleness_on(ledger, D[3])["fact_sales"] == (False, 0, D[3])


def test_rerun_replaces_a_day_and_clears_its_staleness(tmp_path: Path):
    """Recording a day again (a backfill) replaces that day's entries instead of adding rows."""
    ledger = outage_ledger(tmp_path)
    before = ledger.read().height
    ledger.record_day(D[2], [ok("api.orders", D[2])])
    assert ledger.read().height == before
    assert staleness_on(ledger, D[2])["fact_sales"] == (False, 0, D[2])
    assert ledger.last_good_date("api.orders", D[3]) == D[2]


def test_consecutive_outages_age_grows(tmp_path: Path):
    """Two days in a row on old data: the age counts from the last fresh data, two days."""
    ledger = FreshnessLedger(tmp_path / "f.parquet")
    ledger.record_day(D[0], [ok("api.orders", D[0]), ok("erp.products", D[0])])
    for day in D[1:3]:
        ledger.record_day(
            day, [FeedStatus("api.orders", day, "halted", D[0]), ok("erp.products", day)]
        )
    assert staleness_on(ledger, D[2])["fact_sales"] == (True, 2, D[0])


def test_staleness_results_and_fallback_result():
    """Stale tables become tier-1 freshness records; an outage becomes a tier-1 fallback record."""
    ledger = pl.DataFrame(
        [("api.orders", D[2], "fallback", D[1], ""), ("erp.products", D[2], "ok", D[2], "")],
        schema=["feed", "business_date", "state", "data_date", "detail"],
        orient="row",
    )
    results = staleness_results("r", gold_staleness(ledger, D[2], FEEDS))
    assert [(r.table, r.rule, r.tier) for r in results] == [("fact_sales", "freshness.stale", 1)]
    assert "1 day(s) old" in results[0].detail and "api.orders" in results[0].detail
    fb = fallback_result("r", D[2], "api.orders", D[1], "HTTP 503")
    assert (fb.tier, fb.table, fb.action, fb.rule) == (1, "orders", "fallback", "source.fallback")
    assert "2026-11-14" in fb.detail and "HTTP 503" in fb.detail


def test_latest_partition_before_skips_today_empty_and_hidden(tmp_path: Path):
    """The fallback serves the newest earlier partition holding a real file, not a crashed temp."""
    table = tmp_path / "bronze" / "api" / "orders"
    for day, name in [
        (D[0], "part-0.parquet"),
        (D[1], ".part-0.parquet.ab12.tmp"),
        (D[2], "part-0.parquet"),
    ]:
        folder = table / f"year={day:%Y}" / f"month={day:%m}" / f"day={day:%d}"
        folder.mkdir(parents=True)
        (folder / name).write_bytes(b"x")
    found = latest_partition_before(table, D[2])
    assert found is not None and found[0] == D[0]  # the 14th only has a hidden temp file
    assert partition_date(found[1]) == D[0]
    assert latest_partition_before(table, D[0]) is None
    assert latest_partition_before(tmp_path / "missing", D[2]) is None


def late_batch() -> pl.DataFrame:
    """Orders published on the 26th: most for the 26th, three for the 24th."""
    return pl.DataFrame(
        {
            "order_id": ["O-1", "O-2", "O-3", "L-1", "L-2", "L-3"],
            "business_date": [dt.date(2026, 11, 26)] * 3 + [dt.date(2026, 11, 24)] * 3,
        }
    )


def sales_and_aggregate(drop_late_from_aggregate: bool = False):
    d24, d26 = dt.date(2026, 11, 24), dt.date(2026, 11, 26)
    facts = pl.DataFrame(
        {
            "order_id": ["A", "B", "L-1", "L-2", "L-3", "O-1"],
            "business_date": [d24, d24, d24, d24, d24, d26],
            "warehouse_id": [1, 2, 1, 1, 2, 1],
            "quantity": [2, 1, 1, 3, 1, 5],
            "net_amount": [20.0, 10.0, 9.99, 30.0, 5.0, 50.0],
            "category_name": ["a", "b", "b", "a", "b", "a"],
        }
    )
    source = (
        facts.filter(~pl.col("order_id").str.starts_with("L"))
        if drop_late_from_aggregate
        else facts
    )
    agg = source.group_by("business_date", "warehouse_id", "category_name").agg(
        pl.col("order_id").n_unique().alias("orders"),
        pl.col("quantity").sum().alias("units"),
        pl.col("net_amount").sum().round(2).alias("revenue"),
    )
    return facts, agg


def test_late_arrivals_are_logged_with_their_business_dates():
    """Orders published after their business date are counted and named, tier 2, logged."""
    published = dt.date(2026, 11, 26)
    result = late_arrival_result("r", published, late_batch())
    assert (result.tier, result.rule, result.action, result.rows_failed) == (
        2,
        "late_arrival",
        "logged",
        3,
    )
    assert "3 for 2026-11-24 (2 day(s) late)" in result.detail
    assert late_dates(late_batch(), published) == [dt.date(2026, 11, 24)]
    on_time = late_arrival_result("r", published, late_batch().head(3))
    assert (on_time.rows_failed, on_time.action, on_time.severity) == (0, "none", "info")


def test_recomputed_aggregates_match_the_facts():
    """After the late rows land, the late date's aggregate equals a recomputation from the facts."""
    facts, agg = sales_and_aggregate()
    ids = pl.Series(["L-1", "L-2", "L-3"])
    result = recomputation_result(
        "r", dt.date(2026, 11, 26), [dt.date(2026, 11, 24)], facts, agg, ids
    )
    assert (result.rule, result.rows_failed, result.severity) == (
        "late_arrival.recomputed",
        0,
        "info",
    )
    assert result.rows_checked == 2  # two warehouses on the 24th


def test_stale_aggregates_are_caught():
    """An aggregate not rebuilt after the late rows (or a late order missing) fails the check."""
    facts, stale_agg = sales_and_aggregate(drop_late_from_aggregate=True)
    d24 = dt.date(2026, 11, 24)
    result = recomputation_result("r", dt.date(2026, 11, 26), [d24], facts, stale_agg)
    assert result.severity == "fail" and result.rows_failed == 2
    assert "units" in result.detail
    _, agg = sales_and_aggregate()
    lost = recomputation_result(
        "r",
        dt.date(2026, 11, 26),
        [d24],
        facts.filter(pl.col("order_id") != "L-2"),
        agg,
        pl.Series(["L-1", "L-2"]),
    )
    assert "1 late order(s) not in fact_sales" in lost.detail
