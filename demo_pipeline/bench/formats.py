"""Claims: Parquet is 70 % smaller than CSV, and reading Parquet cuts query time by 70 %.

The gold fact_sales table is written three ways by the same writer (Polars): CSV,
Parquet with Snappy, Parquet with Zstd (same row-group size). Bytes on disk are compared
directly. Then the same question (daily sales by warehouse, each engine's own file in
queries/) is answered straight from each file by DuckDB and by Polars (lazy scan), with
the shared write-then-scan helper (variants.py): the timer covers reading, parsing and
aggregating the file, with the file in the OS page cache after the warm-up (dropping
the cache would need root and disturb other users of the machine, so cold reads are
not measured). CSV readers infer types, as an analyst's first query would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.questions import DAILY_SALES
from demo_pipeline.bench.ratios import reduction_pct
from demo_pipeline.bench.results import BenchmarkResult, Figure
from demo_pipeline.bench.variants import (
    ENGINES,
    Variant,
    scan_variants,
    scan_with_each_engine,
    write_variants,
)

NAME = "formats"
FORMATS = ("csv", "parquet_snappy", "parquet_zstd")
QUESTION = DAILY_SALES


def write_formats(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Child job: write fact_sales as CSV and as Parquet (Snappy, Zstd)."""
    import polars as pl

    frame = pl.read_parquet(params["source"])
    out = Path(params["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    files = {f: out / f"fact_sales.{'csv' if f == 'csv' else f + '.parquet'}" for f in FORMATS}
    frame.write_csv(files["csv"])
    frame.write_parquet(files["parquet_snappy"], compression="snappy")
    frame.write_parquet(files["parquet_zstd"], compression="zstd")
    return {
        "rows": frame.height,
        "files": {f: str(p) for f, p in files.items()},
        "bytes": {f: p.stat().st_size for f, p in files.items()},
        "writer": f"polars {pl.__version__}",
    }


def variants(written: dict[str, Any]) -> list[Variant]:
    """The written files, each asked the same question."""
    files = written["files"]
    return [
        Variant(f, files[f], "csv" if f == "csv" else "parquet", QUESTION.name) for f in FORMATS
    ]


def scan_formats(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Child job: time the question read straight from each file, for one engine."""
    engine = params["engine"]
    timed = scan_variants(
        engine,
        variants(params["written"]),
        threads=threads,
        warmups=params["warmups"],
        repetitions=params["repetitions"],
    )
    return {"engine": engine, "formats": timed}


def run(ctx: BenchContext) -> BenchmarkResult:
    written = write_variants(ctx, f"demo_pipeline.bench.{NAME}:write_formats", NAME)
    scans, by_engine = scan_with_each_engine(
        ctx,
        f"demo_pipeline.bench.{NAME}:scan_formats",
        written,
        payload_key="formats",
        question=QUESTION.name,
    )
    raw: dict[str, Any] = {"written": written, **by_engine}
    size = written["bytes"]
    medians = {e: {f: scans[e][f]["timing"]["median_s"] for f in FORMATS} for e in ENGINES}
    figures = [
        Figure(
            "bench.parquet_vs_csv.size_reduction_pct",
            reduction_pct(size["csv"], size["parquet_snappy"]),
            "%",
            "Bytes on disk of fact_sales as Parquet (Snappy) vs CSV",
        ),
        Figure(
            "bench.parquet_zstd_vs_csv.size_reduction_pct",
            reduction_pct(size["csv"], size["parquet_zstd"]),
            "%",
            "Bytes on disk of fact_sales as Parquet (Zstd) vs CSV",
        ),
        Figure(
            "bench.parquet_vs_csv.scan_time_reduction_pct",
            reduction_pct(medians["duckdb"]["csv"], medians["duckdb"]["parquet_snappy"]),
            "%",
            "DuckDB: median time of the daily-sales query read from Parquet (Snappy) vs CSV",
        ),
        Figure(
            "bench.parquet_vs_csv_polars.scan_time_reduction_pct",
            reduction_pct(medians["polars"]["csv"], medians["polars"]["parquet_snappy"]),
            "%",
            "Polars: median time of the daily-sales query read from Parquet (Snappy) vs CSV",
        ),
    ]
    return BenchmarkResult(
        name=NAME,
        status="ok",
        summary={
            "rows": written["rows"],
            "bytes": size,
            "writer": written["writer"],
            "question": QUESTION.description,
            "median_s": medians,
            # The first run in a fresh process (the warm-up): OS page cache as the
            # writer left it, engine caches empty. The closest to "cold" we measure.
            "first_run_s": {
                e: {k: (scans[e][k]["timing"]["warmup_s"] or [None])[0] for k in FORMATS}
                for e in ENGINES
            },
        },
        raw=raw,
        figures=figures,
        notes=[
            "Timer covers reading, parsing and aggregating the file (I/O in); warm page cache.",
            "Cold reads not measured: dropping the OS page cache needs root on a shared machine.",
        ],
    )
