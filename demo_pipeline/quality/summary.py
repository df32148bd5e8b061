"""Quality in numbers: the `quality.*` metrics, and recall against the answer key.

Everything is computed from `<workdir>/quality/results.parquet` (every check's outcome
on every run), the freshness ledger and the generator's ground truth
(`<workdir>/sources/ground_truth.json`).

Recall asks, for every fault the generator injected: did the right tier catch it on
the right day? What "caught" means for each kind of fault is data
(`FAULT_EXPECTATIONS`), so the page explaining the quality framework and the test
that holds the pipeline to it read the same table. False positives are tier-3 flags
that no injected fault explains; they are listed, not only counted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from demo_pipeline.atomic import atomic_path
from demo_pipeline.metrics import Metric, MetricCatalogue
from demo_pipeline.provenance import Provenance
from demo_pipeline.quality.freshness import FreshnessLedger, gold_staleness
from demo_pipeline.quality.results import QualityResults
from demo_pipeline.workdir import Workdir


@dataclass(frozen=True)
class Expectation:
    """What catching one kind of fault looks like in the quality results."""

    tier: int
    tables: tuple[str, ...]
    rules: tuple[str, ...]
    """Rule names; a name ending in '.' matches every rule under that prefix."""
    how: str
    """In words, for the report and the site."""
    actions: tuple[str, ...] = ()
    """If not empty, the matching result must have taken one of these actions."""
    needs_failed_rows: bool = True
    """The matching result must count at least one failed row (or request)."""
    detected_on_param: str | None = None
    """A fault param holding the ISO date the fault shows up on, when later than injected
    (late orders show up on the day they are published)."""

    def matches(self, results: pl.DataFrame) -> pl.Expr:
        exact = [r for r in self.rules if not r.endswith(".")]
        prefixes = [r for r in self.rules if r.endswith(".")]
        rule_ok = pl.col("rule").is_in(exact)
        for prefix in prefixes:
            rule_ok = rule_ok | pl.col("rule").str.starts_with(prefix)
        expr = (pl.col("tier") == self.tier) & pl.col("table").is_in(self.tables) & rule_ok
        if self.actions:
            expr = expr & pl.col("action").is_in(self.actions)
        if self.needs_failed_rows:
            expr = expr & (pl.col("rows_failed") > 0)
        return expr


# Fault kind (config.FaultKind) -> how the pipeline is expected to catch it.
FAULT_EXPECTATIONS: dict[str, Expectation] = {
    "transient_errors": Expectation(
        1,
        ("orders",),
        ("source.retries",),
        "HTTP 503/429 retried with exponential backoff; the day loads without a fallback",
        actions=("logged",),
    ),
    "slow_responses": Expectation(
        1,
        ("orders",),
        ("source.latency",),
        "slow responses noticed (seconds per request against the source's history) "
        "and absorbed within the timeout",
        actions=("logged",),
    ),
    "duplicate_rows": Expectation(
        2,
        ("orders",),
        ("duplicates_dropped",),
        "repeated orders dropped by key and counted",
    ),
    "null_keys": Expectation(
        2,
        ("orders",),
        ("order_id_not_null",),
        "orders without an order_id fail the nullability rule",
    ),
    "renamed_column": Expectation(
        1,
        ("supplier_prices",),
        ("schema_contract", "header_mapping"),
        "the renamed header is detected: mapped onto its canonical column and reported, "
        "or the batch halts on its contract",
        needs_failed_rows=False,
        actions=("halted", "logged"),
    ),
    "negative_quantities": Expectation(
        2,
        ("order_lines",),
        ("quantity_positive",),
        "order lines with quantity <= 0 fail the range rule",
    ),
    "orphan_product_ids": Expectation(
        2,
        ("order_lines",),
        ("product_id_known",),
        "order lines whose product is not in the product dimension fail referential integrity",
    ),
    "source_outage": Expectation(
        1,
        ("orders",),
        ("source.fallback",),
        "the API stays down after the last retry: fall back to the previous day's bronze, "
        "mark dependent gold tables stale, alert",
        actions=("fallback",),
        needs_failed_rows=False,
    ),
    "schema_drift": Expectation(
        1,
        ("orders",),
        ("schema_contract",),
        "the new column and the decimal amount break contract v1: the table halts",
        actions=("halted",),
    ),
    "anomaly_spike": Expectation(
        3,
        ("orders",),
        ("orders_per_warehouse.",),
        "one warehouse's order volume is flagged against its seasonal baseline",
        actions=("flagged",),
    ),
    "late_orders": Expectation(
        2,
        ("orders",),
        ("late_arrival",),
        "orders published days after their business date are noticed on arrival, land in "
        "their business date, and the affected aggregates are recomputed",
        detected_on_param="published_date",
    ),
}


def read_ground_truth(path: Path) -> dict:
    if not path.exists():
        raise FileNotFoundError(f"ground truth {path} not found (run `generate` first)")
    return json.loads(path.read_text(encoding="utf-8"))


def expected_detection_date(fault: Mapping, expectation: Expectation) -> dt.date:
    later = fault.get("params", {}).get(expectation.detected_on_param or "", None)
    return dt.date.fromisoformat(later or fault["date"])


def recall_table(
    results: pl.DataFrame,
    ground_truth: Mapping,
    expectations: Mapping[str, Expectation] = FAULT_EXPECTATIONS,
) -> pl.DataFrame:
    """One row per injected fault: where it was expected, whether it was caught, by what."""
    rows = []
    for fault in ground_truth["faults"]:
        kind = fault["kind"]
        expectation = expectations.get(kind)
        if expectation is None:
            rows.append(
                (fault["day"], fault["date"], kind, fault["table"], None, None, False, "", "")
            )
            continue
        when = expected_detection_date(fault, expectation)
        hits = results.filter(
            (pl.col("business_date") == when) & expectation.matches(results)
        ).sort("tier", "table", "rule")
        evidence = "; ".join(
            f"tier {r['tier']} {r['table']}.{r['rule']} {r['action']} ({r['rows_failed']} failed)"
            for r in hits.iter_rows(named=True)
        )
        rows.append(
            (
                fault["day"],
                fault["date"],
                kind,
                fault["table"],
                expectation.tier,
                when,
                hits.height > 0,
                evidence,
                expectation.how,
            )
        )
    return pl.DataFrame(
        rows,
        schema={
            "day": pl.Int32,
            "date": pl.String,
            "kind": pl.String,
            "table": pl.String,
            "expected_tier": pl.Int8,
            "expected_on": pl.Date,
            "caught": pl.Boolean,
            "evidence": pl.String,
            "how": pl.String,
        },
        orient="row",
    )


def recall_pct(recall: pl.DataFrame) -> float | None:
    """Share of injected faults caught by the right tier on the right day (None: no faults)."""
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
            f"tier-{tier} check outcomes with at least one failed row",
        )
    if ground_truth is not None:
        recall = recall_table(results, ground_truth)
        fps = false_positives(results, ground_truth)
        values["quality.recall_pct"] = (
            recall_pct(recall),
            "%",
            "injected faults caught by the right tier on the right day (ground truth)",
        )
        values["quality.faults.injected"] = (recall.height, "faults", "faults in the ground truth")
        values["quality.faults.caught"] = (int(recall["caught"].sum()), "faults", "faults caught")
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
    results = QualityResults(workdir.quality / "results.parquet").read()
    ledger = FreshnessLedger(workdir.quality / "freshness.parquet").read()
    truth = read_ground_truth(workdir.ground_truth) if workdir.ground_truth.exists() else None
    summary = summarise(results, truth, ledger)
    provenance = Provenance.now(run_id, seed, scale)
    metrics = [
        Metric(key, value, unit, description, provenance)
        for key, (value, unit, description) in sorted(summary.values.items())
    ]
    MetricCatalogue(workdir.metrics).update(metrics, drop_prefix="quality")
    # The tables behind the numbers, for the site: which fault, caught by what.
    with atomic_path(workdir.quality / "recall.parquet") as tmp:
        summary.recall.write_parquet(tmp)
    with atomic_path(workdir.quality / "false_positives.parquet") as tmp:
        summary.false_positives.write_parquet(tmp)
    return summary
