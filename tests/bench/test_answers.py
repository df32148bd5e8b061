"""Answer validation: engine-neutral fingerprints, and loud failure on a wrong answer."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import polars as pl
import pytest

from demo_pipeline.bench.answers import compare, fingerprint, validate_all
from demo_pipeline.bench.queries import answer_rows, frame_query, sql
from demo_pipeline.bench.questions import DAILY_SALES, sql_literal
from demo_pipeline.errors import BenchmarkError


def test_dates_hash_the_same_from_every_engine_rendering():
    """A date, a midnight timestamp and SQLite's ISO text give one checksum."""
    as_date = fingerprint(["d", "n"], [(dt.date(2026, 11, 1), 1)])
    as_datetime = fingerprint(["d", "n"], [(dt.datetime(2026, 11, 1), np.int64(1))])
    as_text = fingerprint(["d", "n"], [("2026-11-01", 1.0)])
    assert as_date == as_datetime == as_text


def test_float_noise_within_tolerance_passes():
    """Sums added in a different order may differ in the last bits; that is not an error."""
    a = fingerprint(["x"], [(0.1,), (0.2,), (0.3,)])
    b = fingerprint(["x"], [(0.3,), (0.2,), (0.1,)])
    compare("q", "a", a, "b", b)


DAILY_SALES_SQL = sql("duckdb", DAILY_SALES.name)


def _daily_sales(gold_workdir, text: str) -> tuple:
    path = sql_literal(str(gold_workdir.gold_parquet / "fact_sales.parquet"))
    rows = duckdb.sql(text.replace("FROM fact_sales", f"FROM read_parquet({path})")).fetchall()
    return fingerprint(DAILY_SALES.output, rows)


def test_real_engines_agree_on_the_fixture(gold_workdir):
    """DuckDB's SQL and Polars' DataFrame code give matching fingerprints."""
    frames = {"fact_sales": pl.read_parquet(gold_workdir.gold_parquet / "fact_sales.parquet")}
    answer = frame_query("polars", DAILY_SALES.name)(frames)
    polars_rows = answer_rows("polars", answer, DAILY_SALES.output)
    validate_all(
        DAILY_SALES.name,
        {
            "duckdb": _daily_sales(gold_workdir, DAILY_SALES_SQL),
            "polars": fingerprint(DAILY_SALES.output, polars_rows),
        },
    )


def test_a_deliberately_wrong_value_fails_loudly(gold_workdir):
    """An engine that double-counts one column is caught, naming question, engine, column."""
    right = _daily_sales(gold_workdir, DAILY_SALES_SQL)
    wrong = _daily_sales(
        gold_workdir, DAILY_SALES_SQL.replace("SUM(quantity)", "SUM(quantity) + 1")
    )
    with pytest.raises(BenchmarkError, match=r"'daily_sales_by_warehouse'.*'wrong'.*'units'"):
        validate_all(DAILY_SALES.name, {"right": right, "wrong": wrong})


def test_a_deliberately_missing_row_fails_loudly(gold_workdir):
    """An answer with a group missing is caught by the row count."""
    right = _daily_sales(gold_workdir, DAILY_SALES_SQL)
    wrong = _daily_sales(
        gold_workdir, DAILY_SALES_SQL.replace("GROUP BY", "WHERE warehouse_id <> 1 GROUP BY")
    )
    with pytest.raises(BenchmarkError, match=r"expected \d+ rows; found \d+"):
        validate_all(DAILY_SALES.name, {"right": right, "wrong": wrong})
