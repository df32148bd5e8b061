"""The data of the "Query the data" page: the gold star schema and two small quality tables
exported to Parquet for the site, a manifest describing them (tables, columns, types, row
counts, sizes, the star schema's joins, where the data came from), and the answer of every
example query, computed here with Python DuckDB over the very files the browser reads.

Reads result files only (the gold Parquet exports, the quality results, the run manifests,
the metric catalogue); imports no pipeline code but the table registry.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir
from generators.catalogue import run_anchor
from generators.errors import StepError
from generators.query.examples import EXAMPLES, Example

CAP_BYTES = 30_000_000
"""The published Parquet files may total this many bytes (30 MB) at most."""
PAGE_ROWS = 500
"""Rows the page shows at a time; every example's whole answer fits on one page."""
ROW_GROUP_ROWS = 100_000
"""Rows per Parquet row group: a query that reads a few columns or days of a big table over
HTTP range requests fetches only those row groups' column chunks."""
TOLERANCE = {"abs": 0.01, "rel": 1e-9}
"""How close a number the browser computes must be to the stored answer: DuckDB may add
floating-point values in another order in another build, which can move a rounded cent."""

QUALITY_TABLES = {
    "quality_results": "Every quality check of every run: tier, rule, rows checked and "
    "failed, the action taken (quarantined, halted, flagged, ...).",
    "anomalies": "The tier-3 anomaly log: the measure, series and business date each "
    "statistical check flagged.",
}
DESCRIPTIONS = {
    "dim_date": "One row per business date of the run, with weekday and expected peaks.",
    "dim_product": "Products, SCD type 2: one row per version (valid_from inclusive, valid_to "
    "exclusive), with category and department.",
    "dim_supplier": "Suppliers, SCD type 2, with country and promised lead time.",
    "dim_warehouse": "The warehouses: code, city, region and capacity.",
    "dim_customer": "Customers (SCD type 1) and their segment.",
    "fact_sales": "One row per order line, at the product version in force when it was "
    "ordered; ingest_date is the day it arrived.",
    "fact_inventory_daily": "Stock on hand and on order per product, warehouse and day.",
    "fact_purchase_order_line": "The latest state of every purchase order line.",
    "agg_daily_sales": "Orders, units and revenue per day, warehouse and category, "
    "pre-aggregated from fact_sales (late data recomputes its day).",
    "agg_stock_cover": "Days of stock cover at the latest snapshot and the stock-out risk "
    "against the supplier's lead time.",
    "agg_supplier_fill_rate": "Units received against units ordered per supplier.",
}
JOINS = (
    (
        "Sales with every dimension",
        """\
SELECT f.*, p.sku, p.name AS product, p.category_name, p.department,
       w.code AS warehouse, w.region, c.segment, d.weekday_name, d.is_expected_peak
FROM fact_sales AS f
LEFT JOIN dim_product AS p USING (product_sk)      -- the version in force at the sale
LEFT JOIN dim_warehouse AS w USING (warehouse_id)
LEFT JOIN dim_customer AS c USING (customer_id)
LEFT JOIN dim_date AS d USING (date_key)""",
    ),
    (
        "Stock snapshots with product, warehouse and date",
        """\
SELECT i.*, p.sku, p.category_name, w.code AS warehouse, d.weekday_name
FROM fact_inventory_daily AS i
LEFT JOIN dim_product AS p USING (product_sk)
LEFT JOIN dim_warehouse AS w USING (warehouse_id)
LEFT JOIN dim_date AS d USING (date_key)""",
    ),
    (
        "Purchase order lines with supplier, warehouse and order date",
        """\
SELECT po.*, s.name AS supplier, s.lead_time_days, w.code AS warehouse, d.weekday_name
FROM fact_purchase_order_line AS po
LEFT JOIN dim_supplier AS s
       ON s.supplier_id = po.supplier_id AND s.is_current   -- SCD2: today's version
LEFT JOIN dim_warehouse AS w USING (warehouse_id)
LEFT JOIN dim_date AS d ON d.date_key = po.order_date_key""",
    ),
)


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    path: Path
    keys: tuple[str, ...] = ()


def sources(workdir: Workdir) -> list[Source]:
    """The files to publish, gold tables first (in the registry's build order). Raises
    StepError naming every missing file when the gold layer or the quality results are
    not there."""
    found = [Source(g.name, g.kind, workdir.gold_export(g.name), g.keys) for g in TABLES.gold] + [
        Source("quality_results", "quality", workdir.quality_results),
        Source("anomalies", "quality", workdir.anomalies),
    ]
    missing = [str(s.path) for s in found if not s.path.is_file()]
    if missing:
        raise StepError(
            f"query page: {len(missing)} result file(s) missing in {workdir.root}: "
            f"{', '.join(missing)}. The page publishes the gold layer and the quality "
            "results: run the pipeline first (`make run`, or `make site`, which runs it)."
        )
    return found


def view_sql(name: str) -> str:
    """The view a table is queried through, on both sides: Python DuckDB (with
    `file_search_path` set to the data folder) and DuckDB-WASM (where the file is
    registered under the same name)."""
    return f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{name}.parquet');"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def export(con: duckdb.DuckDBPyConnection, found: list[Source], out: Path, root: Path) -> None:
    """Write each source to `<out>/<name>.parquet` (zstd, row groups of ROW_GROUP_ROWS).
    The quality results' details lose the work directory's absolute path."""
    out.mkdir(parents=True, exist_ok=True)
    for source in found:
        select = f"SELECT * FROM read_parquet({_sql_string(str(source.path))})"
        if source.name == "quality_results":
            prefix = _sql_string(str(root) + "/")
            select = (
                f"SELECT * REPLACE (replace(detail, {prefix}, '') AS detail) "
                f"FROM read_parquet({_sql_string(str(source.path))})"
            )
        target = out / f"{source.name}.parquet"
        con.execute(
            f"COPY ({select}) TO {_sql_string(str(target))} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
        )


def check_size(out: Path, scale: object) -> int:
    """The published Parquet bytes; StepError above CAP_BYTES."""
    total = sum(p.stat().st_size for p in out.glob("*.parquet"))
    if total > CAP_BYTES:
        raise StepError(
            f"query page: the published data is {total / 1e6:.1f} MB at scale {scale}, above "
            f"the {CAP_BYTES / 1e6:.0f} MB the page may publish. Build the site at a smaller "
            "scale (`make site SCALE=1`), or leave the largest tables out in "
            "generators/query/data.py."
        )
    return total


def canonical(value: Any) -> Any:
    """A value as the page shows it and the answers store it (JSON): dates as ISO text,
    timestamps as 'YYYY-MM-DD HH:MM:SS[.ffffff]', decimals as numbers, integers beyond
    2^53 as text. docs/javascripts/query.js turns DuckDB-WASM's values into the same."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= 2**53 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        return text + (f".{value.microsecond:06d}".rstrip("0") if value.microsecond else "")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def connect(data: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose views read the published files, as the page's do."""
    con = duckdb.connect()
    con.execute(f"SET file_search_path = {_sql_string(str(data))}")
    for path in sorted(data.glob("*.parquet")):
        con.execute(view_sql(path.stem))
    return con


def answer(con: duckdb.DuckDBPyConnection, example: Example) -> dict:
    """Run one example; StepError when it fails or returns more than a page of rows."""
    try:
        result = con.execute(example.sql)
        columns = [d[0] for d in result.description]
        types = [str(d[1]) for d in result.description]
        rows = result.fetchall()
    except duckdb.Error as exc:
        raise StepError(f"query page: example {example.id!r} failed: {exc}") from None
    if len(rows) > PAGE_ROWS:
        raise StepError(
            f"query page: example {example.id!r} returns {len(rows)} rows; an example's "
            f"answer must fit on one page ({PAGE_ROWS} rows)"
        )
    return {
        "id": example.id,
        "title": example.title,
        "story": example.story,
        "sql": example.sql,
        "columns": columns,
        "types": types,
        "row_count": len(rows),
        "rows": [[canonical(v) for v in row] for row in rows],
    }


def table_info(con: duckdb.DuckDBPyConnection, source: Source, data: Path) -> dict:
    columns = con.execute(f"DESCRIBE {source.name}").fetchall()
    rows = con.execute(f"SELECT count(*) FROM {source.name}").fetchone()[0]
    description = DESCRIPTIONS.get(source.name) or QUALITY_TABLES.get(source.name, "")
    return {
        "name": source.name,
        "kind": source.kind,
        "description": description,
        "file": f"{source.name}.parquet",
        "bytes": (data / f"{source.name}.parquet").stat().st_size,
        "rows": rows,
        "keys": list(source.keys),
        "columns": [{"name": c[0], "type": c[1]} for c in columns],
    }


def provenance(workdir: Workdir) -> dict:
    """Where the published data came from: the last daily run's manifest (run id, seed,
    scale, the commit the code ran at) and the business dates the runs covered, with the
    evidence page's anchor for that run when the metric catalogue lists it."""
    manifests = workdir.run_manifests()
    if not manifests:
        raise StepError(
            f"query page: no run manifest in {workdir.runs}: run the pipeline first (`make run`)"
        )
    last = json.loads(manifests[-1].read_text(encoding="utf-8"))
    first = json.loads(manifests[0].read_text(encoding="utf-8"))
    run_id = str(last.get("run_id", "unknown"))
    catalogue_runs: set[str] = set()
    if workdir.metrics.exists():
        metrics = json.loads(workdir.metrics.read_text(encoding="utf-8"))
        catalogue_runs = {
            str((entry.get("provenance") or {}).get("run_id")) for entry in metrics.values()
        }
    return {
        "run_id": run_id,
        "seed": last.get("seed"),
        "scale": last.get("scale"),
        "commit": str(last.get("code_version") or "unknown"),
        "first_date": first.get("business_date"),
        "last_date": last.get("business_date"),
        "runs": len(manifests),
        "evidence_anchor": run_anchor(run_id) if run_id in catalogue_runs else None,
    }


def build_data(workdir: Workdir, out: Path) -> tuple[dict, dict]:
    """Export the tables into `<out>/data/` and write `<out>/answers.json`; return the
    manifest (written by the caller, with the engine's details) and the answers."""
    found = sources(workdir)
    origin = provenance(workdir)
    if out.exists():
        shutil.rmtree(out)
    data = out / "data"
    with duckdb.connect() as con:
        export(con, found, data, workdir.root)
    total = check_size(data, origin["scale"])
    with connect(data) as con:
        tables = [table_info(con, s, data) for s in found]
        for title, sql in JOINS:
            try:
                con.execute(f"SELECT * FROM ({sql}) LIMIT 0")
            except duckdb.Error as exc:
                raise StepError(f"query page: the join {title!r} does not bind: {exc}") from None
        answers = [answer(con, e) for e in EXAMPLES]
    manifest = {
        "provenance": origin,
        "data_bytes": total,
        "cap_bytes": CAP_BYTES,
        "page_rows": PAGE_ROWS,
        "python_duckdb": duckdb.__version__,
        "tables": tables,
        "views": {t["name"]: view_sql(t["name"]) for t in tables},
        "joins": [{"title": title, "sql": sql} for title, sql in JOINS],
    }
    stored = {"tolerance": TOLERANCE, "page_rows": PAGE_ROWS, "examples": answers}
    write_text_atomic(out / "answers.json", json.dumps(stored, separators=(",", ":")) + "\n")
    return manifest, stored
