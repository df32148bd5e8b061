"""The 30-day simulation at scale 0.02 against the generator's answer key (ground truth)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from demo_pipeline.config import ContractUpdate, DemoConfig, load_config
from demo_pipeline.core.recall import outcome_label
from demo_pipeline.estate import build_estate
from demo_pipeline.pipeline.runner import run_pipeline
from demo_pipeline.quality.alerts import read_alerts
from demo_pipeline.quality.freshness import FreshnessLedger, gold_staleness
from demo_pipeline.quality.results import QualityResults
from demo_pipeline.quality.summary import (
    CAUGHT,
    CAUGHT_OTHERWISE,
    MISSED,
    false_positives,
    read_ground_truth,
    recall_table,
)
from demo_pipeline.workdir import Workdir
from tests.pipeline.conftest import copy_estate, month  # noqa: F401  (the shared 30-day run)

pytestmark = pytest.mark.slow

SCALE = 0.02


def config() -> DemoConfig:
    return load_config().with_overrides(scale=SCALE)


def v2_from_the_start(cfg: DemoConfig) -> DemoConfig:
    """The same config, but the orders contract v2 is in force from day 1."""
    quality = cfg.quality.model_copy(
        update={"contract_updates": [ContractUpdate(table="orders", version=2, applied_on_day=1)]}
    )
    new = cfg.model_copy(update={"quality": quality})
    return new.model_copy(update={"sha256": new.fingerprint()})


@pytest.fixture(scope="module")
def sim(month) -> Workdir:  # noqa: F811
    """The default month at scale 0.02: the pipeline tests' shared run (the same config:
    config() is tests/pipeline/conftest.py's tiny_config(30))."""
    assert month.cfg == config()
    return month.workdir


@pytest.fixture(scope="module")
def truth(sim: Workdir) -> dict:
    return read_ground_truth(sim.ground_truth)


@pytest.fixture(scope="module")
def results(sim: Workdir) -> pl.DataFrame:
    return QualityResults(sim.quality_results).read()


def fault(truth: dict, kind: str) -> dict:
    return next(f for f in truth["faults"] if f["kind"] == kind)


def day(n: int) -> dt.date:
    return config().estate.start_date + dt.timedelta(days=n - 1)


def quarantined(workdir: Workdir, table: str, on: dt.date) -> pl.DataFrame:
    path = workdir.quarantine / table / f"ingest_date={on}" / "part-0.parquet"
    return pl.read_parquet(path) if path.exists() else pl.DataFrame()


def test_every_injected_fault_caught_by_the_right_tier_on_the_right_day(results, truth):
    """Recall is 100 %: each fault in ground_truth.json is matched by its tier, table, rule,
    action and day, and the tally's actual tier and action are the expected ones."""
    table = recall_table(results, truth)
    missed = table.filter(pl.col("outcome") != CAUGHT).select(
        "day", "kind", "expected_tier", "expected_action", "expected_on", "outcome", "evidence"
    )
    assert missed.height == 0, f"faults not caught as designed:\n{missed}"
    assert table.height == len(truth["faults"]) >= 10
    assert table["actual_tier"].to_list() == table["expected_tier"].to_list()
    assert table["actual_action"].to_list() == table["expected_action"].to_list()
    assert table["actual_on"].to_list() == table["expected_on"].to_list()


def test_clean_days_raise_no_tier3_anomaly(results, truth):
    """No tier-3 flag on a day without an injected anomaly at default thresholds (target 0)."""
    fps = false_positives(results, truth)
    assert fps.height == 0, f"false positives:\n{fps}"


def test_spike_names_the_injected_warehouse_and_peak_is_annotated(results, truth):
    """The spike flags the ground truth's warehouse; the Black-Friday peak is annotated only."""
    spike = fault(truth, "anomaly_spike")
    flagged = results.filter(
        (pl.col("tier") == 3)
        & (pl.col("action") == "flagged")
        & (pl.col("rule") == "orders_per_warehouse.zscore")
    )
    assert flagged["business_date"].to_list() == [day(spike["day"])]
    assert flagged["detail"][0].startswith(f"warehouse_id={spike['params']['warehouse_id']}:")
    peak = dt.date.fromisoformat(truth["expected_peaks"][0])
    on_peak = results.filter((pl.col("tier") == 3) & (pl.col("business_date") == peak))
    assert set(on_peak["action"]) <= {"annotated", "none"}
    assert "annotated" in set(on_peak["action"])


def test_faulty_rows_are_the_ones_in_quarantine(sim, truth):
    """Quarantined order lines are exactly the ground truth's keys; null-key orders all there."""
    for kind, rule in (
        ("negative_quantities", "quantity_positive"),
        ("orphan_product_ids", "product_id_known"),
    ):
        f = fault(truth, kind)
        rows = quarantined(sim, "order_lines", day(f["day"]))
        caught = rows.filter(pl.col("_rules_broken").str.contains(rule))
        assert sorted(map(list, caught.select("order_id", "line_no").rows())) == sorted(f["keys"])
    nulls = fault(truth, "null_keys")
    orders = quarantined(sim, "orders", day(nulls["day"]))
    assert (
        orders.filter(pl.col("_rules_broken").str.contains("order_id_not_null")).height
        == nulls["count"]
    )


def test_no_row_lost_on_any_day(sim):
    """Every day and table: rows in = silver + quarantined + counted duplicates + held."""
    manifests = [json.loads(p.read_text()) for p in sim.run_manifests()]
    assert len(manifests) == config().estate.days
    broken = [
        (m["business_date"], c["table"], c)
        for m in manifests
        for c in m["conservation"]
        if not c["holds"]
    ]
    assert broken == []


def test_outage_falls_back_marks_stale_and_recovers(sim, results, truth):
    """Outage day: fallback, fact_sales stale by one day, alert; next day fresh and recovered."""
    outage = day(fault(truth, "source_outage")["day"])
    ledger = FreshnessLedger(sim.freshness_ledger).read()
    during = (
        gold_staleness(ledger, outage)
        .filter(pl.col("gold_table") == "fact_sales")
        .row(0, named=True)
    )
    assert (during["is_stale"], during["age_days"]) == (True, 1)
    after = outage + dt.timedelta(days=1)
    later = (
        gold_staleness(ledger, after)
        .filter(pl.col("gold_table") == "fact_sales")
        .row(0, named=True)
    )
    assert (later["is_stale"], later["age_days"]) == (False, 0)
    fallback = results.filter(
        (pl.col("business_date") == outage) & (pl.col("action") == "fallback")
    )
    assert set(fallback["table"]) == {"orders", "order_lines"}
    alerts = read_alerts(sim.alerts)
    kinds = {(a["kind"], a["business_date"]) for a in alerts}
    assert ("fallback", outage.isoformat()) in kinds
    assert ("recovered", after.isoformat()) in kinds
    # The missed published day is caught up and its aggregates recomputed.
    recomputed = results.filter(
        (pl.col("business_date") == after) & (pl.col("rule") == "late_arrival.recomputed")
    )
    assert recomputed["rows_failed"].to_list() == [0]


def test_late_orders_land_in_their_business_date_and_aggregates_are_recomputed(sim, results, truth):
    """Late orders are in gold under their own business date; that date's aggregate matches."""
    late = fault(truth, "late_orders")
    published = dt.date.fromisoformat(late["params"]["published_date"])
    checks = results.filter(pl.col("business_date") == published)
    arrival = checks.filter(pl.col("rule") == "late_arrival").row(0, named=True)
    assert arrival["rows_failed"] == late["count"]
    recomputed = checks.filter(pl.col("rule") == "late_arrival.recomputed").row(0, named=True)
    assert (recomputed["rows_failed"], recomputed["severity"]) == (0, "info")
    facts = pl.read_parquet(sim.gold_export("fact_sales"))
    landed = facts.filter(pl.col("order_id").is_in(late["keys"]))
    assert set(landed["business_date"]) == {day(late["day"])}
    assert landed["order_id"].n_unique() == late["count"]


def test_halts_and_anomalies_alerted_and_metrics_recorded(sim, truth):
    """Halts and the anomaly reach the alerts file; quality.* metrics carry provenance."""
    alerts = read_alerts(sim.alerts)
    drift = fault(truth, "schema_drift")["day"]
    halted_days = {
        a["business_date"] for a in alerts if a["kind"] == "halt" and a["table"] == "orders"
    }
    assert halted_days == {day(n).isoformat() for n in range(drift, drift + 3)}
    spike_day = day(fault(truth, "anomaly_spike")["day"]).isoformat()
    assert {a["business_date"] for a in alerts if a["kind"] == "anomaly"} == {spike_day}
    assert all(set(a["payload"]) == {"text", "blocks"} for a in alerts)
    metrics = json.loads(sim.metrics.read_text())
    assert metrics["quality.recall_pct"]["value"] == 100.0
    assert metrics["quality.faults.caught"]["value"] == metrics["quality.faults.injected"]["value"]
    assert metrics["quality.faults.caught_otherwise"]["value"] == 0
    assert metrics["quality.faults.missed"]["value"] == 0
    assert metrics["quality.false_positives"]["value"] == 0
    assert metrics["quality.recall_pct"]["provenance"]["scale"] == SCALE
    for key in (
        "quality.checks.total",
        "quality.halts",
        "quality.fallbacks",
        "quality.quarantine.rows",
        "quality.anomalies.flagged",
        "quality.anomalies.expected_peaks",
        "quality.stale_tables",
    ):
        assert key in metrics


def comparable(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Drop run bookkeeping columns (run ids differ with the config hash) and sort."""
    return frame.select([c for c in frame.columns if not c.startswith("_")]).sort(keys)


@pytest.fixture(scope="module")
def v2_sim(sim: Workdir, tmp_path_factory: pytest.TempPathFactory) -> Workdir:
    """The same month (the same generated sources), with the orders contract v2 in force
    from day 1."""
    workdir = copy_estate(sim, tmp_path_factory.mktemp("v2") / "build")
    run_pipeline(v2_from_the_start(config()), workdir)
    return workdir


def test_drift_backfill_equals_a_run_with_v2_from_the_start(sim, v2_sim):
    """Halt days 18-20, v2 lands day 21, backfill: orders and sales equal a v2-from-day-1 run."""
    other = v2_sim
    halted = (
        QualityResults(sim.quality_results)
        .read()
        .filter((pl.col("table") == "orders") & (pl.col("action") == "halted"))
    )
    assert halted.height == 3  # the default run really did halt and backfill
    assert (
        QualityResults(other.quality_results)
        .read()
        .filter((pl.col("table") == "orders") & (pl.col("action") == "halted"))
        .height
        == 0
    )
    for table, keys in (("orders", ["order_id"]), ("order_lines", ["order_id", "line_no"])):
        drifted = comparable(
            pl.read_parquet(sorted((sim.silver / table).glob("ingest_date=*/*.parquet"))), keys
        )
        direct = comparable(
            pl.read_parquet(sorted((other.silver / table).glob("ingest_date=*/*.parquet"))), keys
        )
        assert drifted.equals(direct), f"silver {table} differs"
    for table, keys in (
        ("fact_sales", ["order_id", "line_no"]),
        ("agg_daily_sales", ["business_date", "warehouse_id", "category_name"]),
    ):
        a = comparable(pl.read_parquet(sim.gold_export(table)), keys)
        b = comparable(pl.read_parquet(other.gold_export(table)), keys)
        assert a.equals(b), f"gold {table} differs"


def test_drift_that_nothing_halts_counts_as_missed(v2_sim):
    """With contract v2 accepted from day 1, the day-18 drift passes tier 1 and no other
    check notices it: the tally scores it missed, and the metrics say so."""
    truth = read_ground_truth(v2_sim.ground_truth)
    table = recall_table(QualityResults(v2_sim.quality_results).read(), truth)
    drift = table.filter(pl.col("kind") == "schema_drift").row(0, named=True)
    assert (drift["outcome"], drift["caught"], drift["actual_tier"]) == (MISSED, False, None)
    others = table.filter(pl.col("kind") != "schema_drift")
    assert set(others["outcome"]) == {CAUGHT}
    metrics = json.loads(v2_sim.metrics.read_text())
    assert metrics["quality.faults.missed"]["value"] == 1
    assert metrics["quality.faults.caught"]["value"] == others.height


def with_spike_on_an_expected_peak(cfg: DemoConfig, days: int) -> DemoConfig:
    """The first `days` days, with the anomaly spike's day also declared a seasonal peak."""
    short = cfg.with_overrides(days=days)
    spike = next(s for s in short.scenarios if s.kind == "anomaly_spike")
    peak = short.estate.start_date + dt.timedelta(days=spike.day - 1)
    quality = short.quality.model_copy(update={"expected_peaks": [peak]})
    new = short.model_copy(update={"quality": quality})
    return new.model_copy(update={"sha256": new.fingerprint()})


def test_spike_annotated_as_a_peak_is_caught_with_another_action(tmp_path: Path):
    """A spike on a day declared an expected peak is annotated, not flagged: tier 3 saw it,
    but the designed flag was not raised, so it is not caught and the tally names the
    tier, action and day that did notice it."""
    cfg = with_spike_on_an_expected_peak(config(), days=22)
    workdir = Workdir(tmp_path / "build")
    build_estate(cfg, workdir)
    run_pipeline(cfg, workdir)
    truth = read_ground_truth(workdir.ground_truth)
    table = recall_table(QualityResults(workdir.quality_results).read(), truth)
    spike = table.filter(pl.col("kind") == "anomaly_spike").row(0, named=True)
    assert (spike["outcome"], spike["caught"]) == (CAUGHT_OTHERWISE, False)
    assert outcome_label(spike) == "caught with another action"
    assert (spike["actual_tier"], spike["actual_action"], spike["actual_on"]) == (
        3,
        "annotated",
        spike["expected_on"],
    )
    metrics = json.loads(workdir.metrics.read_text())
    assert metrics["quality.faults.caught_otherwise"]["value"] == 1
