"""The environment captured, a wrong aggregate caught on a gold-shaped fixture, and no
gold: a clear stop (the bench never builds its own input). The quick profile end to end
is checked on the results of the site build's whole chain, which runs it
(tests/generators/test_whole_chain.py::test_quick_profile_runs_end_to_end)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console

from demo_pipeline.bench import preagg
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.dataset import GOLD_TABLES, prepare_dataset
from demo_pipeline.bench.environment import REQUIRED_FIELDS, capture_environment
from demo_pipeline.bench.harness import REPO_ROOT
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


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under root with its size and modification time (nanoseconds)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


def test_bench_without_gold_stops_naming_what_is_missing_and_touches_nothing(
    gold_workdir, monkeypatch
):
    """One gold export missing: run_bench raises BenchmarkError naming the file and the
    command that builds it, without running the generator or the pipeline, and leaves
    the work directory exactly as it was (no bench folder, no log, no catalogue)."""
    import demo_pipeline.estate
    import demo_pipeline.pipeline.runner

    def must_not_run(*args, **kwargs):
        raise AssertionError("the bench started an upstream stage")

    monkeypatch.setattr(demo_pipeline.pipeline.runner, "run_pipeline", must_not_run)
    monkeypatch.setattr(demo_pipeline.estate, "build_estate", must_not_run)
    (gold_workdir.gold_parquet / "agg_daily_sales.parquet").unlink()
    before = _snapshot(gold_workdir.root)
    cfg = DemoConfig().with_overrides(scale=0.01, seed=7)
    with pytest.raises(BenchmarkError) as caught:
        run_bench(cfg, gold_workdir, profile="quick", console=Console(quiet=True))
    message = str(caught.value)
    assert str(gold_workdir.gold_parquet / "agg_daily_sales.parquet") in message
    assert "fact_sales.parquet" not in message  # only what is missing is named
    assert "make run" in message
    assert f"python -m demo_pipeline run --workdir {gold_workdir.root}" in message
    assert _snapshot(gold_workdir.root) == before


def test_the_bench_command_on_an_empty_workdir_fails_cleanly(tmp_path):
    """`python -m demo_pipeline bench` on a work directory with no gold: exit 1, one
    clear message (no traceback) naming the gold files and the command that makes
    them, and the work directory is not even created."""
    root = tmp_path / "nothing-built-here"
    proc = subprocess.run(
        [sys.executable, "-m", "demo_pipeline", "bench", "--profile", "quick", "--workdir", root],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "400"},
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "error:" in proc.stderr and "no gold layer" in proc.stderr
    for table in GOLD_TABLES:
        assert f"{table}.parquet" in proc.stderr, table
    assert f"python -m demo_pipeline run --workdir {root}" in proc.stderr
    assert not root.exists()
