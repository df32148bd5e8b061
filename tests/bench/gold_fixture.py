"""A tiny, deterministic gold-shaped dataset (contract columns) for the benchmark tests.

It stands in for the pipeline's gold exports so the suite can be tested on its own:
seeded numpy, a few days, a few hundred order lines. agg_daily_sales is derived from
the facts exactly as the contract describes, so pre-aggregated and fact answers agree.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from demo_pipeline.workdir import Workdir

START = dt.date(2026, 11, 1)
CATEGORIES = [("Snacks", "Food"), ("Drinks", "Food"), ("Tools", "DIY"), ("Paint", "DIY")]


def write_gold_fixture(
    workdir: Workdir,
    *,
    seed: int = 7,
    days: int = 4,
    products: int = 40,
    warehouses: int = 3,
    orders_per_day: int = 60,
) -> None:
    rng = np.random.default_rng(seed)
    dates = [START + dt.timedelta(days=i) for i in range(days)]

    # SCD2: every fifth product changed category mid-month, so it has two versions.
    dim_rows = []
    sk = 0
    for pid in range(1, products + 1):
        versions = 2 if pid % 5 == 0 else 1
        for v in range(versions):
            sk += 1
            cat_index = (pid + v) % len(CATEGORIES)
            cat, dept = CATEGORIES[cat_index]
            dim_rows.append(
                {
                    "product_sk": sk,
                    "product_id": pid,
                    "sku": f"SKU-{pid:05d}",
                    "name": f"Product {pid}",
                    "category_id": cat_index + 1,
                    "category_name": cat,
                    "department": dept,
                    "supplier_id": 1 + pid % 4,
                    "unit_cost": 1.0 + pid / 10,
                    "list_price": 2.0 + pid / 5,
                    "valid_from": START if v == 0 else dates[days // 2],
                    "valid_to": None if v == versions - 1 else dates[days // 2],
                    "is_current": v == versions - 1,
                }
            )
    dim_product = pl.DataFrame(dim_rows)
    sk_of = {  # (product_id, half) -> product_sk valid then
        (r["product_id"], half): r["product_sk"]
        for r in dim_rows
        for half in (0, 1)
        if (r["valid_to"] is None or half == 0) and (r["valid_from"] == START or half == 1)
    }

    sales = []
    for day_index, day in enumerate(dates):
        half = 0 if day < dates[days // 2] else 1
        for n in range(1, orders_per_day + 1):
            warehouse = int(rng.integers(1, warehouses + 1))
            customer = int(rng.integers(1, 500))
            channel = ["web", "store", "marketplace"][int(rng.integers(0, 3))]
            for line in range(1, int(rng.integers(1, 4)) + 1):
                pid = int(rng.integers(1, products + 1))
                qty = int(rng.integers(1, 6))
                price = round(2.0 + pid / 5, 2)
                sales.append(
                    {
                        "order_id": f"O-{day:%Y%m%d}-{n:06d}",
                        "line_no": line,
                        "business_date": day,
                        "date_key": int(f"{day:%Y%m%d}"),
                        "product_sk": sk_of[(pid, half)],
                        "product_id": pid,
                        "warehouse_id": warehouse,
                        "customer_id": customer,
                        "channel": channel,
                        "quantity": qty,
                        "unit_price": price,
                        "net_amount": round(qty * price, 2),
                    }
                )
        del day_index
    fact_sales = pl.DataFrame(sales)

    inventory = pl.DataFrame(
        [
            {
                "snapshot_date": day,
                "date_key": int(f"{day:%Y%m%d}"),
                "product_sk": sk_of[(pid, 0 if day < dates[days // 2] else 1)],
                "product_id": pid,
                "warehouse_id": wh,
                "on_hand_units": int(rng.integers(0, 4)) * int(rng.integers(0, 50)),
                "on_order_units": int(rng.integers(0, 30)),
            }
            for day in dates
            for pid in range(1, products + 1)
            for wh in range(1, warehouses + 1)
        ]
    )

    agg_daily_sales = (
        fact_sales.join(dim_product.select("product_sk", "category_name"), on="product_sk")
        .group_by("business_date", "warehouse_id", "category_name")
        .agg(
            pl.col("order_id").n_unique().alias("orders"),
            pl.col("quantity").sum().alias("units"),
            pl.col("net_amount").sum().alias("revenue"),
        )
        .sort("business_date", "warehouse_id", "category_name")
    )

    workdir.gold_parquet.mkdir(parents=True, exist_ok=True)
    for name, frame in {
        "fact_sales": fact_sales,
        "dim_product": dim_product,
        "fact_inventory_daily": inventory,
        "agg_daily_sales": agg_daily_sales,
    }.items():
        frame.write_parquet(workdir.gold_parquet / f"{name}.parquet")
