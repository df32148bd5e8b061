"""Gold built from a tiny hand-made silver layer: real Parquet files in the silver
layout, the real DuckDB, no mocks.

The silver layer is a handful of rows: two warehouses, three categories, two customers,
two suppliers (one with two SCD2 versions), three products (one with two versions, one
whose first version opens after an order that names it), three orders on day 1 and a
day-2 partition with a new order, a late order for day 1, and a purchase order received.
Every expected value below is worked out from these rows by hand or computed from them
in the test; none is a measured figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from demo_pipeline.config import DemoConfig, EstateConfig, QualityConfig
from demo_pipeline.core.context import DayContext
from demo_pipeline.gold.build import (
    GoldOutcome,
    build_gold,
    catalogue,
    export_gold,
    open_warehouse,
)
from demo_pipeline.runlog import RunLog
from demo_pipeline.silver.contracts import contract_for
from demo_pipeline.silver.scd2 import OPEN_END, history_schema
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir

D1, D2, D3 = (dt.date(2026, 11, 2) + dt.timedelta(days=i) for i in range(3))  # Mon .. Wed
INIT = dt.datetime(2026, 11, 1, 18)  # the initial load of master data, the evening before


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def schema_of(table: str) -> dict[str, pl.DataType]:
    """The schema silver stores `table` in: the SCD2 history for SCD2 dimensions, the
    contract's stored schema otherwise (as silver/stage.py writes them)."""
    spec = TABLES[table]
    contract = contract_for(table, spec.contract)
    if spec.scd == 2:
        assert spec.surrogate_key is not None
        tracked = {c: contract.columns[c].stored for c in spec.tracked}
        return history_schema(spec.key, spec.surrogate_key, tracked)
    return contract.stored_schema()


# --- the tiny silver layer ----------------------------------------------------------------

WAREHOUSES = [
    dict(warehouse_id=1, code="WH01", name="North DC", city="Aachen", region="North"),
    dict(warehouse_id=2, code="WH02", name="South DC", city="Bern", region="South"),
]
CATEGORIES = [
    dict(category_id=1, name="Coffee", department="Grocery"),
    dict(category_id=2, name="Audio", department="Electronics"),
    dict(category_id=3, name="Tools", department="DIY"),
]
CUSTOMERS = [
    dict(customer_id=1, name="Ada", email="ada@example.org", city="Aachen", segment="consumer"),
    dict(customer_id=2, name="Bo", email="bo@example.org", city="Bern", segment="business"),
]


def supplier(sk, sid, name, lead, valid_from, valid_to=OPEN_END):
    return dict(
        supplier_sk=sk,
        supplier_id=sid,
        name=name,
        country="DE",
        lead_time_days=lead,
        is_active=1,
        updated_at=valid_from,
        valid_from=valid_from,
        valid_to=valid_to,
        is_current=valid_to == OPEN_END,
    )


SUPPLIERS = [
    supplier(1, 1, "Acme", 3, INIT),
    supplier(2, 2, "Beta Old", 5, INIT, at(D1, 10)),
    supplier(3, 2, "Beta", 9, at(D1, 10)),
]


def product(sk, pid, category, supplier_id, cost, price, valid_from, valid_to=OPEN_END):
    return dict(
        product_sk=sk,
        product_id=pid,
        sku=f"SKU-{pid}",
        name=f"product {pid}",
        category_id=category,
        supplier_id=supplier_id,
        unit_cost_cents=cost,
        list_price_cents=price,
        updated_at=valid_from,
        valid_from=valid_from,
        valid_to=valid_to,
        is_current=valid_to == OPEN_END,
    )


# Product 1: Coffee at 10.00 until noon on day 1, then Tools at 12.00 (a new version).
# Product 2: its first version opens at 10:00 on day 1, after order O1 names it.
PRODUCTS = [
    product(1, 1, 1, 1, 500, 1000, INIT, at(D1, 12)),
    product(2, 1, 3, 1, 500, 1200, at(D1, 12)),
    product(3, 2, 2, 2, 2000, 3000, at(D1, 10)),
    product(4, 3, 3, 1, 800, 1500, INIT),
]


def order(order_id, ts, warehouse, customer, business_date=None):
    return dict(
        order_id=order_id,
        order_ts=ts,
        business_date=business_date or ts.date(),
        customer_id=customer,
        warehouse_id=warehouse,
        channel="web",
        status="placed",
        currency="EUR",
        order_amount=0.0,
    )


def line(order_id, line_no, product_id, quantity, price_cents):
    return dict(
        order_id=order_id,
        line_no=line_no,
        product_id=product_id,
        quantity=quantity,
        unit_price_cents=price_cents,
    )


ORDERS_D1 = [
    order("O1", at(D1, 8), 1, 1),
    order("O2", at(D1, 9, 30), 1, 2),
    order("O3", at(D1, 15), 2, 1),
]
LINES_D1 = [
    line("O1", 1, 2, 1, 3000),  # before product 2's first version: takes that version
    line("O1", 2, 1, 2, 1000),  # product 1 before noon: version 1 (Coffee)
    line("O2", 1, 1, 3, 1000),
    line("O3", 1, 1, 1, 1200),  # product 1 after noon: version 2 (Tools)
    line("O3", 2, 2, 2, 3000),
]
# Day 2 brings a day-2 order and a late order for day 1 (evening, product 1 -> Tools).
ORDERS_D2 = [order("O4", at(D2, 10), 1, 2), order("O5", at(D1, 20), 2, 2, business_date=D1)]
LINES_D2 = [line("O4", 1, 2, 1, 3000), line("O5", 1, 1, 4, 1200)]


def snapshot(day, product_id, warehouse, on_hand, on_order=0):
    return dict(
        snapshot_date=day,
        product_id=product_id,
        warehouse_id=warehouse,
        on_hand_units=on_hand,
        on_order_units=on_order,
    )


INVENTORY_D1 = [
    snapshot(D1, 1, 1, 1),  # sells 5 in 14 days: cover 2.8 days < lead time 3 -> high
    snapshot(D1, 2, 1, 0, 20),  # none on hand -> stocked_out
    snapshot(D1, 1, 2, 7),  # sells 1: cover 98 days -> low
    snapshot(D1, 2, 2, 2),  # sells 2: cover 14 days, lead 9..18 -> medium
    snapshot(D1, 3, 1, 25),  # never sold -> no_demand
]


def po(po_id, supplier_id, expected, status, updated):
    return dict(
        po_id=po_id,
        supplier_id=supplier_id,
        warehouse_id=1,
        order_date=D1,
        expected_date=expected,
        status=status,
        updated_at=updated,
    )


def po_line(po_id, line_no, product_id, ordered, received, cost, updated):
    return dict(
        po_id=po_id,
        line_no=line_no,
        product_id=product_id,
        qty_ordered=ordered,
        qty_received=received,
        unit_cost_cents=cost,
        updated_at=updated,
    )


# PO 1 is due on day 1 and received on day 2; PO 2 is not due yet; PO 3 is cancelled.
POS_D1 = [
    po(1, 1, D1, "open", at(D1, 9)),
    po(2, 2, D1 + dt.timedelta(days=10), "open", at(D1, 9)),
    po(3, 1, D1, "cancelled", at(D1, 11)),
]
PO_LINES_D1 = [
    po_line(1, 1, 1, 100, 0, 500, at(D1, 9)),
    po_line(1, 2, 3, 50, 0, 800, at(D1, 9)),
    po_line(2, 1, 2, 20, 0, 2000, at(D1, 9)),
    po_line(3, 1, 1, 30, 0, 500, at(D1, 11)),
]
POS_D2 = [po(1, 1, D1, "received", at(D2, 10))]
PO_LINES_D2 = [
    po_line(1, 1, 1, 100, 100, 500, at(D2, 10)),
    po_line(1, 2, 3, 50, 30, 800, at(D2, 10)),
]


@dataclass
class Tiny:
    """A work directory with a hand-made silver layer, and gold built from it."""

    workdir: Workdir
    cfg: DemoConfig
    con: duckdb.DuckDBPyConnection
    """One read-write connection for the whole test, as a pipeline run holds one."""

    def dimension(self, table: str, rows: list[dict]) -> None:
        path = self.workdir.dimension_file(table)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [{"updated_at": INIT, **r} for r in rows]
        pl.DataFrame(rows, schema=schema_of(table)).write_parquet(path)

    def fact(self, table: str, day: dt.date, rows: list[dict]) -> None:
        path = self.workdir.silver_file(table, day)
        path.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(rows, schema=schema_of(table)).write_parquet(path)

    def dimensions(self, **changed: list[dict]) -> None:
        base = {
            "warehouses": [{**w, "capacity_units": 100_000} for w in WAREHOUSES],
            "categories": CATEGORIES,
            "customers": CUSTOMERS,
            "suppliers": SUPPLIERS,
            "products": PRODUCTS,
        }
        for table, rows in {**base, **changed}.items():
            self.dimension(table, rows)

    def day1(self, *, purchase_orders: bool = True) -> None:
        self.dimensions()
        self.fact("orders", D1, ORDERS_D1)
        self.fact("order_lines", D1, LINES_D1)
        self.fact("inventory_snapshots", D1, INVENTORY_D1)
        if purchase_orders:
            self.fact("purchase_orders", D1, POS_D1)
            self.fact("purchase_order_lines", D1, PO_LINES_D1)

    def day2(self, *, late_order: bool = True, **changed_dimensions: list[dict]) -> None:
        self.dimensions(**changed_dimensions)
        self.fact("orders", D2, ORDERS_D2 if late_order else ORDERS_D2[:1])
        self.fact("order_lines", D2, LINES_D2 if late_order else LINES_D2[:1])
        self.fact("inventory_snapshots", D2, [{**r, "snapshot_date": D2} for r in INVENTORY_D1])
        self.fact("purchase_orders", D2, POS_D2)
        self.fact("purchase_order_lines", D2, PO_LINES_D2)

    def build(self, day: dt.date, *, export: bool = False) -> GoldOutcome:
        """Build gold for `day` on the run's connection (and export it, if asked)."""
        run_id = f"test-{day:%Y%m%d}"
        with RunLog(self.workdir.logs, run_id) as log:
            outcome = build_gold(DayContext(self.cfg, self.workdir, day, run_id, log), self.con)
        if export:
            export_gold(self.workdir, self.con)
        return outcome

    def sql(self, query: str) -> pl.DataFrame:
        """A query on a cursor of the run's connection (as the quality checks read gold)."""
        cursor = self.con.cursor()
        try:
            return cursor.sql(query).pl()
        finally:
            cursor.close()

    def tables(self) -> dict[str, pl.DataFrame]:
        """Every gold table there is, ordered by its key."""
        present = catalogue(self.con)
        return {
            g.name: self.sql(f"SELECT * FROM {g.name} ORDER BY {', '.join(g.keys)}")
            for g in TABLES.gold
            if g.name in present
        }


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[Tiny]:
    cfg = DemoConfig(
        estate=EstateConfig(start_date=D1, days=3, peak_day=D3),
        quality=QualityConfig(expected_peaks=[D2]),
    )
    workdir = Workdir(tmp_path / "wd")
    with open_warehouse(workdir.gold_db) as con:
        yield Tiny(workdir, cfg, con)


def daily_sales_from_facts(tiny: Tiny) -> pl.DataFrame:
    """agg_daily_sales recomputed in Polars from fact_sales and dim_product."""
    gold = tiny.tables()
    facts, products = gold["fact_sales"], gold["dim_product"]
    return (
        facts.join(products.select("product_sk", "category_name"), on="product_sk", how="left")
        .with_columns(pl.col("category_name").fill_null("unknown"))
        .group_by("business_date", "warehouse_id", "category_name")
        .agg(
            pl.col("order_id").n_unique().cast(pl.Int64).alias("orders"),
            pl.col("quantity").sum().cast(pl.Int64).alias("units"),
            pl.col("net_amount").sum().round(2).alias("revenue"),
        )
        .sort("business_date", "warehouse_id", "category_name")
    )


def rows_of(frame: pl.DataFrame, *columns: str) -> list[tuple]:
    return frame.select(columns).rows()


# --- point in time ----------------------------------------------------------------------


def test_sales_join_the_product_version_in_force_when_the_order_was_placed(tiny: Tiny):
    """Each sale points at the product version valid at its order time; an order older
    than a product's first version takes that first version."""
    tiny.day1()
    outcome = tiny.build(D1)
    assert {"dimensions", "fact_sales", "fact_inventory_daily", "aggregates"} <= set(outcome.loaded)
    facts = tiny.tables()["fact_sales"]
    assert rows_of(facts, "order_id", "line_no", "product_sk") == [
        ("O1", 1, 3),
        ("O1", 2, 1),
        ("O2", 1, 1),
        ("O3", 1, 2),
        ("O3", 2, 3),
    ]
    # net amount = quantity x the line's own price (cents / 100), not the list price
    expected = [r["quantity"] * r["unit_price_cents"] / 100 for r in LINES_D1]
    assert facts["net_amount"].to_list() == pytest.approx(expected)
    assert set(facts["ingest_date"]) == {D1}
    assert facts["date_key"].to_list() == [int(f"{D1:%Y%m%d}")] * len(LINES_D1)
    sales = tiny.sql("SELECT order_id, line_no, list_price_at_sale FROM v_sales ORDER BY ALL")
    assert rows_of(sales, "order_id", "line_no", "list_price_at_sale") == [
        ("O1", 1, 30.0),
        ("O1", 2, 10.0),
        ("O2", 1, 10.0),
        ("O3", 1, 12.0),
        ("O3", 2, 30.0),
    ]


def test_inventory_snapshots_join_the_version_in_force_at_23h(tiny: Tiny):
    """A snapshot counts as taken at 23:00: product 1's noon version, not its morning one."""
    tiny.day1()
    tiny.build(D1)
    inventory = tiny.tables()["fact_inventory_daily"]
    sk_of = dict(zip(inventory["product_id"], inventory["product_sk"], strict=True))
    assert sk_of == {1: 2, 2: 3, 3: 4}
    assert inventory.height == len(INVENTORY_D1)


def test_dimensions_are_built_from_silver_with_their_versions(tiny: Tiny):
    """dim_product carries the category name and prices in euros per version; SCD1
    dimensions one row per key; dim_supplier keeps both versions of supplier 2."""
    tiny.day1()
    tiny.build(D1)
    gold = tiny.tables()
    products = gold["dim_product"]
    assert rows_of(products, "product_sk", "category_name", "list_price", "is_current") == [
        (1, "Coffee", 10.0, False),
        (2, "Tools", 12.0, True),
        (3, "Audio", 30.0, True),
        (4, "Tools", 15.0, True),
    ]
    assert products.filter(pl.col("is_current"))["valid_to"].to_list() == [OPEN_END] * 3
    assert rows_of(gold["dim_supplier"], "supplier_sk", "name", "is_current") == [
        (1, "Acme", True),
        (2, "Beta Old", False),
        (3, "Beta", True),
    ]
    assert gold["dim_warehouse"]["warehouse_id"].to_list() == [1, 2]
    assert gold["dim_customer"]["customer_id"].to_list() == [1, 2]


def test_dim_date_covers_the_calendar_and_marks_expected_peaks(tiny: Tiny):
    """One row per simulated day; the estate's peak day and quality.expected_peaks are
    the expected peaks; weekends by ISO weekday."""
    tiny.day1()
    tiny.build(D1)
    dates = tiny.tables()["dim_date"]
    assert dates["date"].to_list() == [D1, D2, D3]
    assert dates["date_key"].to_list() == [int(f"{d:%Y%m%d}") for d in (D1, D2, D3)]
    assert dates["is_expected_peak"].to_list() == [False, True, True]
    assert dates["is_weekend"].to_list() == [d.isoweekday() >= 6 for d in (D1, D2, D3)]


# --- aggregates -------------------------------------------------------------------------


def test_daily_sales_aggregate_equals_the_sums_of_the_facts(tiny: Tiny):
    """agg_daily_sales: orders, units and revenue per date, warehouse and the category of
    the product version sold (product 1 counts as Coffee before noon, Tools after)."""
    tiny.day1()
    tiny.build(D1)
    agg = tiny.tables()["agg_daily_sales"]
    assert agg.rows() == [
        (D1, 1, "Audio", 1, 1, 30.0),
        (D1, 1, "Coffee", 2, 5, 50.0),
        (D1, 2, "Audio", 1, 2, 60.0),
        (D1, 2, "Tools", 1, 1, 12.0),
    ]
    assert agg.equals(daily_sales_from_facts(tiny))


def test_late_order_lands_in_its_business_date_and_that_date_is_reaggregated(tiny: Tiny):
    """An order published on day 2 for day 1 is a day-2 ingest with business date day 1,
    and day 1's daily sales are recomputed with it."""
    tiny.day1()
    tiny.build(D1)
    tiny.day2()
    tiny.build(D2)
    facts = tiny.tables()["fact_sales"]
    late = facts.filter(pl.col("order_id") == "O5")
    assert rows_of(late, "business_date", "ingest_date", "product_sk") == [(D1, D2, 2)]
    agg = tiny.tables()["agg_daily_sales"]
    assert agg.filter((pl.col("business_date") == D1) & (pl.col("warehouse_id") == 2)).rows() == [
        (D1, 2, "Audio", 1, 2, 60.0),
        (D1, 2, "Tools", 2, 5, 60.0),  # O3 (1 x 12.00) + O5 (4 x 12.00)
    ]
    assert agg.equals(daily_sales_from_facts(tiny))


def test_stock_cover_uses_the_latest_snapshot_and_14_days_of_demand(tiny: Tiny):
    """agg_stock_cover: average daily units over 14 days, days of cover = on hand /
    that average, and the risk band against the current supplier's lead time."""
    tiny.day1()
    tiny.build(D1)
    cover = tiny.tables()["agg_stock_cover"]
    sold = {(1, 1): 5, (2, 1): 1, (1, 2): 1, (2, 2): 2}  # (product, warehouse): units on day 1
    lead = {1: 3, 2: 9, 3: 3}  # current product version -> current supplier version
    risk = {(1, 1): "high", (2, 1): "stocked_out", (1, 2): "low", (2, 2): "medium"}
    on_hand = {(r["product_id"], r["warehouse_id"]): r["on_hand_units"] for r in INVENTORY_D1}
    assert cover.height == len(INVENTORY_D1)
    for row in cover.iter_rows(named=True):
        cell = (row["product_id"], row["warehouse_id"])
        assert row["snapshot_date"] == D1
        assert row["lead_time_days"] == lead[row["product_id"]]
        if cell in sold:
            average = sold[cell] / 14
            assert row["avg_daily_units"] == pytest.approx(round(average, 4))
            assert row["days_of_cover"] == pytest.approx(round(on_hand[cell] / average, 2))
            assert row["stockout_risk"] == risk[cell]
        else:
            assert (row["avg_daily_units"], row["days_of_cover"]) == (0, None)
            assert row["stockout_risk"] == "no_demand"


def test_a_stock_cover_table_from_an_older_build_becomes_the_view(tiny: Tiny):
    """Gold built when agg_stock_cover was a table: the next build replaces the table
    with the view (DuckDB cannot), and the answer is the same."""
    tiny.day1()
    tiny.build(D1)
    expected = tiny.tables()["agg_stock_cover"]
    tiny.con.execute("CREATE TABLE old_cover AS SELECT * FROM agg_stock_cover")
    tiny.con.execute("DROP VIEW agg_stock_cover")
    tiny.con.execute("ALTER TABLE old_cover RENAME TO agg_stock_cover")
    assert catalogue(tiny.con)["agg_stock_cover"] == "table"
    tiny.build(D1)
    assert catalogue(tiny.con)["agg_stock_cover"] == "view"
    assert tiny.tables()["agg_stock_cover"].equals(expected)


def test_views_are_created_again_only_when_missing_or_changed(tiny: Tiny):
    """The views outlive the tables they read (the dimensions are replaced under them)
    and are created again only when one is missing or views.sql is not the one they
    were created from: a stale definition is replaced, a current one left alone."""
    tiny.day1()
    tiny.build(D1)
    expected = tiny.sql("SELECT * FROM v_sales")
    tiny.day2()
    tiny.dimension("customers", [{**CUSTOMERS[0], "name": "changed on day 2"}, CUSTOMERS[1]])
    tiny.con.execute("CREATE TABLE customers_before AS SELECT * FROM dim_customer")
    tiny.build(D2)
    assert tiny.sql("SELECT * FROM dim_customer EXCEPT SELECT * FROM customers_before").height
    assert tiny.sql("SELECT * FROM v_sales").height > expected.height  # the new tables
    marker = "CREATE OR REPLACE VIEW v_product_price_history AS SELECT 1 AS stale"
    tiny.con.execute(marker)
    tiny.build(D2)
    assert tiny.sql("SELECT * FROM v_product_price_history").columns == ["stale"]  # kept
    tiny.con.execute("UPDATE gold_loads SET fingerprint = 'older' WHERE item = 'views'")
    tiny.build(D2)
    assert "stale" not in tiny.sql("SELECT * FROM v_product_price_history").columns
    tiny.con.execute("DROP VIEW v_inventory_latest")
    tiny.build(D2)
    assert catalogue(tiny.con)["v_inventory_latest"] == "view"


def test_supplier_fill_rate_counts_due_uncancelled_orders_at_their_latest_version(tiny: Tiny):
    """Fill rate = received / ordered over POs that are due and not cancelled, each PO
    line at its latest version (day 2 receives PO 1: 100 of 100 and 30 of 50)."""
    tiny.day1()
    tiny.build(D1)
    columns = ("supplier_id", "supplier_name", "purchase_orders", "po_lines")
    day1 = tiny.tables()["agg_supplier_fill_rate"]
    assert rows_of(day1, *columns, "units_ordered", "units_received") == [(1, "Acme", 1, 2, 150, 0)]
    assert day1["fill_rate_pct"].to_list() == [0.0]
    tiny.day2()
    tiny.build(D2)
    gold = tiny.tables()
    day2 = gold["agg_supplier_fill_rate"]
    assert rows_of(day2, *columns, "units_ordered", "units_received") == [
        (1, "Acme", 1, 2, 150, 130)
    ]
    assert day2["fill_rate_pct"].to_list() == [round(100 * 130 / 150, 2)]
    lines = gold["fact_purchase_order_line"]
    assert lines.height == len(PO_LINES_D1)  # one row per PO line, not per version
    po1 = lines.filter(pl.col("po_id") == 1)
    assert rows_of(po1, "status", "qty_received", "line_cost") == [
        ("received", 100, 100 * 5.0),
        ("received", 30, 50 * 8.0),
    ]


# --- changes of history -----------------------------------------------------------------


def test_late_product_change_repoints_earlier_facts_and_reaggregates_their_date(tiny: Tiny):
    """A late-arriving change splits product 1's first version at 06:00 (Audio, 9.00):
    day 1's morning sales are re-pointed to it, and day 1's aggregate follows."""
    tiny.day1()
    tiny.build(D1)
    split = [
        product(1, 1, 1, 1, 500, 1000, INIT, at(D1, 6)),
        product(5, 1, 2, 1, 500, 900, at(D1, 6), at(D1, 12)),
        *PRODUCTS[1:],
    ]
    tiny.day2(products=split)
    tiny.build(D2)
    gold = tiny.tables()
    day1_facts = gold["fact_sales"].filter(pl.col("ingest_date") == D1)
    assert rows_of(day1_facts, "order_id", "line_no", "product_sk") == [
        ("O1", 1, 3),
        ("O1", 2, 5),
        ("O2", 1, 5),
        ("O3", 1, 2),
        ("O3", 2, 3),
    ]
    agg = gold["agg_daily_sales"]
    wh1_day1 = agg.filter((pl.col("business_date") == D1) & (pl.col("warehouse_id") == 1))
    assert wh1_day1.rows() == [(D1, 1, "Audio", 2, 6, 80.0)]  # no Coffee sale is left
    assert agg.equals(daily_sales_from_facts(tiny))


def test_renamed_category_reaggregates_every_date(tiny: Tiny):
    """A category renamed in silver renames it in every date's daily sales."""
    tiny.day1()
    tiny.build(D1)
    renamed = [c if c["category_id"] != 3 else {**c, "name": "Hand Tools"} for c in CATEGORIES]
    tiny.day2(categories=renamed)
    tiny.build(D2)
    agg = tiny.tables()["agg_daily_sales"]
    assert "Tools" not in agg["category_name"].to_list()
    assert (D1, 2, "Hand Tools") in rows_of(agg, "business_date", "warehouse_id", "category_name")
    assert agg.equals(daily_sales_from_facts(tiny))


def test_unchanged_dimension_sources_are_not_rebuilt(tiny: Tiny):
    """A dimension whose silver files did not change is skipped (fingerprint): an edit
    made in gold survives a re-run; once its silver changes, it is rebuilt."""
    tiny.day1()
    tiny.build(D1)
    edit = tiny.con.cursor()
    edit.execute("UPDATE dim_customer SET name = 'edited in gold' WHERE customer_id = 1")
    edit.close()
    tiny.build(D1)
    assert tiny.tables()["dim_customer"]["name"].to_list() == ["edited in gold", "Bo"]
    tiny.dimension("customers", [{**CUSTOMERS[0], "name": "Ada L."}, CUSTOMERS[1]])
    tiny.build(D1)
    assert tiny.tables()["dim_customer"]["name"].to_list() == ["Ada L.", "Bo"]


def test_dim_date_is_rebuilt_when_the_expected_peaks_change(tiny: Tiny):
    """dim_date's fingerprint is the calendar: a new expected peak in config rebuilds it."""
    tiny.day1()
    tiny.build(D1)
    tiny.cfg = tiny.cfg.model_copy(update={"quality": QualityConfig(expected_peaks=[D1])})
    tiny.build(D1)
    assert tiny.tables()["dim_date"]["is_expected_peak"].to_list() == [True, False, True]


# --- re-runs, failures, exports ---------------------------------------------------------


def test_rerunning_a_day_gives_the_same_tables(tiny: Tiny):
    """Re-running day 2, then day 1 again, leaves every gold table as it was."""
    tiny.day1()
    tiny.build(D1)
    tiny.day2()
    tiny.build(D2)
    before = tiny.tables()
    for day in (D2, D1):
        tiny.build(day)
        after = tiny.tables()
        assert after.keys() == before.keys()
        for table, frame in before.items():
            assert after[table].equals(frame), f"{table} changed when {day} was re-run"


def test_a_failing_build_leaves_gold_as_it_was(tiny: Tiny):
    """A day whose build fails (an unreadable orders file) is rolled back as a whole:
    the dimension change it would have made is undone too."""
    tiny.day1()
    tiny.build(D1)
    before = tiny.tables()
    tiny.day2()
    tiny.dimension("customers", [{**CUSTOMERS[0], "name": "changed on day 2"}, CUSTOMERS[1]])
    tiny.workdir.silver_file("orders", D2).write_bytes(b"not a parquet file")
    with pytest.raises(Exception, match=r"(?i)parquet"):
        tiny.build(D2)
    after = tiny.tables()
    for table, frame in before.items():
        assert after[table].equals(frame), f"{table} changed by a failed build"


def test_without_silver_dimensions_nothing_is_loaded(tiny: Tiny):
    """Facts need their dimensions: with no silver dimensions the build loads no facts and
    says which dimensions are missing."""
    tiny.fact("orders", D1, ORDERS_D1)
    tiny.fact("order_lines", D1, LINES_D1)
    outcome = tiny.build(D1)
    assert "dimensions" not in outcome.loaded
    assert "fact_sales" in outcome.skipped
    missing = next(s for s in outcome.skipped if s.startswith("dimensions"))
    assert all(t in missing for t in ("products", "customers", "warehouses"))
    assert outcome.rows["fact_sales"] == 0


def test_export_writes_one_sorted_parquet_per_gold_table(tiny: Tiny):
    """export_gold writes <gold>/parquet/<table>.parquet for every gold table, with the
    table's rows, sorted by its key, and leaves no temporary file behind."""
    tiny.day1()
    outcome = tiny.build(D1, export=True)
    files = sorted(p.name for p in tiny.workdir.gold_parquet.iterdir())
    exports = [f"{t}.parquet" for t in TABLES.gold_names]
    assert files == sorted(exports + [f".{name}.seal" for name in exports])  # + their seals
    tables = tiny.tables()
    for gold in TABLES.gold:
        exported = pl.read_parquet(tiny.workdir.gold_export(gold.name))
        assert exported.height == outcome.rows[gold.name] > 0, gold.name
        assert exported.equals(exported.sort(gold.keys)), f"{gold.name} not sorted by key"
        assert exported.equals(tables[gold.name]), gold.name


def test_daily_sales_of_a_day_without_purchase_orders_are_aggregated_later(tiny: Tiny):
    """Day 1 has sales but no purchase orders yet; after day 2 (which has them) the daily
    sales aggregate still equals the sums of every fact row, day 1's included."""
    tiny.day1(purchase_orders=False)
    tiny.build(D1)
    tiny.day2(late_order=False)  # a late order for day 1 would re-aggregate day 1 anyway
    tiny.build(D2)
    assert tiny.tables()["agg_daily_sales"].equals(daily_sales_from_facts(tiny))
