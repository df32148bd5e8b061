"""Claim: pre-aggregated tables turn a 2-minute query into a 3-second one (40x).

The dashboard question - orders, units and revenue per business day and product
category - is answered two ways by DuckDB over the same gold data loaded into one
in-memory database: from the facts (fact_sales joined to dim_product, grouped) and from
the pipeline's pre-aggregated gold table agg_daily_sales (grouped once more, across
warehouses). The two answers must agree: if they do not, the aggregate is wrong and the
benchmark fails, naming the column. What the timer covers: the query and fetching its
answer; loading timed separately.
"""

from __future__ import annotations

from typing import Any

from demo_pipeline.bench.answers import AnswerFingerprint, fingerprint, validate_all
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.harness import time_repeated
from demo_pipeline.bench.questions import duckdb_with_tables
from demo_pipeline.bench.ratios import speedup
from demo_pipeline.bench.results import BenchmarkResult, Figure

NAME = "preagg"
TABLES = ("fact_sales", "dim_product", "agg_daily_sales")
OUTPUT = ("business_date", "category_name", "orders", "units", "revenue")
# Same definition as the pipeline's aggregate (gold/sql/aggregates.sql): sales of a
# product with no dimension row count under 'unknown'. An order ships from one
# warehouse, so summing per-warehouse distinct orders is exact.
QUERIES = {
    "from_facts": """
        SELECT f.business_date, COALESCE(p.category_name, 'unknown') AS category_name,
               COUNT(DISTINCT f.order_id) AS orders,
               SUM(f.quantity) AS units, SUM(f.net_amount) AS revenue
        FROM fact_sales f LEFT JOIN dim_product p ON f.product_sk = p.product_sk
        GROUP BY f.business_date, COALESCE(p.category_name, 'unknown')
    """,
    "from_aggregate": """
        SELECT business_date, category_name, SUM(orders) AS orders,
               SUM(units) AS units, SUM(revenue) AS revenue
        FROM agg_daily_sales
        GROUP BY business_date, category_name
    """,
}
# Revenue in the aggregate may be stored rounded to cents per group; allow for that.
REL_TOL = 1e-5


def time_preagg(params: dict[str, Any], threads: int) -> dict[str, Any]:
    con, load_s = duckdb_with_tables({t: params["paths"][t] for t in TABLES}, threads)
    result: dict[str, Any] = {"load_s": load_s, "queries": {}}
    for name, sql in QUERIES.items():
        timing, rows = time_repeated(
            lambda sql=sql: con.execute(sql).fetchall(),
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
        "daily_sales_by_category",
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
            "sql": QUERIES,
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
