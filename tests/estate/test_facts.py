"""estate/facts.py on tiny hand-made dimensions: orders, product history, purchase
orders and the inventory ledger, checked against the properties the code promises.

The dimensions are built by hand (60 products, 3 warehouses, 4 suppliers, 25
customers), without Faker, so each test runs in milliseconds; the estate config is
small (scale 0.01 to 0.1, up to 28 days).
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import polars as pl
import pytest

from demo_pipeline.config import EstateConfig
from demo_pipeline.estate.dimensions import Dimensions
from demo_pipeline.estate.facts import (
    CHANNELS,
    HOURLY_P,
    OFFICE_SECONDS,
    OPEN_END,
    WEEKDAY_FACTOR,
    DayOrders,
    InventoryLedger,
    ProductHistory,
    day_date,
    generate_orders,
    orders_frame,
    orders_on_day,
    simulate_product_history,
    simulate_purchase_orders,
    units_sold,
)

START = dt.date(2026, 11, 2)  # a Monday
SKUS, WAREHOUSES, SUPPLIERS, CUSTOMERS, CATEGORIES = 60, 3, 4, 25, 40
INITIAL = "2026-11-01T18:00:00"


def estate(**overrides) -> EstateConfig:
    base = dict(seed=7, scale=0.01, days=21, start_date=START, peak_day=START + dt.timedelta(11))
    return EstateConfig(**{**base, **overrides})


def tiny_dimensions() -> Dimensions:
    """Master data by hand: ids 1..n (the generator's convention), fixed values."""
    i = np.arange(SKUS)
    products = pl.DataFrame(
        {
            "product_id": i + 1,
            "sku": [f"SKU-{k + 1:07d}" for k in i],
            "name": [f"product {k + 1}" for k in i],
            "category_id": i % CATEGORIES + 1,
            "supplier_id": i % SUPPLIERS + 1,
            "unit_cost_cents": 500 + 10 * i,
            "list_price_cents": 999 + 20 * i,
        }
    )
    ranks = np.arange(1, SKUS + 1)
    popularity = 1.0 / ranks**0.9
    return Dimensions(
        warehouses=pl.DataFrame({"warehouse_id": np.arange(1, WAREHOUSES + 1)}),
        suppliers=pl.DataFrame(
            {"supplier_id": np.arange(1, SUPPLIERS + 1), "lead_time_days": [2, 5, 9, 14]}
        ),
        categories=pl.DataFrame({"category_id": np.arange(1, CATEGORIES + 1)}),
        products=products,
        customers=pl.DataFrame({"customer_id": np.arange(1, CUSTOMERS + 1)}),
        warehouse_weights=np.array([0.5, 0.3, 0.2]),
        product_popularity=popularity / popularity.sum(),
        initial_updated_at=INITIAL,
    )


DIMS = tiny_dimensions()


@pytest.fixture(scope="module")
def history() -> ProductHistory:
    """28 days of product changes: long enough for discontinued products to come back."""
    return simulate_product_history(estate(days=28), DIMS)


def iso(cfg: EstateConfig, day: int) -> str:
    return day_date(cfg, day).isoformat()


# --- order volume -----------------------------------------------------------------------


def test_day_date_counts_business_days_from_the_start_date():
    """Day 1 is the start date; day n is n - 1 days later."""
    cfg = estate()
    assert day_date(cfg, 1) == START
    assert day_date(cfg, 21) == START + dt.timedelta(days=20) == cfg.end_date


def test_orders_on_day_is_deterministic_and_never_below_one():
    """Same config and day, same count; even a vanishing scale has orders every day."""
    cfg = estate()
    assert [orders_on_day(cfg, d) for d in range(1, 22)] == [
        orders_on_day(estate(), d) for d in range(1, 22)
    ]
    vanishing = estate(scale=1e-6)
    assert min(orders_on_day(vanishing, d) for d in range(1, 22)) >= 1
    assert [orders_on_day(cfg, d) for d in range(1, 22)] != [
        orders_on_day(estate(seed=8), d) for d in range(1, 22)
    ]


def test_peak_day_multiplies_the_expected_orders_and_only_that_day():
    """On estate.peak_day the count is peak_multiplier times the same day without a peak
    (up to rounding); every other day is unchanged."""
    with_peak, without = estate(scale=1.0), estate(scale=1.0, peak_day=None)
    peak = (with_peak.peak_day - START).days + 1
    for day in range(1, 22):
        plain = orders_on_day(without, day)
        if day == peak:
            multiplier = with_peak.peak_multiplier
            assert abs(orders_on_day(with_peak, day) - multiplier * plain) <= (multiplier + 1) / 2
        else:
            assert orders_on_day(with_peak, day) == plain


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_weekly_pattern_and_ramp_shape_the_daily_volume(seed: int):
    """Saturday (the largest WEEKDAY_FACTOR) is the busiest weekday on average, Friday and
    Saturday outsell Monday to Thursday, and the ramp makes week 4 busier than week 1."""
    cfg = estate(seed=seed, scale=1.0, days=28, peak_day=None)
    counts = np.array([orders_on_day(cfg, d) for d in range(1, 29)], dtype=float)
    weekday = np.array([day_date(cfg, d).weekday() for d in range(1, 29)])
    mean_by_weekday = np.array([counts[weekday == w].mean() for w in range(7)])
    assert mean_by_weekday.argmax() == WEEKDAY_FACTOR.argmax() == 5
    assert mean_by_weekday[[4, 5]].mean() > mean_by_weekday[:4].mean()
    assert counts[21:].sum() > counts[:7].sum()


# --- orders -----------------------------------------------------------------------------


def test_same_seed_gives_the_same_orders_and_another_seed_other_orders(history):
    """generate_orders and orders_frame are pure functions of (config, dims, day)."""
    cfg = estate(days=28)
    first, _ = generate_orders(cfg, DIMS, history, 5)
    again, _ = generate_orders(estate(days=28), DIMS, history, 5)
    assert orders_frame(cfg, first).equals(orders_frame(cfg, again))
    other_cfg = estate(days=28, seed=8)
    other, _ = generate_orders(other_cfg, DIMS, history, 5)
    assert not orders_frame(other_cfg, other).equals(orders_frame(cfg, first))


def test_generated_orders_are_well_formed(history):
    """Order count as orders_on_day says; times sorted within the day; 1 to 8 lines per
    order numbered from 1; only products listed that day, at that day's list price;
    quantities 1 to 12; ids inside the dimensions."""
    cfg = estate(days=28)
    for day in (1, 9, 20):
        orders, extra = generate_orders(cfg, DIMS, history, day)
        assert extra == 0
        assert orders.n_orders == orders_on_day(cfg, day)
        assert np.array_equal(orders.seq, np.arange(1, orders.n_orders + 1))
        assert np.all(np.diff(orders.seconds) >= 0)
        assert orders.seconds.min() >= 0 and orders.seconds.max() < 86_400
        per_order = np.diff(orders.line_offsets)
        assert orders.line_offsets[0] == 0 and orders.line_offsets[-1] == orders.n_lines
        assert per_order.min() >= 1 and per_order.max() <= 8
        expected_line_no = np.concatenate([np.arange(1, k + 1) for k in per_order])
        assert np.array_equal(orders.line_no, expected_line_no)
        assert history.active[day - 1][orders.product_id - 1].all()
        assert np.array_equal(
            orders.unit_price_cents, history.list_price[day - 1][orders.product_id - 1]
        )
        assert orders.quantity.min() >= 1 and orders.quantity.max() <= 12
        assert set(orders.warehouse_id.tolist()) <= set(range(1, WAREHOUSES + 1))
        assert set(orders.customer_id.tolist()) <= set(range(1, CUSTOMERS + 1))
        assert set(orders.channel.tolist()) <= set(CHANNELS.tolist())


def test_orders_frame_nests_the_lines_and_sums_them_into_the_amount(history):
    """One row per order: ids O-YYYYMMDD-NNNNNN, timestamps on the business date in order,
    lines nested, and amount_cents = sum of quantity x unit price of its lines."""
    cfg = estate(days=28)
    orders, _ = generate_orders(cfg, DIMS, history, 3)
    frame = orders_frame(cfg, orders)
    date = day_date(cfg, 3)
    assert frame.height == orders.n_orders
    assert frame["order_id"].to_list() == [
        f"O-{date:%Y%m%d}-{k:06d}" for k in range(1, orders.n_orders + 1)
    ]
    assert frame["business_date"].unique().to_list() == [date.isoformat()]
    assert frame["order_ts"].str.starts_with(date.isoformat() + "T").all()
    assert frame["order_ts"].is_sorted()
    lines = frame.select("order_id", "lines").explode("lines").unnest("lines")
    assert lines.height == orders.n_lines
    sums = lines.group_by("order_id", maintain_order=True).agg(
        (pl.col("quantity") * pl.col("unit_price_cents")).sum().alias("amount")
    )
    assert sums["amount"].to_list() == frame["amount_cents"].to_list()
    assert frame["amount_cents"].to_list() == orders.amount_cents().tolist()
    overridden = orders_frame(cfg, orders, np.zeros(orders.n_orders, dtype=np.int64))
    assert overridden["amount_cents"].to_list() == [0] * orders.n_orders


def test_a_spike_adds_its_extra_orders_to_one_warehouse(history):
    """spike=(warehouse, m): that warehouse gets (m - 1) x its usual orders on top; the
    other warehouses keep their counts."""
    cfg = estate(days=28)
    plain, _ = generate_orders(cfg, DIMS, history, 10)
    spiked, extra = generate_orders(cfg, DIMS, history, 10, spike=(2, 4.0))
    usual = int((plain.warehouse_id == 2).sum())
    assert extra == round(3.0 * usual) > 0
    assert spiked.n_orders == plain.n_orders + extra
    for wh in range(1, WAREHOUSES + 1):
        added = extra if wh == 2 else 0
        assert (spiked.warehouse_id == wh).sum() == (plain.warehouse_id == wh).sum() + added


def test_order_times_follow_the_hourly_shape(history):
    """At scale 1 (thousands of orders) each hour's share is close to HOURLY_P."""
    cfg = estate(scale=1.0, days=28)
    orders, _ = generate_orders(cfg, DIMS, history, 4)
    share = np.bincount(orders.seconds // 3600, minlength=24) / orders.n_orders
    assert np.abs(share - HOURLY_P).max() < 0.015
    assert share[:6].sum() < share[17:20].sum()  # nights are quiet, evenings busy


# --- product history --------------------------------------------------------------------


def test_product_history_exercises_every_kind_of_change(history):
    """The 28 tiny days see price changes, category changes, discontinued and re-listed
    products (the invariants below are tested on all of them), and the version count is
    the products plus every change that opens a version."""
    changes = history.changes
    assert min(changes.values()) > 0, changes
    opened = changes["price_changes"] + changes["category_changes"] + changes["relisted"]
    assert history.versions.height == SKUS + opened


def test_product_versions_never_overlap_and_chain_until_a_product_leaves(history):
    """Per product, versions in valid_from order: each is non-empty, none overlaps the
    next, and one ends where the next begins unless the product was discontinued in
    between (a gap while it was not listed). The first version starts on the start date
    with the initial load's updated_at; only a product still listed at the end has an
    open version, ending OPEN_END."""
    cfg = estate(days=28)
    first_day, last_day = iso(cfg, 1), iso(cfg, 28)
    for (pid,), versions in history.versions.group_by("product_id"):
        rows = versions.sort("valid_from").rows(named=True)
        assert rows[0]["valid_from"] == first_day
        assert rows[0]["updated_at"] == INITIAL
        for row in rows:
            assert row["valid_from"] < row["valid_to"]
        for earlier, later in itertools.pairwise(rows):
            assert earlier["valid_to"] <= later["valid_from"]
            if earlier["valid_to"] != later["valid_from"]:
                gap = range(
                    (dt.date.fromisoformat(earlier["valid_to"]) - START).days,
                    (dt.date.fromisoformat(later["valid_from"]) - START).days,
                )
                assert not history.active[list(gap), pid - 1].any()
        open_versions = [r for r in rows if r["valid_to"] == OPEN_END]
        if history.active[-1, pid - 1]:
            assert open_versions == [rows[-1]]
        else:
            assert open_versions == []
            assert rows[-1]["valid_to"] <= last_day


def test_daily_view_agrees_with_the_versions(history):
    """active[d] is True exactly where a version covers day d, and list_price[d] is that
    version's list price; a new version's updated_at falls in office hours of its
    first day."""
    cfg = estate(days=28)
    versions = history.versions
    for day in range(1, 29):
        date = iso(cfg, day)
        covering = versions.filter((pl.col("valid_from") <= date) & (pl.col("valid_to") > date))
        assert covering["product_id"].is_unique().all()
        listed = np.zeros(SKUS, dtype=bool)
        listed[covering["product_id"].to_numpy() - 1] = True
        assert np.array_equal(history.active[day - 1], listed)
        prices = history.list_price[day - 1][covering["product_id"].to_numpy() - 1]
        assert prices.tolist() == covering["list_price_cents"].to_list()
    later = versions.filter(pl.col("valid_from") > iso(cfg, 1))
    for row in later.iter_rows(named=True):
        date, _, clock = row["updated_at"].partition("T")
        h, m, s = (int(x) for x in clock.split(":"))
        assert date == row["valid_from"]
        assert OFFICE_SECONDS[0] <= h * 3600 + m * 60 + s < OFFICE_SECONDS[1]


def test_relisted_products_come_back_three_to_eight_days_later(history):
    """A discontinued product that returns does so 3 to 8 days after it left."""
    gaps = []
    for _, versions in history.versions.group_by("product_id"):
        rows = versions.sort("valid_from").rows(named=True)
        for earlier, later in itertools.pairwise(rows):
            if earlier["valid_to"] != later["valid_from"]:
                left = dt.date.fromisoformat(earlier["valid_to"])
                gaps.append((dt.date.fromisoformat(later["valid_from"]) - left).days)
    assert len(gaps) == history.changes["relisted"]
    assert all(3 <= g <= 8 for g in gaps), gaps


def test_product_history_is_deterministic():
    """Same config and dimensions, the same versions and daily view."""
    a = simulate_product_history(estate(days=14), DIMS)
    b = simulate_product_history(estate(days=14), DIMS)
    assert a.versions.equals(b.versions)
    assert np.array_equal(a.active, b.active) and np.array_equal(a.list_price, b.list_price)
    assert a.changes == b.changes


# --- purchase orders --------------------------------------------------------------------


@pytest.fixture(scope="module")
def purchase_orders(history):
    cfg = estate(days=28, scale=0.1)
    return cfg, simulate_purchase_orders(cfg, DIMS, history)


ALLOWED_STATUSES = (
    ["open"],
    ["open", "cancelled"],
    ["open", "received"],
    ["open", "partial"],
    ["open", "partial", "received"],
)


def test_purchase_order_headers_move_through_their_statuses(purchase_orders):
    """scaled(60) POs a day; per PO the versions go open -> cancelled | received |
    partial -> received, each beginning where the previous ends, the last one open
    (OPEN_END); cancelled the day after ordering, received on the expected date or a day
    late, a partial delivery completed two days after it."""
    cfg, pos = purchase_orders
    headers = pos.header_versions
    assert pos.count == cfg.days * cfg.scaled(60, minimum=2) == headers["po_id"].n_unique()
    for (po_id,), versions in headers.group_by("po_id"):
        rows = versions.sort("valid_from").rows(named=True)
        statuses = [r["status"] for r in rows]
        assert statuses in ALLOWED_STATUSES, (po_id, statuses)
        assert rows[0]["valid_from"] == rows[0]["order_date"]
        assert rows[-1]["valid_to"] == OPEN_END
        for earlier, later in itertools.pairwise(rows):
            assert earlier["valid_to"] == later["valid_from"]
            assert earlier["valid_from"] < later["valid_from"]
        order_date = dt.date.fromisoformat(rows[0]["order_date"])
        expected = dt.date.fromisoformat(rows[0]["expected_date"])
        for row in rows[1:]:
            when = dt.date.fromisoformat(row["valid_from"])
            if row["status"] == "cancelled":
                assert when == order_date + dt.timedelta(days=1)
            elif row["status"] == "partial":
                assert when == expected
            elif statuses[1] == "partial":
                assert when == expected + dt.timedelta(days=2)
            else:
                assert when in (expected, expected + dt.timedelta(days=1))
            assert row["updated_at"].startswith(row["valid_from"] + "T")


def test_purchase_order_lines_only_ever_receive_more(purchase_orders):
    """Per PO line: received starts at 0, never falls, never exceeds the quantity ordered
    and equals it once the PO is received; a cancellation adds no line version. Every
    line orders a product of the PO's supplier and shares its header's updated_at."""
    _, pos = purchase_orders
    headers = pos.header_versions.select(
        "po_id", "supplier_id", "valid_from", "status", pl.col("updated_at").alias("header_at")
    )
    lines = pos.line_versions.join(headers, on=["po_id", "valid_from"], how="left")
    assert lines["status"].null_count() == 0
    assert (lines["updated_at"] == lines["header_at"]).all()
    assert "cancelled" not in lines["status"].to_list()
    supplier_of = DIMS.products["supplier_id"].to_numpy()
    assert np.array_equal(supplier_of[lines["product_id"].to_numpy() - 1], lines["supplier_id"])
    received = lines.filter(pl.col("status") == "received")
    assert (received["qty_received"] == received["qty_ordered"]).all()
    for _, versions in lines.group_by("po_id", "line_no"):
        got = versions.sort("valid_from")["qty_received"].to_list()
        assert got[0] == 0
        assert got == sorted(got)
        assert got[-1] <= versions["qty_ordered"][0]
    assert pos.line_count == lines.select("po_id", "line_no").n_unique()


def test_stock_movements_add_up_to_the_purchase_order_versions(purchase_orders):
    """Summed over the simulation, units received per inventory cell equal the latest
    qty_received of its PO lines, and the change of units on order equals ordered minus
    received over the lines of POs not cancelled."""
    cfg, pos = purchase_orders
    cells = SKUS * WAREHOUSES
    received = np.zeros(cells, dtype=np.int64)
    on_order = np.zeros(cells, dtype=np.int64)
    for day in range(1, cfg.days + 1):
        got, delta = pos.movements(day, cells)
        received += got
        on_order += delta
    latest_header = pos.header_versions.sort("valid_from").group_by("po_id").last()
    latest = (
        pos.line_versions.sort("valid_from")
        .group_by("po_id", "line_no")
        .last()
        .join(latest_header.select("po_id", "warehouse_id", "status"), on="po_id")
        .with_columns(
            cell=(pl.col("product_id") - 1) * WAREHOUSES + pl.col("warehouse_id") - 1,
            open_units=pl.when(pl.col("status") == "cancelled")
            .then(0)
            .otherwise(pl.col("qty_ordered") - pl.col("qty_received")),
        )
    )
    cell = latest["cell"].to_numpy()
    expected_received = np.bincount(cell, latest["qty_received"].to_numpy(), cells)
    expected_on_order = np.bincount(cell, latest["open_units"].to_numpy(), cells)
    assert np.array_equal(received, expected_received.astype(np.int64))
    assert np.array_equal(on_order, expected_on_order.astype(np.int64))


# --- inventory --------------------------------------------------------------------------


def test_units_sold_counts_quantities_per_product_and_warehouse_cell():
    """Cell of (product p, warehouse w) is (p - 1) x warehouses + (w - 1)."""
    orders = DayOrders(
        business_day=1,
        seq=np.array([1, 2]),
        seconds=np.array([10, 20]),
        customer_id=np.array([1, 2]),
        warehouse_id=np.array([1, 3]),
        channel=np.array(["web", "store"]),
        line_offsets=np.array([0, 2, 3]),
        line_no=np.array([1, 2, 1]),
        product_id=np.array([1, 2, 2]),
        quantity=np.array([4, 5, 6]),
        unit_price_cents=np.array([100, 200, 200]),
    )
    sold = units_sold(orders, WAREHOUSES, SKUS)
    assert sold.size == SKUS * WAREHOUSES
    assert sold[0] == 4  # product 1, warehouse 1
    assert sold[1 * WAREHOUSES + 0] == 5  # product 2, warehouse 1
    assert sold[1 * WAREHOUSES + 2] == 6  # product 2, warehouse 3
    assert sold.sum() == orders.quantity.sum()


def test_inventory_on_hand_never_goes_below_zero():
    """close_day subtracts sales and adds receipts, flooring on-hand stock at zero; the
    change of units on order is added as is."""
    ledger = InventoryLedger(estate(), DIMS)
    cells = SKUS * WAREHOUSES
    start = ledger.on_hand.copy()
    assert start.size == cells and start.min() >= 0
    sold = start + 5  # sell more than there is
    received = np.zeros(cells, dtype=np.int64)
    received[0] = 3
    delta = np.full(cells, 2, dtype=np.int64)
    ledger.close_day(sold, received, delta)
    assert ledger.on_hand.min() == 0
    assert ledger.on_hand[0] == 0  # 3 received cannot cover 5 oversold units
    ledger.close_day(np.zeros(cells, dtype=np.int64), received, -delta)
    assert ledger.on_hand[0] == 3 and ledger.on_hand[1:].sum() == 0
    assert not ledger.on_order.any()


def test_inventory_snapshot_lists_every_cell_in_product_then_warehouse_order():
    """snapshot(listed) keeps every cell and says per cell whether its product is listed;
    the starting stock is the same for the same seed."""
    ledger = InventoryLedger(estate(), DIMS)
    listed = np.zeros(SKUS, dtype=bool)
    listed[[0, 7]] = True
    mask, on_hand, on_order = ledger.snapshot(listed)
    assert mask.size == on_hand.size == on_order.size == SKUS * WAREHOUSES
    assert np.flatnonzero(mask).tolist() == [0, 1, 2, 21, 22, 23]
    assert np.array_equal(InventoryLedger(estate(), DIMS).on_hand, ledger.on_hand)
