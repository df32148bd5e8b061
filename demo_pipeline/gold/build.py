"""Gold: the DuckDB star schema, rebuilt from silver one business day at a time.

Each day's build runs in ONE DuckDB transaction: dimensions whose silver changed are
replaced, the day's facts are replaced (delete + insert by ingestion date), facts of
products whose history changed are re-pointed, the daily-sales aggregate is
recomputed for the business dates touched, the other aggregates and views rebuilt.
A crash at any moment leaves the database as it was before the day (DuckDB rolls
back an uncommitted transaction from its write-ahead log), and rerunning the day
gives the same result. The SQL lives in `gold/sql/*.sql`, one file per concern.

The Parquet exports (`<workdir>/gold/parquet/<table>.parquet`) are written after a
run, each atomically, sorted by the table's key so the same gold gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from demo_pipeline.core.context import DayContext
from demo_pipeline.core.crashpoints import crash_point
from demo_pipeline.seals import sealed_atomic_path
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import FileStamp, Workdir, file_stamp, partition_stats

# The gold tables, their keys (which also order the exports) and the silver tables each
# is built from come from the table registry (config/tables.yaml).
GOLD_DIMENSIONS = tuple(g for g in TABLES.gold if g.kind == "dimension")
# DuckDB's memory bounds (it spills to a temporary folder beyond them). A day's build
# needs far less than the first for its own work; what fills it is the cache of the
# gold blocks it reads (the facts' history), which it evicts past the bound. The day's
# build shares the process with the next day's extraction and the quality step, so
# the bound is what keeps the run's peak under 500 MiB at scale 1 (192 MB put it at about
# 510 MB; 128 MB at about 490 MB, no slower). The export's sorts use the second.
MEMORY_LIMIT = "128MB"
EXPORT_MEMORY_LIMIT = "128MB"
TRIMMED_MEMORY_LIMIT = "16MB"
"""Briefly set after each day's build so that DuckDB lets go of the blocks it cached
(`release_cache`)."""


@dataclass
class GoldOutcome:
    rows: dict[str, int] = field(default_factory=dict)
    loaded: list[str] = field(default_factory=list)
    """What today's build refreshed: facts loaded for the day, dims, aggregates."""
    skipped: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)
    """Seconds per step of the build, for the manifest (where the time goes)."""

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings_s[step] = round(time.perf_counter() - started, 4)


def sql(name: str, **params: str) -> str:
    return sql_template(name).format(**params)


@cache
def sql_template(name: str) -> str:
    """gold/sql/<name>.sql, unformatted; read once per process (a day's build uses a
    dozen, and the Spark engine translates the same files)."""
    return resources.files("demo_pipeline.gold").joinpath("sql", f"{name}.sql").read_text()


def quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


# The read-write connection of a run in progress, per database file. DuckDB refuses a
# second connection to the same file with another configuration (read-only) in one
# process, so readers during a run (quality checks) get a cursor on this one instead.
_OPEN: dict[Path, duckdb.DuckDBPyConnection] = {}


def connect(db: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the gold database (a cursor on the run's own, if one is open)."""
    db = Path(db).resolve()
    if db in _OPEN:
        return _OPEN[db].cursor()
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=read_only)
    con.execute("SET threads = 2")
    con.execute("SET preserve_insertion_order = true")
    # A bound, so memory stays flat as gold grows (DuckDB spills to disk past it). A
    # day's build needs far less; the run's whole process has to fit in 500 MiB.
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    return con


@contextmanager
def open_warehouse(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One read-write connection for a whole run (opening the file costs time)."""
    con = connect(db)
    _OPEN[Path(db).resolve()] = con
    try:
        yield con
    finally:
        del _OPEN[Path(db).resolve()]
        con.close()


def build_gold(
    ctx: DayContext,
    con: duckdb.DuckDBPyConnection,
    silver_read: Callable[[], None] = lambda: None,
) -> GoldOutcome:
    """Refresh gold for ctx.business_date from what silver holds now, in one
    transaction (rolled back if anything fails). `silver_read` is called once the build
    is done with silver's dimension states: what it reads after are the day's own fact
    partitions and the partitions listed at the start, which a later day's silver does
    not rewrite."""
    wd, day = ctx.workdir, ctx.business_date
    out = GoldOutcome()
    # The silver dimensions the gold dimensions are built from, and today's fact files.
    dims = {t: wd.dimension_file(t) for g in GOLD_DIMENSIONS for t in g.sources}
    facts = {t: wd.silver_file(t, day) for t in TABLES.facts}
    po_sources = TABLES.gold_table("fact_purchase_order_line").sources
    po = [partition_stats(wd.silver, t) for t in po_sources]
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(sql("schema"))
        # The catalogue is read once here, not per check (a catalogue query costs a few
        # ms inside a transaction, and a day asked ~20); what the build creates is
        # added to `tables` as it goes.
        tables = catalogue(con)
        # What each dimension (and the views) was last built from, read once (a query
        # per dimension cost more than the comparison).
        loads = dict(con.execute("SELECT item, fingerprint FROM gold_loads").fetchall())
        if all(p.exists() for p in dims.values()):
            with out.timed("dimensions"):
                _replace_dimensions(con, ctx, dims, tables, loads)
            out.loaded.append("dimensions")
        else:
            missing = [t for t, p in dims.items() if not p.exists()]
            out.skipped.append(f"dimensions (no silver yet for {missing})")
        silver_read()
        has_dims = "dim_product" in tables
        if has_dims and facts["orders"].exists() and facts["order_lines"].exists():
            with out.timed("fact_sales"):
                con.execute(
                    sql(
                        "facts",
                        day=quote(day),
                        orders=quote(facts["orders"]),
                        order_lines=quote(facts["order_lines"]),
                    )
                )
            out.loaded.append("fact_sales")
        else:
            out.skipped.append("fact_sales")
        if has_dims and facts["inventory_snapshots"].exists():
            with out.timed("fact_inventory_daily"):
                con.execute(
                    sql(
                        "inventory",
                        day=quote(day),
                        inventory_snapshots=quote(facts["inventory_snapshots"]),
                    )
                )
            out.loaded.append("fact_inventory_daily")
        else:
            out.skipped.append("fact_inventory_daily")
        # fetchall, not fetchone: a result left half-read keeps the connection busy,
        # and the purchase-order step registers Arrow tables on it.
        since = con.execute("SELECT min(changed_from) FROM changed_products").fetchall()[0][0]
        if has_dims and since is not None:
            with out.timed("repoint"):
                con.execute(sql("repoint", since=quote(since)))
        crash_point("gold.mid_build")
        if po[0] and po[1]:
            with out.timed("fact_purchase_order_line"):
                if _purchase_orders(con, wd, day, po, "fact_purchase_order_line" in tables):
                    out.loaded.append("fact_purchase_order_line")
            tables["fact_purchase_order_line"] = "table"
        if has_dims and "fact_purchase_order_line" in tables:
            with out.timed("aggregates"):
                con.execute(sql("aggregates"))
                refresh_views(con, tables, loads)
            out.loaded.append("aggregates")
        else:  # said, not silent: a later build catches these dates up (aggregates.sql)
            out.skipped.append("aggregates (no purchase orders in silver yet)")
        crash_point("gold.before_commit")
        with out.timed("commit"):
            con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    out.rows = table_rows(con, tables)
    release_cache(con)
    return out


def release_cache(con: duckdb.DuckDBPyConnection) -> None:
    """Evict the gold blocks DuckDB keeps cached after a build. It keeps them up to its
    memory limit, and as the facts grow by a day so would the run's resident memory;
    the next day reads the few blocks it needs again (from the OS page cache).
    Lowering the limit evicts every unpinned block; it is then put back."""
    try:
        con.execute(f"SET memory_limit = '{TRIMMED_MEMORY_LIMIT}'")
    except duckdb.Error:
        pass  # blocks still pinned: nothing to release now, the next day tries again
    finally:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")


def _purchase_orders(
    con: duckdb.DuckDBPyConnection,
    wd: Workdir,
    day: dt.date,
    po: list[list[tuple[Path, os.stat_result]]],
    exists: bool,
) -> bool:
    """Bring fact_purchase_order_line up to date with silver; False when the day
    brought nothing for it. The first build reads every partition
    (purchase_orders.sql); later ones recompute only the purchase orders that the
    day's partitions mention (purchase_orders_changed.sql), so a day's cost does not
    grow with the history and the table equals a full rebuild."""
    sources = TABLES.gold_table("fact_purchase_order_line").sources
    if not exists:
        files = {
            t: f"read_parquet({_file_list([f for f, _ in p])})"
            for t, p in zip(sources, po, strict=True)
        }
        con.execute(
            "CREATE OR REPLACE TABLE fact_purchase_order_line AS " + sql("purchase_orders", **files)
        )
        return True
    today = [wd.silver_file(t, day) for t in sources if wd.silver_file(t, day).exists()]
    if not today:
        return False
    history = {t: f"history_{t}" for t in sources}
    for view, partitions in zip(history.values(), po, strict=True):
        con.register(view, ArrowStream(_partition_rows(con, partitions)))
    changed = {
        t: f"(SELECT * FROM {view} WHERE po_id IN (SELECT po_id FROM changed_pos))"
        for t, view in history.items()
    }
    try:
        con.execute(sql("purchase_orders_changed", day_files=_file_list(today)))
        con.execute("INSERT INTO fact_purchase_order_line " + sql("purchase_orders", **changed))
    finally:
        for view in history.values():
            con.unregister(view)
    return True


class ArrowStream:
    """A Polars frame handed to DuckDB through the Arrow PyCapsule interface, a fresh
    stream for each scan. DuckDB converts a Polars frame registered as it is through
    pyarrow, which the run otherwise never imports (about 0.1 s and 36 MB of resident
    memory)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


# Rows of silver partition files as DuckDB reads them, with the file's (inode, mtime,
# size), per table folder. The purchase-order fact needs every earlier version of the
# orders a day changes; opening every partition file each day cost more than the
# query, and a file is only read again once it was rewritten (a re-run of its day).
_PARTITIONS: dict[Path, dict[Path, tuple[FileStamp, pl.DataFrame]]] = {}


def _partition_rows(
    con: duckdb.DuckDBPyConnection, partitions: list[tuple[Path, os.stat_result]]
) -> pl.DataFrame:
    """Every row of the `partitions` (files of one silver table, with their `stat`), as
    DuckDB reads them."""
    folder = partitions[0][0].parent.parent
    known = _PARTITIONS.get(folder, {})
    current: dict[Path, tuple[FileStamp, pl.DataFrame]] = {}
    # A cursor of its own: the build's connection is in the middle of its transaction.
    reader = con.cursor()
    try:
        for file, stat in partitions:
            stamp = file_stamp(stat)
            cached = known.get(file)
            if cached is None or cached[0] != stamp:
                query = f"SELECT * FROM read_parquet({quote(file)})"
                cached = (stamp, pl.DataFrame(reader.sql(query)))
            current[file] = cached
    finally:
        reader.close()
    _PARTITIONS[folder] = current  # files no longer there are dropped
    return pl.concat([rows for _, rows in current.values()], rechunk=False)


def _replace_dimensions(
    con: duckdb.DuckDBPyConnection,
    ctx: DayContext,
    dims: dict,
    tables: dict[str, str],
    loads: dict[str, str],
) -> None:
    """Rebuild each dimension whose silver sources changed since its last build (and
    add it to `tables`).

    For dim_product it also notes which products' history changed
    (`changed_products`, for re-pointing facts) and, if a product's category name
    changed, marks every business date for re-aggregation."""
    cfg = ctx.cfg
    peaks = [cfg.estate.peak_day, *cfg.quality.expected_peaks]
    peak_list = ", ".join(f"DATE {quote(d)}" for d in sorted({p for p in peaks if p})) or "NULL"
    calendar = f"{cfg.estate.start_date}..{cfg.estate.end_date} peaks {peak_list}"
    sources = {g.name: tuple(dims[t] for t in g.sources) for g in GOLD_DIMENSIONS if g.sources}
    for table, files in sources.items():
        fingerprint = _fingerprint(*files)
        if table in tables and loads.get(table) == fingerprint:
            continue
        if table == "dim_product":
            _stage_products(con, dims, "dim_product" in tables)
        con.execute(sql(table, **{t: quote(p) for t, p in dims.items()}))
        _remember(con, table, fingerprint)
        tables[table] = "table"
    fingerprint = hashlib.sha256(calendar.encode()).hexdigest()
    if "dim_date" not in tables or loads.get("dim_date") != fingerprint:
        con.execute(
            sql(
                "dim_date",
                first_day=quote(cfg.estate.start_date),
                last_day=quote(cfg.estate.end_date),
                peak_days=peak_list,
            )
        )
        _remember(con, "dim_date", fingerprint)
        tables["dim_date"] = "table"


def _stage_products(con: duckdb.DuckDBPyConnection, dims: dict, has_products: bool) -> None:
    con.execute(
        sql(
            "incoming_products",
            products=quote(dims["products"]),
            categories=quote(dims["categories"]),
        )
    )
    if not has_products:
        return
    con.execute(sql("changed_products"))
    renamed = con.execute(
        "SELECT count(*) FROM incoming_dim_product AS n JOIN dim_product AS o "
        "USING (product_sk) WHERE n.category_name IS DISTINCT FROM o.category_name"
    ).fetchall()[0][0]
    if renamed:
        con.execute("INSERT INTO affected_dates SELECT DISTINCT business_date FROM fact_sales")


def _fingerprint(*files: Path) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _remember(con: duckdb.DuckDBPyConnection, table: str, fingerprint: str) -> None:
    con.execute("INSERT OR REPLACE INTO gold_loads VALUES (?, ?)", [table, fingerprint])


def _file_list(files: list[Path]) -> str:
    return "[" + ", ".join(quote(f) for f in files) + "]"


def refresh_views(
    con: duckdb.DuckDBPyConnection, known: dict[str, str], loads: dict[str, str]
) -> None:
    """The views of views.sql, created when one is missing or views.sql changed since
    they were (its fingerprint in gold_loads). A view is bound when it is queried, so
    the tables it reads may be replaced under it; creating the views again every day
    cost a small day's build more than its daily aggregate."""
    fingerprint = views_fingerprint()
    if loads.get("views") == fingerprint and all(known.get(v) == "view" for v in view_names()):
        return
    create_views(con, known)
    _remember(con, "views", fingerprint)


def create_views(con: duckdb.DuckDBPyConnection, known: dict[str, str]) -> None:
    """Create (or replace) the views of views.sql and add them to `known` (what
    `catalogue` returned, kept up to date by the build). A name it defines that is
    still a table, in a warehouse built when that answer was one (agg_stock_cover), is
    dropped first: DuckDB does not replace a table with a view."""
    for name in view_names():
        if known.get(name) == "table":
            con.execute(f"DROP TABLE {name}")
    con.execute(sql("views"))
    known.update(dict.fromkeys(view_names(), "view"))


@cache
def views_fingerprint() -> str:
    """SHA-256 of views.sql as this process read it (it is read once, see sql_template)."""
    return hashlib.sha256(sql_template("views").encode()).hexdigest()


@cache
def view_names() -> tuple[str, ...]:
    """The views views.sql creates, in its order."""
    return tuple(re.findall(r"CREATE OR REPLACE VIEW (\w+)", sql("views")))


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return table in catalogue(con)


def catalogue(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The tables and views in the warehouse, each "table" or "view": a gold table of
    the registry may be either (agg_stock_cover is a view, views.sql)."""
    return dict(
        con.execute(
            "SELECT table_name, 'table' FROM duckdb_tables() "
            "UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    )


def table_rows(
    con: duckdb.DuckDBPyConnection, known: dict[str, str] | None = None
) -> dict[str, int]:
    """Rows per gold table that exists, counted in one query (not one per table).
    `known` is what the caller knows of the catalogue (a build notes what it creates);
    the catalogue is asked when it lacks a registry table."""
    complete = known is not None and all(t in known for t in TABLES.gold_names)
    names = known if complete else catalogue(con)
    present = [t for t in TABLES.gold_names if t in names]
    if not present:
        return {}
    counts = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in present)
    found = dict(con.execute(counts).fetchall())
    return {t: found[t] for t in present}  # registry order, as the manifests list them


def export_gold(workdir: Workdir, con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Write every gold table to <gold>/parquet/<table>.parquet; returns bytes per file."""
    # Sorting the whole history of the facts is the run's largest allocation: let it
    # spill early (a few % more time) rather than raise the run's peak memory.
    con.execute(f"SET memory_limit = '{EXPORT_MEMORY_LIMIT}'")
    try:
        return _export(workdir, con)
    finally:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")


def _export(workdir: Workdir, con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for gold in TABLES.gold:
        table, order = gold.name, ", ".join(gold.keys)
        if not _exists(con, table):
            continue
        target = workdir.gold_export(table)
        with sealed_atomic_path(target) as tmp:
            con.execute(
                f"COPY (SELECT * FROM {table} ORDER BY {order}) TO {quote(tmp)} "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
        sizes[table] = target.stat().st_size
    return sizes
