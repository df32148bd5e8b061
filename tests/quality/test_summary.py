"""Quality metrics and recall against a ground truth, on small inline results."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path

import polars as pl

from demo_pipeline.core.recall import outcome_label
from demo_pipeline.core.results import RESULT_SCHEMA, CheckResult
from demo_pipeline.quality.freshness import FeedStatus, FreshnessLedger
from demo_pipeline.quality.results import QualityResults
from demo_pipeline.quality.summary import (
    CAUGHT,
    CAUGHT_OTHERWISE,
    FAULT_EXPECTATIONS,
    MISSED,
    false_positives,
    recall_pct,
    recall_table,
    summarise,
    write_quality_metrics,
)
from demo_pipeline.workdir import Workdir

D = {n: dt.date(2026, 11, n) for n in range(1, 31)}


def result(day: int, tier: int, table: str, rule: str, failed: int, action: str, severity="warn"):
    return CheckResult("r", D[day], tier, table, rule, 100, failed, severity, action, "")


def frame(results: list[CheckResult]) -> pl.DataFrame:
    return pl.DataFrame([asdict(r) for r in results], schema=RESULT_SCHEMA)


def fault(day: int, kind: str, table: str, **params) -> dict:
    return {
        "day": day,
        "date": D[day].isoformat(),
        "source": "api",
        "table": table,
        "kind": kind,
        "count": 1,
        "keys": [],
        "params": params,
    }


STALENESS_LEDGER = {
    "feed": pl.String,
    "business_date": pl.Date,
    "state": pl.String,
    "data_date": pl.Date,
    "detail": pl.String,
}

TRUTH = {
    "faults": [
        fault(8, "null_keys", "orders"),
        fault(18, "schema_drift", "orders"),
        fault(22, "anomaly_spike", "orders"),
        fault(24, "late_orders", "orders", delay_days=2, published_date=D[26].isoformat()),
        fault(15, "source_outage", "orders"),
    ]
}


def caught_everything() -> list[CheckResult]:
    return [
        result(8, 2, "orders", "order_id_not_null", 25, "quarantined"),
        result(18, 1, "orders", "schema_contract", 120, "halted", "halt"),
        result(22, 3, "orders", "orders_per_warehouse.zscore", 1, "flagged"),
        result(26, 2, "orders", "late_arrival", 3, "logged"),
        result(15, 1, "orders", "source.fallback", 0, "fallback", "fail"),
        result(27, 3, "orders", "orders_per_warehouse.zscore", 2, "annotated", "info"),
        result(9, 3, "orders", "revenue_per_day.zscore", 0, "none", "info"),
    ]


def test_every_fault_kind_in_the_config_has_an_expectation():
    """The answer-key mapping covers every fault kind the config can inject."""
    from typing import get_args

    from demo_pipeline.config import FaultKind

    assert set(get_args(FaultKind)) == set(FAULT_EXPECTATIONS)


def outcome_of(table: pl.DataFrame, kind: str) -> dict:
    return table.filter(pl.col("kind") == kind).row(0, named=True)


def test_recall_is_100_when_each_fault_is_caught_by_its_tier_on_its_day():
    """Each fault matched by tier, table, rule, action and day gives full recall."""
    table = recall_table(frame(caught_everything()), TRUTH)
    assert table["caught"].all()
    assert set(table["outcome"]) == {CAUGHT}
    assert recall_pct(table) == 100.0
    late = outcome_of(table, "late_orders")
    assert late["expected_on"] == D[26]  # seen on the day the late rows are published
    assert (late["actual_tier"], late["actual_action"], late["actual_on"]) == (2, "logged", D[26])
    assert "late_arrival" in late["evidence"]


def test_every_expectation_names_one_action():
    """Each kind of fault has exactly one expected action, so 'caught' cannot mean two
    different responses."""
    for kind, expectation in FAULT_EXPECTATIONS.items():
        assert isinstance(expectation.action, str) and expectation.action != "none", kind


def test_fault_handled_by_another_tier_is_caught_otherwise_not_caught():
    """Null keys noticed only by a tier-1 halt: not caught, 'caught by another tier', and
    the tally names that tier, action and day."""
    results = caught_everything()
    results[0] = result(8, 1, "orders", "schema_contract", 60, "halted", "halt")
    table = recall_table(frame(results), TRUTH)
    nulls = outcome_of(table, "null_keys")
    assert nulls["caught"] is False
    assert nulls["outcome"] == CAUGHT_OTHERWISE
    assert outcome_label(nulls) == "caught by another tier"
    assert (nulls["actual_tier"], nulls["actual_action"], nulls["actual_on"]) == (1, "halted", D[8])
    assert (nulls["expected_tier"], nulls["expected_action"]) == (2, "quarantined")
    assert recall_pct(table) == 80.0


def test_designed_halt_that_was_only_logged_is_not_caught():
    """Schema drift is designed to halt at tier 1; a tier-1 warning alone is the right
    tier with another action, so it is not caught."""
    results = caught_everything()
    results[1] = result(18, 1, "orders", "schema_contract", 120, "logged", "warn")
    drift = outcome_of(recall_table(frame(results), TRUTH), "schema_drift")
    assert drift["outcome"] == CAUGHT_OTHERWISE
    assert outcome_label(drift) == "caught with another action"
    assert (drift["actual_tier"], drift["actual_action"]) == (1, "logged")


def test_the_expected_check_a_day_late_is_caught_on_another_day():
    """The right tier and action one day after the expected day is not caught either."""
    results = caught_everything()
    results[0] = result(9, 2, "orders", "order_id_not_null", 25, "quarantined")
    nulls = outcome_of(recall_table(frame(results), TRUTH), "null_keys")
    assert nulls["outcome"] == CAUGHT_OTHERWISE
    assert outcome_label(nulls) == "caught on another day"
    assert nulls["actual_on"] == D[9]


def test_fault_nothing_detected_is_missed():
    """No finding on the fault's table on its day (nor the expected check soon after):
    missed, with no actual tier or action."""
    results = [r for r in caught_everything() if r.business_date != D[22]]
    results.append(result(22, 3, "orders", "orders_per_warehouse.zscore", 0, "none", "info"))
    results.append(result(22, 2, "customers", "customer_id_not_null", 3, "quarantined"))
    spike = outcome_of(recall_table(frame(results), TRUTH), "anomaly_spike")
    assert spike["outcome"] == MISSED
    assert spike["caught"] is False
    assert outcome_label(spike) == "missed"
    assert (spike["actual_tier"], spike["actual_action"], spike["actual_on"]) == (None,) * 3
    assert spike["evidence"] == ""


def test_a_rule_that_ran_clean_does_not_catch_a_fault():
    """A matching rule with no failed rows did not catch anything: the fault is missed."""
    results = caught_everything()
    results[0] = result(8, 2, "orders", "order_id_not_null", 0, "none", "info")
    nulls = outcome_of(recall_table(frame(results), TRUTH), "null_keys")
    assert (nulls["caught"], nulls["outcome"]) == (False, MISSED)


def test_the_expected_check_long_after_its_day_is_missed():
    """The expected check firing more than a few days late is not linked to the fault."""
    results = caught_everything()
    results[0] = result(20, 2, "orders", "order_id_not_null", 25, "quarantined")
    assert outcome_of(recall_table(frame(results), TRUTH), "null_keys")["outcome"] == MISSED


def test_false_positives_are_flags_no_fault_explains():
    """Tier-3 flags on days without an injected anomaly are listed; annotated peaks are not."""
    results = [
        *caught_everything(),
        result(12, 3, "orders", "revenue_per_day.zscore", 1, "flagged"),
    ]
    fps = false_positives(frame(results), TRUTH)
    assert fps.select("business_date", "rule").rows() == [(D[12], "revenue_per_day.zscore")]


def test_summarise_counts_by_action_and_tier():
    """Halts, fallbacks, flags and annotated peaks are counted from the results."""
    ledger = pl.DataFrame(
        [("api.orders", D[15], "fallback", D[14], ""), ("api.orders", D[27], "ok", D[27], "")],
        schema={
            "feed": pl.String,
            "business_date": pl.Date,
            "state": pl.String,
            "data_date": pl.Date,
            "detail": pl.String,
        },
        orient="row",
    )
    values = summarise(frame(caught_everything()), TRUTH, ledger).values
    assert values["quality.checks.total"][0] == 7
    assert values["quality.halts"][0] == 1
    assert values["quality.fallbacks"][0] == 1
    assert values["quality.anomalies.flagged"][0] == 1
    assert values["quality.anomalies.expected_peaks"][0] == 1
    assert values["quality.quarantine.rows"][0] == 25
    assert values["quality.recall_pct"][0] == 100.0
    assert values["quality.faults.caught"][0] == len(TRUTH["faults"])
    assert values["quality.faults.caught_otherwise"][0] == 0
    assert values["quality.faults.missed"][0] == 0
    assert values["quality.false_positives"][0] == 0
    assert values["quality.stale_tables"][0] == 0  # fresh again on the last day
    assert values["quality.freshness.fact_sales.age_days"][0] == 0
    assert values["quality.stale_days"][0] == 1
    assert values["quality.tier3.checks"][0] == 3


def test_fault_counts_split_by_outcome_and_add_up():
    """quality.faults.caught counts only faults caught as designed; the ones noticed
    otherwise and the missed ones have keys of their own, and the three add up."""
    results = caught_everything()
    results[0] = result(8, 1, "orders", "schema_contract", 60, "halted", "halt")  # other tier
    results = [r for r in results if r.business_date != D[22]]  # the spike: missed
    values = summarise(frame(results), TRUTH, pl.DataFrame(schema=STALENESS_LEDGER)).values
    caught = values["quality.faults.caught"][0]
    otherwise = values["quality.faults.caught_otherwise"][0]
    missed = values["quality.faults.missed"][0]
    assert (caught, otherwise, missed) == (3, 1, 1)
    assert caught + otherwise + missed == values["quality.faults.injected"][0]
    assert values["quality.recall_pct"][0] == 60.0


def test_write_quality_metrics_to_catalogue_with_provenance(tmp_path: Path):
    """quality.* metrics go to metrics.json with provenance, next to other steps' metrics."""
    wd = Workdir(tmp_path)
    wd.sources.mkdir(parents=True)
    wd.ground_truth.write_text(json.dumps(TRUTH))
    wd.metrics.write_text(
        json.dumps(
            {
                "pipeline.runs.total": {
                    "value": 30,
                    "unit": "runs",
                    "description": "",
                    "provenance": {},
                }
            }
        )
    )
    for day, results in (
        pl.DataFrame(frame(caught_everything())).partition_by("business_date", as_dict=True).items()
    ):
        QualityResults(wd.quality_results).replace_day(
            day[0], [CheckResult(**r) for r in results.iter_rows(named=True)]
        )
    FreshnessLedger(wd.freshness_ledger).record_day(
        D[15], [FeedStatus("api.orders", D[15], "fallback", D[14])]
    )
    summary = write_quality_metrics(wd, "r", seed=42, scale=0.02)
    catalogue = json.loads(wd.metrics.read_text())
    assert catalogue["pipeline.runs.total"]["value"] == 30  # other steps' keys kept
    assert catalogue["quality.recall_pct"]["value"] == 100.0
    assert catalogue["quality.recall_pct"]["unit"] == "%"
    assert catalogue["quality.recall_pct"]["provenance"]["seed"] == 42
    assert catalogue["quality.recall_pct"]["provenance"]["scale"] == 0.02
    for key in (
        "quality.faults.caught",
        "quality.faults.caught_otherwise",
        "quality.faults.missed",
    ):
        assert catalogue[key]["unit"] == "faults"
    assert catalogue["quality.faults.missed"]["value"] == 0
    assert pl.read_parquet(wd.recall).height == len(TRUTH["faults"])
    assert summary.false_positives.height == 0
