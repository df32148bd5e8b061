"""Claim: P95 below 3 seconds for dimensional queries.

A set of typical dashboard queries over the gold star schema (facts joined to
dimensions, filtered and grouped) runs in DuckDB - the demo's serving engine - over the
gold tables loaded into one in-memory database, each query from its file in
queries/duckdb/. Every query runs a warm-up and then the profile's repetitions; all
measured latencies are pooled and the 95th percentile (nearest rank) is reported. One
user, queries one after another: the claimed figure is a production dashboard's, with
concurrent users, which this does not simulate.
"""

from __future__ import annotations

from typing import Any

from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.harness import time_repeated
from demo_pipeline.bench.queries import sql
from demo_pipeline.bench.questions import (
    CHANNEL_MIX_BY_WEEK,
    DAILY_SALES_BY_CATEGORY,
    ONE_CATEGORY_DAILY_UNITS,
    ONE_WAREHOUSE_BY_DEPARTMENT,
    QUESTIONS,
    duckdb_with_tables,
    tables_read_by,
)
from demo_pipeline.bench.ratios import percentile
from demo_pipeline.bench.results import BenchmarkResult, Figure

NAME = "dimensional"
P95 = 95.0
# The queries, in the order they run; each is queries/duckdb/<name>.sql.
DIMENSIONAL_QUESTIONS = (
    *QUESTIONS,
    DAILY_SALES_BY_CATEGORY,
    ONE_WAREHOUSE_BY_DEPARTMENT,
    ONE_CATEGORY_DAILY_UNITS,
    CHANNEL_MIX_BY_WEEK,
)
QUERIES: tuple[str, ...] = tuple(q.name for q in DIMENSIONAL_QUESTIONS)
TABLES = tables_read_by(*DIMENSIONAL_QUESTIONS)


def time_dimensional(params: dict[str, Any], threads: int) -> dict[str, Any]:
    con, load_s = duckdb_with_tables({t: params["paths"][t] for t in TABLES}, threads)
    result: dict[str, Any] = {"load_s": load_s, "queries": {}}
    for name in QUERIES:
        text = sql("duckdb", name)
        timing, _ = time_repeated(
            lambda text=text: con.execute(text).fetchall(),
            warmups=params["warmups"],
            repetitions=params["repetitions"],
        )
        result["queries"][name] = timing.to_dict()
    return result


def run(ctx: BenchContext) -> BenchmarkResult:
    outcome = ctx.job(
        f"demo_pipeline.bench.{NAME}:time_dimensional",
        {"paths": {t: str(ctx.dataset.paths[t]) for t in TABLES}, **ctx.timing_params()},
    )
    queries = outcome.payload["queries"]
    samples = [s for timing in queries.values() for s in timing["runs_s"]]
    return BenchmarkResult(
        name=NAME,
        status="ok",
        summary={
            "engine": "duckdb",
            "queries": list(QUERIES),
            "samples": len(samples),
            "p50_s": percentile(samples, 50.0),
            "p95_s": percentile(samples, P95),
            "max_s": max(samples),
            "median_s": {n: t["median_s"] for n, t in queries.items()},
        },
        raw={"duckdb": outcome.to_dict()},
        figures=[
            Figure(
                "bench.dimensional_queries.p95_s",
                percentile(samples, P95),
                "s",
                f"DuckDB: 95th percentile latency over {len(samples)} runs of "
                f"{len(QUERIES)} dimensional queries",
            )
        ],
        notes=["One user, sequential queries; no concurrency simulated."],
    )
