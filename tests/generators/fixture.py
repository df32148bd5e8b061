"""A small, fixed work directory for generator tests: a metric catalogue with the
contract's keys and minimal result files. The values are test inputs, not results."""

from __future__ import annotations

import json
from pathlib import Path

PROVENANCE = {
    "run_id": "fixture-run",
    "git_commit": "0123456789abcdef",
    "seed": 42,
    "scale": 0.01,
    "measured_at": "2026-11-25T12:00:00+00:00",
    "machine": "fixture machine, 2 cores",
}

# key: (value, unit)
FIXTURE_METRICS: dict[str, tuple[float | int, str]] = {
    "estate.skus": (102, "count"),
    "estate.warehouses": (2, "count"),
    "estate.suppliers": (5, "count"),
    "estate.customers": (250, "count"),
    "estate.days": (30, "days"),
    "estate.rows.total": (12345, "rows"),
    "estate.rows.orders": (1800, "rows"),
    "estate.rows.order_lines": (5400, "rows"),
    "estate.rows.inventory_snapshots": (6120, "rows"),
    "estate.rows.products": (102, "rows"),
    "pipeline.runs.total": (30, "count"),
    "pipeline.runs.succeeded": (29, "count"),
    "pipeline.runs.failed": (1, "count"),
    "pipeline.duration.total_s": (41.5, "s"),
    "pipeline.duration.extract_s": (12.0, "s"),
    "pipeline.duration.bronze_s": (8.0, "s"),
    "pipeline.duration.silver_s": (11.5, "s"),
    "pipeline.duration.gold_s": (10.0, "s"),
    "pipeline.rows.bronze.orders": (1840, "rows"),
    "pipeline.rows.silver.orders": (1790, "rows"),
    "pipeline.rows.gold.fact_sales": (5300, "rows"),
    "pipeline.rows.quarantined": (75, "rows"),
    "pipeline.rows.duplicates_dropped": (40, "rows"),
    "pipeline.bytes.bronze": (1_500_000, "bytes"),
    "pipeline.bytes.silver": (1_200_000, "bytes"),
    "pipeline.bytes.gold": (900_000, "bytes"),
    "quality.checks.total": (1200, "count"),
    "quality.halts": (3, "count"),
    "quality.fallbacks": (1, "count"),
    "quality.quarantine.rows": (75, "rows"),
    "quality.anomalies.flagged": (2, "count"),
    "quality.anomalies.expected_peaks": (1, "count"),
    "quality.recall_pct": (100.0, "%"),
    "quality.false_positives": (0, "count"),
    "quality.stale_tables": (0, "count"),
    "bench.polars_vs_pandas.speedup": (4.2, "x"),
    "bench.polars_lazy_vs_pandas.memory_reduction_pct": (55.0, "%"),
    "bench.duckdb_vs_postgres.speedup": (12.0, "x"),
    "bench.duckdb_vs_sqlite.speedup": (25.0, "x"),
    "bench.parquet_vs_csv.size_reduction_pct": (72.0, "%"),
    "bench.parquet_zstd_vs_csv.size_reduction_pct": (78.0, "%"),
    "bench.parquet_vs_csv.scan_time_reduction_pct": (81.0, "%"),
    "bench.partition_pruning.speedup": (6.0, "x"),
    "bench.preagg_vs_facts.speedup": (30.0, "x"),
    "bench.generate.rows_per_s": (250000.0, "rows/s"),
}


def write_fixture_workdir(root: Path, *, drop: tuple[str, ...] = ()) -> Path:
    """Write a fixture work directory under `root` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    metrics = {
        key: {
            "value": value,
            "unit": unit,
            "description": f"fixture value for {key}",
            "provenance": PROVENANCE,
        }
        for key, (value, unit) in sorted(FIXTURE_METRICS.items())
        if key not in drop
    }
    (root / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return root
