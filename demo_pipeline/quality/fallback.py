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

Checks a failed source prevented (`checks_not_run`, called by the runner after silver):
a referential-integrity rule of a table that did load checks against a reference
table (products, warehouses...). When that table's source was down and no earlier day
had loaded it, silver could not run the rule; the rows load unchecked. Each such rule
is recorded as `not_run` (severity warn) with the reason, never silently skipped.
"""

from __future__ import annotations

import dataclasses

import polars as pl

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
from demo_pipeline.silver.rules import References, rules_for
from demo_pipeline.silver.stage import SilverOutcome
from demo_pipeline.tables import TABLES

# The reference table behind each field of `silver.rules.References`.
REFERENCE_TABLES = {
    "product_ids": "products",
    "warehouse_ids": "warehouses",
    "customer_ids": "customers",
    "supplier_ids": "suppliers",
    "order_ids": "orders",
}


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


def _reference_rules(table: str) -> dict[str, tuple[str, str]]:
    """{rule name: (reference table, description)} for the rules of `table` that need
    a reference table (they are left out by silver when it has no data)."""
    empty = pl.Series([], dtype=pl.Int64)
    base = {r.name for r in rules_for(table, References())}
    out: dict[str, tuple[str, str]] = {}
    for f in dataclasses.fields(References):
        for rule in rules_for(table, References(**{f.name: empty})):
            if rule.name not in base:
                out[rule.name] = (REFERENCE_TABLES[f.name], rule.description)
    return out


def checks_not_run(
    ctx: DayContext, silver: SilverOutcome, unavailable: dict[str, str]
) -> list[CheckResult]:
    """A `not_run` row for every referential-integrity rule silver could not run today
    on a table whose rules did run (its reference table had no data: its source was
    down, `unavailable` maps table -> error, and no earlier day had loaded it)."""
    ran: dict[str, set[str]] = {}
    for c in silver.checks:
        if c.tier == 2:
            ran.setdefault(c.table, set()).add(c.rule)
    results: list[CheckResult] = []
    for table, outcome in silver.tables.items():
        if not (outcome.status == "ok" or outcome.halt == "rules"):
            continue  # the table itself did not reach its rules: recorded elsewhere
        for rule, (reference, description) in _reference_rules(table).items():
            if rule in ran.get(table, set()):
                continue
            source = TABLES[reference].source
            if reference in unavailable:
                why = (
                    f"source {source!r} unreadable today ({unavailable[reference]}) and "
                    f"no earlier day loaded {reference!r}"
                )
            else:
                status = silver.tables.get(reference)
                why = f"{reference!r} has no data today ({status.status if status else 'not run'})"
            loaded = outcome.conservation.silver if outcome.conservation else 0
            results.append(
                ctx.check(
                    2,
                    table,
                    rule,
                    severity="warn",
                    action="not_run",
                    detail=f"not run: {description}; {why}; {loaded} row(s) reached silver "
                    "without this check",
                )
            )
            ctx.log.event(
                "quality.check_not_run", level="warning", table=table, rule=rule, reason=why
            )
    return results
