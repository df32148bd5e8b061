"""Write the variants, then scan with each engine: what the format and the partition
benchmarks share.

A benchmark of this shape writes the same rows several ways (a child job of its own:
CSV and Parquet codecs; one file and a Hive-partitioned lake), then describes each
written copy as a `Variant`: where it is, how it is stored, and which question to ask of
it. For each engine, one fresh process answers each variant's question straight from
the files (`scan_variants`): DuckDB through a view named after the table, so the
question's own file in queries/duckdb/ runs unchanged; Polars through a lazy scan handed
to the question's `query` in queries/polars/. The timer covers opening the files,
reading, parsing, aggregating and fetching the rows; the OS page cache is warm after
the warm-up. Back in the parent (`scan_with_each_engine`), every engine's answer on
every variant is checked against the first before any figure is computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from demo_pipeline.bench.answers import AnswerFingerprint, fingerprint, validate_all
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.harness import time_repeated
from demo_pipeline.bench.queries import answer_rows, frame_query, sql
from demo_pipeline.bench.questions import BY_NAME, sql_literal

ENGINES = ("duckdb", "polars")
FILE_FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class Variant:
    """One written copy of a table and the question asked of it."""

    name: str
    path: str  # a file; or, with partitioned_by, the lake's root folder
    file_format: str  # "csv" or "parquet"
    question: str  # a name in questions.BY_NAME
    params: dict[str, Any] = field(default_factory=dict)  # the question's parameters
    partitioned_by: tuple[str, ...] = ()  # Hive partition levels, outermost first
    table: str = "fact_sales"  # the name the question reads the copy as


def duckdb_source(variant: Variant) -> str:
    """The DuckDB table function reading the variant, as its documentation writes it."""
    if variant.file_format == "csv":
        return f"read_csv({sql_literal(variant.path)})"
    if variant.partitioned_by:
        # One wildcard per partition level, as DuckDB's Hive-partitioning docs write it.
        levels = [f"{level}=*" for level in variant.partitioned_by]
        glob = sql_literal(str(Path(variant.path).joinpath(*levels, "*.parquet")))
        return f"read_parquet({glob}, hive_partitioning = true)"
    return f"read_parquet({sql_literal(variant.path)})"


def polars_scan(variant: Variant) -> Any:
    """A Polars LazyFrame over the variant (CSV readers infer types, dates included)."""
    import polars as pl

    if variant.file_format == "csv":
        return pl.scan_csv(variant.path, try_parse_dates=True)
    if variant.partitioned_by:
        return pl.scan_parquet(variant.path, hive_partitioning=True)
    return pl.scan_parquet(variant.path)


def scan_variants(
    engine: str, variants: list[Variant], *, threads: int, warmups: int, repetitions: int
) -> dict[str, dict[str, Any]]:
    """Child side: time each variant's question, read straight from its files, with one
    engine. Returns {variant: {timing, answer fingerprint}} in the variants' order."""
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")

        def runner(variant: Variant):
            con.execute(
                f"CREATE OR REPLACE VIEW {variant.table} AS SELECT * FROM {duckdb_source(variant)}"
            )
            text = sql(engine, variant.question, **variant.params)
            return lambda: con.execute(text).fetchall()

    elif engine == "polars":

        def runner(variant: Variant):
            query = frame_query(engine, variant.question)
            output = BY_NAME[variant.question].output

            def run() -> list[tuple]:
                frame = query({variant.table: polars_scan(variant)}, **variant.params)
                return answer_rows(engine, frame.collect(), output)

            return run

    else:
        raise ValueError(f"engine {engine!r}: expected one of {', '.join(ENGINES)}")

    result: dict[str, dict[str, Any]] = {}
    for variant in variants:
        timing, rows = time_repeated(runner(variant), warmups=warmups, repetitions=repetitions)
        result[variant.name] = {
            "timing": timing.to_dict(),
            "answer": fingerprint(BY_NAME[variant.question].output, rows).to_dict(),
        }
    return result


def write_variants(ctx: BenchContext, job: str, name: str) -> dict[str, Any]:
    """Run the benchmark's writer job on the data's fact_sales, into its scratch folder."""
    params = {"source": str(ctx.dataset.paths["fact_sales"]), "out_dir": str(ctx.scratch / name)}
    return ctx.job(job, params).payload


def scan_with_each_engine(
    ctx: BenchContext, job: str, written: dict[str, Any], *, payload_key: str, question: str
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Parent side: run the scan job once per engine (a fresh process each), then check
    every engine's answer on every variant against the first (BenchmarkError otherwise).

    Returns each engine's {variant: {timing, answer}} and each engine's raw outcome.
    """
    scans: dict[str, dict[str, Any]] = {}
    raw: dict[str, Any] = {}
    for engine in ENGINES:
        outcome = ctx.job(job, {"engine": engine, "written": written, **ctx.timing_params()})
        scans[engine] = outcome.payload[payload_key]
        raw[engine] = outcome.to_dict()
    validate_all(
        question,
        {
            f"{engine}/{variant}": AnswerFingerprint.from_dict(found["answer"])
            for engine in ENGINES
            for variant, found in scans[engine].items()
        },
    )
    return scans, raw
