"""The small dimension pools: warehouses, suppliers, categories, products, customers.

Faker fills only small pools of names (a few hundred each); the rows themselves are
assembled vectorised from those pools, so 250,000 customers cost no more than 2,500.
Every pool has its own seeded stream (see `streams.py`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import numpy as np
import polars as pl

from demo_pipeline.config import EstateConfig
from demo_pipeline.estate.streams import faker_for, rng_for

# A retailer's assortment: department -> categories. Fixed vocabulary, not random.
DEPARTMENTS: dict[str, list[str]] = {
    "Home": ["Cookware", "Bedding", "Lighting", "Storage", "Decor"],
    "Garden": ["Tools", "Plants", "Furniture", "Watering", "Grills"],
    "Electronics": ["Audio", "Cables", "Phones", "Computing", "Smart Home"],
    "Fashion": ["Shoes", "Outerwear", "Accessories", "Basics", "Sportswear"],
    "Grocery": ["Coffee", "Snacks", "Pantry", "Beverages", "Baking"],
    "Toys": ["Puzzles", "Building Sets", "Outdoor Toys", "Board Games", "Dolls"],
    "Beauty": ["Skincare", "Haircare", "Fragrance", "Makeup", "Bath"],
    "DIY": ["Paint", "Hardware", "Power Tools", "Plumbing", "Electrical"],
}
REGIONS = ["North", "South", "East", "West", "Central"]
SUPPLIER_COUNTRIES = ["DE", "NL", "FR", "PL", "IT", "ES", "CZ", "CN", "VN", "TR", "PT", "BE"]
SEGMENTS = ["consumer", "business", "loyalty"]
SEGMENT_WEIGHTS = [0.78, 0.07, 0.15]
# Before the simulation starts: the initial load of every master-data row.
INITIAL_TIME = "T18:00:00"


@dataclass(frozen=True)
class DimensionSizes:
    warehouses: int
    suppliers: int
    categories: int
    skus: int
    customers: int

    @classmethod
    def from_config(cls, estate: EstateConfig) -> DimensionSizes:
        return cls(
            warehouses=estate.warehouses,
            suppliers=estate.scaled(estate.suppliers_at_scale_1, minimum=3),
            categories=sum(len(v) for v in DEPARTMENTS.values()),
            skus=estate.scaled(estate.skus_at_scale_1, minimum=10),
            customers=estate.scaled(estate.customers_at_scale_1, minimum=20),
        )


@dataclass(frozen=True)
class Dimensions:
    """The master data as of the first business day (products change later)."""

    warehouses: pl.DataFrame
    suppliers: pl.DataFrame
    categories: pl.DataFrame
    products: pl.DataFrame
    customers: pl.DataFrame
    # Relative share of orders per warehouse and popularity per product (sum to 1).
    warehouse_weights: np.ndarray
    product_popularity: np.ndarray
    # updated_at of every row loaded before the simulation starts.
    initial_updated_at: str


def _ascii(text: str) -> str:
    """An e-mail-safe spelling of a name (Müller -> muller)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _unique_pool(make, size: int, max_tries: int = 50) -> list[str]:
    """`size` distinct values from a Faker callable (in first-seen order)."""
    seen: dict[str, None] = {}
    tries = 0
    while len(seen) < size and tries < size * max_tries:
        seen.setdefault(make(), None)
        tries += 1
    return list(seen)


def _pick(pool: list[str], index: np.ndarray) -> pl.Series:
    """pool[index] as a polars string column (numpy unicode arrays convert slowly)."""
    return pl.Series(pool, dtype=pl.String).gather(index)


def _initial_updated_at(estate: EstateConfig) -> str:
    """The evening before the first business day: the initial load of master data."""
    return (estate.start_date - dt.timedelta(days=1)).isoformat() + INITIAL_TIME


def build_dimensions(estate: EstateConfig) -> Dimensions:
    """Every dimension pool, deterministic for (seed, scale)."""
    sizes = DimensionSizes.from_config(estate)
    seed = estate.seed
    initial = _initial_updated_at(estate)

    # Warehouses: a dozen distribution centres in distinct cities.
    fake = faker_for(seed, "warehouses")
    rng = rng_for(seed, "warehouses")
    cities = _unique_pool(fake.city, sizes.warehouses)
    warehouse_ids = np.arange(1, sizes.warehouses + 1)
    warehouses = pl.DataFrame(
        {
            "warehouse_id": warehouse_ids,
            "code": [f"WH{i:02d}" for i in warehouse_ids],
            "name": [f"{c} Distribution Centre" for c in cities],
            "city": cities,
            "region": rng.choice(REGIONS, size=sizes.warehouses).tolist(),
            "capacity_units": (rng.integers(40, 160, size=sizes.warehouses) * 10_000).tolist(),
            "updated_at": [initial] * sizes.warehouses,
        }
    )
    warehouse_weights = rng.dirichlet(np.full(sizes.warehouses, 6.0))

    # Suppliers.
    fake = faker_for(seed, "suppliers")
    rng = rng_for(seed, "suppliers")
    names = _unique_pool(fake.company, sizes.suppliers)
    # Large estates need more names than Faker gives distinct ones: number the rest.
    names += [
        f"{names[i % len(names)]} {i // len(names) + 1}" for i in range(len(names), sizes.suppliers)
    ]
    suppliers = pl.DataFrame(
        {
            "supplier_id": np.arange(1, sizes.suppliers + 1),
            "name": names[: sizes.suppliers],
            "country": rng.choice(SUPPLIER_COUNTRIES, size=sizes.suppliers).tolist(),
            "lead_time_days": rng.integers(2, 15, size=sizes.suppliers),
            "is_active": (rng.random(sizes.suppliers) > 0.04).astype(np.int64),
            "updated_at": [initial] * sizes.suppliers,
        }
    )

    # Categories: the fixed vocabulary.
    cat_rows = [(d, c) for d, cats in DEPARTMENTS.items() for c in cats]
    categories = pl.DataFrame(
        {
            "category_id": np.arange(1, len(cat_rows) + 1),
            "name": [c for _, c in cat_rows],
            "department": [d for d, _ in cat_rows],
            "updated_at": [initial] * len(cat_rows),
        }
    )

    # Products: "<brand> <category> <model>", cost lognormal, price = cost x markup.
    fake = faker_for(seed, "products")
    rng = rng_for(seed, "products")
    brands = _unique_pool(fake.last_name, 400)
    n = sizes.skus
    category_id = rng.integers(1, len(cat_rows) + 1, size=n)
    active_suppliers = suppliers.filter(pl.col("is_active") == 1)["supplier_id"].to_numpy()
    supplier_id = rng.choice(active_suppliers, size=n)
    unit_cost = np.round(np.exp(rng.normal(6.6, 1.0, size=n))).astype(np.int64) + 49
    markup = rng.uniform(1.25, 2.4, size=n)
    list_price = (np.round(unit_cost * markup / 10).astype(np.int64) * 10) - 1
    model = rng.integers(100, 1000, size=n)
    cat_names = [c for _, c in cat_rows]
    product_ids = np.arange(1, n + 1)
    products = pl.DataFrame(
        {
            "product_id": product_ids,
            "brand": _pick(brands, rng.integers(0, len(brands), size=n)),
            "cat": _pick(cat_names, category_id - 1),
            "model": model,
            "category_id": category_id,
            "supplier_id": supplier_id,
            "unit_cost_cents": unit_cost,
            "list_price_cents": np.maximum(list_price, unit_cost + 1),
        }
    ).select(
        "product_id",
        pl.format("SKU-{}", pl.col("product_id").cast(pl.String).str.zfill(7)).alias("sku"),
        pl.format("{} {} {}", "brand", "cat", "model").alias("name"),
        "category_id",
        "supplier_id",
        "unit_cost_cents",
        "list_price_cents",
    )
    # Zipf-like popularity over a random order of products: a few best sellers.
    ranks = rng.permutation(n) + 1
    popularity = 1.0 / ranks**0.9
    popularity /= popularity.sum()

    # Customers: names from small Faker pools, assembled vectorised.
    fake = faker_for(seed, "customers")
    rng = rng_for(seed, "customers")
    first = _unique_pool(fake.first_name, 300)
    last = _unique_pool(fake.last_name, 300)
    city_pool = _unique_pool(fake.city, 120)
    m = sizes.customers
    fi = rng.integers(0, len(first), size=m)
    li = rng.integers(0, len(last), size=m)
    first_ascii = [_ascii(x) for x in first]
    last_ascii = [_ascii(x) for x in last]
    customer_ids = np.arange(1, m + 1)
    customers = pl.DataFrame(
        {
            "customer_id": customer_ids,
            "first": _pick(first, fi),
            "last": _pick(last, li),
            "fa": _pick(first_ascii, fi),
            "la": _pick(last_ascii, li),
            "city": _pick(city_pool, rng.integers(0, len(city_pool), size=m)),
            "segment": _pick(SEGMENTS, rng.choice(len(SEGMENTS), size=m, p=SEGMENT_WEIGHTS)),
        }
    ).select(
        "customer_id",
        pl.format("{} {}", "first", "last").alias("name"),
        # example.* domains are reserved: no mail can ever reach a real person.
        pl.format("{}.{}.{}@example.com", "fa", "la", "customer_id").alias("email"),
        "city",
        "segment",
        pl.lit(initial).alias("updated_at"),
    )

    return Dimensions(
        warehouses=warehouses,
        suppliers=suppliers,
        categories=categories,
        products=products,
        customers=customers,
        warehouse_weights=warehouse_weights,
        product_popularity=popularity,
        initial_updated_at=initial,
    )
