"""The quick profile end to end on a gold-shaped fixture, and a wrong aggregate caught."""

from __future__ import annotations

import json

import polars as pl
import pytest
from rich.console import Console

from demo_pipeline.bench import preagg
from demo_pipeline.bench.claims import UNMEASURED, evaluate_claims
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.dataset import prepare_dataset
from demo_pipeline.bench.environment import REQUIRED_FIELDS, capture_environment
from demo_pipeline.bench.profiles import PROFILES
from demo_pipeline.bench.runner import run_bench
from demo_pipeline.config import DemoConfig
from demo_pipeline.errors import BenchmarkError


def test_environment_capture_is_complete():
    """Every required field is present and filled, and every engine has a version."""
    env = capture_environment(seed=1, scale=0.01, profile="quick", threads=2, data={})
    for field in REQUIRED_FIELDS:
        assert env.get(field) is not None, field
    for engine in ("polars", "pandas", "duckdb", "pyarrow", "numpy", "sqlite", "postgresql"):
        assert env["engines"][engine], engine
    assert env["cores_logical"] >= 1 and env["ram_bytes"] > 0


def test_quick_profile_runs_end_to_end(gold_workdir):
    """`bench --profile quick`: every benchmark ok, results/raw/environment written, the
    figures in the metric catalogue with provenance, and every claim judged."""
    cfg = DemoConfig().with_overrides(scale=0.01, seed=7)
    document = run_bench(cfg, gold_workdir, profile="quick", console=Console(quiet=True))
    assert {b["status"] for b in document["benchmarks"].values()} == {"ok"}
    for name in ("results.json", "raw.json", "environment.json"):
        assert (gold_workdir.bench / name).is_file()
    environment = json.loads((gold_workdir.bench / "environment.json").read_text())
    assert set(REQUIRED_FIELDS) <= set(environment)
    raw = json.loads((gold_workdir.bench / "raw.json").read_text())
    runs = raw["benchmarks"]["engines_polars_pandas"]["pandas_numpy"]["payload"]["questions"]
    assert len(runs["top_products"]["timing"]["runs_s"]) == PROFILES["quick"].repetitions

    catalogue = json.loads(gold_workdir.metrics.read_text())
    for key in (
        "bench.polars_vs_pandas.speedup",
        "bench.polars_lazy_vs_pandas.memory_reduction_pct",
        "bench.duckdb_vs_sqlite.speedup",
        "bench.duckdb_vs_postgres.speedup",
        "bench.parquet_vs_csv.size_reduction_pct",
        "bench.parquet_zstd_vs_csv.size_reduction_pct",
        "bench.parquet_vs_csv.scan_time_reduction_pct",
        "bench.partition_pruning.speedup",
        "bench.preagg_vs_facts.speedup",
    ):
        assert key in catalogue, key
        assert catalogue[key]["provenance"]["run_id"] == document["run_id"]

    postgres = document["benchmarks"]["row_stores"]["summary"]["postgres"]
    for verdict in evaluate_claims(gold_workdir):
        if verdict.claim.id == "duckdb_vs_postgres" and not postgres["available"]:
            assert verdict.verdict == UNMEASURED and verdict.reason
        else:
            assert verdict.verdict != UNMEASURED, verdict.reason
        assert verdict.profile == "quick"


def test_an_aggregate_that_disagrees_with_the_facts_fails_the_benchmark(gold_workdir, tmp_path):
    """Corrupting one revenue figure in agg_daily_sales makes the pre-aggregation
    benchmark raise, naming the column, instead of reporting a speed-up."""
    path = gold_workdir.gold_parquet / "agg_daily_sales.parquet"
    agg = pl.read_parquet(path)
    agg.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.col("revenue") + 100)
        .otherwise(pl.col("revenue"))
        .alias("revenue")
    ).write_parquet(path)
    ctx = BenchContext(
        dataset=prepare_dataset(gold_workdir, tmp_path, None),
        profile=PROFILES["quick"],
        threads=1,
        scratch=tmp_path,
    )
    with pytest.raises(BenchmarkError, match=r"'from_aggregate'.*'revenue'"):
        preagg.run(ctx)


@pytest.mark.slow
def test_missing_gold_is_built_by_the_real_pipeline_then_benchmarked(tmp_path):
    """With no gold in the workdir, run_bench generates a tiny estate, runs the real
    pipeline, and every engine's answers agree on the pipeline's own gold."""
    from demo_pipeline.workdir import Workdir

    workdir = Workdir(tmp_path / "fresh")
    cfg = DemoConfig().with_overrides(scale=0.002, days=3, seed=11)
    document = run_bench(cfg, workdir, profile="quick", console=Console(quiet=True))
    assert document["gold_build_s"] > 0
    assert {b["status"] for b in document["benchmarks"].values()} == {"ok"}
    assert document["scale"] == 0.002 and document["seed"] == 11
