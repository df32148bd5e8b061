"""Claim: pre-aggregated tables turn a 2-minute query into a 3-second one (40x).

The dashboard question - orders, units and revenue per business day and product category
- is answered two ways by DuckDB over the same gold data loaded into one in-memory
database: from the facts (fact_sales joined to dim_product, grouped) and from the
pipeline's pre-aggregated gold table agg_daily_sales (grouped once more, across
warehouses), each from its file in queries/duckdb/. The two answers must agree: if they
do not, the aggregate is wrong and the benchmark fails, naming the column. What the
timer covers: the query and fetching its answer; loading timed separately.
"""

from __future__ import annotations

from typing import Any

from demo_pipeline.bench.answers import AnswerFingerprint, fingerprint, validate_all
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.harness import time_repeated
from demo_pipeline.bench.queries import sql
from demo_pipeline.bench.questions import (
    DAILY_SALES_BY_CATEGORY,
    DAILY_SALES_BY_CATEGORY_FROM_AGGREGATE,
    duckdb_with_tables,
    tables_read_by,
)
from demo_pipeline.bench.ratios import speedup
from demo_pipeline.bench.results import BenchmarkResult, Figure

NAME = "preagg"
TABLES = tables_read_by(DAILY_SALES_BY_CATEGORY, DAILY_SALES_BY_CATEGORY_FROM_AGGREGATE)
# The two ways to answer (the keys results.json reports) -> the question's query file.
QUERIES = {
    "from_facts": DAILY_SALES_BY_CATEGORY.name,
    "from_aggregate": DAILY_SALES_BY_CATEGORY_FROM_AGGREGATE.name,
}
OUTPUT = DAILY_SALES_BY_CATEGORY.output
# Revenue in the aggregate may be stored rounded to cents per group; allow for that.
REL_TOL = 1e-5


def time_preagg(params: dict[str, Any], threads: int) -> dict[str, Any]:
    con, load_s = duckdb_with_tables({t: params["paths"][t] for t in TABLES}, threads)
    result: dict[str, Any] = {"load_s": load_s, "queries": {}}
    for name, question in QUERIES.items():
        text = sql("duckdb", question)
        timing, rows = time_repeated(
            lambda text=text: con.execute(text).fetchall(),
            warmups=params["warmups"],
            repetitions=params["repetitions"],
        )
        result["queries"][name] = {
            "timing": timing.to_dict(),
            "answer": fingerprint(OUTPUT, rows).to_dict(),
        }
    return result


def run(ctx: BenchContext) -> BenchmarkResult:
    outcome = ctx.job(
        f"demo_pipeline.bench.{NAME}:time_preagg",
        {"paths": {t: str(ctx.dataset.paths[t]) for t in TABLES}, **ctx.timing_params()},
    )
    queries = outcome.payload["queries"]
    validate_all(
        DAILY_SALES_BY_CATEGORY.name,
        {n: AnswerFingerprint.from_dict(queries[n]["answer"]) for n in QUERIES},
        rel_tol=REL_TOL,
    )
    medians = {n: queries[n]["timing"]["median_s"] for n in QUERIES}
    return BenchmarkResult(
        name=NAME,
        status="ok",
        summary={
            "question": "orders, units and revenue per business day and category",
            "median_s": medians,
            "load_s": outcome.payload["load_s"],
            "rows": {t: ctx.dataset.rows[t] for t in TABLES},
            "sql": {name: sql("duckdb", question) for name, question in QUERIES.items()},
        },
        raw={"duckdb": outcome.to_dict()},
        figures=[
            Figure(
                "bench.preagg_vs_facts.speedup",
                speedup(medians["from_facts"], medians["from_aggregate"]),
                "x",
                "DuckDB: daily sales by category from agg_daily_sales vs from the facts",
            )
        ],
        notes=[
            "Timer covers the query and fetching its answer (data in DuckDB memory).",
            f"The aggregate's answer is checked against the facts (relative tolerance {REL_TOL}).",
        ],
    )
