from typing import Any


def query(frames: dict[str, Any]) -> Any:
    return (
        frames["fact_sales"]
        .groupby("product_id", dropna=False)
        .agg(revenue=("net_amount", "sum"), units=("quantity", "sum"))
        .reset_index()
        .sort_values(["revenue", "product_id"], ascending=[False, True])
        .head(10)
    )
