"""A small, fixed work directory for generator tests: a metric catalogue with the
contract's keys and minimal result files. The values are test inputs, not results."""

from __future__ import annotations

import json
from pathlib import Path

from demo_pipeline.core.results import RESULT_SCHEMA

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
    "pipeline.runs.failed": (1, "runs"),
    "pipeline.runs.partial": (1, "runs"),
    "pipeline.runs.backfilled": (3, "runs"),
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
    "quality.checks.total": (1200, "checks"),
    "quality.faults.caught": (11, "faults"),
    "quality.faults.injected": (11, "faults"),
    "quality.faults.caught_otherwise": (0, "faults"),
    "quality.faults.missed": (0, "faults"),
    "quality.duplicates.rows": (40, "rows"),
    "quality.halts": (3, "table-days"),
    "quality.fallbacks": (1, "count"),
    "quality.quarantine.rows": (80, "rule failures"),
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
    "estate.generate.rows_per_s": (33000.0, "rows/s"),
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


FIXTURE_DATES = ("2026-11-01", "2026-11-02", "2026-11-03")


def _manifest(date: str, day: int) -> dict:
    return {
        "run_id": f"run-{date}",
        "business_date": date,
        "status": "partial" if day == 3 else "succeeded",
        "durations_s": {
            "extract": 1.0 + day,
            "bronze": 0.5,
            "silver": 0.75,
            "gold": 0.25,
            "total": 2.5 + day,
        },
        "rows": {
            "extracted": {"api.orders": 60},
            "bronze": {"api.orders": 60, "erp.products": 102},
            "silver": {"orders": 58, "products": 102},
            "quarantined": {"orders": 2 * day},
            "duplicates_dropped": {"orders": 0},
            "held": {},
            "gold": {"fact_sales": 170},
        },
        "bytes": {"bronze": 1000, "silver": 900, "quarantine": 10, "gold": 800},
    }


def write_fixture_results(root: Path) -> None:
    """Run manifests, quality results, a freshness ledger, an answer key and benchmark
    results in the formats the pipeline, quality layer and benchmarks write."""
    import datetime as dt

    import polars as pl

    runs = root / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for day, date in enumerate(FIXTURE_DATES, start=1):
        (runs / f"{date}.json").write_text(json.dumps(_manifest(date, day), indent=2))
    quality = root / "quality"
    quality.mkdir(parents=True, exist_ok=True)
    rows = []
    for day, date in enumerate(FIXTURE_DATES, start=1):
        d = dt.date.fromisoformat(date)
        rows.append(
            (
                f"run-{date}",
                d,
                2,
                "orders",
                "order_id_not_null",
                60,
                2 * day,
                "warn",
                "quarantined",
                "",
            )
        )
        rows.append(
            (
                f"run-{date}",
                d,
                3,
                "orders",
                "volume_zscore",
                1,
                1 if day == 2 else 0,
                "warn" if day == 2 else "info",
                "flagged" if day == 2 else "none",
                "",
            )
        )
        rows.append((f"run-{date}", d, 1, "orders", "schema_contract", 60, 0, "info", "none", ""))
    results = pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")
    results.write_parquet(quality / "results.parquet")
    ledger = pl.DataFrame(
        {
            "feed": ["api.orders"] * 3,
            "business_date": [dt.date.fromisoformat(d) for d in FIXTURE_DATES],
            "state": ["ok", "ok", "fallback"],
            "data_date": [dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 2)],
            "detail": ["", "", "source down"],
        }
    )
    ledger.write_parquet(quality / "freshness.parquet")
    sources = root / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    truth = {
        "seed": 42,
        "scale": 0.01,
        "days": 3,
        "start_date": FIXTURE_DATES[0],
        "expected_peaks": [],
        "faults": [
            {
                "day": 2,
                "date": FIXTURE_DATES[1],
                "source": "api",
                "table": "orders",
                "kind": "null_keys",
                "count": 4,
                "keys": [],
                "params": {"rows": 4},
            },
            {
                "day": 3,
                "date": FIXTURE_DATES[2],
                "source": "api",
                "table": "orders",
                "kind": "source_outage",
                "count": 0,
                "keys": [],
                "params": {},
            },
        ],
    }
    (sources / "ground_truth.json").write_text(json.dumps(truth, indent=2))
    # The quality layer's scoring of each fault, as the pipeline writes it.
    from demo_pipeline.quality.summary import recall_table

    recall_table(results, truth).write_parquet(quality / "recall.parquet")
    bench = root / "bench"
    bench.mkdir(parents=True, exist_ok=True)

    def timing(median: float) -> dict:
        return {
            "min_s": median * 0.9,
            "median_s": median,
            "max_s": median * 1.2,
            "runs_s": [median * 0.9, median, median * 1.2],
            "warmup_s": [median],
        }

    engines = {"pandas_numpy": 0.04, "polars_lazy": 0.01}
    results = {
        "run_id": "bench-fixture",
        "scale": 0.01,
        "profile": "quick",
        "figures": {},
        "data": {"tables": {"fact_sales": {"rows": 5300}}},
        "benchmarks": {
            "engines_polars_pandas": {
                "status": "ok",
                "summary": {"median_s": {"daily_sales": dict(engines)}},
            },
            "memory": {
                "status": "ok",
                "summary": {
                    "peak_rss_bytes_runs": {
                        "pandas_numpy": [200 * 2**20, 210 * 2**20],
                        "polars_lazy": [90 * 2**20],
                    }
                },
            },
            "formats": {
                "status": "ok",
                "summary": {
                    "bytes": {"csv": 1_000_000, "parquet_snappy": 280_000, "parquet_zstd": 220_000}
                },
            },
        },
    }
    raw = {
        "run_id": "bench-fixture",
        "benchmarks": {
            "engines_polars_pandas": {
                e: {"payload": {"questions": {"daily_sales": {"timing": timing(m)}}}}
                for e, m in engines.items()
            }
        },
    }
    (bench / "results.json").write_text(json.dumps(results, indent=2))
    (bench / "raw.json").write_text(json.dumps(raw))
