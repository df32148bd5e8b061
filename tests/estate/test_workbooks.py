"""Supplier price-list workbooks: layout mess, the renamed header day, valid keys."""

from __future__ import annotations

import json
import sqlite3

import openpyxl

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
