"""Claims: Parquet is 70 % smaller than CSV, and reading Parquet cuts query time by 70 %.

The gold fact_sales table is written three ways by the same writer (Polars): CSV,
Parquet with Snappy, Parquet with Zstd (same row-group size). Bytes on disk are compared
directly. Then the same question (daily sales by warehouse) is answered straight from
each file by DuckDB and by Polars (lazy scan): the timer covers reading, parsing and
aggregating the file, with the file in the OS page cache after the warm-up (dropping
the cache would need root and disturb other users of the machine, so cold reads are
not measured). CSV readers infer types, as an analyst's first query would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from demo_pipeline.bench.answers import AnswerFingerprint, fingerprint, validate_all
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.engines_polars_pandas import answer_rows, polars_answer
from demo_pipeline.bench.harness import time_repeated
from demo_pipeline.bench.questions import DAILY_SALES, sql_literal
from demo_pipeline.bench.ratios import reduction_pct
from demo_pipeline.bench.results import BenchmarkResult, Figure

NAME = "formats"
FORMATS = ("csv", "parquet_snappy", "parquet_zstd")
ENGINES = ("duckdb", "polars")
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


def scan_formats(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Child job: time the question read straight from each file, for one engine."""
    engine = params["engine"]
    files: dict[str, str] = params["files"]
    result: dict[str, Any] = {"engine": engine, "formats": {}}
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")

        def runner(fmt: str):
            reader = "read_csv" if fmt == "csv" else "read_parquet"
            sql = QUESTION.sql.replace(
                "FROM fact_sales", f"FROM {reader}({sql_literal(files[fmt])})"
            )
            return lambda: con.execute(sql).fetchall()

    else:
        import polars as pl

        def runner(fmt: str):
            def scan():
                if fmt == "csv":
                    return pl.scan_csv(files[fmt], try_parse_dates=True)
                return pl.scan_parquet(files[fmt])

            return lambda: answer_rows(
                "polars",
                polars_answer(QUESTION.name, {"fact_sales": scan()}).collect(),
                QUESTION.output,
            )

    for fmt in FORMATS:
        timing, rows = time_repeated(
            runner(fmt), warmups=params["warmups"], repetitions=params["repetitions"]
        )
        result["formats"][fmt] = {
            "timing": timing.to_dict(),
            "answer": fingerprint(QUESTION.output, rows).to_dict(),
        }
    return result


def run(ctx: BenchContext) -> BenchmarkResult:
    written = ctx.job(
        f"demo_pipeline.bench.{NAME}:write_formats",
        {"source": str(ctx.dataset.paths["fact_sales"]), "out_dir": str(ctx.scratch / NAME)},
    ).payload
    raw: dict[str, Any] = {"written": written}
    scans: dict[str, dict[str, Any]] = {}
    for engine in ENGINES:
        outcome = ctx.job(
            f"demo_pipeline.bench.{NAME}:scan_formats",
            {"engine": engine, "files": written["files"], **ctx.timing_params()},
        )
        scans[engine] = outcome.payload["formats"]
        raw[engine] = outcome.to_dict()

    validate_all(
        QUESTION.name,
        {
            f"{engine}/{fmt}": AnswerFingerprint.from_dict(scans[engine][fmt]["answer"])
            for engine in ENGINES
            for fmt in FORMATS
        },
    )
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
