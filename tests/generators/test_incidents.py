"""Tests for the failure-modes story and the quality dashboard, told from run records."""

from __future__ import annotations

import datetime as dt
import json

import jinja2
import polars as pl

from demo_pipeline.core.results import RESULT_SCHEMA
from demo_pipeline.quality.summary import recall_table
from demo_pipeline.workdir import Workdir
from generators import dashboards, incidents
from generators.catalogue import Catalogue
from tests.generators.fixture import write_fixture_results, write_fixture_workdir


def failure_modes(truth: dict, results: pl.DataFrame, runs: dict) -> str:
    """The partial, given the recall file the quality layer would write for these results."""
    scored = results if not results.is_empty() else pl.DataFrame(schema=RESULT_SCHEMA)
    recall = recall_table(scored, {"faults": truth.get("faults", [])})
    return incidents.render_failure_modes(truth, results, runs, recall)


def fixture(tmp_path):
    root = write_fixture_workdir(tmp_path)
    write_fixture_results(root)
    wd = Workdir(root)
    truth = json.loads(wd.ground_truth.read_text())
    results = pl.read_parquet(wd.quality_results)
    runs = dashboards.load_runs(wd.runs)
    return wd, truth, results, runs


def test_failure_modes_table_and_sections(tmp_path):
    """One row and one section per injected fault, with the run outcome and what the checks
    recorded on that date."""
    _, truth, results, runs = fixture(tmp_path)
    text = failure_modes(truth, results, dashboards.run_outcomes(runs))
    assert "| 2 | 2026-11-02 | null keys | api / orders | 4 | succeeded |" in text
    assert "| 3 | 2026-11-03 | source outage | api / orders | 0 | partial |" in text
    assert "### Day 2: Null keys" in text
    assert "| Date | Tier | Table | Rule | Rows failed | Series out of range | Severity |" in text
    assert (
        "| 2026-11-02 | 2 | orders | order_id_not_null | 4 of 60 | — | warn | quarantined |" in text
    )
    assert "| 2026-11-02 | 3 | orders | volume_zscore | — | 1 of 1 | warn | flagged |" in text


def test_late_data_is_looked_up_on_its_published_date():
    """A late-orders fault is checked on its business date and on the day it arrived."""
    fault = {"date": "2026-11-24", "params": {"delay_days": 2}}
    assert incidents.fault_dates(fault) == ["2026-11-24", "2026-11-26"]
    assert incidents.fault_dates({"date": "2026-11-05", "params": {}}) == ["2026-11-05"]


def test_no_faults_says_so():
    """A run without injected faults says so instead of an empty table."""
    text = failure_modes({}, pl.DataFrame(), {})
    assert text == "No faults were injected in the latest run.\n"


def test_backfilled_run_outcome():
    """A day re-run as a backfill reports its final status and when it was backfilled."""
    runs = [{"business_date": "2026-11-18", "status": "succeeded", "backfilled_on": "2026-11-21"}]
    assert dashboards.run_outcomes(runs) == {
        "2026-11-18": "succeeded after a backfill on 2026-11-21"
    }


def test_quality_dashboard_uses_the_catalogue_and_results(tmp_path):
    """The dashboard shows run health through the metric macro and a table per day."""
    wd, _, results, runs = fixture(tmp_path)
    text = dashboards.render_quality_dashboard(results, runs, Catalogue.load(wd.metrics))
    assert '| Runs where every table loaded | {{ metric("pipeline.runs.succeeded") }} |' in text
    assert "| Rows quarantined | Tables halted | Anomaly flags |" in text
    assert "    | 2026-11-03 | partial | 3 | 1 | 6 | 0 | 0 |" in text


def fault(day: int, kind: str, table: str, count: int, **params) -> dict:
    return {
        "day": day,
        "date": f"2026-11-{day:02d}",
        "source": "api",
        "table": table,
        "kind": kind,
        "count": count,
        "keys": [],
        "params": params,
    }


def checks(*rows: tuple) -> pl.DataFrame:
    """Quality results from (day, tier, table, rule, checked, failed, severity, action)."""
    return pl.DataFrame(
        [
            ("r", dt.date(2026, 11, day), tier, table, rule, checked, failed, sev, action, "")
            for day, tier, table, rule, checked, failed, sev, action in rows
        ],
        schema=RESULT_SCHEMA,
        orient="row",
    )


def render(partial: str, **context) -> str:
    """The partial as mkdocs-macros renders it, `page_link` giving the target unchanged."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return env.from_string(partial).render(page_link=lambda target: target, **context)


def test_tally_shows_expected_and_actual_tier_action_and_outcome(tmp_path):
    """Included with fault_view = "tally", the partial is the quality page's table: a fault
    caught as designed, and one noticed only by another tier, named with tier, action, day."""
    _, truth, results, runs = fixture(tmp_path)
    partial = failure_modes(truth, results, dashboards.run_outcomes(runs))
    text = render("{% with fault_view = 'tally' %}" + partial + "{% endwith %}")
    assert "| Day | Fault | Expected | Actual | Outcome |" in text
    assert (
        "| 2 | null keys | tier 2 · quarantined · day 2 | tier 2 · quarantined · day 2 | caught |"
        in text
    )
    # The outage's fallback is not in the results; tier 2 quarantined rows that day.
    assert (
        "| 3 | source outage | tier 1 · fallback · day 3 | tier 2 · quarantined · day 3 "
        "| **caught by another tier** |" in text
    )
    assert "### Day 2: Null keys" not in text


def test_stories_without_the_tally_view(tmp_path):
    """Included plainly (the architecture page), the partial tells each fault's story with
    its expected check and its outcome, and leaves the tally out."""
    _, truth, results, runs = fixture(tmp_path)
    text = render(failure_modes(truth, results, dashboards.run_outcomes(runs)))
    assert "| Day | Fault | Expected | Actual | Outcome |" not in text
    assert "### Day 3: Source outage" in text
    assert (
        "**Expected.** Tier 1, `source.fallback` on `orders`, action *fallback*, on day 3" in text
    )
    assert "**Outcome: caught by another tier.** Tier 2, `order_id_not_null`" in text


def test_a_fault_nothing_noticed_is_shown_as_missed():
    """With no finding on its day, the tally says missed and the actual column is empty."""
    truth = {"faults": [fault(22, "anomaly_spike", "orders", 500)]}
    results = checks((22, 3, "orders", "orders_per_warehouse.zscore", 12, 0, "info", "none"))
    partial = failure_modes(truth, results, {})
    tally = render("{% with fault_view = 'tally' %}" + partial + "{% endwith %}")
    assert "| 22 | anomaly spike | tier 3 · flagged · day 22 | — | **missed** |" in tally
    assert "**Outcome: missed.**" in render(partial)


def test_counts_of_different_units_never_share_a_column():
    """Requests, rows and column headers each get a column of their own, in the fault
    table and in the checks table (requests, rows, tier-3 series)."""
    truth = {
        "faults": [
            fault(3, "transient_errors", "orders", 2, failures=2),
            fault(5, "duplicate_rows", "orders", 40),
            fault(9, "renamed_column", "supplier_prices", 1, to="Unit cost EUR"),
            fault(22, "anomaly_spike", "orders", 500),
        ]
    }
    results = checks(
        (3, 1, "orders", "source.retries", 13, 2, "warn", "logged"),
        (5, 2, "orders", "duplicates_dropped", 600, 40, "info", "logged"),
        (22, 3, "orders", "orders_per_warehouse.zscore", 12, 1, "warn", "flagged"),
    )
    text = render(failure_modes(truth, results, {}))
    assert (
        "| Day | Date | Fault | Source / table | Rows affected | Requests affected "
        "| Columns affected | Run outcome |" in text
    )
    assert "| 3 | 2026-11-03 | transient errors | api / orders | — | 2 | — | no record |" in text
    assert "| 5 | 2026-11-05 | duplicate rows | api / orders | 40 | — | — | no record |" in text
    assert "| 9 | 2026-11-09 | renamed column | api / supplier_prices | — | — | 1 |" in text
    assert "| 2026-11-03 | 1 | orders | source.retries | 2 of 13 | warn | logged |" in text
    assert "| Date | Tier | Table | Rule | Requests affected | Severity | Action |" in text
    assert "| Date | Tier | Table | Rule | Rows failed | Severity | Action |" in text
    assert "| Date | Tier | Table | Rule | Series out of range | Severity | Action |" in text


def test_dashboard_counts_tables_halted_not_halting_checks():
    """Two halting checks on one table on one day are one table halted."""
    results = checks(
        (18, 1, "orders", "schema_contract", 50, 50, "halt", "halted"),
        (18, 2, "orders", "row_conservation", 50, 50, "fail", "halted"),
        (18, 1, "order_lines", "upstream_halted", 90, 90, "halt", "halted"),
    )
    by_day = dashboards.quality_by_day(results).row(0, named=True)
    assert by_day["halts"] == 2


def test_dashboard_lists_the_fault_outcome_keys_the_catalogue_holds(tmp_path):
    """The fault totals go through the metric macro, only for keys the catalogue holds."""
    wd, _, results, runs = fixture(tmp_path)
    metrics = json.loads(wd.metrics.read_text(encoding="utf-8"))
    del metrics["quality.faults.missed"]  # a catalogue from before the key existed
    wd.metrics.write_text(json.dumps(metrics), encoding="utf-8")
    text = dashboards.render_quality_dashboard(results, runs, Catalogue.load(wd.metrics))
    assert "### Injected faults" in text
    assert '{{ metric("quality.faults.caught") }}' in text
    assert "quality.faults.missed" not in text
