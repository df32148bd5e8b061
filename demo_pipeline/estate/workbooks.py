"""Excel workbooks as planners drop them: one supplier price list per business day,
`<workdir>/sources/workbooks/YYYY-MM-DD/supplier_prices.xlsx`, sheet "Prices".

Realistic mess: a title row above the header, a blank row under it, blank rows among
the data, and on the `renamed_column` day one header spelled differently. Each
supplier sends its list every four weeks, so each day carries about 1/28 of the SKUs.

Deterministic bytes: xlsxwriter stamps the document's creation time, so it is fixed
to the business date; the zip entries carry xlsxwriter's fixed timestamps.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from demo_pipeline.config import EstateConfig
from demo_pipeline.estate.dimensions import Dimensions
from demo_pipeline.estate.facts import ProductHistory, day_date
from demo_pipeline.estate.streams import rng_for
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import workbook_file

# The one workbook table, and its sheet, from the table registry.
(TABLE,) = TABLES.of_source("workbooks")
SHEET = TABLES[TABLE].relation
HEADER = ["Supplier ID", "SKU", "Unit Cost (EUR)", "Min Order Qty", "Valid From"]
# Each supplier sends its list every four weeks, on a day of its own.
SUPPLIER_ROTATION = 28
BLANK_ROW_SHARE = 0.02
MIN_ORDER_QTY = np.array([1, 6, 12, 24, 48, 100])


def workbook_path(workbooks_dir: Path, date: str) -> Path:
    return workbook_file(workbooks_dir, date, TABLE)


def price_list(
    estate: EstateConfig, dims: Dimensions, history: ProductHistory, day: int
) -> pl.DataFrame:
    """The rows one day's price list carries (pure): listed products of today's suppliers."""
    rng = rng_for(estate.seed, "workbooks", day)
    supplier = dims.products["supplier_id"].to_numpy()
    sending = (supplier + day) % SUPPLIER_ROTATION == 0
    rows = np.flatnonzero(sending & history.active[day - 1])
    cost = dims.products["unit_cost_cents"].to_numpy()[rows]
    quoted = np.round(cost * rng.uniform(0.97, 1.05, size=rows.size)).astype(np.int64)
    valid_from = day_date(estate, day) + dt.timedelta(days=int(rng.integers(1, 8)))
    frame = pl.DataFrame(
        {
            "supplier_id": supplier[rows],
            "sku": dims.products["sku"].to_numpy()[rows],
            "unit_cost_eur": quoted / 100,
            "min_order_qty": rng.choice(MIN_ORDER_QTY, size=rows.size),
            "valid_from": [valid_from.isoformat()] * rows.size,
        }
    )
    return frame.sort("supplier_id", "sku")


def blank_row_positions(estate: EstateConfig, day: int, n_rows: int) -> set[int]:
    """Data rows after which a planner left an empty row (never after the last row)."""
    if n_rows < 2:
        return set()
    rng = rng_for(estate.seed, "workbooks.blank_rows", day)
    k = min(max(1, round(BLANK_ROW_SHARE * n_rows)), n_rows - 1)
    return set(rng.choice(n_rows - 1, size=k, replace=False).tolist())


def write_price_list(
    path: Path,
    frame: pl.DataFrame,
    date: dt.date,
    blank_after: set[int],
    renamed: dict[str, str] | None = None,
) -> int:
    """Write one workbook; returns the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = [(renamed or {}).get(h, h) for h in HEADER]
    # A day's list is small: build it in memory (no temporary files to create and delete).
    workbook = xlsxwriter.Workbook(path, {"in_memory": True})
    # No wall-clock value in the file: the document is "created" on its business date.
    workbook.set_properties(
        {"created": dt.datetime.combine(date, dt.time(7, 30)), "author": "Supplier desk"}
    )
    sheet = workbook.add_worksheet(SHEET)
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet.write(0, 0, f"Supplier price list received {date.isoformat()}", bold)
    sheet.write_row(2, 0, header, bold)
    row = 3
    for i, (supplier, sku, cost, moq, valid) in enumerate(frame.iter_rows()):
        sheet.write_number(row, 0, supplier)
        sheet.write_string(row, 1, sku)
        sheet.write_number(row, 2, cost, money)
        sheet.write_number(row, 3, moq)
        sheet.write_string(row, 4, valid)
        row += 2 if i in blank_after else 1
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 4, 16)
    workbook.close()
    return frame.height
