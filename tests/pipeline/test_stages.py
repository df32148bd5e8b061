"""Landing a source read ahead: written in bronze as soon as it is read, and not written
again by its day unless the day extracted something else."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor

import polars as pl
import pytest

from demo_pipeline.bronze import bronze_partition, take_landed
from demo_pipeline.config import load_config
from demo_pipeline.core.context import DayContext
from demo_pipeline.errors import SourceError
from demo_pipeline.extract.base import Extracted
from demo_pipeline.pipeline.stages import land_bronze, land_when_read
from demo_pipeline.runlog import RunLog
from demo_pipeline.workdir import PART_FILE, Workdir

DAY = dt.date(2026, 11, 2)


def read_of(*tables: Extracted) -> Future:
    """A finished read of one source, as `start_extract` hands it out."""
    future: Future = Future()
    future.set_result((list(tables), 0.01))
    return future


def table(name: str, values: list[int]) -> Extracted:
    return Extracted("erp", name, pl.DataFrame({"v": values}), origin=f"sqlite:erp#{name}")


def test_a_source_read_ahead_is_landed_once_and_its_day_reuses_the_writes(tmp_path):
    workdir = Workdir(tmp_path)
    early, other = table("products", [1, 2]), table("customers", [3])
    with ThreadPoolExecutor(1) as pool:
        landed = land_when_read(pool, workdir.bronze, (None, read_of(early, other)), DAY).result()
    file = bronze_partition(workdir.bronze, "erp", "products", DAY) / PART_FILE
    assert pl.read_parquet(file).equals(early.frame)
    stamp = file.stat().st_mtime_ns

    # The day extracted the same frame for products, and a new one for customers (as
    # when an early read is dropped and read again): only customers is written again.
    again = table("customers", [4, 5])
    with RunLog(workdir.logs, "r") as log:
        ctx = DayContext(load_config(), workdir, DAY, "r", log)
        writes = land_bronze(ctx, [early, again], landed)
    assert writes["products"] == landed["products"][1]
    assert file.stat().st_mtime_ns == stamp
    customers = bronze_partition(workdir.bronze, "erp", "customers", DAY) / PART_FILE
    assert pl.read_parquet(customers).equals(again.frame)
    assert writes["customers"].rows == 2
    assert take_landed(file) is early.frame  # silver is still handed the early frame


def test_a_failed_read_lands_nothing(tmp_path):
    workdir = Workdir(tmp_path)
    failed: Future = Future()
    failed.set_exception(SourceError("ERP unreachable"))
    with ThreadPoolExecutor(1) as pool:
        landing = land_when_read(pool, workdir.bronze, (None, failed), DAY)
        with pytest.raises(SourceError, match="ERP unreachable"):
            landing.result()
    assert not workdir.bronze.exists() or not any(workdir.bronze.rglob("*.parquet"))
