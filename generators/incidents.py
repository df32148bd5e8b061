"""Failure modes and recovery, told from what actually happened in the latest run:
the faults the estate injected (`sources/ground_truth.json`), how the quality layer
scored each of them against what it was designed to do (`quality/recall.parquet`), what
the quality checks recorded on those days (`quality/results.parquet`) and how each daily
run ended (`runs/` manifests). It reads those files only; the scoring itself lives in
demo_pipeline/quality/summary.py.

One partial serves two pages. The quality page includes it inside
`{% with fault_view = "tally" %}` and gets the fault tally: for every fault, the tier
and action expected, the tier and action that happened, and the outcome (caught,
caught by another tier / with another action / on another day, or missed). The
architecture page includes it plainly and gets the story of each fault."""

from __future__ import annotations

import datetime as dt

import polars as pl

from demo_pipeline.core.recall import CAUGHT, MISSED, RECALL_SCHEMA, outcome_label

# What each injected fault imitates, and the response the design intends. Prose only:
# the figures in the tables come from the run's own records, and the expected tier and
# action from the recall file, scored by quality.summary against its FAULT_EXPECTATIONS.
FAULT_STORIES: dict[str, tuple[str, str]] = {
    "transient_errors": (
        "The orders API answers the first requests with 503 or 429 and a Retry-After header.",
        "The extractor retries with backoff and tier 1 logs the retries as a warning; the day "
        "completes once the API recovers.",
    ),
    "duplicate_rows": (
        "The feed sends some orders twice.",
        "Silver keeps one row per key; tier 2 counts and logs the duplicates dropped. A copy "
        "of a good row is not bad data, so it is dropped rather than quarantined.",
    ),
    "slow_responses": (
        "Every API response is delayed.",
        "Timeouts are generous enough, so the run is slower but complete; tier 1 logs the "
        "slow requests as a warning.",
    ),
    "null_keys": (
        "Some orders arrive without an order id.",
        "Tier 2 sends them to quarantine with the reason; the rest of the batch flows on.",
    ),
    "renamed_column": (
        "A supplier workbook spells a column header differently.",
        "The header is a known spelling of a documented column, so the extractor maps it "
        "onto `unit_cost_eur` and tier 1 logs the mapping as a warning; the table loads. A "
        "header that maps to no documented column would fail the contract, and tier 1 would "
        "halt that table for the day.",
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
        "After the retries run out, tier 1 falls back: gold keeps the previous day's orders, "
        "marked stale, and the missed day is fetched on the next good day.",
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
        "Tier 2 logs them on the day they arrive; they land in the partition of their business "
        "date, and the affected aggregates are rebuilt.",
    ),
}

# What a fault's `count` in the answer key counts: (unit, in words after the number).
FAULT_COUNTS: dict[str, tuple[str, str]] = {
    "transient_errors": ("requests", "requests answered with 503 or 429 before the API recovered"),
    "duplicate_rows": (
        "rows",
        "orders sent a second time (their order lines come with them, so more line rows "
        "than order rows are dropped)",
    ),
    "slow_responses": ("rows", "orders published that day, every one served slowly"),
    "null_keys": (
        "rows",
        "orders without an order id (their order lines lose the id too and are quarantined "
        "with them)",
    ),
    "renamed_column": ("columns", "column header spelled differently"),
    "negative_quantities": ("rows", "order lines with a quantity of zero or less"),
    "orphan_product_ids": ("rows", "order lines pointing at a product that never existed"),
    "source_outage": ("rows", "orders published that day, none served while the API was down"),
    "schema_drift": (
        "rows",
        "orders published in the new shape, from this day to the end of the month (each "
        "day's halt below holds only that day's orders)",
    ),
    "anomaly_spike": ("rows", "orders on top of the warehouse's usual volume"),
    "late_orders": ("rows", "orders published after their business date"),
}
COUNT_HEADERS = {
    "rows": "Rows affected",
    "requests": "Requests affected",
    "columns": "Columns affected",
}

# What a check's rows_checked / rows_failed count, by rule. Rules not listed count rows.
CHECK_UNITS: dict[str, str | None] = {
    "source.retries": "requests",
    "source.latency": "requests",
    "source.available": None,
    "source.fallback": None,
    "freshness.stale": None,
    "late_arrival.recomputed": "warehouse-days",
}
CHECK_HEADERS = {
    "rows": "Rows failed",
    "requests": "Requests affected",
    "series": "Series out of range",
    "warehouse-days": "Warehouse-days mismatched",
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


def check_unit(tier: int, rule: str) -> str | None:
    """What a check's counts count: rows, requests, series (tier 3), warehouse-days, or
    None for a check that records an event without counting anything."""
    if rule in CHECK_UNITS:
        return CHECK_UNITS[rule]
    return "series" if tier == 3 else "rows"


def count_unit(kind: str) -> str:
    return FAULT_COUNTS.get(kind, ("rows", ""))[0]


def _day_of(fault: dict, date: dt.date | None) -> str:
    """`date` as a day of the simulated month, counted from the fault's own day."""
    if date is None:
        return ""
    offset = (date - dt.date.fromisoformat(fault["date"])).days
    return str(int(fault.get("day", 0)) + offset)


def _words(tier: int | None, action: str | None, day: str) -> str:
    if tier is None:
        return "—"
    return f"tier {tier} · {action} · day {day}"


def fault_tally(ground_truth: dict, recall: pl.DataFrame) -> list[dict]:
    """For every injected fault, in calendar order: the fault and its row of the recall
    file (expected and actual tier, action and day, outcome)."""
    faults = sorted(ground_truth.get("faults", []), key=lambda f: (f.get("day", 0), f["kind"]))
    if not faults:
        return []
    if recall.is_empty():
        recall = pl.DataFrame(schema=RECALL_SCHEMA)
    scored = {(r["day"], r["kind"]): r for r in recall.iter_rows(named=True)}
    tally = []
    for f in faults:
        row = scored.get((f.get("day"), f["kind"]))
        if row is None:  # scored by an older run, or not at all: say so, do not guess
            row = {**dict.fromkeys(RECALL_SCHEMA), "outcome": MISSED, "evidence": "not scored"}
        tally.append({"fault": f, **row})
    return tally


def render_tally(tally: list[dict]) -> str:
    """The quality page's table: expected against actual, and the outcome, per fault."""
    lines = [
        "For every injected fault: the tier and action I designed the pipeline to answer it",
        "with, on the day it should show, and what the quality results record. A fault counts",
        "as **caught** only when the expected tier took the expected action on the expected",
        "day. When some other check noticed it, the outcome says so (caught by another tier,",
        "with another action, or on another day) and the *Actual* column names that check's",
        "tier, action and day; when nothing noticed it, the fault is **missed**.",
        "",
        "| Day | Fault | Expected | Actual | Outcome |",
        "|---|---|---|---|---|",
    ]
    for t in tally:
        f = t["fault"]
        expected = _words(t["expected_tier"], t["expected_action"], _day_of(f, t["expected_on"]))
        actual = _words(t["actual_tier"], t["actual_action"], _day_of(f, t["actual_on"]))
        outcome = outcome_label(t)
        outcome = f"**{outcome}**" if t["outcome"] != CAUGHT else outcome
        lines.append(
            f"| {f.get('day', '')} | {f['kind'].replace('_', ' ')} | {expected} | {actual} "
            f"| {outcome} |"
        )
    lines.append("")
    return "\n".join(lines)


def _count_cells(faults: list[dict]) -> tuple[list[str], list[list[str]]]:
    """One column per unit the faults' counts use (rows, requests, columns): never two
    units in one column."""
    units = [u for u in COUNT_HEADERS if any(count_unit(f["kind"]) == u for f in faults)]
    cells = [
        [f"{f.get('count', 0):,}" if count_unit(f["kind"]) == u else "—" for u in units]
        for f in faults
    ]
    return [COUNT_HEADERS[u] for u in units], cells


def _checks_table(found: pl.DataFrame) -> list[str]:
    rows = list(found.iter_rows(named=True))
    units = [u for u in CHECK_HEADERS if any(check_unit(r["tier"], r["rule"]) == u for r in rows)]
    header = ["Date", "Tier", "Table", "Rule", *(CHECK_HEADERS[u] for u in units)]
    header += ["Severity", "Action"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        unit = check_unit(row["tier"], row["rule"])
        counted = [
            f"{row['rows_failed']:,} of {row['rows_checked']:,}" if unit == u else "—"
            for u in units
        ]
        cells = [
            str(row["business_date"]),
            str(row["tier"]),
            row["table"],
            _cell(row["rule"]),
            *counted,
            row["severity"],
            row["action"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _expected_line(t: dict) -> str:
    f = t["fault"]
    if t.get("expected_tier") is None:
        return "**Expected.** No expectation is recorded for this kind of fault."
    rules = " or ".join(
        f"`{r}*`" if r.endswith(".") else f"`{r}`" for r in str(t["expected_rule"]).split(", ")
    )
    return (
        f"**Expected.** Tier {t['expected_tier']}, {rules} on `{t['expected_tables']}`, "
        f"action *{t['expected_action']}*, on day {_day_of(f, t['expected_on'])} "
        f"({t['expected_on']})."
    )


def _outcome_line(t: dict) -> str:
    f = t["fault"]
    label = outcome_label(t)
    if t["outcome"] == CAUGHT:
        return "**Outcome: caught**, by the expected check on the expected day."
    if t["outcome"] == MISSED:
        return "**Outcome: missed.** No check recorded anything about it on its day."
    return (
        f"**Outcome: {label}.** Tier {t['actual_tier']}, `{_cell(t['actual_rule'])}` on "
        f"`{t['actual_table']}`, action *{t['actual_action']}*, on day "
        f"{_day_of(f, t['actual_on'])} ({t['actual_on']})."
    )


def render_stories(tally: list[dict], results: pl.DataFrame, runs: dict[str, str]) -> str:
    """The architecture page's account: one row and one section per injected fault."""
    faults = [t["fault"] for t in tally]
    count_headers, count_cells = _count_cells(faults)
    header = ["Day", "Date", "Fault", "Source / table", *count_headers, "Run outcome"]
    lines = [
        "Each fault below was injected by the estate generator on a known day and recorded in",
        "an answer key, so the pipeline's response can be checked rather than assumed. The",
        "answer key and every check's result are published as",
        '[ground_truth.json]({{ page_link("assets/generated/data/ground_truth.json") }}) and',
        '[quality-results.csv]({{ page_link("assets/generated/data/quality-results.csv") }}).',
        "Whether each one was caught as designed is scored on the",
        '[quality page]({{ page_link("quality.md") }}#what-the-demo-caught).',
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for f, counts in zip(faults, count_cells, strict=True):
        cells = [
            str(f.get("day", "")),
            str(f.get("date", "")),
            f["kind"].replace("_", " "),
            f"{f.get('source', '')} / {f.get('table', '')}",
            *counts,
            _cell(runs.get(f.get("date", ""), "no record")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for t in tally:
        f = t["fault"]
        what, response = FAULT_STORIES.get(f["kind"], ("An injected fault.", ""))
        params = f.get("params") or {}
        if f["kind"] == "renamed_column" and {"from", "to"} <= set(params):
            what += f" It reads `{params['to']}` instead of `{params['from']}`."
        title = f["kind"].replace("_", " ").capitalize()
        lines += [f"### Day {f.get('day', '?')}: {title}", "", f"**What happened.** {what}", ""]
        counted = FAULT_COUNTS.get(f["kind"])
        if counted is not None:
            lines += [f"**Affected.** {f.get('count', 0):,} {counted[1]}.", ""]
        if response:
            lines += [f"**Designed response.** {response}", ""]
        lines += [_expected_line(t), "", _outcome_line(t), ""]
        found = checks_on(results, fault_dates(f))
        if found.is_empty():
            lines += ["**What the checks recorded.** Nothing on that business date.", ""]
        else:
            lines += ["**What the checks recorded.**", "", *_checks_table(found), ""]
    return "\n".join(lines)


def render_failure_modes(
    ground_truth: dict, results: pl.DataFrame, runs: dict[str, str], recall: pl.DataFrame
) -> str:
    """The partial: the tally when included with `fault_view = "tally"`, the stories
    otherwise. `runs` maps business date to the run's outcome; `recall` is the quality
    layer's scoring of each fault."""
    tally = fault_tally(ground_truth, recall)
    if not tally:
        return "No faults were injected in the latest run.\n"
    return "\n".join(
        [
            '{% if fault_view | default("stories") == "tally" %}',
            "",
            render_tally(tally),
            "{% else %}",
            "",
            render_stories(tally, results, runs),
            "{% endif %}",
            "",
        ]
    )
