from typing import Any

import polars as pl


def query(frames: dict[str, Any]) -> Any:
    facts = frames["fact_sales"].select("product_sk", "quantity", "net_amount")
    products = frames["dim_product"].select("product_sk", "department", "category_name")
    return (
        facts.join(products, on="product_sk", how="inner")
        .group_by("department", "category_name")
        .agg(
            pl.col("quantity").sum().alias("units"),
            pl.col("net_amount").sum().alias("revenue"),
            pl.len().alias("lines"),
        )
    )
