"""SCD Type 2 on tiny inline frames: one test per case the dimension must handle."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from demo_pipeline.errors import QualityError
from demo_pipeline.silver.scd2 import OPEN_END, apply_scd2, check_history, history_schema

TRACKED = {"name": pl.String, "price": pl.Int64}
SCHEMA = history_schema("product_id", "product_sk", TRACKED)


def ts(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour)


def changes(*rows: tuple[int, str, int, dt.datetime]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "product_id": pl.Int64,
            "name": pl.String,
            "price": pl.Int64,
            "updated_at": pl.Datetime("us"),
        },
        orient="row",
    )


def step(history, batch, keys=None, deleted_day=None):
    out = apply_scd2(
        history,
        batch,
        key="product_id",
        sk="product_sk",
        tracked=list(TRACKED),
        current_keys=None if keys is None else pl.Series(keys, dtype=pl.Int64),
        deleted_at=None if deleted_day is None else ts(deleted_day, 23),
    )
    check_history(out, key="product_id", table="products")
    return out


EMPTY = pl.DataFrame(schema=SCHEMA)
BASE = step(
    EMPTY, changes((1, "tea", 100, ts(1)), (2, "jam", 300, ts(1))), keys=[1, 2], deleted_day=1
)


def versions(history: pl.DataFrame, key: int) -> list[tuple]:
    return (
        history.filter(pl.col("product_id") == key)
        .select("product_sk", "price", "valid_from", "valid_to", "is_current")
        .rows()
    )


def test_initial_load_gives_one_current_version_per_key():
    """A first load opens one current, open-ended version per key with keys 1..n."""
    assert versions(BASE, 1) == [(1, 100, ts(1), OPEN_END, True)]
    assert versions(BASE, 2) == [(2, 300, ts(1), OPEN_END, True)]


def test_change_closes_current_and_opens_new_version():
    """A changed attribute closes the current version at updated_at and opens a new one."""
    out = step(BASE, changes((1, "tea", 120, ts(3, 9))), keys=[1, 2], deleted_day=3)
    assert versions(out, 1) == [
        (1, 100, ts(1), ts(3, 9), False),
        (3, 120, ts(3, 9), OPEN_END, True),
    ]
    assert versions(out, 2) == versions(BASE, 2)


def test_no_change_adds_no_version():
    """A newer updated_at with identical tracked attributes changes nothing."""
    out = step(BASE, changes((1, "tea", 100, ts(4))), keys=[1, 2], deleted_day=4)
    assert out.equals(BASE)


def test_deleted_source_row_is_closed_and_not_current():
    """A key missing from the source's key list is closed at the delete time."""
    out = step(BASE, changes(), keys=[1], deleted_day=5)
    assert versions(out, 2) == [(2, 300, ts(1), ts(5, 23), False)]
    assert out.filter(pl.col("is_current"))["product_id"].to_list() == [1]


def test_deleted_row_that_comes_back_opens_a_new_current_version():
    """A re-listed key gets a new surrogate key and a version starting after the close."""
    gone = step(BASE, changes(), keys=[1], deleted_day=5)
    back = step(gone, changes((2, "jam", 350, ts(8))), keys=[1, 2], deleted_day=8)
    assert versions(back, 2) == [
        (2, 300, ts(1), ts(5, 23), False),
        (3, 350, ts(8), OPEN_END, True),
    ]


def test_late_arriving_change_splits_history_without_overlap():
    """A change older than the current version is slotted in; current stays current."""
    later = step(BASE, changes((1, "tea", 150, ts(10))), keys=[1, 2], deleted_day=10)
    late = step(later, changes((1, "tea", 130, ts(6))), keys=[1, 2], deleted_day=11)
    assert versions(late, 1) == [
        (1, 100, ts(1), ts(6), False),
        (4, 130, ts(6), ts(10), False),
        (3, 150, ts(10), OPEN_END, True),
    ]


def test_several_changes_of_one_key_in_one_batch_chain_in_order():
    """Two changes of a key in one batch give two versions, in updated_at order."""
    out = step(
        BASE, changes((1, "tea", 140, ts(7)), (1, "tea", 110, ts(6))), keys=[1, 2], deleted_day=7
    )
    assert [v[1:] for v in versions(out, 1)] == [
        (100, ts(1), ts(6), False),
        (110, ts(6), ts(7), False),
        (140, ts(7), OPEN_END, True),
    ]


def test_same_inputs_give_identical_history():
    """Surrogate keys and rows are deterministic for the same inputs."""
    batch = changes((2, "jam", 320, ts(2)), (1, "tea", 90, ts(2)))
    assert step(BASE, batch, [1, 2], 2).equals(step(BASE, batch, [1, 2], 2))


def test_check_history_rejects_two_current_rows():
    """The invariant check names the key that has two current versions."""
    broken = pl.concat([BASE, BASE.with_columns(pl.col("product_sk") + 10)])
    with pytest.raises(QualityError, match="several current rows"):
        check_history(broken, key="product_id", table="products")
