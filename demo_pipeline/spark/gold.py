"""Gold on Spark: the gold model of gold/sql/*.sql (DuckDB SQL, written once) run by
Spark through sqlglot (demo_pipeline/spark/dialect.py), then loaded into the gold
DuckDB file the site and the quality checks read.

Spark's gold lives as Parquet under <workdir>/gold/spark/:
  <table>/part-0.parquet                                   dimensions, aggregates, PO lines
  fact_sales/ingest_date=YYYY-MM-DD/part-0.parquet         facts, one partition per run day
  fact_inventory_daily/ingest_date=YYYY-MM-DD/part-0.parquet

A day's build follows gold/build.py step by step: dimensions from silver; the day's
facts replace their ingestion-date partition (DuckDB: delete + insert by ingest_date);
facts of products whose history changed are re-pointed (only the partitions holding
them are rewritten); the purchase-order fact and the aggregates are rebuilt. The daily
sales aggregate is rebuilt for every date rather than for the dates touched: the
result is the same (DuckDB recomputes exactly the dates whose inputs changed) and a
full pass is what Spark is good at. Every Parquet write is swapped in atomically
(spark/io.py), and the DuckDB load is one transaction: a crash leaves the previous
day's gold on both sides, and rerunning the day rebuilds it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from demo_pipeline.core.context import DayContext
from demo_pipeline.core.crashpoints import crash_point
from demo_pipeline.gold.build import (
    GOLD_DIMENSIONS,
    GoldOutcome,
    catalogue,
    create_views,
    quote,
    sql,
    table_rows,
    view_names,
)
from demo_pipeline.silver.stage import fact_files
from demo_pipeline.spark.dialect import CALENDAR_VIEW, select_of, statements, to_spark
from demo_pipeline.spark.io import write_partition
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

FACTS = {"fact_sales": "facts", "fact_inventory_daily": "inventory"}
"""Incremental facts and the gold/sql file whose INSERT builds one ingestion date."""
REPOINT_KEYS = {
    "fact_sales": ("repointed_sales", ("order_id", "line_no")),
    "fact_inventory_daily": (
        "repointed_inventory",
        ("snapshot_date", "product_id", "warehouse_id"),
    ),
}
DECLARED = ("fact_sales", "fact_inventory_daily", "agg_daily_sales")
"""Tables gold/sql/schema.sql creates with explicit types: loaded into them by name."""


def spark_gold(workdir: Workdir) -> Path:
    return workdir.gold / "spark"


def _query(name: str, target: str, **params: str) -> str:
    """The Spark SQL of the statement of gold/sql/<name>.sql that writes `target`, or
    of the file's query when it holds only one (the caller says where it goes)."""
    from sqlglot import exp

    found = statements(name, **params)
    if len(found) == 1 and isinstance(found[0], exp.Query):  # a file holding one query
        return to_spark(found[0])
    for statement in found:
        if not isinstance(statement, exp.Insert | exp.Create):
            continue
        written = statement.find(exp.Table)
        if written is not None and written.name == target:
            return to_spark(select_of(statement))
    raise ValueError(f"gold/sql/{name}.sql: expected a statement writing {target!r}; found none")


def _read(spark: SparkSession, path: Path) -> DataFrame | None:
    return spark.read.parquet(str(path)) if path.exists() else None


def build_gold_spark(
    ctx: DayContext, spark: SparkSession, con: duckdb.DuckDBPyConnection
) -> GoldOutcome:
    """gold.build.build_gold for ctx.business_date, computed by Spark."""
    wd, day = ctx.workdir, ctx.business_date
    root = spark_gold(wd)
    out = GoldOutcome()
    dims = {t: wd.dimension_file(t) for g in GOLD_DIMENSIONS for t in g.sources}
    facts = {t: wd.silver_file(t, day) for t in TABLES.facts}
    po = [fact_files(wd.silver, t) for t in TABLES.gold_table("fact_purchase_order_line").sources]
    previous_products = _read(spark, root / "dim_product")
    changed = None
    if all(p.exists() for p in dims.values()):
        with out.timed("dimensions"):
            changed = _dimensions(ctx, spark, dims, root, previous_products)
        out.loaded.append("dimensions")
    else:
        missing = [t for t, p in dims.items() if not p.exists()]
        out.skipped.append(f"dimensions (no silver yet for {missing})")
    has_dims = (root / "dim_product").exists()
    if has_dims:
        _view(spark, root, "dim_product")
    if has_dims and facts["orders"].exists() and facts["order_lines"].exists():
        with out.timed("fact_sales"):
            _day_facts(
                spark,
                root,
                "fact_sales",
                day,
                orders=facts["orders"],
                order_lines=facts["order_lines"],
            )
        out.loaded.append("fact_sales")
    else:
        out.skipped.append("fact_sales")
    if has_dims and facts["inventory_snapshots"].exists():
        with out.timed("fact_inventory_daily"):
            _day_facts(
                spark,
                root,
                "fact_inventory_daily",
                day,
                inventory_snapshots=facts["inventory_snapshots"],
            )
        out.loaded.append("fact_inventory_daily")
    else:
        out.skipped.append("fact_inventory_daily")
    since = None  # the earliest version start time that changed
    if changed is not None:
        since = changed.agg({"changed_from": "min"}).first()[0]  # driver: one value
    if has_dims and since is not None:
        with out.timed("repoint"):
            changed.createOrReplaceTempView("changed_products")
            for fact in FACTS:
                _repoint(spark, root, fact, since)
    crash_point("gold.mid_build")
    if po[0] and po[1]:
        with out.timed("fact_purchase_order_line"):
            spark.read.parquet(*map(str, po[0])).createOrReplaceTempView("po_headers")
            spark.read.parquet(*map(str, po[1])).createOrReplaceTempView("po_lines")
            query = _query(
                "purchase_orders", "fact_purchase_order_line",
                purchase_orders="po_headers", purchase_order_lines="po_lines",
            )  # fmt: skip
            write_partition(spark.sql(query), root / "fact_purchase_order_line")
        out.loaded.append("fact_purchase_order_line")
    if has_dims and (root / "fact_purchase_order_line").exists() and (root / "fact_sales").exists():
        with out.timed("aggregates"):
            _aggregates(spark, root)
        out.loaded.append("aggregates")
    else:
        out.skipped.append("aggregates (no purchase orders in silver yet)")
    crash_point("gold.before_commit")
    with out.timed("commit"):
        load_duckdb(con, root)
    out.rows = table_rows(con)
    return out


def _view(spark: SparkSession, root: Path, table: str) -> None:
    spark.read.parquet(str(root / table)).createOrReplaceTempView(table)


def _dimensions(
    ctx: DayContext,
    spark: SparkSession,
    dims: dict[str, Path],
    root: Path,
    previous_products: DataFrame | None,
) -> DataFrame | None:
    """Rebuild every gold dimension; returns the products whose history changed (None
    on the first build, as in DuckDB: nothing to re-point yet)."""
    cfg = ctx.cfg
    for table, path in dims.items():
        spark.read.parquet(str(path)).createOrReplaceTempView(table)
    names = {t: t for t in dims}
    changed = None
    for gold in GOLD_DIMENSIONS:
        if not gold.sources:
            continue
        if gold.name == "dim_product":
            incoming = spark.sql(_query("incoming_products", "incoming_dim_product", **names))
            incoming.createOrReplaceTempView("incoming_dim_product")
            if previous_products is not None:
                # The gold copy before this build, as DuckDB's dim_product is then.
                previous_products.createOrReplaceTempView("dim_product")
                changed = spark.sql(_query("changed_products", "changed_products")).cache()
        frame = spark.sql(_query(gold.name, gold.name, **names))
        write_partition(frame, root / gold.name)
    peaks = [cfg.estate.peak_day, *cfg.quality.expected_peaks]
    peak_list = ", ".join(f"DATE {quote(d)}" for d in sorted({p for p in peaks if p})) or "NULL"
    first, last = quote(cfg.estate.start_date), quote(cfg.estate.end_date)
    spark.sql(
        f"SELECT explode(sequence(DATE {first}, DATE {last}, INTERVAL 1 DAY)) AS d"
    ).createOrReplaceTempView(CALENDAR_VIEW)
    frame = spark.sql(
        _query("dim_date", "dim_date", first_day=first, last_day=last, peak_days=peak_list)
    )
    write_partition(frame, root / "dim_date")
    return changed


def _day_facts(spark: SparkSession, root: Path, fact: str, day: dt.date, **files: Path) -> None:
    """One ingestion date of a fact, replaced as a whole (its partition)."""
    views = {}
    for name, path in files.items():
        spark.read.parquet(str(path)).createOrReplaceTempView(f"day_{name}")
        views[name] = f"day_{name}"
    frame = spark.sql(_query(FACTS[fact], fact, day=quote(day), **views))
    write_partition(frame.drop("ingest_date"), root / fact / f"ingest_date={day}")


def _repoint(spark: SparkSession, root: Path, fact: str, since: dt.datetime) -> None:
    """gold/sql/repoint.sql: facts of changed products pointed at the version in force
    at their time; only the partitions holding a re-pointed row are rewritten."""
    from pyspark.sql import functions as F

    if not (root / fact).exists():
        return
    current = spark.read.parquet(str(root / fact))
    current.createOrReplaceTempView(fact)
    temp, keys = REPOINT_KEYS[fact]
    repointed = spark.sql(_query("repoint", temp, since=quote(since))).select(*keys, "new_sk")
    repointed = repointed.cache()
    touched = current.join(repointed, list(keys)).select("ingest_date").distinct()
    dates = [r[0] for r in touched.collect()]  # driver: a handful of dates, never fact rows
    for date in sorted(dates):
        part = current.filter(F.col("ingest_date") == F.lit(date))
        fixed = part.join(repointed, list(keys), "left").withColumn(
            "product_sk", F.coalesce(F.col("new_sk"), F.col("product_sk"))
        )
        write_partition(
            fixed.select(*current.columns).drop("ingest_date"),
            root / fact / f"ingest_date={date}",
            0,
        )
    repointed.unpersist()


def _aggregates(spark: SparkSession, root: Path) -> None:
    for table in (
        "fact_sales",
        "fact_purchase_order_line",
        "dim_supplier",
        "dim_product",
    ):
        _view(spark, root, table)
    spark.sql("SELECT DISTINCT business_date FROM fact_sales").createOrReplaceTempView(
        "affected_dates"
    )
    # agg_stock_cover is a view in the warehouse (views.sql), over the facts loaded.
    for target in ("agg_daily_sales", "agg_supplier_fill_rate"):
        frame = spark.sql(_query("aggregates", target))
        write_partition(frame, root / target)


def load_duckdb(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """Replace the gold DuckDB tables with Spark's gold Parquet, in one transaction."""
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(sql("schema"))
        for gold in TABLES.gold:
            folder = root / gold.name
            if not folder.exists() or gold.name in view_names():
                continue
            source = (
                f"read_parquet({quote(str(folder) + '/**/*.parquet')}, hive_partitioning = true)"
            )
            if gold.name in DECLARED:
                con.execute(f"DELETE FROM {gold.name}")
                con.execute(f"INSERT INTO {gold.name} BY NAME SELECT * FROM {source}")
            else:
                order = ", ".join(gold.keys)
                con.execute(
                    f"CREATE OR REPLACE TABLE {gold.name} AS "
                    f"SELECT * FROM {source} ORDER BY {order}"
                )
        if (root / "agg_daily_sales").exists():  # the aggregates step ran
            create_views(con, catalogue(con))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
