"""Claim: Parquet with Hive partitioning makes reads 80 % faster.

The same fact_sales rows are written twice by the same writer (Polars, Snappy): as a
Hive-partitioned lake (year=YYYY/month=MM/day=DD/part-0.parquet, the bronze layout of the
contract) and as one unpartitioned file in the gold table's row order. A one-day
question (orders, units and revenue by warehouse and channel) is then answered from
each, by DuckDB and by Polars: on the lake the day is selected by its partition keys,
so the engine opens one folder; on the single file by business_date, so the engine
relies on row-group min/max statistics. The timer covers reading and aggregating
(I/O in, page cache warm after the warm-up). The single file's row-group count is
reported because it decides how much the statistics alone can skip.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from demo_pipeline.bench.answers import AnswerFingerprint, fingerprint, validate_all
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.harness import time_repeated
from demo_pipeline.bench.questions import sql_literal
from demo_pipeline.bench.ratios import reduction_pct, speedup
from demo_pipeline.bench.results import BenchmarkResult, Figure

NAME = "partitions"
ENGINES = ("duckdb", "polars")
LAYOUTS = ("partitioned", "single_file")
OUTPUT = ("warehouse_id", "channel", "orders", "units", "revenue")


def write_layouts(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Child job: write the Hive-partitioned lake and the single file; pick the day."""
    import polars as pl
    import pyarrow.parquet as pq

    frame = pl.read_parquet(params["source"])
    out = Path(params["out_dir"])
    lake = out / "lake_fact_sales"
    single = out / "fact_sales_single.parquet"
    out.mkdir(parents=True, exist_ok=True)
    days = sorted(frame.get_column("business_date").unique().to_list())
    for day in days:
        folder = lake / f"year={day:%Y}" / f"month={day:%m}" / f"day={day:%d}"
        folder.mkdir(parents=True, exist_ok=True)
        frame.filter(pl.col("business_date") == day).write_parquet(
            folder / "part-0.parquet", compression="snappy"
        )
    frame.write_parquet(single, compression="snappy")
    # The middle day of the data: a typical day, not the first or last row group.
    day = days[len(days) // 2]
    return {
        "lake": str(lake),
        "single": str(single),
        "day": day.isoformat(),
        "days": len(days),
        "rows": frame.height,
        "rows_on_day": frame.filter(pl.col("business_date") == day).height,
        "single_file_row_groups": pq.ParquetFile(single).num_row_groups,
        "bytes": {
            "partitioned": sum(p.stat().st_size for p in lake.rglob("*.parquet")),
            "single_file": single.stat().st_size,
        },
    }


def _duckdb_sql(layout: str, layout_info: dict[str, Any]) -> str:
    day = dt.date.fromisoformat(layout_info["day"])
    if layout == "partitioned":
        # One wildcard per partition level, as DuckDB's Hive-partitioning docs write it.
        lake = Path(layout_info["lake"])
        glob = sql_literal(str(lake / "year=*" / "month=*" / "day=*" / "*.parquet"))
        source = f"read_parquet({glob}, hive_partitioning = true)"
        where = f"year = {day.year} AND month = {day.month} AND day = {day.day}"
    else:
        source = f"read_parquet({sql_literal(layout_info['single'])})"
        where = f"business_date = DATE '{day.isoformat()}'"
    return f"""
        SELECT warehouse_id, channel, COUNT(DISTINCT order_id) AS orders,
               SUM(quantity) AS units, SUM(net_amount) AS revenue
        FROM {source}
        WHERE {where}
        GROUP BY warehouse_id, channel
    """


def scan_layouts(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Child job: time the one-day question on both layouts, for one engine."""
    engine = params["engine"]
    info = params["layouts"]
    day = dt.date.fromisoformat(info["day"])
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")

        def runner(layout: str):
            sql = _duckdb_sql(layout, info)
            return lambda: con.execute(sql).fetchall()

    else:
        import polars as pl

        def runner(layout: str):
            def query():
                if layout == "partitioned":
                    frame = pl.scan_parquet(info["lake"], hive_partitioning=True).filter(
                        (pl.col("year") == day.year)
                        & (pl.col("month") == day.month)
                        & (pl.col("day") == day.day)
                    )
                else:
                    frame = pl.scan_parquet(info["single"]).filter(pl.col("business_date") == day)
                answer = (
                    frame.group_by("warehouse_id", "channel")
                    .agg(
                        pl.col("order_id").n_unique().alias("orders"),
                        pl.col("quantity").sum().alias("units"),
                        pl.col("net_amount").sum().alias("revenue"),
                    )
                    .collect()
                )
                return answer.select(OUTPUT).rows()

            return query

    result: dict[str, Any] = {"engine": engine, "layouts": {}}
    for layout in LAYOUTS:
        timing, rows = time_repeated(
            runner(layout), warmups=params["warmups"], repetitions=params["repetitions"]
        )
        result["layouts"][layout] = {
            "timing": timing.to_dict(),
            "answer": fingerprint(OUTPUT, rows).to_dict(),
        }
    return result


def run(ctx: BenchContext) -> BenchmarkResult:
    info = ctx.job(
        f"demo_pipeline.bench.{NAME}:write_layouts",
        {"source": str(ctx.dataset.paths["fact_sales"]), "out_dir": str(ctx.scratch / NAME)},
    ).payload
    raw: dict[str, Any] = {"layouts": info}
    scans: dict[str, dict[str, Any]] = {}
    for engine in ENGINES:
        outcome = ctx.job(
            f"demo_pipeline.bench.{NAME}:scan_layouts",
            {"engine": engine, "layouts": info, **ctx.timing_params()},
        )
        scans[engine] = outcome.payload["layouts"]
        raw[engine] = outcome.to_dict()
    validate_all(
        f"one_day_sales_{info['day']}",
        {
            f"{e}/{layout}": AnswerFingerprint.from_dict(scans[e][layout]["answer"])
            for e in ENGINES
            for layout in LAYOUTS
        },
    )
    medians = {e: {lo: scans[e][lo]["timing"]["median_s"] for lo in LAYOUTS} for e in ENGINES}
    duck, pol = medians["duckdb"], medians["polars"]
    figures = [
        Figure(
            "bench.partition_pruning.speedup",
            speedup(duck["single_file"], duck["partitioned"]),
            "x",
            "DuckDB: one-day query on the Hive-partitioned lake vs one unpartitioned file",
        ),
        Figure(
            "bench.partition_pruning.time_reduction_pct",
            reduction_pct(duck["single_file"], duck["partitioned"]),
            "%",
            "DuckDB: time saved by partition pruning on a one-day query",
        ),
        Figure(
            "bench.partition_pruning_polars.speedup",
            speedup(pol["single_file"], pol["partitioned"]),
            "x",
            "Polars: one-day query on the Hive-partitioned lake vs one unpartitioned file",
        ),
    ]
    return BenchmarkResult(
        name=NAME,
        status="ok",
        summary={
            "day": info["day"],
            "days_in_data": info["days"],
            "rows": info["rows"],
            "rows_on_day": info["rows_on_day"],
            "single_file_row_groups": info["single_file_row_groups"],
            "bytes": info["bytes"],
            "median_s": medians,
            # The first run in a fresh process (the warm-up): OS page cache as the
            # writer left it, engine caches empty. The closest to "cold" we measure.
            "first_run_s": {
                e: {k: (scans[e][k]["timing"]["warmup_s"] or [None])[0] for k in LAYOUTS}
                for e in ENGINES
            },
        },
        raw=raw,
        figures=figures,
        notes=[
            "Timer covers reading and aggregating (I/O in); warm page cache.",
            "The single file keeps the gold row order; its row-group statistics may let the "
            "engine skip data too, which is why its row-group count is reported.",
        ],
    )
