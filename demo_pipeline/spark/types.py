"""The contract's types (Polars data types, declared once in silver/contracts.py) and
Spark's, both ways: a bronze batch's Spark schema is read as Polars types so the
contract check, and its messages, are the Polars engine's own."""

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


def polars_type(spark: Any) -> pl.DataType:
    """The Polars type of a Spark column read from bronze (what Polars would have read)."""
    from pyspark.sql import types as T

    mapping = [
        (T.LongType, pl.Int64()),
        (T.IntegerType, pl.Int32()),
        (T.ShortType, pl.Int16()),
        (T.ByteType, pl.Int8()),
        (T.DoubleType, pl.Float64()),
        (T.FloatType, pl.Float32()),
        (T.StringType, pl.String()),
        (T.DateType, pl.Date()),
        (T.BooleanType, pl.Boolean()),
        (T.NullType, pl.Null()),
        (T.TimestampNTZType, pl.Datetime("us")),
        (T.TimestampType, pl.Datetime("us", "UTC")),
    ]
    for spark_class, dtype in mapping:
        if isinstance(spark, spark_class):
            return dtype
    return pl.Object()  # never accepted by a contract: reported as found <type>
