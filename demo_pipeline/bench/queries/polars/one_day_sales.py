import datetime as dt
from typing import Any

import polars as pl


def query(frames: dict[str, Any], *, day: dt.date) -> Any:
    return (
        frames["fact_sales"]
        .filter(pl.col("business_date") == day)
        .group_by("warehouse_id", "channel")
        .agg(
            pl.col("order_id").n_unique().alias("orders"),
            pl.col("quantity").sum().alias("units"),
            pl.col("net_amount").sum().alias("revenue"),
        )
    )
