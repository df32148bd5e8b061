"""The contract's types (Polars data types, declared once in silver/contracts.py) as
Spark stores them. (The other way, a bronze batch's types, is read from the Parquet
footer as Polars reads it: see spark/silver.py.)"""

from __future__ import annotations

from typing import Any

import polars as pl


def spark_type(dtype: pl.DataType) -> Any:
    """The Spark type silver stores for a contract type."""
    from pyspark.sql import types as T

    if dtype == pl.Datetime:
        # Business-local timestamps without a zone, as Polars and DuckDB hold them.
        return T.TimestampNTZType()
    simple = {
        pl.Int64: T.LongType(),
        pl.Int32: T.IntegerType(),
        pl.Float64: T.DoubleType(),
        pl.String: T.StringType(),
        pl.Date: T.DateType(),
        pl.Boolean: T.BooleanType(),
        pl.Null: T.NullType(),
    }
    for polars_dtype, spark in simple.items():
        if dtype == polars_dtype:
            return spark
    raise ValueError(f"contract type {dtype}: expected one Spark can store; found no mapping")
