from typing import Any


# --8<-- [start:query]
def query(frames: dict[str, Any]) -> Any:
    return (
        frames["fact_sales"]
        .groupby(["business_date", "warehouse_id"], dropna=False)
        .agg(
            orders=("order_id", "nunique"),
            units=("quantity", "sum"),
            revenue=("net_amount", "sum"),
        )
        .reset_index()
    )
    # --8<-- [end:query]
