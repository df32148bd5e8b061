from typing import Any

import polars as pl


def query(frames: dict[str, Any]) -> Any:
    return (
        frames["fact_inventory_daily"]
        .group_by("snapshot_date", "warehouse_id")
        .agg(
            pl.col("on_hand_units").sum().alias("on_hand"),
            pl.col("on_order_units").sum().alias("on_order"),
            (pl.col("on_hand_units") == 0).sum().alias("stockouts"),
        )
    )
