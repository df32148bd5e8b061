"""The file extractor: Excel workbooks as people make them, and CSV/Parquet drops.

A supplier's workbook has a title row, a blank row, then the header, with blank rows
among the data, and now and then a header written differently ("Unit cost EUR" for
"Unit Cost (EUR)"). The reader finds the header row by looking for known column
names, drops blank rows, and maps header variants onto canonical names, noting every
mapping so the run can report it. Cells are read as text and typed afterwards by the
bronze schema inference, so a stray text cell cannot break a numeric column.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import fastexcel
import polars as pl

from demo_pipeline.bronze import infer_types
from demo_pipeline.errors import SourceError
from demo_pipeline.extract.base import Extracted, Extractor
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import workbook_file

# The workbook table and its sheet, from the table registry.
(WORKBOOK_TABLE,) = TABLES.of_source("workbooks")

# The workbook's documented header -> canonical column name.
SUPPLIER_PRICE_HEADERS = {
    "Supplier ID": "supplier_id",
    "SKU": "sku",
    "Unit Cost (EUR)": "unit_cost_eur",
    "Min Order Qty": "min_order_qty",
    "Valid From": "valid_from",
}
# Spellings seen in the wild, after normalisation (lower case, letters and digits only).
SUPPLIER_PRICE_VARIANTS = {
    "supplier": "supplier_id",
    "supplierno": "supplier_id",
    "skucode": "sku",
    "unitcost": "unit_cost_eur",
    "costeur": "unit_cost_eur",
    "unitpriceeur": "unit_cost_eur",
    "moq": "min_order_qty",
    "minimumorderqty": "min_order_qty",
    "minorderquantity": "min_order_qty",
    "validfromdate": "valid_from",
    "effectivefrom": "valid_from",
}
HEADER_SEARCH_ROWS = 20


def normalise_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def header_lookup(documented: dict[str, str], variants: dict[str, str]) -> dict[str, str]:
    lookup = {normalise_header(h): c for h, c in documented.items()}
    lookup.update({normalise_header(c): c for c in documented.values()})
    lookup.update(variants)
    return lookup


def _sheet_cells(path: Path, sheet: str) -> pl.DataFrame:
    """Every cell of the sheet, no row taken as the header, rows with no value dropped:
    what `pl.read_excel(path, sheet_name=sheet, has_header=False, engine="calamine")`
    returns, read with fastexcel (its calamine engine) directly. Polars reads the sheet
    through pyarrow when pyarrow is installed, and nothing else in a run imports it
    (about 0.1 s and 36 MB of resident memory); fastexcel hands the sheet over through
    the Arrow PyCapsule interface instead."""
    cells = pl.DataFrame(fastexcel.read_excel(path).load_sheet(sheet, header_row=None))
    if cells.width == 0:
        return cells
    cells.columns = [f"column_{i}" for i in range(cells.width)]
    return cells.filter(~pl.all_horizontal(pl.all().is_null()))


def read_workbook(
    path: Path,
    sheet: str,
    documented: dict[str, str] = SUPPLIER_PRICE_HEADERS,
    variants: dict[str, str] = SUPPLIER_PRICE_VARIANTS,
) -> tuple[pl.DataFrame, dict[str, str]]:
    """Read a messy sheet. Returns the frame and {header as found: canonical} for
    every header that differs from the documented spelling."""
    if not path.is_file():
        raise SourceError(f"workbook {path} not found (expected an .xlsx file)")
    try:
        raw = _sheet_cells(path, sheet)
    except Exception as exc:
        raise SourceError(f"workbook {path}: cannot read sheet {sheet!r} ({exc})") from exc
    raw = raw.select(pl.all().cast(pl.String))
    lookup = header_lookup(documented, variants)
    header_index = _find_header_row(raw, lookup)
    if header_index is None:
        raise SourceError(
            f"workbook {path} sheet {sheet!r}: no header row in the first "
            f"{HEADER_SEARCH_ROWS} rows (expected columns {list(documented)})"
        )
    header = raw.row(header_index)
    names: list[str] = []
    mapping: dict[str, str] = {}
    for i, cell in enumerate(header):
        text = (cell or "").strip()
        canonical = lookup.get(normalise_header(text)) if text else None
        if canonical is None:
            names.append(f"unmapped_{i}_{normalise_header(text) or 'blank'}")
            continue
        if text not in documented:
            mapping[text] = canonical
        names.append(canonical)
    body = raw.slice(header_index + 1)
    body.columns = names
    blank = pl.all_horizontal(pl.all().is_null() | (pl.all().str.strip_chars() == ""))
    body = body.filter(~blank)
    # Columns with neither a known header nor any data are layout, not data.
    keep = [
        c
        for c in body.columns
        if not (c.startswith("unmapped_") and body[c].null_count() == body.height)
    ]
    return infer_types(body.select(keep)), mapping


def _find_header_row(raw: pl.DataFrame, lookup: dict[str, str]) -> int | None:
    """The first row in which at least half the non-empty cells are known headers."""
    for index in range(min(HEADER_SEARCH_ROWS, raw.height)):
        cells = [c.strip() for c in raw.row(index) if c is not None and c.strip()]
        known = sum(normalise_header(c) in lookup for c in cells)
        if cells and known >= 2 and known * 2 >= len(cells):
            return index
    return None


def read_table_file(path: Path) -> pl.DataFrame:
    """A CSV or Parquet drop, read whole. A corrupt file is an error, never 'empty'."""
    if not path.is_file():
        raise SourceError(f"source file {path} not found")
    try:
        if path.suffix == ".parquet":
            return pl.read_parquet(path)
        if path.suffix == ".csv":
            return infer_types(pl.read_csv(path, infer_schema=False, encoding="utf8"))
    except Exception as exc:
        raise SourceError(f"source file {path}: cannot read ({exc})") from exc
    raise SourceError(
        f"source file {path}: expected .csv, .parquet or .xlsx; found {path.suffix!r}"
    )


class WorkbookExtractor(Extractor):
    """One workbook per business day: `<root>/<YYYY-MM-DD>/<table>.xlsx`."""

    source = "workbooks"

    def __init__(
        self,
        root: Path,
        table: str = WORKBOOK_TABLE,
        sheet: str = TABLES[WORKBOOK_TABLE].relation,
    ) -> None:
        self.root = root
        self.table = table
        self.sheet = sheet

    def path_for(self, business_date: dt.date) -> Path:
        return workbook_file(self.root, business_date.isoformat(), self.table)

    def extract(self, business_date: dt.date) -> list[Extracted]:
        path = self.path_for(business_date)
        frame, mapping = read_workbook(path, self.sheet)
        return [
            Extracted(self.source, self.table, frame, str(path), notes={"header_mapping": mapping})
        ]
