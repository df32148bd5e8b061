"""What is read ahead, and when (pipeline/day.py `read_ahead`): the coming days' orders
API as soon as a day's extraction is over; the next day's ERP and workbooks then too
when they are small, else once the day's silver is done, so that a large inventory
snapshot is not held in memory beside the one being cleaned. Read against the real
estate and API."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from demo_pipeline.estate.api_server import OrdersApiServer
from demo_pipeline.extract.base import Extracted
from demo_pipeline.pipeline.day import (
    FILES_BESIDE_SILVER_BYTES,
    READ_AHEAD,
    Sources,
    files_fit_beside_silver,
    read_ahead,
)
from tests.pipeline.conftest import copy_estate


def test_the_api_is_read_ahead_first_and_the_files_once_asked_for(week_estate, tmp_path):
    cfg = week_estate.cfg
    workdir = copy_estate(week_estate.workdir, tmp_path / "wd")
    days = cfg.estate.business_days()
    with OrdersApiServer(workdir, cfg) as api, ThreadPoolExecutor(4) as workers:
        # The gold connection and the engine are not used by read_ahead.
        sources = Sources(api.base_url, gold=None, engine=None, workers=workers)  # type: ignore[arg-type]

        read_ahead(cfg, workdir, days[1:3], sources, api=True)
        assert {day: set(reads) for day, reads in sources.ahead.items()} == {
            days[1]: {"api"},
            days[2]: {"api"},
        }
        assert not sources.landing  # nothing read from the ERP or the workbooks yet

        read_ahead(cfg, workdir, days[1:2], sources, api=False, files=True)
        assert set(sources.ahead[days[1]]) == {"api"} | READ_AHEAD
        assert days[2] not in sources.landing  # the files: the next day only

        # The API read is not started again; the files are landed in bronze once read.
        landed = {}
        for landing in sources.landing[days[1]]:
            landed.update(landing.result())
        for reads in sources.ahead.values():
            for _, future in reads.values():
                future.result()
    assert landed and all(write.rows == frame.height for frame, write in landed.values())
    assert all(write.path.exists() for _, write in landed.values())


def test_only_small_files_are_read_beside_silver():
    def extracted(source: str, rows: int) -> Extracted:
        return Extracted(source, "t", pl.DataFrame({"v": range(rows)}), origin="test")

    over = FILES_BESIDE_SILVER_BYTES // 8 + 1  # rows of 8 bytes, one row over the budget
    assert files_fit_beside_silver([extracted("erp", 1_000), extracted("workbooks", 10)])
    assert not files_fit_beside_silver([extracted("erp", over)])
    # The API is read ahead in any case: its frames do not count.
    assert files_fit_beside_silver([extracted("api", over), extracted("erp", 10)])
