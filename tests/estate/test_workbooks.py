"""Supplier price-list workbooks: layout mess, the renamed header day, valid keys, and the
fast writer's bytes against xlsxwriter's."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import openpyxl
import pytest

from demo_pipeline.estate import workbooks
from demo_pipeline.estate.workbooks import HEADER, SHEET, workbook_path


def rows_of(path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path, read_only=True)[SHEET]
    return [tuple(c for c in row) for row in sheet.iter_rows(values_only=True)]


def test_one_workbook_per_business_day_with_title_blank_rows_and_header(tiny_estate):
    """Each day has a workbook: title row, blank row, the header, data with blank rows among it."""
    cfg, workdir = tiny_estate
    truth = json.loads(workdir.ground_truth.read_text())
    renamed_day = next(f["date"] for f in truth["faults"] if f["kind"] == "renamed_column")
    for date in cfg.estate.business_days():
        path = workbook_path(workdir.workbooks, date.isoformat())
        rows = rows_of(path)
        assert rows[0][0].startswith("Supplier price list")
        assert all(v is None for v in rows[1])
        if date.isoformat() != renamed_day:
            assert list(rows[2]) == HEADER
        data = rows[3:]
        if len(data) < 2:
            continue
        assert any(all(v is None for v in r) for r in data[:-1]), "expected blank data rows"


def test_renamed_column_day_uses_the_scenarios_spelling(tiny_estate):
    """On the renamed_column day the header reads the scenario's `to` instead of `from`."""
    cfg, workdir = tiny_estate
    scenario = next(s for s in cfg.scenarios if s.kind == "renamed_column")
    date = cfg.estate.start_date.fromordinal(cfg.estate.start_date.toordinal() + scenario.day - 1)
    header = list(rows_of(workbook_path(workdir.workbooks, date.isoformat()))[2])
    assert scenario.params["to"] in header
    assert scenario.params["from"] not in header
    truth = json.loads(workdir.ground_truth.read_text())
    fault = next(f for f in truth["faults"] if f["kind"] == "renamed_column")
    assert fault["keys"] == [scenario.params["from"]]


def test_price_lists_name_real_suppliers_and_skus(tiny_estate):
    """Every data row names an existing supplier and a SKU of that supplier."""
    cfg, workdir = tiny_estate
    with sqlite3.connect(workdir.erp_db) as conn:
        sku_supplier = dict(conn.execute("SELECT DISTINCT sku, supplier_id FROM products_history"))
    total = 0
    for date in cfg.estate.business_days():
        for row in rows_of(workbook_path(workdir.workbooks, date.isoformat()))[3:]:
            if all(v is None for v in row):
                continue
            supplier, sku, cost, moq, valid_from = row
            assert sku_supplier[sku] == supplier
            assert cost > 0 and moq >= 1 and valid_from > date.isoformat()
            total += 1
    assert total > 0


def _frame(skus, costs=None, suppliers=None):
    import polars as pl

    n = len(skus)
    return pl.DataFrame(
        {
            "supplier_id": suppliers or [3] * n,
            "sku": skus,
            "unit_cost_eur": costs or [1.5 + i / 7 for i in range(n)],
            "min_order_qty": [6] * n,
            "valid_from": ["2026-11-03"] * n,
        }
    )


@pytest.mark.parametrize(
    ("frame", "blank_after", "renamed", "fast_path"),
    [
        (_frame([f"SKU-{i:07d}" for i in range(40)]), {0, 15, 16, 30}, None, True),
        (_frame(["SKU-1"]), set(), {"Unit Cost (EUR)": "Unit cost EUR"}, True),
        # Escaped and repeated strings, a string equal to a header, huge and tiny numbers.
        (
            _frame(["A&B <x>", "A&B <x>", "SKU", "2026-11-03"], [1e20, 1e-9, 0.1, 3.0]),
            {1},
            None,
            True,
        ),
        # Strings xlsxwriter treats specially: the reference writer is used, same bytes.
        (_frame([" padded", "tab\there", "_x0041_", "=1+1"]), set(), None, False),
        (_frame(["SKU-1", "SKU-2"]), set(), {"SKU": "http://example.com/sku"}, False),
        (_frame([]), set(), None, False),
    ],
)
def test_fast_price_list_writer_makes_xlsxwriters_bytes(
    tmp_path, monkeypatch, frame, blank_after, renamed, fast_path
):
    """The fast writer's file is byte for byte the one xlsxwriter writes cell by cell;
    only what xlsxwriter treats specially goes the slow way."""
    date = dt.date(2026, 11, 2)
    fast, reference = tmp_path / "fast.xlsx", tmp_path / "reference.xlsx"
    workbooks.write_price_list_xlsxwriter(reference, frame, date, blank_after, renamed)
    slow_calls = []
    slow = workbooks.write_price_list_xlsxwriter
    monkeypatch.setattr(
        workbooks,
        "write_price_list_xlsxwriter",
        lambda *args: slow_calls.append(args) or slow(*args),
    )
    assert workbooks.write_price_list(fast, frame, date, blank_after, renamed) == frame.height
    assert fast.read_bytes() == reference.read_bytes()
    assert bool(slow_calls) is not fast_path


def test_fast_writer_dates_each_day_from_one_skeleton(tmp_path):
    """The skeleton is made once per header; every day still carries its own creation date."""
    frame = _frame(["SKU-1", "SKU-2"])
    for day in (1, 9, 30):
        date = dt.date(2026, 11, day)
        fast, reference = tmp_path / f"{day}.xlsx", tmp_path / f"{day}-reference.xlsx"
        workbooks.write_price_list(fast, frame, date, set())
        workbooks.write_price_list_xlsxwriter(reference, frame, date, set())
        assert fast.read_bytes() == reference.read_bytes()
