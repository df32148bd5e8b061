from typing import Any


def query(frames: dict[str, Any]) -> Any:
    facts = frames["fact_sales"][["product_sk", "quantity", "net_amount"]]
    products = frames["dim_product"][["product_sk", "department", "category_name"]]
    return (
        facts.merge(products, on="product_sk", how="inner")
        .groupby(["department", "category_name"], dropna=False)
        .agg(units=("quantity", "sum"), revenue=("net_amount", "sum"), lines=("quantity", "size"))
        .reset_index()
    )
