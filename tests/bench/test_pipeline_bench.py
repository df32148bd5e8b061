"""The `pipeline` benchmark: a real estate generated and a real pipeline run, each in
its own process, measured from outside; its figures come from that run.

The measured run is the one the whole-chain build's `bench --profile quick` made (the
`tiny_chain` fixture, tests/conftest.py): the quick profile's one scale and days, as
recorded in its raw.json."""

from __future__ import annotations

import json

import pytest

from demo_pipeline.bench import pipeline
from demo_pipeline.bench.profiles import PROFILES
from demo_pipeline.config import load_config
from demo_pipeline.errors import BenchmarkError


@pytest.fixture(scope="module")
def measured(tiny_chain):
    raw = json.loads(tiny_chain.workdir.bench_raw.read_text())["benchmarks"]["pipeline"]
    assert PROFILES["quick"].pipeline_scales == (0.02,) and list(raw) == ["scale_0_02"]
    return raw["scale_0_02"]


def test_generation_and_run_are_measured_from_their_processes(measured):
    gen, run = measured["generate"], measured["run"]
    assert gen["fact_rows"] > 0 and gen["wall_s"] > 0 and gen["cpu_s"] > 0
    assert gen["rows_per_s"] == round(gen["fact_rows"] / gen["wall_s"])
    assert gen["peak_rss_mb"] > 0 and run["peak_rss_mb"] > 0
    days = PROFILES["quick"].pipeline_days or load_config().estate.days
    assert run["days"] == days and len(run["rss_end_of_day_mb"]) == days
    assert set(run["stage_s"]) == set(pipeline.STAGES)
    assert all(seconds > 0 for seconds in run["stage_s"].values())
    # The days run inside the process: what is left is start-up, the export, the catalogue.
    assert 0 < run["days_s"] < run["wall_s"]
    assert run["outside_days_s"] == round(run["wall_s"] - run["days_s"], 3)
    assert run["rss_growth_pct"] == pytest.approx(
        100 * (run["rss_last_day_mb"] - run["rss_day5_mb"]) / run["rss_day5_mb"], abs=0.1
    )
    # Each day's own peak: at least what it held at its end, and the growth judged on it.
    assert len(run["peak_by_day_mb"]) == days
    assert all(p >= r for p, r in zip(run["peak_by_day_mb"], run["rss_end_of_day_mb"], strict=True))
    assert run["peak_growth_pct"] == pytest.approx(
        100 * (run["peak_last_day_mb"] - run["peak_day5_mb"]) / run["peak_day5_mb"], abs=0.1
    )


def test_figures_carry_the_measured_values_under_the_scale(measured):
    figures = {f.key: f for f in pipeline.figures_for(measured)}
    key = "bench.pipeline.scale_0_02"
    assert figures[f"{key}.generate_rows_per_s"].value == measured["generate"]["rows_per_s"]
    assert figures[f"{key}.run_wall_s"].value == measured["run"]["wall_s"]
    assert figures[f"{key}.stage_gold_s"].value == measured["run"]["stage_s"]["gold"]
    assert figures[f"{key}.run_peak_rss_mb"].unit == "MB"
    assert all(f.value is not None for f in figures.values())


def test_a_failing_command_is_a_benchmark_error_naming_its_log(tmp_path):
    with pytest.raises(BenchmarkError, match=r"generate\.log"):
        pipeline.measure_scale(-1, tmp_path / "bad")
