"""The scale_out benchmark's arithmetic and its answer check, on synthetic inputs.

The measuring itself (fresh `run --engine` processes, memory sampled from outside) runs
for real in the quick profile (tests/bench/test_suite.py, Polars only: the quick profile
starts no JVM); the Spark runs it times are the same `run --engine spark` the tests in
tests/spark drive."""

from __future__ import annotations

import polars as pl
import pytest

from demo_pipeline.bench.scale_out import EXTRAPOLATED, _check_same_gold, extrapolate, fit_line
from demo_pipeline.errors import BenchmarkError
from demo_pipeline.workdir import Workdir

ASSUMED = {"memory_gb": 64, "cores": 16, "disk_tb": 4, "retention_days": 365, "batch_window_h": 2}


def _scale(rows_per_day: float, polars_s: float, spark_s: float, polars_mb: float) -> dict:
    days = 2
    return {
        "scale": rows_per_day / 1000,
        "days": days,
        "fact_rows": rows_per_day * days,
        "rows_per_day": rows_per_day,
        "bronze_bytes_per_row": 100.0,
        "engines": {
            "polars": {
                "build_s": polars_s * days,
                "total_mb": polars_mb,
                "lake_bytes": 50 * days * rows_per_day,
            },
            "spark": {"build_s": spark_s * days, "total_mb": 900.0, "lake_bytes": 0},
        },
    }


def test_fit_line_recovers_a_straight_line_and_needs_two_points():
    assert fit_line([(1, 3), (2, 5), (4, 9)]) == pytest.approx((1, 2))
    assert fit_line([(5, 1), (5, 2)]) is None


def test_extrapolation_takes_the_first_limit_and_sizes_spark_for_it():
    """Polars: 1 s/day fixed + 1 µs per row; Spark: 30 s/day + 0.5 µs per row; memory
    grows 0.001 MB per row per day. Each limit follows from the assumptions (GB figures
    are rounded to 0.1)."""
    scales = [_scale(r, 1 + r * 1e-6, 30 + r * 0.5e-6, 300 + r * 0.001) for r in (1e4, 1e5, 1e6)]
    out, why = extrapolate(scales, ASSUMED, threads=2)
    assert out["polars_fixed_s_per_day"] == pytest.approx(1, abs=0.01)
    assert out["spark_fixed_s_per_day"] == pytest.approx(30, abs=0.01)
    gb_per_row = 100 / 1e9
    window_rows = (2 * 3600 - 1) / (1e-6 * 2 / 16)
    memory_rows = (64 * 1024 - 300) / 0.001
    disk_rows = 4e12 / 365 / 50
    assert out["limit_window_gb_per_day"] == pytest.approx(window_rows * gb_per_row, abs=0.05)
    assert out["limit_memory_gb_per_day"] == pytest.approx(memory_rows * gb_per_row, abs=0.05)
    assert out["limit_disk_gb_per_day"] == pytest.approx(disk_rows * gb_per_row, abs=0.05)
    first = min(window_rows, memory_rows, disk_rows)
    assert out["one_machine_limit_gb_per_day"] == pytest.approx(first * gb_per_row, abs=0.05)
    assert out["crossover_gb_per_day"] == pytest.approx((30 - 1) / 0.5e-6 * gb_per_row, abs=0.05)
    per_node = (2 * 3600 - 30) / (0.5e-6 * 2 / 16)
    assert out["spark_nodes_at_limit"] == -(-first // per_node)
    assert not why


def test_no_crossover_when_spark_costs_more_per_row_too():
    scales = [_scale(r, 1 + r * 1e-6, 30 + r * 2e-6, 300) for r in (1e4, 1e5)]
    out, why = extrapolate(scales, ASSUMED, threads=2)
    assert "crossover_gb_per_day" not in out
    assert "never paid back" in why["crossover_gb_per_day"]
    assert "limit_memory_gb_per_day" in why  # flat memory is no limit
    assert set(EXTRAPOLATED) >= {"crossover_gb_per_day", "one_machine_limit_gb_per_day"}


def test_different_gold_from_the_two_engines_fails_the_benchmark(tmp_path):
    workdirs = []
    for engine, revenue in (("polars", 10.0), ("spark", 10.5)):
        workdir = Workdir(tmp_path / engine)
        (workdir.root / "gold" / "parquet").mkdir(parents=True)
        frame = pl.DataFrame({"day": [1, 2], "revenue": [revenue, 3.0]})
        frame.write_parquet(workdir.root / "gold" / "parquet" / "agg_daily_sales.parquet")
        workdirs.append(workdir)
    with pytest.raises(BenchmarkError, match=r"same gold.*agg_daily_sales"):
        _check_same_gold(1.0, workdirs)
    _check_same_gold(1.0, [workdirs[0], workdirs[0]])
