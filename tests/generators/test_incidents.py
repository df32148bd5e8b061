"""Tests for the failure-modes story and the quality dashboard, told from run records."""

from __future__ import annotations

import json

import polars as pl

from demo_pipeline.workdir import Workdir
from generators import dashboards, incidents
from generators.catalogue import Catalogue
from tests.generators.fixture import write_fixture_results, write_fixture_workdir


def fixture(tmp_path):
    root = write_fixture_workdir(tmp_path)
    write_fixture_results(root)
    wd = Workdir(root)
    truth = json.loads(wd.ground_truth.read_text())
    results = pl.read_parquet(wd.quality / "results.parquet")
    runs = dashboards.load_runs(wd.runs)
    return wd, truth, results, runs


def test_failure_modes_table_and_sections(tmp_path):
    """One row and one section per injected fault, with the run outcome and what the checks
    recorded on that date."""
    _, truth, results, runs = fixture(tmp_path)
    text = incidents.render_failure_modes(truth, results, dashboards.run_outcomes(runs))
    assert "| 2 | 2026-11-02 | null keys | api / orders | 4 | succeeded |" in text
    assert "| 3 | 2026-11-03 | source outage | api / orders | 0 | partial |" in text
    assert "### Day 2: Null keys" in text
    assert "| 2026-11-02 | 2 | orders | order_id_not_null | 4 of 60 | warn | quarantined |" in text


def test_late_data_is_looked_up_on_its_published_date():
    """A late-orders fault is checked on its business date and on the day it arrived."""
    fault = {"date": "2026-11-24", "params": {"delay_days": 2}}
    assert incidents.fault_dates(fault) == ["2026-11-24", "2026-11-26"]
    assert incidents.fault_dates({"date": "2026-11-05", "params": {}}) == ["2026-11-05"]


def test_no_faults_says_so():
    """A run without injected faults says so instead of an empty table."""
    text = incidents.render_failure_modes({}, pl.DataFrame(), {})
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
    assert "    | 2026-11-03 | partial | 3 | 1 | 6 | 0 | 0 |" in text
