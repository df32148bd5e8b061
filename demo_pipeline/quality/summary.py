"""Quality in numbers: the `quality.*` metrics, and recall against the answer key.

Everything is computed from `<workdir>/quality/results.parquet` (every check's outcome
on every run), the freshness ledger and the generator's ground truth
(`<workdir>/sources/ground_truth.json`).

Recall asks, for every fault the generator injected: did the expected tier take the
expected action on the expected day? Only then is the fault *caught*. A fault that some
other check noticed (another tier, another action, or the expected check on another
day) is *caught otherwise*, and says by what; a fault nothing noticed is *missed*. What
"caught" means for each kind of fault is data (`FAULT_EXPECTATIONS`), so the page
explaining the quality framework and the test that holds the pipeline to it read the
same table. False positives are tier-3 flags that no injected fault explains; they are
listed, not only counted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from demo_pipeline.atomic import atomic_path
from demo_pipeline.core.recall import (
    CAUGHT,
    CAUGHT_OTHERWISE,
    MISSED,
    OUTCOMES,
    RECALL_SCHEMA,
)
from demo_pipeline.metrics import Metric, MetricCatalogue
from demo_pipeline.provenance import Provenance
from demo_pipeline.quality.freshness import FreshnessLedger, gold_staleness
from demo_pipeline.quality.results import QualityResults
from demo_pipeline.workdir import Workdir

# How long after its expected day the expected check may fire and still be reported as
# "caught on another day" rather than missed.
LATE_DETECTION_DAYS = 3

# When something other than the expected check noticed a fault, the most consequential
# action is the one reported.
ACTION_WEIGHT = {
    "halted": 0,
    "quarantined": 1,
    "fallback": 2,
    "flagged": 3,
    "logged": 4,
    "annotated": 5,
    "none": 6,
}


@dataclass(frozen=True)
class Expectation:
    """What catching one kind of fault looks like in the quality results: one tier, one
    action, on one day (the day injected, or `detected_on_param`'s day)."""

    tier: int
    tables: tuple[str, ...]
    rules: tuple[str, ...]
    """Rule names; a name ending in '.' matches every rule under that prefix."""
    action: str
    """The action the matching result must have taken (quality.results.Action)."""
    how: str
    """In words, for the report and the site."""
    needs_failed_rows: bool = True
    """The matching result must count at least one failure (row, request or series)."""
    detected_on_param: str | None = None
    """A fault param holding the ISO date the fault shows up on, when later than injected
    (late orders show up on the day they are published)."""

    def rule_matches(self) -> pl.Expr:
        exact = [r for r in self.rules if not r.endswith(".")]
        prefixes = [r for r in self.rules if r.endswith(".")]
        rule_ok = pl.col("rule").is_in(exact)
        for prefix in prefixes:
            rule_ok = rule_ok | pl.col("rule").str.starts_with(prefix)
        return rule_ok

    def matches(self) -> pl.Expr:
        """The expected check, with the expected tier, table and action (any day)."""
        expr = (
            (pl.col("tier") == self.tier)
            & pl.col("table").is_in(self.tables)
            & self.rule_matches()
            & (pl.col("action") == self.action)
        )
        if self.needs_failed_rows:
            expr = expr & (pl.col("rows_failed") > 0)
        return expr


# Fault kind (config.FaultKind) -> how the pipeline is expected to catch it.
FAULT_EXPECTATIONS: dict[str, Expectation] = {
    "transient_errors": Expectation(
        tier=1,
        tables=("orders",),
        rules=("source.retries",),
        action="logged",
        how="HTTP 503/429 retried with exponential backoff and logged as a warning; the day "
        "loads without a fallback",
    ),
    "slow_responses": Expectation(
        tier=1,
        tables=("orders",),
        rules=("source.latency",),
        action="logged",
        how="slow responses noticed (seconds per request against the source's history), "
        "logged as a warning and absorbed within the timeout",
    ),
    "duplicate_rows": Expectation(
        tier=2,
        tables=("orders",),
        rules=("duplicates_dropped",),
        action="logged",
        how="repeated orders dropped by key, one copy kept, and the drops counted and logged",
    ),
    "null_keys": Expectation(
        tier=2,
        tables=("orders",),
        rules=("order_id_not_null",),
        action="quarantined",
        how="orders without an order_id fail the nullability rule and go to quarantine",
    ),
    "renamed_column": Expectation(
        tier=1,
        tables=("supplier_prices",),
        rules=("header_mapping",),
        action="logged",
        how="the header is a known spelling of a documented column: it is mapped onto that "
        "column and logged as a tier-1 warning (a header nothing maps would fail the "
        "contract and halt the table instead)",
        needs_failed_rows=False,
    ),
    "negative_quantities": Expectation(
        tier=2,
        tables=("order_lines",),
        rules=("quantity_positive",),
        action="quarantined",
        how="order lines with quantity <= 0 fail the range rule and go to quarantine",
    ),
    "orphan_product_ids": Expectation(
        tier=2,
        tables=("order_lines",),
        rules=("product_id_known",),
        action="quarantined",
        how="order lines whose product is not in the product dimension fail referential "
        "integrity and go to quarantine",
    ),
    "source_outage": Expectation(
        tier=1,
        tables=("orders",),
        rules=("source.fallback",),
        action="fallback",
        how="the API stays down after the last retry: fall back to the previous day's bronze, "
        "mark dependent gold tables stale, alert",
        needs_failed_rows=False,
    ),
    "schema_drift": Expectation(
        tier=1,
        tables=("orders",),
        rules=("schema_contract",),
        action="halted",
        how="the new column and the decimal amount break contract v1: the table halts",
    ),
    "anomaly_spike": Expectation(
        tier=3,
        tables=("orders",),
        rules=("orders_per_warehouse.",),
        action="flagged",
        how="one warehouse's order volume is flagged against its seasonal baseline",
    ),
    "late_orders": Expectation(
        tier=2,
        tables=("orders",),
        rules=("late_arrival",),
        action="logged",
        how="orders published days after their business date are noticed and logged on "
        "arrival, land in their business date, and the affected aggregates are recomputed",
        detected_on_param="published_date",
    ),
}


def read_ground_truth(path: Path) -> dict:
    if not path.exists():
        raise FileNotFoundError(f"ground truth {path} not found (run `generate` first)")
    return json.loads(path.read_text(encoding="utf-8"))


def expected_detection_date(fault: Mapping, expectation: Expectation | None) -> dt.date:
    param = expectation.detected_on_param if expectation is not None else None
    later = fault.get("params", {}).get(param or "", None)
    return dt.date.fromisoformat(later or fault["date"])


def findings() -> pl.Expr:
    """A check that noticed something: failures counted, a non-info severity, or an action."""
    return (
        (pl.col("rows_failed") > 0) | (pl.col("severity") != "info") | (pl.col("action") != "none")
    )


def _strongest_first(frame: pl.DataFrame) -> pl.DataFrame:
    weight = pl.col("action").replace_strict(ACTION_WEIGHT, default=len(ACTION_WEIGHT))
    return (
        frame.with_columns(_weight=weight)
        .sort("_weight", "business_date", "tier", "table", "rule")
        .drop("_weight")
    )


def _describe(rows: pl.DataFrame) -> str:
    return "; ".join(
        f"{r['business_date']} tier {r['tier']} {r['table']}.{r['rule']} {r['action']} "
        f"({r['rows_failed']} failed)"
        for r in rows.iter_rows(named=True)
    )


def classify_fault(
    results: pl.DataFrame, fault: Mapping, expectation: Expectation | None
) -> tuple[str, dict | None, str]:
    """(outcome, the result that stands for what happened or None, evidence in words).

    - caught: the expected check (tier, table, rule, action) on the expected day;
    - caught otherwise: any other finding on the fault's table(s) on the day it was
      injected or expected, or else the expected check up to `LATE_DETECTION_DAYS` late;
    - missed: nothing of either.
    """
    injected = dt.date.fromisoformat(fault["date"])
    when = expected_detection_date(fault, expectation)
    tables = {fault["table"], *(expectation.tables if expectation is not None else ())}
    if expectation is not None:
        hits = results.filter((pl.col("business_date") == when) & expectation.matches()).sort(
            "tier", "table", "rule"
        )
        if hits.height:
            return CAUGHT, hits.row(0, named=True), _describe(hits)
    on_its_days = _strongest_first(
        results.filter(
            pl.col("business_date").is_in([injected, when])
            & pl.col("table").is_in(sorted(tables))
            & findings()
        )
    )
    if on_its_days.height:
        return CAUGHT_OTHERWISE, on_its_days.row(0, named=True), _describe(on_its_days)
    if expectation is not None:
        late = results.filter(
            pl.col("business_date").is_between(
                when + dt.timedelta(days=1), when + dt.timedelta(days=LATE_DETECTION_DAYS)
            )
            & expectation.matches()
        ).sort("business_date", "tier", "table", "rule")
        if late.height:
            return CAUGHT_OTHERWISE, late.row(0, named=True), _describe(late)
    return MISSED, None, ""


def recall_table(
    results: pl.DataFrame,
    ground_truth: Mapping,
    expectations: Mapping[str, Expectation] = FAULT_EXPECTATIONS,
) -> pl.DataFrame:
    """One row per injected fault: what was expected (tier, action, day), what happened
    (the tier, action and day of the check that stands for it), and the outcome."""
    rows = []
    for fault in ground_truth["faults"]:
        expectation = expectations.get(fault["kind"])
        outcome, actual, evidence = classify_fault(results, fault, expectation)
        actual = actual or {}
        rows.append(
            (
                fault["day"],
                fault["date"],
                fault["kind"],
                fault["table"],
                expectation.tier if expectation else None,
                expectation.action if expectation else None,
                ", ".join(expectation.rules) if expectation else None,
                ", ".join(expectation.tables) if expectation else None,
                expected_detection_date(fault, expectation),
                outcome,
                outcome == CAUGHT,
                actual.get("tier"),
                actual.get("action"),
                actual.get("table"),
                actual.get("rule"),
                actual.get("business_date"),
                evidence,
                expectation.how if expectation else "",
            )
        )
    return pl.DataFrame(rows, schema=RECALL_SCHEMA, orient="row")


def outcome_counts(recall: pl.DataFrame) -> dict[str, int]:
    """Faults per outcome; every outcome present, so the three add up to the faults."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for outcome in recall["outcome"].to_list():
        counts[outcome] += 1
    return counts


def recall_pct(recall: pl.DataFrame) -> float | None:
    """Share of injected faults caught as designed: the expected tier took the expected
    action on the expected day (None: no faults)."""
    if recall.height == 0:
        return None
    return round(100.0 * recall["caught"].sum() / recall.height, 2)


def false_positives(
    results: pl.DataFrame,
    ground_truth: Mapping,
    expectations: Mapping[str, Expectation] = FAULT_EXPECTATIONS,
) -> pl.DataFrame:
    """Tier-3 flags that no injected tier-3 fault explains (the list; target: empty)."""
    explained = [
        expected_detection_date(f, expectations[f["kind"]])
        for f in ground_truth["faults"]
        if f["kind"] in expectations and expectations[f["kind"]].tier == 3
    ]
    return (
        results.filter(
            (pl.col("tier") == 3)
            & (pl.col("action") == "flagged")
            & ~pl.col("business_date").is_in(explained)
        )
        .select("business_date", "table", "rule", "rows_failed", "detail")
        .sort("business_date", "rule")
    )


@dataclass(frozen=True)
class QualitySummary:
    """The numbers, and the tables behind them (for the report and the site)."""

    values: dict[str, tuple[float | int | None, str, str]]
    """metric key -> (value, unit, description)"""
    recall: pl.DataFrame
    false_positives: pl.DataFrame
    staleness: pl.DataFrame


def summarise(
    results: pl.DataFrame,
    ground_truth: Mapping | None,
    ledger: pl.DataFrame,
    as_of: dt.date | None = None,
) -> QualitySummary:
    """Pure: the quality metrics from the results, the ground truth and the ledger."""
    tier3 = results.filter(pl.col("tier") == 3)
    values: dict[str, tuple[float | int | None, str, str]] = {
        "quality.checks.total": (results.height, "checks", "check outcomes recorded, all runs"),
        "quality.halts": (
            results.filter(pl.col("action") == "halted")
            .select("business_date", "table")
            .unique()
            .height,
            "table-days",
            "tables halted for a day (tier 1 contract or upstream halt, or rules above fail)",
        ),
        "quality.fallbacks": (
            results.filter(pl.col("action") == "fallback")
            .select("business_date", "table")
            .unique()
            .height,
            "table-days",
            "tables whose source was down after its last retry, so earlier data was served",
        ),
        "quality.quarantine.rows": (
            int(results.filter(pl.col("action") == "quarantined")["rows_failed"].sum() or 0),
            "rule failures",
            "rows failing a tier-2 rule, counted per rule broken",
        ),
        "quality.duplicates.rows": (
            int(results.filter(pl.col("rule") == "duplicates_dropped")["rows_failed"].sum() or 0),
            "rows",
            "duplicate rows dropped by key (counted, not lost)",
        ),
        "quality.anomalies.flagged": (
            tier3.filter(pl.col("action") == "flagged").height,
            "checks",
            "tier-3 checks (measure x method x day) that flagged an anomaly",
        ),
        "quality.anomalies.expected_peaks": (
            tier3.filter(pl.col("action") == "annotated").height,
            "checks",
            "tier-3 checks that fired on a known peak and were annotated, not flagged",
        ),
    }
    for tier in (1, 2, 3):
        in_tier = results.filter(pl.col("tier") == tier)
        values[f"quality.tier{tier}.checks"] = (
            in_tier.height,
            "checks",
            f"tier-{tier} check outcomes",
        )
        values[f"quality.tier{tier}.failed"] = (
            in_tier.filter(pl.col("rows_failed") > 0).height,
            "checks",
            f"tier-{tier} check outcomes that counted at least one failure "
            "(a row, a request or a series, depending on the check)",
        )
    if ground_truth is not None:
        recall = recall_table(results, ground_truth)
        fps = false_positives(results, ground_truth)
        counts = outcome_counts(recall)
        values["quality.recall_pct"] = (
            recall_pct(recall),
            "%",
            "injected faults caught as designed: the expected tier took the expected action "
            "on the expected day (ground truth)",
        )
        values["quality.faults.injected"] = (recall.height, "faults", "faults in the ground truth")
        values["quality.faults.caught"] = (
            counts[CAUGHT],
            "faults",
            "faults caught as designed: the expected tier took the expected action on the "
            "expected day",
        )
        values["quality.faults.caught_otherwise"] = (
            counts[CAUGHT_OTHERWISE],
            "faults",
            "faults noticed, but not as designed: by another tier, with another action, or "
            "by the expected check on another day",
        )
        values["quality.faults.missed"] = (
            counts[MISSED],
            "faults",
            "faults no check noticed on the day they were injected or expected",
        )
        values["quality.false_positives"] = (
            fps.height,
            "checks",
            "tier-3 flags on days no injected anomaly explains",
        )
    else:
        recall = recall_table(results, {"faults": []})
        fps = results.clear().select("business_date", "table", "rule", "rows_failed", "detail")
    if as_of is None and results.height:
        as_of = results["business_date"].max()
    staleness = (
        gold_staleness(ledger, as_of) if as_of is not None else gold_staleness(ledger, dt.date.min)
    )
    values["quality.stale_tables"] = (
        int(staleness["is_stale"].sum()),
        "tables",
        f"gold tables whose data is older than {as_of} (the last business date run)",
    )
    for row in staleness.iter_rows(named=True):
        if row["age_days"] is None:
            continue
        values[f"quality.freshness.{row['gold_table']}.age_days"] = (
            row["age_days"],
            "days",
            f"age of {row['gold_table']}'s data on {as_of} (0 = fresh)",
        )
    stale_days = ledger.filter(pl.col("state") != "ok").select("business_date").unique().height
    values["quality.stale_days"] = (
        stale_days,
        "days",
        "business days on which at least one source feed was not loaded fresh",
    )
    return QualitySummary(values, recall, fps, staleness)


def write_quality_metrics(workdir: Workdir, run_id: str, seed: int, scale: float) -> QualitySummary:
    """Read the results, ledger and ground truth of a work directory; write quality.*.

    The whole `quality.` family is recomputed, so a metric that no longer applies goes.
    """
    results = QualityResults(workdir.quality_results).read()
    ledger = FreshnessLedger(workdir.freshness_ledger).read()
    truth = read_ground_truth(workdir.ground_truth) if workdir.ground_truth.exists() else None
    summary = summarise(results, truth, ledger)
    provenance = Provenance.now(run_id, seed, scale)
    metrics = [
        Metric(key, value, unit, description, provenance)
        for key, (value, unit, description) in sorted(summary.values.items())
    ]
    MetricCatalogue(workdir.metrics).update(metrics, drop_prefix="quality")
    # The tables behind the numbers: which fault, expected how, caught by what.
    with atomic_path(workdir.recall) as tmp:
        summary.recall.write_parquet(tmp)
    with atomic_path(workdir.false_positives) as tmp:
        summary.false_positives.write_parquet(tmp)
    return summary
