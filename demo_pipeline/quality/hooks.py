"""The quality layer's part of a daily run (wiring: read, call, write, record).

The runner (demo_pipeline/pipeline/runner.py) calls the quality steps itself, in order:

1. `fallback.on_source_failure` - a source failed after its retries (fallback.py);
2. `after_silver` here: record the day's feed states in the freshness ledger, run
   tier 3 on the daily order measures, alert on the day's halts, quarantines and
   anomalies;
3. `after_gold` here: staleness per gold table, late arrivals and the recomputation
   of their dates, "recovered" alerts.

The checks themselves are pure functions in anomaly.py and freshness.py; this module
only finds their inputs under the work directory and hands their results back. Nothing
in the quality layer calls back into this module, and none of it imports the pipeline
or gold: the runner hands over the gold connection a check reads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from demo_pipeline.atomic import atomic_path
from demo_pipeline.core.context import DayContext
from demo_pipeline.core.results import CheckResult
from demo_pipeline.quality.alerts import Alert, alert_for_check, deliver_alerts
from demo_pipeline.quality.anomaly import (
    FLAGGED_SCHEMA,
    SEASONAL_WEEKS,
    assess_day,
    measures_from_stats,
    order_stats,
    orders_from_silver,
)
from demo_pipeline.quality.fallback import ledger_for
from demo_pipeline.quality.freshness import (
    FeedStatus,
    future_dated_result,
    gold_staleness,
    late_arrival_result,
    late_dates,
    recomputation_result,
    staleness_results,
)
from demo_pipeline.silver.stage import SilverOutcome, fact_files
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir, dated_file

# The feeds the order measures are computed from: a day either of them was not loaded
# fresh is neither judged nor used as a baseline.
ORDER_FEEDS = (TABLES["orders"].feed, TABLES["order_lines"].feed)


def after_silver(ctx: DayContext, silver: SilverOutcome) -> list[CheckResult]:
    """Ledger, tier 3 and alerts for the day, once silver is written."""
    record_feed_states(ctx, silver)
    results = tier3_for_day(ctx)
    alerts = [a for a in (alert_for_check(c) for c in [*silver.checks, *results]) if a]
    deliver_alerts(alerts, ctx.cfg.alerts, ctx.workdir.alerts, ctx.log)
    return results


def record_feed_states(ctx: DayContext, silver: SilverOutcome) -> None:
    """One ledger entry per silver table: fresh, or halted/failed with its last good date.

    A feed recorded as a fallback today (hook 1) keeps that entry unless silver did
    load it (a fallback left over from an earlier run of the day is replaced).
    """
    ledger = ledger_for(ctx)
    day = ctx.business_date
    known = ledger.read().filter(pl.col("business_date") == day)
    fallbacks = set(known.filter(pl.col("state") == "fallback")["feed"].to_list())
    statuses = []
    for table, outcome in silver.tables.items():
        feed = TABLES[table].feed
        if outcome.status == "ok":
            statuses.append(FeedStatus(feed, day, "ok", day))
        elif feed in fallbacks:
            continue
        else:
            state = "halted" if outcome.status == "halted" else "failed"
            last_good = ledger.last_good_date(feed, day)
            statuses.append(FeedStatus(feed, day, state, last_good, outcome.detail[:500]))
    ledger.record_day(day, statuses)


def tier3_for_day(ctx: DayContext) -> list[CheckResult]:
    """Tier 3 on the day's order measures, from the silver order partitions a
    baseline can reach."""
    # Only the partitions a baseline can reach: a business date is never later than
    # the day it was ingested, so older partitions hold only older dates. Memory and
    # time stay flat however long the history grows.
    since = ctx.business_date - dt.timedelta(
        weeks=SEASONAL_WEEKS, days=ctx.cfg.quality.anomaly.baseline_days
    )
    stats = OrderStatsCache(ctx.workdir).stats_since(since, ctx.business_date)
    if stats.height == 0:
        return []
    metrics = measures_from_stats(stats)
    ledger = ledger_for(ctx).read()
    not_fresh = ledger.filter(pl.col("feed").is_in(ORDER_FEEDS) & (pl.col("state") != "ok"))
    excluded = set(not_fresh["business_date"].to_list())
    log = AnomalyLog(ctx.workdir.anomalies)
    earlier = log.read().filter(pl.col("business_date") < ctx.business_date)
    results, flagged_today = assess_day(
        metrics,
        ctx.business_date,
        ctx.cfg.quality,
        ctx.run_id,
        excluded=excluded,
        flagged=earlier,
    )
    log.replace_day(ctx.business_date, flagged_today)
    return results


class OrderStatsCache:
    """Per silver orders partition, its order stats (`anomaly.order_stats`), kept in
    `<workdir>/quality/order_stats/<ingest date>.parquet`.

    Tier 3 needs a month of daily measures every day; summing one small frame per
    partition replaces re-joining every order with its lines each day. Today's
    partition is always recomputed (a re-run or a backfill rewrites it); an order's
    lines live in the same partition as the order, so each partition stands alone.
    """

    def __init__(self, workdir: Workdir) -> None:
        self.workdir = workdir
        self.silver = workdir.silver
        self.root = workdir.order_stats

    def stats_since(self, since: dt.date, today: dt.date) -> pl.DataFrame:
        frames = []
        # Up to `today` only: later partitions may exist already (the run cleans the
        # next day while this one is finished, pipeline/runner.py), and a day's
        # measures never include them.
        up_to_today = today + dt.timedelta(days=1)
        for orders_file in fact_files(self.silver, "orders", before=up_to_today, since=since):
            ingest = dt.date.fromisoformat(orders_file.parent.name.split("=", 1)[1])
            cached = dated_file(self.root, ingest)
            if ingest == today or not cached.exists():
                stats = self._compute(orders_file, ingest)
                with atomic_path(cached) as tmp:
                    stats.write_parquet(tmp)
            else:
                stats = pl.read_parquet(cached)
            frames.append(stats)
        if not self.workdir.silver_file("orders", today).exists():
            # Today loaded no orders (halted, or the source was down): no stats either.
            dated_file(self.root, today).unlink(missing_ok=True)
        return pl.concat(frames) if frames else pl.DataFrame()

    def _compute(self, orders_file: Path, ingest: dt.date) -> pl.DataFrame:
        lines_file = self.workdir.silver_file("order_lines", ingest)
        orders = pl.scan_parquet(orders_file).select("business_date", "order_id", "warehouse_id")
        lines = (
            pl.scan_parquet(lines_file).select("order_id", "quantity", "unit_price_cents")
            if lines_file.exists()
            else pl.LazyFrame(
                schema={"order_id": pl.String, "quantity": pl.Int64, "unit_price_cents": pl.Int64}
            )
        )
        return order_stats(orders_from_silver(orders, lines))


class AnomalyLog:
    """Every point tier 3 flagged (measure, series, business date, rule), in
    `<workdir>/quality/anomalies.parquet`: later days keep these points out of their
    baselines. Replaced per day, so re-running a day gives the same log."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> pl.DataFrame:
        if not self.path.exists():
            return pl.DataFrame(schema=FLAGGED_SCHEMA)
        return pl.read_parquet(self.path)

    def replace_day(self, day: dt.date, points: pl.DataFrame) -> None:
        kept = self.read().filter(pl.col("business_date") != day)
        combined = pl.concat([kept, points.cast(FLAGGED_SCHEMA)]).sort(  # type: ignore[arg-type]
            "business_date", "measure", "series", "rule"
        )
        with atomic_path(self.path) as tmp:
            combined.write_parquet(tmp)


def after_gold(ctx: DayContext, gold: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Staleness per gold table, late arrivals and their recomputation, recoveries.
    `gold` is the run's connection to the gold database, as the day's build left it."""
    day = ctx.business_date
    ledger = ledger_for(ctx).read()
    staleness = gold_staleness(ledger, day)
    results = staleness_results(ctx.run_id, staleness)
    for row in staleness.filter("is_stale").iter_rows(named=True):
        ctx.log.event(
            "quality.stale",
            level="warning",
            table=row["gold_table"],
            data_as_of=row["data_as_of"],
            age_days=row["age_days"],
        )
    results += late_arrival_checks(ctx, gold)
    deliver_alerts(recovery_alerts(ctx, ledger), ctx.cfg.alerts, ctx.workdir.alerts, ctx.log)
    return results


def late_arrival_checks(ctx: DayContext, gold: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Orders published today for earlier dates: log them, then prove that gold's
    aggregates of those dates were rebuilt with them."""
    day = ctx.business_date
    part = ctx.workdir.silver_file("orders", day)
    if not part.exists():
        return []
    orders = pl.read_parquet(part, columns=["order_id", "business_date"])
    checks = [
        late_arrival_result(ctx.run_id, day, orders),
        future_dated_result(ctx.run_id, day, orders),
    ]
    dates = late_dates(orders, day)
    if not dates or not ctx.workdir.gold_db.exists():
        return checks
    late_ids = orders.filter(pl.col("business_date") < day)["order_id"]
    fact_sales, agg_daily_sales = _gold_for_dates(gold, dates)
    checks.append(
        recomputation_result(ctx.run_id, day, dates, fact_sales, agg_daily_sales, late_ids)
    )
    return checks


def _gold_for_dates(
    gold: duckdb.DuckDBPyConnection, dates: list[dt.date]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    con = gold.cursor()
    try:
        params = [dates]
        # pl.DataFrame(relation), not relation.pl(): the latter goes through pyarrow,
        # which the run otherwise never imports.
        facts = pl.DataFrame(
            con.sql(
                "SELECT order_id, business_date, warehouse_id, quantity, net_amount "
                "FROM fact_sales WHERE list_contains(?, business_date)",
                params=params,
            )
        )
        agg = pl.DataFrame(
            con.sql(
                "SELECT business_date, warehouse_id, category_name, orders, units, revenue "
                "FROM agg_daily_sales WHERE list_contains(?, business_date)",
                params=params,
            )
        )
    finally:
        con.close()
    return facts, agg


def recovery_alerts(ctx: DayContext, ledger: pl.DataFrame) -> list[Alert]:
    """Feeds fresh today that were not on their previous recorded day: recovered."""
    day = ctx.business_date
    today = ledger.filter((pl.col("business_date") == day) & (pl.col("state") == "ok"))
    before = (
        ledger.filter(pl.col("business_date") < day)
        .sort("business_date")
        .group_by("feed")
        .agg(pl.col("business_date").last(), pl.col("state").last())
    )
    back = today.select("feed").join(before.filter(pl.col("state") != "ok"), on="feed")
    if back.height == 0:
        return []
    detail = "; ".join(
        f"{r['feed']} ({r['state']} on {r['business_date']})" for r in back.iter_rows(named=True)
    )
    return [
        Alert(
            kind="recovered",
            severity="info",
            run_id=ctx.run_id,
            business_date=day,
            table=", ".join(back["feed"].to_list()),
            title="fresh data again; the gold tables built from these feeds are no longer stale",
            detail=detail,
        )
    ]
