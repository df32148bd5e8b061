"""Failure modes and recovery, told from what actually happened in the latest run:
the faults the estate injected (`sources/ground_truth.json`), what the quality checks
recorded on those days (`quality/results.parquet`) and how each daily run ended
(`runs/` manifests)."""

from __future__ import annotations

import datetime as dt

import polars as pl

# What each injected fault imitates, and the response the design intends. Prose only:
# the figures in the table come from the run's own records.
FAULT_STORIES: dict[str, tuple[str, str]] = {
    "transient_errors": (
        "The orders API answers the first requests with 503 or 429 and a Retry-After header.",
        "The extractor retries with backoff; the day completes once the API recovers.",
    ),
    "duplicate_rows": (
        "The feed sends some orders twice.",
        "Silver keeps one row per key and counts the duplicates dropped.",
    ),
    "slow_responses": (
        "Every API response is delayed.",
        "Timeouts are generous enough; the run is slower but complete.",
    ),
    "null_keys": (
        "Some orders arrive without an order id.",
        "Tier 2 sends them to quarantine with the reason; the rest of the batch flows on.",
    ),
    "renamed_column": (
        "A supplier workbook renames a column header.",
        "Tier 1 stops that table for the day and alerts; other tables are unaffected.",
    ),
    "negative_quantities": (
        "Some order lines carry negative quantities.",
        "Tier 2 range checks quarantine them.",
    ),
    "orphan_product_ids": (
        "Order lines refer to products that do not exist.",
        "Tier 2 referential checks quarantine them.",
    ),
    "source_outage": (
        "The orders API is down all day.",
        "After the retries run out, gold keeps the previous day's orders, marked stale.",
    ),
    "schema_drift": (
        "The vendor adds a discount_type field and turns order_amount into a decimal.",
        "Tier 1 halts orders until the contract is updated, then the halted days are backfilled.",
    ),
    "anomaly_spike": (
        "One warehouse's order volume jumps several-fold.",
        "Tier 3 flags the day and alerts; data still flows.",
    ),
    "late_orders": (
        "Orders are published days after their business date.",
        "They land in the partition of their business date; affected aggregates are rebuilt.",
    ),
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def fault_dates(fault: dict) -> list[str]:
    """The business dates a fault shows up on: its own, and for late data the day it was
    published (`delay_days` later), when the late rows actually arrive."""
    date = str(fault.get("date", ""))
    delay = (fault.get("params") or {}).get("delay_days")
    if not date or not delay:
        return [date]
    published = dt.date.fromisoformat(date) + dt.timedelta(days=int(delay))
    return [date, published.isoformat()]


def checks_on(results: pl.DataFrame, dates: list[str]) -> pl.DataFrame:
    """Checks on `dates` that found something (failed rows or a non-info severity)."""
    if results.is_empty():
        return results
    return results.filter(
        pl.col("business_date").cast(pl.String).is_in(dates)
        & ((pl.col("rows_failed") > 0) | (pl.col("severity") != "info"))
    ).sort(["business_date", "tier", "table", "rule"])


def render_failure_modes(ground_truth: dict, results: pl.DataFrame, runs: dict[str, str]) -> str:
    """One section per injected fault; `runs` maps business date to the run's outcome."""
    faults = sorted(ground_truth.get("faults", []), key=lambda f: (f.get("day", 0), f["kind"]))
    if not faults:
        return "No faults were injected in the latest run.\n"
    lines = [
        "Each fault below was injected by the estate generator on a known day and recorded in",
        "an answer key, so the pipeline's response can be checked rather than assumed. The",
        "answer key and every check's result are published as",
        '[ground_truth.json]({{ page_link("assets/generated/data/ground_truth.json") }}) and',
        '[quality-results.csv]({{ page_link("assets/generated/data/quality-results.csv") }}).',
        "",
        "| Day | Date | Fault | Source / table | Rows affected | Run outcome |",
        "|---|---|---|---|---|---|",
    ]
    for f in faults:
        lines.append(
            f"| {f.get('day', '')} | {f.get('date', '')} | {f['kind'].replace('_', ' ')} | "
            f"{f.get('source', '')} / {f.get('table', '')} | {f.get('count', '')} | "
            f"{_cell(runs.get(f.get('date', ''), 'no record'))} |"
        )
    lines.append("")
    for f in faults:
        what, response = FAULT_STORIES.get(f["kind"], ("An injected fault.", ""))
        title = f["kind"].replace("_", " ").capitalize()
        lines += [f"### Day {f.get('day', '?')}: {title}", "", f"**What happened.** {what}", ""]
        if response:
            lines += [f"**Designed response.** {response}", ""]
        found = checks_on(results, fault_dates(f))
        if found.is_empty():
            lines += ["**What the checks recorded.** Nothing on that business date.", ""]
        else:
            lines += [
                "**What the checks recorded.**",
                "",
                "| Date | Tier | Table | Rule | Rows failed | Severity | Action |",
                "|---|---|---|---|---|---|---|",
            ]
            for row in found.iter_rows(named=True):
                lines.append(
                    f"| {row['business_date']} | {row['tier']} | {row['table']} | "
                    f"{_cell(row['rule'])} | "
                    f"{row['rows_failed']:,} of {row['rows_checked']:,} | {row['severity']} | "
                    f"{row['action']} |"
                )
            lines.append("")
    return "\n".join(lines)
