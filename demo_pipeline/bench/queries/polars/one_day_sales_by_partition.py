from typing import Any

import polars as pl


def query(frames: dict[str, Any], *, year: int, month: int, day: int) -> Any:
    return (
        frames["fact_sales"]
        .filter((pl.col("year") == year) & (pl.col("month") == month) & (pl.col("day") == day))
        .group_by("warehouse_id", "channel")
        .agg(
            pl.col("order_id").n_unique().alias("orders"),
            pl.col("quantity").sum().alias("units"),
            pl.col("net_amount").sum().alias("revenue"),
        )
    )
