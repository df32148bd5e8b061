"""A dimension's state per business day (silver/stage.py `DimensionState`): the state a
day starts from is the latest saved before it. The run keeps the last one in memory
rather than reading it back from Parquet; a file rewritten since is read again."""

from __future__ import annotations

import datetime as dt

import polars as pl

from demo_pipeline.atomic import write_bytes_atomic
from demo_pipeline.bronze import parquet_bytes
from demo_pipeline.silver.stage import DimensionState
from demo_pipeline.workdir import Workdir, dated_file

DAY1, DAY2, DAY3 = (dt.date(2026, 11, d) for d in (1, 2, 3))


def test_a_day_starts_from_the_latest_state_saved_before_it(tmp_path):
    state = DimensionState(Workdir(tmp_path))
    first = pl.DataFrame({"warehouse_id": [1, 2], "name": ["North", "South"]})
    second = pl.DataFrame({"warehouse_id": [1, 2], "name": ["North", "South East"]})

    assert state.before("warehouses", DAY1) is None
    state.save("warehouses", DAY1, first, None)
    state.save("warehouses", DAY2, second, first)

    assert state.before("warehouses", DAY2).equals(first)
    assert state.before("warehouses", DAY3).equals(second)
    # An unchanged day keeps no file of its own: the next day reads through to DAY2.
    assert state.save("warehouses", DAY3, second, second) == 0
    assert state.before("warehouses", dt.date(2026, 11, 4)).equals(second)
    # The latest state is published to silver, byte for byte the state file's copy.
    published = Workdir(tmp_path).dimension_file("warehouses")
    assert pl.read_parquet(published).equals(second)


def test_a_state_file_rewritten_since_it_was_saved_is_read_again(tmp_path):
    wd = Workdir(tmp_path)
    state = DimensionState(wd)
    saved = pl.DataFrame({"supplier_id": [7], "name": ["Acme"]})
    state.save("suppliers", DAY1, saved, None)
    assert state.before("suppliers", DAY2).equals(saved)

    # Rewritten behind the run's back (another process, a repair): new inode and stamp.
    rewritten = pl.DataFrame({"supplier_id": [7, 8], "name": ["Acme", "Brio"]})
    path = dated_file(wd.dimension_states / "suppliers", DAY1)
    write_bytes_atomic(path, parquet_bytes(rewritten))

    assert state.before("suppliers", DAY2).equals(rewritten)
