"""The analytical questions every engine answers: the pipeline's own aggregations and
joins over the gold star schema (contract: fact_sales, dim_product, fact_inventory_daily).

This module holds the engine-neutral part: which columns each question reads and its
SQL, written once in the subset DuckDB, SQLite and PostgreSQL all accept. The
DataFrame versions live with the DataFrame benchmark (engines_polars_pandas.py).
Output column names and order are part of the question: answers are compared on them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Question:
    name: str
    description: str
    tables: dict[str, tuple[str, ...]]  # table -> the columns the question reads
    output: tuple[str, ...]
    sql: str


DAILY_SALES = Question(
    name="daily_sales_by_warehouse",
    description="Orders, units and revenue per business day and warehouse (group-by).",
    tables={"fact_sales": ("business_date", "warehouse_id", "order_id", "quantity", "net_amount")},
    output=("business_date", "warehouse_id", "orders", "units", "revenue"),
    sql="""
        SELECT business_date, warehouse_id, COUNT(DISTINCT order_id) AS orders,
               SUM(quantity) AS units, SUM(net_amount) AS revenue
        FROM fact_sales
        GROUP BY business_date, warehouse_id
    """,
)

REVENUE_BY_CATEGORY = Question(
    name="revenue_by_category",
    description="Units, revenue and lines per department and category (fact-to-dimension join).",
    tables={
        "fact_sales": ("product_sk", "quantity", "net_amount"),
        "dim_product": ("product_sk", "department", "category_name"),
    },
    output=("department", "category_name", "units", "revenue", "lines"),
    sql="""
        SELECT p.department, p.category_name, SUM(f.quantity) AS units,
               SUM(f.net_amount) AS revenue, COUNT(*) AS lines
        FROM fact_sales f
        JOIN dim_product p ON f.product_sk = p.product_sk
        GROUP BY p.department, p.category_name
    """,
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
    sql="""
        SELECT snapshot_date, warehouse_id, SUM(on_hand_units) AS on_hand,
               SUM(on_order_units) AS on_order,
               SUM(CASE WHEN on_hand_units = 0 THEN 1 ELSE 0 END) AS stockouts
        FROM fact_inventory_daily
        GROUP BY snapshot_date, warehouse_id
    """,
)

TOP_PRODUCTS = Question(
    name="top_products",
    description="The ten products with the highest revenue (group-by, sort, limit).",
    tables={"fact_sales": ("product_id", "quantity", "net_amount")},
    output=("product_id", "revenue", "units"),
    sql="""
        SELECT product_id, SUM(net_amount) AS revenue, SUM(quantity) AS units
        FROM fact_sales
        GROUP BY product_id
        ORDER BY revenue DESC, product_id
        LIMIT 10
    """,
)

QUESTIONS: tuple[Question, ...] = (
    DAILY_SALES,
    REVENUE_BY_CATEGORY,
    STOCK_BY_WAREHOUSE_DAY,
    TOP_PRODUCTS,
)
BY_NAME = {q.name: q for q in QUESTIONS}


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
