"""The toolkit against real parts: a tiny generated estate (SQLite ERP, Excel workbooks,
the orders API server on 127.0.0.1), the shipped pipeline files, real DuckDB files."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys

import duckdb
import polars as pl
import pytest

from demo_pipeline.errors import ConfigError, QualityError
from demo_pipeline.estate.api_server import OrdersApiServer
from demo_pipeline.extract.api import OrdersApiExtractor
from demo_pipeline.extract.database import DatabaseExtractor, sqlite_connector, sqlite_uri
from demo_pipeline.extract.file import WorkbookExtractor
from demo_pipeline.toolkit import (
    DuckDBUpsertLoader,
    Extractor,
    GoldTransformer,
    Loader,
    SilverTransformer,
    Transformer,
    run_pipeline_file,
)
from demo_pipeline.toolkit.example import warehouses_example
from demo_pipeline.toolkit.extractors import ErpExtractor, orders_api
from demo_pipeline.toolkit.spec import load_spec
from generators.project import REPO_ROOT
from tests.estate.conftest import build

PIPELINES = REPO_ROOT / "config" / "pipelines"
DAY1 = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    """A tiny estate (scale 0.01, 27 days), built once for this module."""
    return build(tmp_path_factory.mktemp("toolkit-estate"))


def test_the_real_parts_satisfy_the_protocols(tmp_path):
    """The repository's extractors are Extractors as they are; the silver and gold steps
    are Transformers; the upsert loader is a Loader."""
    extractors = [
        DatabaseExtractor(sqlite_connector(tmp_path / "erp.sqlite"), tmp_path, origin="x"),
        OrdersApiExtractor(
            "http://127.0.0.1:1", orders_api("http://x", page_size=1, retries=0).retry
        ),
        WorkbookExtractor(tmp_path),
        ErpExtractor(tmp_path / "erp.sqlite", tmp_path, ("warehouses",)),
    ]
    assert all(isinstance(e, Extractor) for e in extractors)
    transformers = [SilverTransformer(), GoldTransformer("dim_warehouse", {"warehouses": "w"})]
    assert all(isinstance(t, Transformer) for t in transformers)
    assert isinstance(DuckDBUpsertLoader(tmp_path / "x.duckdb"), Loader)


def test_the_documented_example_runs(estate, monkeypatch, capsys):
    """The toolkit page's example, run as shown: the warehouses pipeline file on two days;
    the dimension holds every warehouse of the ERP once."""
    _cfg, workdir = estate
    monkeypatch.chdir(REPO_ROOT)
    rows = warehouses_example(workdir.root, DAY1)
    erp = sqlite3.connect(sqlite_uri(workdir.erp_db), uri=True)
    try:
        expected = erp.execute("SELECT warehouse_id, code, name FROM warehouses ORDER BY 1")
        assert rows == expected.fetchall()
    finally:
        erp.close()
    printed = capsys.readouterr().out
    assert f"{DAY1} extracted" in printed and "'dim_warehouse'" in printed


def test_upsert_twice_leaves_the_same_table(estate):
    """Running the supplier-prices pipeline on a day twice, through the command line,
    leaves each (supplier, sku, valid_from) once, with the workbook's values."""
    _cfg, workdir = estate
    day = next(
        dt.date.fromisoformat(p.name)
        for p in sorted(workdir.workbooks.iterdir())
        if WorkbookExtractor(workdir.workbooks).extract(dt.date.fromisoformat(p.name))[0].rows
    )
    command = [
        sys.executable,
        "-m",
        "demo_pipeline.toolkit",
        str(PIPELINES / "supplier-prices.yaml"),
        "--date",
        day.isoformat(),
        "--workdir",
        str(workdir.root),
    ]
    for _ in range(2):
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
        assert done.returncode == 0, done.stderr
    rows = WorkbookExtractor(workdir.workbooks).extract(day)[0].rows
    assert f'"loaded": {{"supplier_prices": {rows}}}' in done.stdout
    with duckdb.connect(str(workdir.root / "toolkit" / "supplier-prices.duckdb")) as con:
        stored = con.execute(
            "SELECT count(*), count(DISTINCT (supplier_id, sku, valid_from)) FROM supplier_prices"
        ).fetchone()
    assert stored == (rows, rows)


def test_orders_from_the_api_server_with_quarantine(estate):
    """The orders pipeline reads the real API server page by page; on the day with null
    order ids the silver step sends those rows to quarantine.orders, and only the clean
    rows load."""
    cfg, workdir = estate
    null_keys = next(s for s in cfg.scenarios if s.kind == "null_keys")
    day = cfg.estate.start_date + dt.timedelta(days=null_keys.day - 1)
    with OrdersApiServer(workdir, cfg) as api:
        run = run_pipeline_file(PIPELINES / "orders.yaml", day, workdir.root, base_url=api.base_url)
    assert run.extracted["orders"] > 0
    assert run.transformed["quarantine.orders"] > 0
    assert run.loaded["orders"] + run.transformed["quarantine.orders"] <= run.extracted["orders"]
    with duckdb.connect(str(workdir.root / "toolkit" / "orders.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM orders WHERE order_id IS NULL").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM orders").fetchone() == (run.loaded["orders"],)


def test_silver_halts_a_batch_that_breaks_its_contract():
    """A column of the wrong type stops the run with a message naming table and column."""
    bad = pl.DataFrame({"warehouse_id": ["not a number"], "code": ["W1"]})
    with pytest.raises(QualityError, match="warehouses"):
        SilverTransformer().transform({"warehouses": bad}, DAY1)


def test_upsert_refuses_repeated_keys_and_unknown_tables(tmp_path):
    """Two rows for one key, or a table with no key, are errors naming the table."""
    loader = DuckDBUpsertLoader(tmp_path / "t.duckdb", {"t": ["id"]})
    with pytest.raises(ConfigError, match="'t': expected one row per key"):
        loader.load({"t": pl.DataFrame({"id": [1, 1]})}, DAY1)
    with pytest.raises(ConfigError, match="table 'other'"):
        loader.load({"other": pl.DataFrame({"id": [1]})}, DAY1)


def test_pipeline_file_errors_name_the_file_and_key(tmp_path):
    """An unknown kind, a misspelt key and a missing setting are all reported at once."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\n"
        "extractor: {kind: ftp, root: x}\n"
        "transformers: [{kind: silver, contract: {orders: 2}}]\n"
        "loader: {kind: duckdb_upsert}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert (
        f"{path}: extractor: expected kind one of 'database', 'api', 'workbooks'; found 'ftp'"
        in message
    )
    assert f"{path}: transformers[0].contract: expected no such key (a misspelling?)" in message
    assert f"{path}: loader.database: expected field required; found nothing" in message


def test_every_shipped_pipeline_file_is_valid():
    """Each file under config/pipelines validates."""
    files = sorted(PIPELINES.glob("*.yaml"))
    assert files
    for path in files:
        assert load_spec(path).name == path.stem
