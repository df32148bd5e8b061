"""Duplicates across days: a day's orders are checked against the order ids of every
earlier silver partition. The ids are read once per partition file and kept; a
partition rewritten since (a re-run of its day) is read again."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import polars as pl

from demo_pipeline.bronze import replace_partition
from demo_pipeline.silver.stage import _seen_keys, silver_partition
from demo_pipeline.workdir import PART_FILE, Workdir


def _orders(wd: Workdir, day: dt.date, ids: list[str]) -> None:
    replace_partition(
        silver_partition(wd.silver, "orders", day), {PART_FILE: pl.DataFrame({"order_id": ids})}
    )


def test_earlier_ids_are_found_and_a_rewritten_partition_is_read_again(tmp_path):
    wd = Workdir(tmp_path)
    first, second, today = (dt.date(2026, 11, d) for d in (1, 2, 3))
    _orders(wd, first, ["A", "B"])
    _orders(wd, second, ["C"])
    ctx = SimpleNamespace(workdir=wd, business_date=today)
    batch = pl.DataFrame({"order_id": ["B", "C", "D", None]})

    assert sorted(_seen_keys(ctx, "orders", batch)["order_id"]) == ["B", "C"]
    assert _seen_keys(ctx, "products", batch) is None

    _orders(wd, second, ["D"])  # day 2 re-run with other rows
    assert sorted(_seen_keys(ctx, "order_lines", batch)["order_id"]) == ["B", "D"]
    # Only partitions before the day count.
    early = SimpleNamespace(workdir=wd, business_date=second)
    assert sorted(_seen_keys(early, "orders", batch)["order_id"]) == ["B"]
