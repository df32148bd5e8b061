"""Source outage: fall back to the previous day's data, mark gold stale, alert.

Called by the runner (quality step 1) when a source is still failing after the extractor's
last retry. For each of the source's tables the newest earlier bronze partition is
the data in use: nothing new is loaded for the day, so silver and gold keep serving
the data up to that partition's date. Nothing is copied: the source's tables are
event feeds (orders), and replaying yesterday's events as today's would only make
duplicates. The freshness ledger records the fallback with that date, so every gold
table built from the source is stale with an age, and one alert names them.

Recovery needs no action here: the next good day's extraction catches up on the
missed published dates (the API extractor's catch-up), the ledger records the feed
as fresh again, and `hooks.after_gold` sends a "recovered" alert.
"""

from __future__ import annotations

from demo_pipeline.core.context import DayContext
from demo_pipeline.core.results import CheckResult
from demo_pipeline.quality.alerts import Alert, deliver_alert
from demo_pipeline.quality.freshness import (
    FeedStatus,
    FreshnessLedger,
    fallback_result,
    gold_staleness,
    latest_partition_before,
)
from demo_pipeline.tables import TABLES


def ledger_for(ctx: DayContext) -> FreshnessLedger:
    return FreshnessLedger(ctx.workdir.freshness_ledger)


def on_source_failure(
    ctx: DayContext, source: str, tables: tuple[str, ...], error: str
) -> list[CheckResult]:
    """Quality step 1: record the fallback per table, mark stale, alert once per source."""
    day = ctx.business_date
    statuses: list[FeedStatus] = []
    results: list[CheckResult] = []
    used: dict[str, str] = {}
    for table in tables:
        feed = f"{source}.{table}"
        previous = latest_partition_before(ctx.workdir.bronze_table(source, table), day)
        data_date = previous[0] if previous else None
        statuses.append(FeedStatus(feed, day, "fallback", data_date, error))
        results.append(fallback_result(ctx.run_id, day, feed, data_date, error))
        used[table] = str(data_date) if data_date else "nothing (no earlier bronze)"
    ledger = ledger_for(ctx)
    ledger.record_day(day, statuses)
    feeds = {s.feed for s in statuses}
    affected = {t: f for t, f in TABLES.gold_feeds().items() if feeds & set(f)}
    stale = gold_staleness(ledger.read(), day, affected).filter("is_stale")
    ages = ", ".join(
        f"{r['gold_table']} ({r['age_days']} day(s))" for r in stale.iter_rows(named=True)
    )
    ctx.log.event(
        "quality.fallback", level="warning", source=source, tables=list(tables), stale=ages
    )
    deliver_alert(
        Alert(
            kind="fallback",
            severity="critical",
            run_id=ctx.run_id,
            business_date=day,
            table=", ".join(tables),
            title=f"source {source!r} unavailable after the last retry; previous data in use",
            detail=(
                f"error: {error}\n"
                f"data in use: {'; '.join(f'{t} as of {d}' for t, d in used.items())}\n"
                f"stale gold tables: {ages or 'none'}\n"
                "recovers by itself: the next good day catches up on the missed dates"
            ),
        ),
        ctx.cfg.alerts,
        ctx.workdir.alerts,
        ctx.log,
    )
    return results
