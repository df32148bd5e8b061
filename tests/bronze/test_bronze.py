"""Bronze: type inference with a text fallback, and atomic whole-partition replacement."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl

from demo_pipeline.bronze import (
    bronze_partition,
    clean_stale_temp_dirs,
    infer_types,
    read_bronze,
    replace_partition,
    take_landed,
    write_bronze,
)
from demo_pipeline.extract.api import split_lines

DAY = dt.date(2026, 11, 3)


def test_partition_path_is_hive_style_by_ingestion_date(tmp_path):
    """Bronze partitions are <source>/<table>/year=/month=/day=."""
    path = bronze_partition(tmp_path, "api", "orders", DAY)
    assert path == tmp_path / "api" / "orders" / "year=2026" / "month=11" / "day=03"


def test_text_columns_are_typed_only_when_every_value_agrees():
    """Numbers in text become numbers; a column with one non-number stays text."""
    frame = pl.DataFrame({"a": ["1", " 2 ", ""], "b": ["1.5", "2", None], "c": ["1", "x", "3"]})
    typed = infer_types(frame)
    assert typed.schema == {"a": pl.Int64, "b": pl.Float64, "c": pl.String}
    assert typed["a"].to_list() == [1, 2, None]


def test_api_fields_with_mixed_kinds_fall_back_to_text():
    """A JSON field that is sometimes a number and sometimes text is kept as text;
    ints and decimals together are decimals; lines are split from their orders."""
    body = (
        b'{"data": [{"order_id": "A", "x": 1, "amount": 1, "lines": [{"line_no": 1}]},'
        b' {"order_id": "B", "x": "one", "amount": 2.5, "lines": []}], "next_cursor": null}'
    )
    page = pl.read_json(io.BytesIO(body), infer_schema_length=None)
    orders, lines = split_lines([page.select(pl.col("data").explode()).unnest("data")])
    assert orders.schema == {"order_id": pl.String, "x": pl.String, "amount": pl.Float64}
    assert orders["x"].to_list() == ["1", "one"]
    assert lines.rows() == [("A", 1)]


def test_rewriting_a_partition_replaces_it_whole(tmp_path):
    """A second write of the same day replaces every file; nothing of the first remains."""
    write_bronze(tmp_path, "erp", "t", DAY, pl.DataFrame({"a": [1, 2, 3]}))
    partition = bronze_partition(tmp_path, "erp", "t", DAY)
    replace_partition(partition, {"other.parquet": pl.DataFrame({"a": [9]})})
    # The file and its seal (demo_pipeline/seals.py), nothing of the first write.
    assert sorted(p.name for p in partition.iterdir()) == [".other.parquet.seal", "other.parquet"]
    assert not [p for p in partition.parent.iterdir() if p.name.startswith(".")]


def test_same_frame_written_twice_gives_identical_bytes(tmp_path):
    """Re-landing the same data gives byte-identical Parquet."""
    frame = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    write_bronze(tmp_path, "erp", "t", DAY, frame)
    first = (bronze_partition(tmp_path, "erp", "t", DAY) / "part-0.parquet").read_bytes()
    write_bronze(tmp_path, "erp", "t", DAY, frame)
    assert (bronze_partition(tmp_path, "erp", "t", DAY) / "part-0.parquet").read_bytes() == first
    assert read_bronze(tmp_path, "erp", "t", DAY).equals(frame)


def test_a_landed_frame_is_handed_to_its_reader_once_and_only_while_the_file_is_its(tmp_path):
    """Silver is handed the frame bronze just wrote instead of decoding the file again:
    the very frame, equal to what the file holds, handed out once; a file replaced since
    (by any writer) is read from disk; only the frames of the two days landed last are
    kept."""
    frame = pl.DataFrame({"a": [1, 2], "b": ["x", None], "d": [DAY, None]})
    write_bronze(tmp_path, "erp", "t", DAY, frame)
    file = bronze_partition(tmp_path, "erp", "t", DAY) / "part-0.parquet"
    handed = take_landed(file)
    assert handed is frame and pl.read_parquet(file).equals(handed)
    assert take_landed(file) is None  # once

    write_bronze(tmp_path, "erp", "t", DAY, frame)
    other = pl.DataFrame({"a": [9]})
    other.write_parquet(file)  # replaced behind bronze's back
    assert take_landed(file) is None

    write_bronze(tmp_path, "erp", "t", DAY, frame)
    write_bronze(tmp_path, "erp", "t", DAY + dt.timedelta(days=1), frame)  # the next day
    assert take_landed(file) is frame  # still kept: the run lands the next day early
    write_bronze(tmp_path, "erp", "t", DAY, frame)
    write_bronze(tmp_path, "erp", "t", DAY + dt.timedelta(days=1), frame)
    write_bronze(tmp_path, "erp", "t", DAY + dt.timedelta(days=2), frame)
    assert take_landed(file) is None  # two later days landed: the frame was let go


def test_stale_temp_dirs_are_removed(tmp_path):
    """Hidden temporary directories a crash left behind are cleaned, data is kept."""
    write_bronze(tmp_path, "erp", "t", DAY, pl.DataFrame({"a": [1]}))
    partition = bronze_partition(tmp_path, "erp", "t", DAY)
    stale = partition.parent / ".day=03.dead.tmp"
    stale.mkdir()
    (stale / "part-0.parquet").write_bytes(b"half")
    assert clean_stale_temp_dirs(tmp_path) == [stale]
    assert (partition / "part-0.parquet").exists()
