from typing import Any

import polars as pl


# --8<-- [start:query]
def query(frames: dict[str, Any]) -> Any:
    return (
        frames["fact_sales"]
        .group_by("business_date", "warehouse_id")
        .agg(
            pl.col("order_id").n_unique().alias("orders"),
            pl.col("quantity").sum().alias("units"),
            pl.col("net_amount").sum().alias("revenue"),
        )
    )
    # --8<-- [end:query]
