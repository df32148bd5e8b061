"""The questions the benchmarks ask, declared once: what each reads, what it answers,
and which engines answer it. The query text itself lives in queries/<engine>/<name>.*,
one file per question per engine (queries/__init__.py loads them).

The four analytical questions (QUESTIONS) are the pipeline's own aggregations and joins
over the gold star schema (contract: fact_sales, dim_product, fact_inventory_daily);
every engine answers them. The others serve one benchmark each: the pre-aggregation
pair, the dashboard queries of the dimensional benchmark and the one-day question of
the partition benchmark. Output column names and order are part of the question:
answers are compared on them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from demo_pipeline.bench.queries import ENGINES as ALL_ENGINES
from demo_pipeline.tables import TABLES


@dataclass(frozen=True)
class Question:
    name: str  # also the query file name in every engine's folder
    description: str
    tables: dict[str, tuple[str, ...]]  # table -> the columns the question reads
    output: tuple[str, ...]
    engines: tuple[str, ...]  # the query folders holding a file for this question


DAILY_SALES = Question(
    name="daily_sales_by_warehouse",
    description="Orders, units and revenue per business day and warehouse (group-by).",
    tables={"fact_sales": ("business_date", "warehouse_id", "order_id", "quantity", "net_amount")},
    output=("business_date", "warehouse_id", "orders", "units", "revenue"),
    engines=ALL_ENGINES,
)

REVENUE_BY_CATEGORY = Question(
    name="revenue_by_category",
    description="Units, revenue and lines per department and category (fact-to-dimension join).",
    tables={
        "fact_sales": ("product_sk", "quantity", "net_amount"),
        "dim_product": ("product_sk", "department", "category_name"),
    },
    output=("department", "category_name", "units", "revenue", "lines"),
    engines=ALL_ENGINES,
)

STOCK_BY_WAREHOUSE_DAY = Question(
    name="stock_by_warehouse_day",
    description="Units on hand and on order, and stock-outs, per snapshot day and warehouse.",
    tables={
        "fact_inventory_daily": (
            "snapshot_date",
            "warehouse_id",
            "on_hand_units",
            "on_order_units",
        )
    },
    output=("snapshot_date", "warehouse_id", "on_hand", "on_order", "stockouts"),
    engines=ALL_ENGINES,
)

TOP_PRODUCTS = Question(
    name="top_products",
    description="The ten products with the highest revenue (group-by, sort, limit).",
    tables={"fact_sales": ("product_id", "quantity", "net_amount")},
    output=("product_id", "revenue", "units"),
    engines=ALL_ENGINES,
)

# --- pre-aggregation (preagg.py): one question, answered from the facts and from gold's
# aggregate; the two answers must agree.
DAILY_SALES_BY_CATEGORY = Question(
    name="daily_sales_by_category",
    description="Orders, units and revenue per business day and category, from the facts.",
    tables={
        "fact_sales": ("business_date", "product_sk", "order_id", "quantity", "net_amount"),
        "dim_product": ("product_sk", "category_name"),
    },
    output=("business_date", "category_name", "orders", "units", "revenue"),
    engines=("duckdb",),
)

DAILY_SALES_BY_CATEGORY_FROM_AGGREGATE = Question(
    name="daily_sales_by_category_from_aggregate",
    description="Orders, units and revenue per business day and category, from agg_daily_sales.",
    tables={
        "agg_daily_sales": ("business_date", "category_name", "orders", "units", "revenue"),
    },
    output=DAILY_SALES_BY_CATEGORY.output,
    engines=("duckdb",),
)

# --- dashboard queries (dimensional.py): timed, not cross-checked (one engine).
ONE_WAREHOUSE_BY_DEPARTMENT = Question(
    name="one_warehouse_by_department",
    description="Revenue per business day and department for one warehouse.",
    tables={
        "fact_sales": ("business_date", "warehouse_id", "product_sk", "net_amount"),
        "dim_product": ("product_sk", "department"),
    },
    output=("business_date", "department", "revenue"),
    engines=("duckdb",),
)

ONE_CATEGORY_DAILY_UNITS = Question(
    name="one_category_daily_units",
    description="Units and distinct buyers per business day for one category.",
    tables={
        "fact_sales": ("business_date", "product_sk", "quantity", "customer_id"),
        "dim_product": ("product_sk", "category_name"),
    },
    output=("business_date", "units", "buyers"),
    engines=("duckdb",),
)

CHANNEL_MIX_BY_WEEK = Question(
    name="channel_mix_by_week",
    description="Revenue per week and sales channel.",
    tables={"fact_sales": ("business_date", "channel", "net_amount")},
    output=("week", "channel", "revenue"),
    engines=("duckdb",),
)

# --- the one-day question (partitions.py), asked of one file by date and of the
# Hive-partitioned lake by its partition keys. Parameters: ${day} (an ISO date), and
# ${year}, ${month}, ${day} (numbers) for the lake.
ONE_DAY_SALES = Question(
    name="one_day_sales",
    description="Orders, units and revenue by warehouse and channel on one business day.",
    tables={
        "fact_sales": (
            "business_date",
            "warehouse_id",
            "channel",
            "order_id",
            "quantity",
            "net_amount",
        )
    },
    output=("warehouse_id", "channel", "orders", "units", "revenue"),
    engines=("duckdb", "polars"),
)

ONE_DAY_SALES_BY_PARTITION = Question(
    name="one_day_sales_by_partition",
    description="The one-day question, the day selected by its Hive partition keys.",
    tables={
        "fact_sales": (
            "year",
            "month",
            "day",
            "warehouse_id",
            "channel",
            "order_id",
            "quantity",
            "net_amount",
        )
    },
    output=ONE_DAY_SALES.output,
    engines=("duckdb", "polars"),
)

# The analytical questions every engine answers (engines, memory, row stores).
QUESTIONS: tuple[Question, ...] = (
    DAILY_SALES,
    REVENUE_BY_CATEGORY,
    STOCK_BY_WAREHOUSE_DAY,
    TOP_PRODUCTS,
)
ALL_QUESTIONS: tuple[Question, ...] = (
    *QUESTIONS,
    DAILY_SALES_BY_CATEGORY,
    DAILY_SALES_BY_CATEGORY_FROM_AGGREGATE,
    ONE_WAREHOUSE_BY_DEPARTMENT,
    ONE_CATEGORY_DAILY_UNITS,
    CHANNEL_MIX_BY_WEEK,
    ONE_DAY_SALES,
    ONE_DAY_SALES_BY_PARTITION,
)
BY_NAME = {q.name: q for q in ALL_QUESTIONS}


def tables_read_by(*questions: Question) -> tuple[str, ...]:
    """The gold tables the given questions read, in the registry's order: what a
    benchmark loads is derived from its questions, never listed by hand."""
    read = {table for question in questions for table in question.tables}
    return tuple(name for name in TABLES.gold_names if name in read)


def columns_needed(questions: tuple[Question, ...] | list[Question]) -> dict[str, list[str]]:
    """Per table, the union of the columns the given questions read (in first-seen order)."""
    needed: dict[str, list[str]] = {}
    for question in questions:
        for table, cols in question.tables.items():
            seen = needed.setdefault(table, [])
            seen.extend(c for c in cols if c not in seen)
    return needed


def sql_literal(path: str) -> str:
    """A file path as a quoted SQL string (DDL cannot take bound parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def duckdb_with_tables(paths: dict[str, str], threads: int) -> tuple[Any, float]:
    """An in-memory DuckDB connection with each Parquet file loaded as a table.

    Returns the connection and the load time in seconds (timed apart from the queries).
    """
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    for table, path in paths.items():
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet({sql_literal(path)})")
    return con, time.perf_counter() - start
