"""The ERP database: a real SQLite file with normalised tables, and its source clock.

Master data and purchase orders are stored with every version they ever had
(`<table>_history`, with `valid_from`/`valid_to` business dates). The relations the
pipeline reads (`products`, `inventory_snapshots`, `purchase_orders`, ...) are views
that show the state as of the end of the business day in `source_clock`, so moving the
clock replays the ERP day by day, forwards or backwards.

Inventory snapshots are most of the estate's rows (one per listed product and
warehouse per day, 3.7 M at scale 1), and inserting them one B-tree row at a time was
the generator's floor (about 1 µs of SQLite per row). So they are stored one row per
day in `inventory_snapshot_days`: the day's cells as one JSON array, unpacked by the
`inventory_snapshots` view with SQLite's built-in `json_each`. The view has the
columns, types and row order the row-per-snapshot table had; a day is still found by
its primary key, so extracting one day reads one row.

A cell is one integer, on_order << 20 | on_hand, written in as few digits as it takes:
most cells have nothing on order, so most elements are two or three digits, and the
array is about a third of what a fixed width took (less to write, and less for
`json_each` to read back). The column has no `CHECK (json_valid(cells))`: SQLite would
parse 12 MB of JSON at scale 1 to prove what `json_int_array` makes by construction
(tests/estate prove it: every stored array is valid JSON and equals `json.dumps`), and a
malformed array would still fail loudly in `json_each` when the view is read.

The build is fast and deterministic: one connection, journal and fsync off (a crash
only loses the staging copy, see `build.py`), rows inserted in primary-key order, and
no wall-clock values anywhere in the file.
"""

from __future__ import annotations

import datetime as dt
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from demo_pipeline.errors import SourceError
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir

PAGE_SIZE = 16_384
CLOCK = "(SELECT business_date FROM source_clock)"
# A day of inventory is one JSON array, one element per (product, warehouse) cell in
# order: on_order << 20 | on_hand, or -1 for a cell whose product is not listed that
# day (no row). The position gives product and warehouse.
UNITS_BITS = 20
UNITS_MAX = (1 << UNITS_BITS) - 1

SCHEMA = f"""
CREATE TABLE estate_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE source_clock (business_date TEXT NOT NULL);

CREATE TABLE warehouses (
    warehouse_id INTEGER PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL, city TEXT NOT NULL,
    region TEXT NOT NULL, capacity_units INTEGER NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE suppliers (
    supplier_id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL,
    lead_time_days INTEGER NOT NULL, is_active INTEGER NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE categories (
    category_id INTEGER PRIMARY KEY, name TEXT NOT NULL, department TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE customers (
    customer_id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, city TEXT NOT NULL,
    segment TEXT NOT NULL, updated_at TEXT NOT NULL);

CREATE TABLE products_history (
    product_id INTEGER NOT NULL, sku TEXT NOT NULL, name TEXT NOT NULL,
    category_id INTEGER NOT NULL, supplier_id INTEGER NOT NULL, unit_cost_cents INTEGER NOT NULL,
    list_price_cents INTEGER NOT NULL, updated_at TEXT NOT NULL,
    valid_from TEXT NOT NULL, valid_to TEXT NOT NULL,
    PRIMARY KEY (product_id, valid_from)) WITHOUT ROWID;
CREATE VIEW products AS
    SELECT product_id, sku, name, category_id, supplier_id, unit_cost_cents, list_price_cents,
           updated_at
    FROM products_history WHERE valid_from <= {CLOCK} AND valid_to > {CLOCK};

CREATE TABLE inventory_snapshot_days (
    snapshot_date TEXT NOT NULL PRIMARY KEY, warehouses INTEGER NOT NULL CHECK (warehouses > 0),
    cells TEXT NOT NULL) WITHOUT ROWID;
CREATE VIEW inventory_snapshots AS
    SELECT d.snapshot_date, c.key / d.warehouses + 1 AS product_id,
           c.key % d.warehouses + 1 AS warehouse_id,
           c.value & {UNITS_MAX} AS on_hand_units, c.value >> {UNITS_BITS} AS on_order_units,
           d.snapshot_date || 'T23:00:00' AS updated_at
    FROM inventory_snapshot_days AS d, json_each(d.cells) AS c
    WHERE c.value >= 0 AND d.snapshot_date <= {CLOCK};

CREATE TABLE purchase_orders_history (
    po_id INTEGER NOT NULL, supplier_id INTEGER NOT NULL, warehouse_id INTEGER NOT NULL,
    order_date TEXT NOT NULL, expected_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'partial', 'received', 'cancelled')),
    updated_at TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL,
    PRIMARY KEY (po_id, valid_from)) WITHOUT ROWID;
CREATE VIEW purchase_orders AS
    SELECT po_id, supplier_id, warehouse_id, order_date, expected_date, status, updated_at
    FROM purchase_orders_history WHERE valid_from <= {CLOCK} AND valid_to > {CLOCK};

CREATE TABLE purchase_order_lines_history (
    po_id INTEGER NOT NULL, line_no INTEGER NOT NULL, product_id INTEGER NOT NULL,
    qty_ordered INTEGER NOT NULL, qty_received INTEGER NOT NULL, unit_cost_cents INTEGER NOT NULL,
    updated_at TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL,
    PRIMARY KEY (po_id, line_no, valid_from)) WITHOUT ROWID;
CREATE VIEW purchase_order_lines AS
    SELECT po_id, line_no, product_id, qty_ordered, qty_received, unit_cost_cents, updated_at
    FROM purchase_order_lines_history WHERE valid_from <= {CLOCK} AND valid_to > {CLOCK};
"""

# The relations the pipeline extracts (all tables or views above), as the table
# registry names them.
RELATIONS = tuple(t.relation for t in TABLES if t.source == "erp")


def create_erp(path: Path, info: dict[str, str]) -> sqlite3.Connection:
    """A new, empty ERP file with the schema, tuned for one fast bulk load."""
    if path.exists():
        path.unlink()
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
    # Safe to turn off: the file is built in a staging folder and swapped in whole.
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-131072")
    conn.executescript(SCHEMA)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO estate_info VALUES (?, ?)", sorted(info.items()))
    conn.execute("INSERT INTO source_clock VALUES (?)", (info["start_date"],))
    return conn


def insert_frame(conn: sqlite3.Connection, table: str, frame: pl.DataFrame) -> int:
    """Insert every row of `frame` (columns named as in the table)."""
    cols = ", ".join(frame.columns)
    marks = ", ".join("?" * frame.width)
    # The same Python values as `frame.iter_rows()`, a third quicker: each column is
    # converted in one call and the rows are zipped from the lists.
    rows = zip(*(series.to_list() for series in frame.get_columns()), strict=True)
    conn.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
    return frame.height


def pack_inventory(listed: np.ndarray, on_hand: np.ndarray, on_order: np.ndarray) -> str:
    """One day's snapshot as the JSON array stored in `inventory_snapshot_days`."""
    if on_hand.size and (on_hand.max() > UNITS_MAX or on_order.max() > UNITS_MAX):
        raise SourceError(
            f"inventory_snapshots: units above {UNITS_MAX} cannot be packed "
            f"(found on_hand {on_hand.max()}, on_order {on_order.max()})"
        )
    if on_hand.size and (on_hand.min() < 0 or on_order.min() < 0):
        raise SourceError(
            "inventory_snapshots: expected units >= 0; found "
            f"on_hand {on_hand.min()}, on_order {on_order.min()}"
        )
    return json_int_array(np.where(listed, (on_order << UNITS_BITS) | on_hand, -1))


_SMALL = 1000


def _small_numbers() -> np.ndarray:
    """Row i + 1: the text of i with its comma (`"-1,"` to `"999,"`), zero-padded to four
    bytes, read as one 32-bit word; the last row is the placeholder `"\\x01"`."""
    table = np.zeros((_SMALL + 2, 4), dtype=np.uint8)
    for i in range(-1, _SMALL):
        text = f"{i},".encode("ascii")
        table[i + 1, : len(text)] = np.frombuffer(text, dtype=np.uint8)
    table[_SMALL + 1, 0] = 1
    return table.view("<u4").ravel()


_SMALL_TEXT = _small_numbers()


def json_int_array(values: np.ndarray) -> str:
    """Integers >= -1 as a compact JSON array (`[12,-1,0,...]`), as `json.dumps` writes it.

    Formatting 123 k integers one by one costs ~50 ms a day. Most cells are below 1000
    (nothing on order), so each is looked up in a table of their texts, four bytes
    each with the padding dropped afterwards; the few larger ones leave a placeholder
    that is replaced by their text, formatted one by one."""
    if values.size == 0:
        return "[]"
    if values.min() < -1:
        raise SourceError(f"inventory_snapshots: cannot pack {values.min()} (expected >= -1)")
    large = values >= _SMALL
    text = _SMALL_TEXT[np.where(large, _SMALL + 1, values + 1)].tobytes().replace(b"\0", b"")
    if large.any():
        between = text.split(b"\x01")
        pieces = [b""] * (2 * len(between) - 1)
        pieces[0::2] = between
        pieces[1::2] = [b"%d," % v for v in values[large].tolist()]
        text = b"".join(pieces)
    return "[" + text[:-1].decode("ascii") + "]"


class ErpWriter:
    """Writes to the ERP (and the day's other files) on a background thread while the
    main thread generates.

    SQLite, numpy's array arithmetic and Polars' writers release the GIL, so generation
    and writing overlap on two cores. Jobs run strictly in the order they are submitted,
    on one connection, so the file's bytes do not depend on thread timing. The queue is
    short, which bounds the memory held by days waiting to be written.
    """

    def __init__(self, conn: sqlite3.Connection, n_warehouses: int) -> None:
        self._conn = conn
        self._inventory_sql = "INSERT INTO inventory_snapshot_days VALUES (?1, ?2, ?3)"
        self._n_warehouses = n_warehouses
        self._queue: queue.Queue[tuple[str, str, Any] | None] = queue.Queue(maxsize=3)
        self._error: tuple[str, BaseException] | None = None
        # CPU seconds the writer thread spent (SQLite inserts): the build's floor.
        self.cpu_s = 0.0
        self._thread = threading.Thread(target=self._run, name="erp-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start = time.thread_time()
        try:
            self._work()
        finally:
            self.cpu_s = time.thread_time() - start

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            if self._error is not None:
                continue
            kind, table, data = job
            try:
                if kind == "frame":
                    insert_frame(self._conn, table, data)
                elif kind == "inventory":
                    cells = pack_inventory(*data)
                    self._conn.execute(self._inventory_sql, (table, self._n_warehouses, cells))
                else:  # "call": a file written next to the ERP (the orders feed)
                    data()
            except BaseException as exc:  # re-raised in the caller's thread by close()
                self._error = (table, exc)

    def _put(self, job: tuple[str, str, Any]) -> None:
        if self._error is not None:
            self.close()
        self._queue.put(job)

    def insert_frame(self, table: str, frame: pl.DataFrame) -> int:
        """Queue every row of `frame` for `table`; returns the row count."""
        self._put(("frame", table, frame))
        return frame.height

    def insert_inventory(
        self, snapshot_date: str, listed: np.ndarray, on_hand: np.ndarray, on_order: np.ndarray
    ) -> None:
        """Queue one day's snapshot, packed on the writer thread (`pack_inventory`).

        The units are copied: the ledger rolls them forward in place the next day."""
        self._put(("inventory", snapshot_date, (listed, on_hand.copy(), on_order.copy())))

    def call(self, what: str, write: Callable[[], object]) -> None:
        """Queue `write()` (a file written off the main thread); `what` names it in errors."""
        self._put(("call", what, write))

    def close(self) -> None:
        """Wait for every queued job; raise the first write error, naming its table."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            where, exc = self._error
            table = "inventory_snapshots" if where[:1].isdigit() else where
            raise SourceError(f"estate {table}: write failed ({where}): {exc}") from exc


def finish_erp(conn: sqlite3.Connection, business_date: dt.date) -> None:
    """Commit, set the clock to the last day, and close."""
    conn.execute("UPDATE source_clock SET business_date = ?", (business_date.isoformat(),))
    conn.execute("COMMIT")
    conn.close()


def set_source_clock(workdir: Workdir, business_date: dt.date) -> None:
    """Make every ERP relation show the state as of the end of `business_date`.

    The clock may move backwards (for backfills); setting it twice is harmless.
    """
    path = workdir.erp_db
    if not path.is_file():
        raise SourceError(f"ERP database {path} not found (run `generate` first)")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        info = dict(conn.execute("SELECT key, value FROM estate_info").fetchall())
        first = dt.date.fromisoformat(info["start_date"])
        last = first + dt.timedelta(days=int(info["days"]) - 1)
        if not first <= business_date <= last:
            raise SourceError(
                f"ERP database {path}: source clock must be within {first}..{last}; "
                f"found {business_date}"
            )
        conn.execute("UPDATE source_clock SET business_date = ?", (business_date.isoformat(),))
    except sqlite3.Error as exc:
        raise SourceError(f"ERP database {path}: cannot set the source clock: {exc}") from exc
    finally:
        conn.close()


def source_clock(workdir: Workdir) -> dt.date:
    """The business date the ERP relations currently show."""
    conn = sqlite3.connect(workdir.erp_db)
    try:
        (value,) = conn.execute("SELECT business_date FROM source_clock").fetchone()
    finally:
        conn.close()
    return dt.date.fromisoformat(value)
