"""Extractors against real sources: a SQLite database, an HTTP server on 127.0.0.1,
and workbooks written with xlsxwriter."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import polars as pl
import pytest
import xlsxwriter

from demo_pipeline.config import RetryConfig
from demo_pipeline.errors import SourceError
from demo_pipeline.extract.api import OrdersApiExtractor
from demo_pipeline.extract.database import DatabaseExtractor, TableSpec, sqlite_connector
from demo_pipeline.extract.file import read_table_file, read_workbook

REPO = Path(__file__).resolve().parents[2]

DAY1, DAY2 = dt.date(2026, 11, 1), dt.date(2026, 11, 2)
NO_WAIT = RetryConfig(attempts=3, delays_seconds=[60, 300, 900], delay_scale=0.0, timeout_seconds=2)


# --- database -------------------------------------------------------------------------


def _erp(tmp_path):
    db = tmp_path / "erp.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE items (item_id INTEGER PRIMARY KEY, name TEXT, updated_at TEXT)")
    con.executemany(
        "INSERT INTO items VALUES (?, ?, ?)",
        [(1, "a", "2026-10-31T09:00:00"), (2, "b", "2026-10-31T09:00:00")],
    )
    con.commit()
    return db, con


def test_database_extract_is_incremental_by_watermark(tmp_path):
    """Day 2 reads only rows updated after day 1's watermark; deletes show in the key list."""
    db, con = _erp(tmp_path)
    ex = DatabaseExtractor(
        sqlite_connector(db),
        tmp_path / "state",
        origin="sqlite:test",
        tables=(TableSpec("items", ("item_id",), track_deletes=True),),
    )
    first = {e.table: e.frame for e in ex.extract(DAY1)}
    assert first["items"].height == 2
    con.execute("UPDATE items SET name='a2', updated_at='2026-11-02T10:00:00' WHERE item_id=1")
    con.execute("DELETE FROM items WHERE item_id=2")
    con.commit()
    second = {e.table: e.frame for e in ex.extract(DAY2)}
    assert second["items"]["name"].to_list() == ["a2"]
    assert second["items__keys"]["item_id"].to_list() == [1]
    # Re-running day 2 reads from day 1's watermark again: the same rows.
    again = {e.table: e.frame for e in ex.extract(DAY2)}
    assert again["items"].equals(second["items"])


def test_database_rows_come_in_key_order_whatever_order_the_database_returns(tmp_path):
    """A relation the database returns out of key order (here a view over a table whose
    rows are stored by another key) is extracted sorted by its key, text keys byte by
    byte as SQLite compares them, so the day's bronze file does not depend on it."""
    db = tmp_path / "erp.sqlite"
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TABLE stock_rows (slot INTEGER PRIMARY KEY, day TEXT, item_id INTEGER, "
        "units INTEGER, updated_at TEXT)"
    )
    rows = [("2026-11-02", 3), ("2026-11-01", 2), ("2026-11-02", 1), ("2026-11-01", 10)]
    con.executemany(
        "INSERT INTO stock_rows (day, item_id, units, updated_at) VALUES (?, ?, ?, ?)",
        [(day, item, item * 7, f"{day}T23:00:00") for day, item in rows],
    )
    con.execute("CREATE VIEW stock AS SELECT day, item_id, units, updated_at FROM stock_rows")
    con.commit()
    ex = DatabaseExtractor(
        sqlite_connector(db),
        tmp_path / "state",
        origin="sqlite:test",
        tables=(TableSpec("stock", ("day", "item_id")),),
    )
    (stock,) = [e.frame for e in ex.extract(DAY1)]
    assert stock.select("day", "item_id").rows() == [
        ("2026-11-01", 2),
        ("2026-11-01", 10),
        ("2026-11-02", 1),
        ("2026-11-02", 3),
    ]
    assert stock["units"].to_list() == [14, 70, 7, 21]  # each row whole


def test_missing_database_names_the_file(tmp_path):
    """An ERP file that is not there is a SourceError naming the path."""
    ex = DatabaseExtractor(sqlite_connector(tmp_path / "nope.sqlite"), tmp_path, origin="x")
    with pytest.raises(SourceError, match=r"nope\.sqlite"):
        ex.extract(DAY1)


# --- API ------------------------------------------------------------------------------


class _FlakyOrders(BaseHTTPRequestHandler):
    """Three orders in pages of two; the first `failures` requests get 503/429."""

    failures = 0
    seen: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).seen.append(self.path)
        if type(self).failures > 0:
            type(self).failures -= 1
            self.send_response(429 if type(self).failures % 2 else 503)
            self.send_header("Retry-After", "1")
            self.end_headers()
            return
        query = parse_qs(urlparse(self.path).query)
        start = int(query.get("cursor", ["0"])[0])
        orders = [
            {
                "order_id": f"O-{i}",
                "order_amount": 10 * i,
                "lines": [{"line_no": 1, "product_id": i, "quantity": 1, "unit_price_cents": 99}],
            }
            for i in range(3)
        ][start : start + 2]
        body = {
            "date": query["date"][0],
            "data": orders,
            "next_cursor": str(start + 2) if start + 2 < 3 else None,
        }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def orders_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FlakyOrders)
    # A short poll: shutdown() waits up to one poll interval (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    _FlakyOrders.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_api_follows_cursor_pages(orders_server):
    """Every page is read and lines are split from their orders."""
    _FlakyOrders.failures = 0
    out = {
        e.table: e for e in OrdersApiExtractor(orders_server, NO_WAIT, page_size=2).extract(DAY1)
    }
    assert out["orders"].frame["order_id"].to_list() == ["O-0", "O-1", "O-2"]
    assert out["order_lines"].frame.height == 3
    assert out["orders"].notes["pages"] == 2


def test_api_retries_transient_errors_then_succeeds(orders_server):
    """Two 503/429 answers are retried (zero wait in tests) and counted."""
    _FlakyOrders.failures = 2
    out = OrdersApiExtractor(orders_server, NO_WAIT, page_size=2).extract(DAY1)
    assert out[0].frame.height == 3
    assert out[0].notes["retries"] == 2


def test_api_gives_up_after_the_configured_retries(orders_server):
    """A source that keeps failing raises SourceError naming the URL and date."""
    _FlakyOrders.failures = 100
    with pytest.raises(SourceError, match=r"unavailable after 3 retries"):
        OrdersApiExtractor(orders_server, NO_WAIT).extract(DAY1)
    assert len(_FlakyOrders.seen) == 4


def test_unreachable_api_is_a_source_error():
    """Nothing listening on the port: a SourceError that names the source and endpoint (by
    path: the host and port go to the run log, so quality results stay byte-stable)."""
    with pytest.raises(SourceError, match=r"orders API /v1/orders .*unreachable.*Connection"):
        OrdersApiExtractor("http://127.0.0.1:9", NO_WAIT).extract(DAY1)


# --- files ----------------------------------------------------------------------------


def _workbook(path, header):
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Prices")
    ws.write(0, 0, "Supplier price list, November")
    ws.write_row(2, 0, header)
    ws.write_row(3, 0, [7, "SKU-1", 1.5, 10, "2026-11-01"])
    ws.write_row(5, 0, [8, "SKU-2", 2.25, 5, "2026-11-01"])
    wb.close()


HEADER = ["Supplier ID", "SKU", "Unit Cost (EUR)", "Min Order Qty", "Valid From"]


def test_workbook_header_found_under_title_and_blank_rows_dropped(tmp_path):
    """The header row is found below the title; blank rows among the data are dropped."""
    _workbook(tmp_path / "p.xlsx", HEADER)
    frame, mapping = read_workbook(tmp_path / "p.xlsx", "Prices")
    assert frame.columns == ["supplier_id", "sku", "unit_cost_eur", "min_order_qty", "valid_from"]
    assert frame["supplier_id"].to_list() == [7, 8]
    assert frame["unit_cost_eur"].dtype == pl.Float64
    assert mapping == {}


def test_workbook_header_variant_is_mapped_and_reported(tmp_path):
    """A renamed header ('Unit cost EUR') maps to its column and the mapping is reported."""
    _workbook(tmp_path / "p.xlsx", [*HEADER[:2], "Unit cost EUR", *HEADER[3:]])
    frame, mapping = read_workbook(tmp_path / "p.xlsx", "Prices")
    assert "unit_cost_eur" in frame.columns
    assert mapping == {"Unit cost EUR": "unit_cost_eur"}


def test_corrupt_workbook_is_a_source_error_naming_the_file(tmp_path):
    """A truncated .xlsx is reported as unreadable, naming the file."""
    _workbook(tmp_path / "p.xlsx", HEADER)
    data = (tmp_path / "p.xlsx").read_bytes()
    (tmp_path / "bad.xlsx").write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"bad\.xlsx"):
        read_workbook(tmp_path / "bad.xlsx", "Prices")


def test_truncated_parquet_is_an_error_not_an_empty_table(tmp_path):
    """Half a Parquet file raises SourceError naming it; a missing file too."""
    pl.DataFrame({"a": list(range(1000))}).write_parquet(tmp_path / "t.parquet")
    data = (tmp_path / "t.parquet").read_bytes()
    (tmp_path / "half.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"half\.parquet"):
        read_table_file(tmp_path / "half.parquet")
    with pytest.raises(SourceError, match=r"missing\.csv"):
        read_table_file(tmp_path / "missing.csv")


def test_reading_a_workbook_does_not_import_pyarrow(tmp_path):
    """Nothing in a run needs pyarrow (36 MB of resident memory and a tenth of a second
    to import): the workbook reader and gold's Polars-DuckDB hand-overs use the Arrow
    PyCapsule interface. A fresh interpreter, so that other tests' imports don't count."""
    _workbook(tmp_path / "p.xlsx", HEADER)
    script = f"""
import sys
from pathlib import Path
import duckdb, polars as pl
from demo_pipeline.extract.file import read_workbook
from demo_pipeline.gold.build import ArrowStream
frame, _ = read_workbook(Path({str(tmp_path / "p.xlsx")!r}), "Prices")
con = duckdb.connect()
con.register("v", ArrowStream(frame))
back = pl.DataFrame(con.sql("SELECT * FROM v"))
assert back.equals(frame), (back, frame)
assert "pyarrow.lib" not in sys.modules, "pyarrow was imported"
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
