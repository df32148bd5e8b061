"""The ERP's source clock, referential integrity of the clean data, and every calendar
scenario present both in the data and in the ground truth."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter

import pytest

from demo_pipeline.errors import SourceError
from demo_pipeline.estate import set_source_clock, source_clock
from demo_pipeline.estate.erp import RELATIONS
from demo_pipeline.estate.scenarios import ORPHAN_ID_OFFSET


@pytest.fixture(scope="module")
def estate(tiny_estate, tmp_path_factory):
    """A private copy of the tiny estate: these tests move its clock."""
    import shutil

    from demo_pipeline.workdir import Workdir

    cfg, workdir = tiny_estate
    copy = Workdir(tmp_path_factory.mktemp("clock"))
    shutil.copytree(workdir.sources, copy.sources)
    shutil.copy(workdir.metrics, copy.metrics)
    return cfg, copy


def feed(workdir, date: str) -> list[dict]:
    text = (workdir.orders_store / f"{date}.ndjson").read_text()
    return [json.loads(line) for line in text.splitlines()]


def faults(workdir) -> dict[str, dict]:
    truth = json.loads(workdir.ground_truth.read_text())
    return {f["kind"]: f for f in truth["faults"]}


def query(workdir, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(workdir.erp_db) as conn:
        return conn.execute(sql, args).fetchall()


def test_clock_is_at_the_last_day_after_generate(tiny_estate):
    """After generate the ERP shows the state at the end of the last business day."""
    cfg, workdir = tiny_estate
    assert source_clock(workdir) == cfg.estate.end_date


def test_every_contract_relation_exists_with_its_columns(estate):
    """The pipeline's relations exist with the contract's columns."""
    _, workdir = estate
    with sqlite3.connect(workdir.erp_db) as conn:
        for relation in RELATIONS:
            cols = [c[1] for c in conn.execute(f"PRAGMA table_info({relation})")]
            assert "updated_at" in cols, relation
    cols = [c[1] for c in sqlite3.connect(workdir.erp_db).execute("PRAGMA table_info(products)")]
    assert cols == [
        "product_id", "sku", "name", "category_id", "supplier_id",
        "unit_cost_cents", "list_price_cents", "updated_at",
    ]  # fmt: skip


def test_clock_replays_the_erp_forwards_backwards_and_idempotently(estate):
    """Moving the clock changes what the views show; moving back restores it exactly."""
    cfg, workdir = estate
    first, last = cfg.estate.start_date, cfg.estate.end_date
    set_source_clock(workdir, first)
    day1 = query(workdir, "SELECT * FROM products ORDER BY product_id")
    inv1 = query(workdir, "SELECT max(snapshot_date), count(*) FROM inventory_snapshots")
    assert inv1[0][0] == first.isoformat()
    set_source_clock(workdir, last)
    assert query(workdir, "SELECT * FROM products ORDER BY product_id") != day1
    set_source_clock(workdir, first)
    set_source_clock(workdir, first)
    assert query(workdir, "SELECT * FROM products ORDER BY product_id") == day1
    assert source_clock(workdir) == first
    with pytest.raises(SourceError, match=str(workdir.erp_db)):
        set_source_clock(workdir, last + dt.timedelta(days=1))
    set_source_clock(workdir, last)


def test_products_change_day_by_day(estate):
    """Prices and categories change, products are deleted and some come back later."""
    cfg, workdir = estate
    history = query(
        workdir,
        "SELECT product_id, count(*), count(DISTINCT list_price_cents), "
        "count(DISTINCT category_id) FROM products_history GROUP BY product_id",
    )
    assert any(n_prices > 1 for _, _, n_prices, _ in history)
    assert any(n_cats > 1 for _, _, _, n_cats in history)
    gaps = query(
        workdir,
        "SELECT a.product_id FROM products_history a JOIN products_history b "
        "ON a.product_id = b.product_id AND b.valid_from > a.valid_to",
    )
    assert gaps, "expected a product discontinued and re-listed later"
    (relisted,) = gaps[0]
    listed_on = []
    for date in cfg.estate.business_days():
        set_source_clock(workdir, date)
        listed_on.append(
            bool(query(workdir, "SELECT 1 FROM products WHERE product_id=?", relisted))
        )
    assert (
        listed_on[0]
        and not all(listed_on)
        and listed_on.index(False) < max(i for i, v in enumerate(listed_on) if v)
    )
    set_source_clock(workdir, cfg.estate.end_date)


def test_clean_data_is_referentially_intact(estate):
    """Outside injected faults, every key points at a row that exists on that day."""
    cfg, workdir = estate
    bad_lines = {
        tuple(k)
        for kind in ("negative_quantities", "orphan_product_ids")
        for k in faults(workdir)[kind]["keys"]
    }
    customers = {r[0] for r in query(workdir, "SELECT customer_id FROM customers")}
    warehouses = {r[0] for r in query(workdir, "SELECT warehouse_id FROM warehouses")}
    suppliers = {r[0] for r in query(workdir, "SELECT supplier_id FROM suppliers")}
    categories = {r[0] for r in query(workdir, "SELECT category_id FROM categories")}
    listed_by_date = {}
    for date in cfg.estate.business_days():
        set_source_clock(workdir, date)
        products = query(workdir, "SELECT product_id, category_id, supplier_id FROM products")
        listed_by_date[date.isoformat()] = {p for p, _, _ in products}
        assert {c for _, c, _ in products} <= categories
        assert {s for _, _, s in products} <= suppliers
        inventory = query(
            workdir,
            "SELECT product_id, warehouse_id FROM inventory_snapshots WHERE snapshot_date=?",
            date.isoformat(),
        )
        assert {p for p, _ in inventory} == listed_by_date[date.isoformat()]
        assert {w for _, w in inventory} == warehouses
        po_lines = query(
            workdir,
            "SELECT l.product_id, h.warehouse_id, h.supplier_id FROM purchase_order_lines l "
            "JOIN purchase_orders h USING (po_id)",
        )
        assert {w for _, w, _ in po_lines} <= warehouses
        assert {s for _, _, s in po_lines} <= suppliers
    all_products = {r[0] for r in query(workdir, "SELECT product_id FROM products_history")}
    assert {
        r[0] for r in query(workdir, "SELECT product_id FROM purchase_order_lines_history")
    } <= (all_products)
    for date in cfg.estate.business_days():
        for order in feed(workdir, date.isoformat()):
            assert order["customer_id"] in customers
            assert order["warehouse_id"] in warehouses
            for line in order["lines"]:
                if (order["order_id"], line["line_no"]) in bad_lines:
                    continue
                assert line["product_id"] in listed_by_date[order["business_date"]]
                assert line["quantity"] > 0
    set_source_clock(workdir, cfg.estate.end_date)


def test_every_calendar_scenario_is_in_the_ground_truth(tiny_estate):
    """Each scenario of the config appears in ground_truth.json on its day and date."""
    cfg, workdir = tiny_estate
    truth = json.loads(workdir.ground_truth.read_text())
    recorded = {(f["day"], f["kind"], f["source"], f["table"]) for f in truth["faults"]}
    assert {(s.day, s.kind, s.source, s.table) for s in cfg.scenarios} == recorded
    for fault in truth["faults"]:
        day = cfg.estate.start_date + dt.timedelta(days=fault["day"] - 1)
        assert fault["date"] == day.isoformat()
        assert fault["count"] > 0
    assert truth["expected_peaks"] == [cfg.estate.peak_day.isoformat()]
    assert (truth["seed"], truth["scale"], truth["days"]) == (7, 0.01, 27)


def test_feed_faults_are_in_the_data_where_the_ground_truth_says(tiny_estate):
    """Duplicates, null keys, negative quantities, orphans, late orders and the spike are real."""
    cfg, workdir = tiny_estate
    f = faults(workdir)

    dup_day = feed(workdir, f["duplicate_rows"]["date"])
    counts = Counter(o["order_id"] for o in dup_day)
    assert sorted(k for k, n in counts.items() if n == 2) == sorted(f["duplicate_rows"]["keys"])

    null_day = feed(workdir, f["null_keys"]["date"])
    assert sum(o["order_id"] is None for o in null_day) == f["null_keys"]["count"]

    lines = {
        (o["order_id"], ln["line_no"]): ln
        for o in feed(workdir, f["negative_quantities"]["date"])
        for ln in o["lines"]
    }
    negative = sorted(k for k, ln in lines.items() if ln["quantity"] < 0)
    assert negative == sorted(tuple(k) for k in f["negative_quantities"]["keys"])

    lines = {
        (o["order_id"], ln["line_no"]): ln
        for o in feed(workdir, f["orphan_product_ids"]["date"])
        for ln in o["lines"]
    }
    orphans = sorted(k for k, ln in lines.items() if ln["product_id"] > ORPHAN_ID_OFFSET)
    assert orphans == sorted(tuple(k) for k in f["orphan_product_ids"]["keys"])
    known = {r[0] for r in query(workdir, "SELECT product_id FROM products_history")}
    assert not {lines[k]["product_id"] for k in orphans} & known

    late = f["late_orders"]
    on_day = {o["order_id"] for o in feed(workdir, late["date"])}
    later = {
        o["order_id"]: o["business_date"] for o in feed(workdir, late["params"]["published_date"])
    }
    assert not set(late["keys"]) & on_day
    assert all(later[k] == late["date"] for k in late["keys"])

    spike = f["anomaly_spike"]
    wh = spike["params"]["warehouse_id"]
    spike_day = spike["day"]
    per_day = [
        sum(o["warehouse_id"] == wh for o in feed(workdir, d.isoformat()))
        for d in cfg.estate.business_days()
    ]
    baseline = sorted(per_day[spike_day - 8 : spike_day - 1])[3]
    assert per_day[spike_day - 1] > 2.5 * baseline


def test_black_friday_is_the_busiest_day(tiny_estate):
    """The expected peak day has the most orders, well above an ordinary day."""
    cfg, workdir = tiny_estate
    totals = {
        d.isoformat(): sum(
            o["business_date"] == d.isoformat() for o in feed(workdir, d.isoformat())
        )
        for d in cfg.estate.business_days()
    }
    peak = cfg.estate.peak_day.isoformat()
    ordinary = sorted(totals.values())[len(totals) // 2]
    assert totals[peak] > 2 * ordinary


def test_inventory_cells_are_packed_as_compact_json_and_read_back_unchanged(tmp_path):
    """json_int_array writes what json.dumps writes (small, large and unlisted cells), and
    the inventory_snapshots view shows each listed cell's units as they were packed."""
    import numpy as np

    from demo_pipeline.estate import erp

    rng = np.random.default_rng(3)
    for values in (
        np.array([-1, 0, 9, 10, 999, 1000, 123_456_789]),
        rng.integers(-1, 2_000, 5_000),
        np.zeros(0, dtype=np.int64),
    ):
        assert erp.json_int_array(values) == json.dumps(values.tolist(), separators=(",", ":"))
    # Two products in two warehouses: product 1 listed, product 2 not (no rows).
    listed = np.array([True, True, False, False])
    on_hand = np.array([5, erp.UNITS_MAX, 7, 1])
    on_order = np.array([250, erp.UNITS_MAX, 3, 0])
    conn = erp.create_erp(tmp_path / "erp.sqlite", {"start_date": "2026-11-01"})
    cells = erp.pack_inventory(listed, on_hand, on_order)
    conn.execute("INSERT INTO inventory_snapshot_days VALUES ('2026-11-01', 2, ?)", (cells,))
    rows = conn.execute(
        "SELECT product_id, warehouse_id, on_hand_units, on_order_units FROM inventory_snapshots"
    ).fetchall()
    assert rows == [(1, 1, 5, 250), (1, 2, erp.UNITS_MAX, erp.UNITS_MAX)]


def test_every_stored_inventory_day_is_a_valid_json_array_of_one_cell_per_position(
    tiny_estate,
):
    """What the table's CHECK (json_valid) once proved on every insert: each day's cells
    are one valid JSON array, one element per (product, warehouse) position."""
    _, workdir = tiny_estate
    days = query(
        workdir,
        "SELECT snapshot_date, json_valid(cells), json_type(cells), "
        "json_array_length(cells), warehouses FROM inventory_snapshot_days",
    )
    [(skus,)] = query(workdir, "SELECT COUNT(DISTINCT product_id) FROM products_history")
    assert days, "expected one row per business day"
    for date, valid, kind, length, warehouses in days:
        assert (valid, kind) == (1, "array"), date
        assert length == skus * warehouses, date
