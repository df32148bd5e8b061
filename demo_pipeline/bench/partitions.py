"""Claim: Parquet with Hive partitioning makes reads 80 % faster.

The same fact_sales rows are written twice by the same writer (Polars, Snappy): as a
Hive-partitioned lake (year=YYYY/month=MM/day=DD/part-0.parquet, the bronze layout of the
contract) and as one unpartitioned file in the gold table's row order. A one-day
question (orders, units and revenue by warehouse and channel) is then answered from
each, by DuckDB and by Polars, with the shared write-then-scan helper (variants.py): on
the lake the day is selected by its partition keys (one_day_sales_by_partition), so the
engine opens one folder; on the single file by business_date (one_day_sales), so the
engine relies on row-group min/max statistics. The timer covers reading and aggregating
(I/O in, page cache warm after the warm-up). The single file's row-group count is
reported because it decides how much the statistics alone can skip.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.questions import ONE_DAY_SALES, ONE_DAY_SALES_BY_PARTITION
from demo_pipeline.bench.ratios import reduction_pct, speedup
from demo_pipeline.bench.results import BenchmarkResult, Figure
from demo_pipeline.bench.variants import (
    ENGINES,
    Variant,
    scan_variants,
    scan_with_each_engine,
    write_variants,
)

NAME = "partitions"
LAYOUTS = ("partitioned", "single_file")
PARTITION_LEVELS = ("year", "month", "day")


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


def variants(info: dict[str, Any]) -> list[Variant]:
    """The lake asked for the day by its partition keys; the single file by its date."""
    day = dt.date.fromisoformat(info["day"])
    return [
        Variant(
            "partitioned",
            info["lake"],
            "parquet",
            ONE_DAY_SALES_BY_PARTITION.name,
            {"year": day.year, "month": day.month, "day": day.day},
            partitioned_by=PARTITION_LEVELS,
        ),
        Variant("single_file", info["single"], "parquet", ONE_DAY_SALES.name, {"day": day}),
    ]


def scan_layouts(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Child job: time the one-day question on both layouts, for one engine."""
    engine = params["engine"]
    timed = scan_variants(
        engine,
        variants(params["written"]),
        threads=threads,
        warmups=params["warmups"],
        repetitions=params["repetitions"],
    )
    return {"engine": engine, "layouts": timed}


def run(ctx: BenchContext) -> BenchmarkResult:
    info = write_variants(ctx, f"demo_pipeline.bench.{NAME}:write_layouts", NAME)
    scans, by_engine = scan_with_each_engine(
        ctx,
        f"demo_pipeline.bench.{NAME}:scan_layouts",
        info,
        payload_key="layouts",
        question=f"one_day_sales_{info['day']}",
    )
    raw: dict[str, Any] = {"layouts": info, **by_engine}
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
