from typing import Any


def query(frames: dict[str, Any]) -> Any:
    inventory = frames["fact_inventory_daily"]
    return (
        inventory.assign(stockout=(inventory["on_hand_units"] == 0).astype("int64"))
        .groupby(["snapshot_date", "warehouse_id"], dropna=False)
        .agg(
            on_hand=("on_hand_units", "sum"),
            on_order=("on_order_units", "sum"),
            stockouts=("stockout", "sum"),
        )
        .reset_index()
    )
