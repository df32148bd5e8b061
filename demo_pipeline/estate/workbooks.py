"""Excel workbooks as planners drop them: one supplier price list per business day,
`<workdir>/sources/workbooks/YYYY-MM-DD/supplier_prices.xlsx`, sheet "Prices".

Realistic mess: a title row above the header, a blank row under it, blank rows among
the data, and on the `renamed_column` day one header spelled differently. Each
supplier sends its list every four weeks, so each day carries about 1/28 of the SKUs.

Deterministic bytes: xlsxwriter stamps the document's creation time, so it is fixed
to the business date; the zip entries carry xlsxwriter's fixed timestamps.

Fast path (`write_price_list`): xlsxwriter spends about 100 µs a row on cell objects,
checks and one XML call per cell, a third of the estate's generation time. So it writes
only a skeleton per header (the same formats, properties, columns and a first data row,
once per process), and the two parts that hold the cells, the worksheet's `<sheetData>`
and the shared-string table, are written here one f-string per row, exactly as
xlsxwriter writes them. Anything that xlsxwriter would treat specially (a string it
escapes or reads as a formula or link, a number that is not finite) goes the slow way
(`write_price_list_xlsxwriter`), so the bytes are always xlsxwriter's;
tests/estate/test_workbooks.py compares both ways byte for byte.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from demo_pipeline.config import EstateConfig
from demo_pipeline.errors import SourceError
from demo_pipeline.estate.dimensions import Dimensions
from demo_pipeline.estate.facts import ProductHistory, day_date
from demo_pipeline.estate.streams import rng_for
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import workbook_file

if TYPE_CHECKING:
    import xlsxwriter

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
    min_order_qty = rng.choice(MIN_ORDER_QTY, size=rows.size)
    # Sorted by supplier, then SKU. SKUs ascend with the product rows (dimensions.py pads
    # the product id), so a stable sort on the supplier is enough: a numpy argsort of a
    # few thousand integers, where a Polars sort on the strings cost the main process
    # several milliseconds a day.
    order = np.argsort(supplier[rows], kind="stable")
    rows = rows[order]
    return pl.DataFrame(
        {
            "supplier_id": supplier[rows],
            "sku": dims.products["sku"].to_numpy()[rows],
            "unit_cost_eur": quoted[order] / 100,
            "min_order_qty": min_order_qty[order],
            "valid_from": [valid_from.isoformat()] * rows.size,
        }
    )


def blank_row_positions(estate: EstateConfig, day: int, n_rows: int) -> set[int]:
    """Data rows after which a planner left an empty row (never after the last row)."""
    if n_rows < 2:
        return set()
    rng = rng_for(estate.seed, "workbooks.blank_rows", day)
    k = min(max(1, round(BLANK_ROW_SHARE * n_rows)), n_rows - 1)
    return set(rng.choice(n_rows - 1, size=k, replace=False).tolist())


def _new_workbook(target: Path | io.BytesIO, date: dt.date) -> xlsxwriter.Workbook:
    # Imported on first use, not with the module: `generate` forks the child that makes
    # the orders feed (forked.py) before this process writes a workbook, and the child
    # never does, so it starts about 0.03 s sooner and the whole estate is ready sooner.
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    # No wall-clock value in the file: the document is "created" on its business date.
    workbook.set_properties({"created": _created(date), "author": "Supplier desk"})
    return workbook


def _created(date: dt.date) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(7, 30))


def _title(date: dt.date) -> str:
    return f"Supplier price list received {date.isoformat()}"


def _header(renamed: dict[str, str] | None) -> list[str]:
    return [(renamed or {}).get(h, h) for h in HEADER]


def _finish_sheet(sheet) -> None:
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 4, 16)


def write_price_list_xlsxwriter(
    path: Path,
    frame: pl.DataFrame,
    date: dt.date,
    blank_after: set[int],
    renamed: dict[str, str] | None = None,
) -> int:
    """Write one workbook cell by cell with xlsxwriter (the reference; slow); returns
    the number of data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A day's list is small: build it in memory (no temporary files to create and delete).
    workbook = _new_workbook(path, date)
    sheet = workbook.add_worksheet(SHEET)
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet.write(0, 0, _title(date), bold)
    sheet.write_row(2, 0, _header(renamed), bold)
    row = 3
    for i, (supplier, sku, cost, moq, valid) in enumerate(frame.iter_rows()):
        sheet.write_number(row, 0, supplier)
        sheet.write_string(row, 1, sku)
        sheet.write_number(row, 2, cost, money)
        sheet.write_number(row, 3, moq)
        sheet.write_string(row, 4, valid)
        row += 2 if i in blank_after else 1
    _finish_sheet(sheet)
    workbook.close()
    return frame.height


# Workbook parts the fast path writes itself; every other part is the skeleton's.
SHEET_PART = "xl/worksheets/sheet1.xml"
STRINGS_PART = "xl/sharedStrings.xml"
CORE_PART = "docProps/core.xml"
_SHEET_DATA = re.compile(r"<sheetData>.*</sheetData>", re.S)
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')
_STRING_TABLE = re.compile(r' count="\d+" uniqueCount="\d+">.*</sst>', re.S)


@dataclass(frozen=True)
class _Skeleton:
    """xlsxwriter's parts of a price list with one header, made on `date`."""

    date: dt.date
    parts: dict[str, bytes]  # in xlsxwriter's order
    bold: int  # the xf (style) index of the title and header cells
    money: int  # ... and of the unit cost


_skeletons: dict[tuple[str, ...], _Skeleton] = {}


def _skeleton(header: list[str], date: dt.date) -> _Skeleton:
    """One skeleton per header, made once: every day's differs only by its creation
    date (docProps/core.xml) and its cells, which `_fast_parts` writes."""
    if (cached := _skeletons.get(tuple(header))) is not None:
        return cached
    buffer = io.BytesIO()
    workbook = _new_workbook(buffer, date)
    sheet = workbook.add_worksheet(SHEET)
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    # One cell of each kind, so that xlsxwriter registers the same styles as a full list.
    sheet.write(0, 0, _title(date), bold)
    sheet.write_row(2, 0, header, bold)
    sheet.write_number(3, 0, 1)
    sheet.write_string(3, 1, "SKU")
    sheet.write_number(3, 2, 1.5, money)
    sheet.write_number(3, 3, 1)
    sheet.write_string(3, 4, date.isoformat())
    _finish_sheet(sheet)
    workbook.close()
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    if _created(date).strftime(_STAMP).encode() not in parts[CORE_PART]:
        raise SourceError(
            f"{CORE_PART}: expected xlsxwriter to stamp the creation time as {_STAMP}; "
            "the price-list writer needs updating for this xlsxwriter version"
        )
    skeleton = _Skeleton(date, parts, bold.xf_index, money.xf_index)
    _skeletons[tuple(header)] = skeleton
    return skeleton


def _plain(text: object) -> bool:
    """A string that xlsxwriter writes as it is: a shared string, nothing escaped but
    & < > (no control characters, `_xHHHH_` look-alikes or edge whitespace), and not
    read as a blank, formula, link or rich string."""
    return (
        isinstance(text, str)
        and 0 < len(text) < 16_000  # well under Excel's 32,767, which xlsxwriter truncates
        and text.isprintable()
        and text == text.strip()
        and "_x" not in text
        and ":" not in text
        and not text.startswith(("=", "{", "<r>"))
    )


# The same test for a whole column at once, stricter (it is only a shortcut): letters,
# digits and a little punctuation, starting with a letter or digit, not ending in a space.
_PLAIN_CHARS = "0-9A-Za-z&<>.,/()+#%!?@'\"-"
_PLAIN_PATTERN = f"^[0-9A-Za-z](?:[ {_PLAIN_CHARS}]*[{_PLAIN_CHARS}])?$"


def _plain_column(column: pl.Series) -> bool:
    return (
        column.dtype == pl.String
        and column.null_count() == 0
        and bool(column.str.contains(_PLAIN_PATTERN).all())
    )


def _finite_column(column: pl.Series) -> bool:
    """Numbers xlsxwriter writes as they are (it refuses NaN and infinities)."""
    if column.dtype.is_integer():
        return column.null_count() == 0
    return column.dtype.is_float() and column.null_count() == 0 and bool(column.is_finite().all())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fast_parts(
    skeleton: _Skeleton,
    columns: tuple[list, list, list, list, list],
    date: dt.date,
    header: list[str],
    blank_after: set[int],
) -> dict[str, bytes]:
    """The workbook's parts with the day's cells, as xlsxwriter writes them."""
    strings: dict[str, int] = {}
    refs = 0

    def index(text: str) -> int:
        # Shared strings are numbered in order of first use, as xlsxwriter does.
        nonlocal refs
        refs += 1
        return strings.setdefault(text, len(strings))

    # Every written row spans columns 1:5: xlsxwriter gives the span of each block of
    # 16 rows, and every row but the title's has all five cells (the title shares its
    # block with the header).
    b, m = skeleton.bold, skeleton.money
    rows = [
        f'<row r="1" spans="1:5"><c r="A1" s="{b}" t="s"><v>{index(_title(date))}</v></c></row>',
        '<row r="3" spans="1:5">'
        + "".join(
            f'<c r="{col}3" s="{b}" t="s"><v>{index(h)}</v></c>'
            for col, h in zip("ABCDE", header, strict=True)
        )
        + "</row>",
    ]
    r = last = 4
    for i, (supplier, sku, cost, moq, valid) in enumerate(zip(*columns, strict=True)):
        last = r
        rows.append(
            f'<row r="{r}" spans="1:5"><c r="A{r}"><v>{supplier:.16G}</v></c>'
            f'<c r="B{r}" t="s"><v>{index(sku)}</v></c>'
            f'<c r="C{r}" s="{m}"><v>{cost:.16G}</v></c><c r="D{r}"><v>{moq:.16G}</v></c>'
            f'<c r="E{r}" t="s"><v>{index(valid)}</v></c></row>'
        )
        r += 2 if i in blank_after else 1
    parts = dict(skeleton.parts)
    sheet = parts[SHEET_PART].decode("utf-8")
    sheet = _DIMENSION.sub(f'<dimension ref="A1:E{last}"/>', sheet, count=1)
    sheet = _SHEET_DATA.sub(lambda _: "<sheetData>" + "".join(rows) + "</sheetData>", sheet)
    parts[SHEET_PART] = sheet.encode("utf-8")
    parts[CORE_PART] = _core(skeleton, date)
    table = "".join(f"<si><t>{_escape(s)}</t></si>" for s in strings)
    sst = parts[STRINGS_PART].decode("utf-8")
    sst = _STRING_TABLE.sub(
        lambda _: f' count="{refs}" uniqueCount="{len(strings)}">{table}</sst>', sst, count=1
    )
    parts[STRINGS_PART] = sst.encode("utf-8")
    return parts


_STAMP = "%Y-%m-%dT%H:%M:%SZ"  # how xlsxwriter writes the creation time


def _core(skeleton: _Skeleton, date: dt.date) -> bytes:
    """The skeleton's document properties, created on `date` instead."""
    old = _created(skeleton.date).strftime(_STAMP).encode()
    return skeleton.parts[CORE_PART].replace(old, _created(date).strftime(_STAMP).encode())


def write_price_list(
    path: Path,
    frame: pl.DataFrame,
    date: dt.date,
    blank_after: set[int],
    renamed: dict[str, str] | None = None,
) -> int:
    """Write one workbook (the bytes xlsxwriter writes, see the module docstring);
    returns the number of data rows."""
    header = _header(renamed)
    fast = (
        # Without data rows the money style is unused, and xlsxwriter leaves it out.
        frame.height > 0
        and frame.width == len(HEADER)
        and all(_plain(h) for h in [_title(date), *header])
        and all(_plain_column(frame.to_series(i)) for i in (1, 4))
        and all(_finite_column(frame.to_series(i)) for i in (0, 2, 3))
    )
    if not fast:
        return write_price_list_xlsxwriter(path, frame, date, blank_after, renamed)
    skeleton = _skeleton(header, date)
    columns = tuple(frame[c].to_list() for c in frame.columns)
    parts = _fast_parts(skeleton, columns, date, header, blank_after)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The archive as xlsxwriter writes it in memory: deflated, every entry dated 1980-01-01.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as out:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, data)
    return frame.height
