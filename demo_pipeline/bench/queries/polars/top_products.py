from typing import Any

import polars as pl


def query(frames: dict[str, Any]) -> Any:
    return (
        frames["fact_sales"]
        .group_by("product_id")
        .agg(
            pl.col("net_amount").sum().alias("revenue"),
            pl.col("quantity").sum().alias("units"),
        )
        .sort(["revenue", "product_id"], descending=[True, False])
        .head(10)
    )
