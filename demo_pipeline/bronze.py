"""Bronze: raw data as Parquet, Hive-partitioned by ingestion date.

    <lake>/bronze/<source>/<table>/year=YYYY/month=MM/day=DD/part-0.parquet

Types are inferred from the data with a fallback to text: a column whose values do
not all read as one type (ints and strings mixed, say) is stored as strings, so the
raw value survives and the silver contract decides what to do with it. Text sources
(workbooks, CSV) go through `infer_types`; the API's JSON is typed by Polars' reader,
which does the same (numbers and text in one field come out as text).

A partition is replaced as a whole and atomically (`replace_partition`): the new
files are written into a hidden temporary directory next to the partition, flushed,
and then swapped in with one `renameat2(RENAME_EXCHANGE)` call, so a reader sees the
old partition or the new one and never half of one. Hidden directories (leading '.')
are skipped by Hive readers, and `clean_stale_temp_dirs` removes any a crash left.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import io
import os
import secrets
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from demo_pipeline.atomic import fsync_dir
from demo_pipeline.core.crashpoints import crash_point
from demo_pipeline.seals import seal_path, seal_record, write_durable
from demo_pipeline.workdir import PART_FILE, FileStamp, bronze_partition, file_stamp

PARQUET_COMPRESSION = "zstd"
TEMP_SUFFIX = ".tmp"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class PartitionWrite:
    """What one partition write produced (for the run manifest)."""

    path: Path
    rows: int
    files: int
    bytes: int


def infer_types(frame: pl.DataFrame) -> pl.DataFrame:
    """Type text columns whose every value reads as one type (int, then float);
    anything ambiguous stays text. Blank cells become nulls."""
    columns = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            columns.append(frame.get_column(name))
            continue
        text = frame.select(
            pl.when(pl.col(name).str.strip_chars() != "")
            .then(pl.col(name).str.strip_chars())
            .alias(name)
        ).to_series()
        typed = _try_cast(text, text.is_not_null().sum())
        columns.append(typed if typed is not None else text)
    return pl.DataFrame(columns, schema=None) if columns else frame


def _try_cast(values: pl.Series, n_present: int) -> pl.Series | None:
    for target in (pl.Int64, pl.Float64):
        cast = values.cast(target, strict=False)
        if cast.is_not_null().sum() == n_present:
            return cast
    return None


def clean_stale_temp_dirs(root: Path) -> list[Path]:
    """Remove hidden temporary directories a crashed write left under `root`."""
    removed = []
    if not root.exists():
        return removed
    for path in sorted(root.rglob(f".*{TEMP_SUFFIX}")):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(path)
    return removed


# --8<-- [start:replace-partition]
def replace_partition(partition: Path, frames: dict[str, pl.DataFrame]) -> PartitionWrite:
    """Replace the directory `partition` with the files `{name: frame}`, atomically."""
    parent = partition.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{partition.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    tmp.mkdir()
    rows = size = 0
    for file_name, frame in sorted(frames.items()):
        target = tmp / file_name
        data = parquet_bytes(frame)
        write_durable(target, data)
        # Inside the temporary folder: published with the file by the swap below, so
        # neither needs a rename of its own (one directory flush covers both).
        write_durable(seal_path(target), seal_record(data))
        rows += frame.height
        size += len(data)
    fsync_dir(tmp)
    crash_point("partition.before_swap")
    if partition.exists():
        exchange_directories(tmp, partition)  # tmp now holds the old partition
        crash_point("partition.after_swap")
        fsync_dir(parent)
        shutil.rmtree(tmp)
    else:
        os.rename(tmp, partition)
        fsync_dir(parent)
    return PartitionWrite(partition, rows, len(frames), size)
    # --8<-- [end:replace-partition]


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """`frame` as the bytes of a lake Parquet file (zstd, with statistics), built in
    memory so its seal is hashed without reading the file back."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression=PARQUET_COMPRESSION, statistics=True)
    return buffer.getvalue()


def remove_partition(partition: Path) -> None:
    """Remove a partition without a window where half of it is visible."""
    if not partition.exists():
        return
    doomed = partition.parent / f".{partition.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    os.rename(partition, doomed)
    fsync_dir(partition.parent)
    shutil.rmtree(doomed)


def exchange_directories(a: Path, b: Path) -> None:
    """Swap two directories in one atomic step (Linux renameat2 RENAME_EXCHANGE).

    Where the call is unavailable, fall back to two renames: the partition is then
    briefly absent (never half-written), and a crash between them leaves the new
    data in a hidden directory that the next run rewrites anyway.
    """
    libc = _libc()
    if libc is not None:
        res = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        if res == 0:
            return
    old = b.parent / f".{b.name}.{secrets.token_hex(4)}.old{TEMP_SUFFIX}"
    os.rename(b, old)
    os.rename(a, b)
    os.rename(old, a)


_LIBC: ctypes.CDLL | bool | None = False


def _libc() -> ctypes.CDLL | None:
    global _LIBC
    if _LIBC is False:
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            lib.renameat2.argtypes = [
                ctypes.c_int,
                ctypes.c_char_p,
                ctypes.c_int,
                ctypes.c_char_p,
                ctypes.c_uint,
            ]
            _LIBC = lib
        except (OSError, AttributeError):
            _LIBC = None
    return _LIBC  # type: ignore[return-value]


def write_bronze(
    bronze_root: Path, source: str, table: str, day: dt.date, frame: pl.DataFrame
) -> PartitionWrite:
    """Land one extracted table for one ingestion date (replacing a previous landing)."""
    partition = bronze_partition(bronze_root, source, table, day)
    write = replace_partition(partition, {PART_FILE: frame})
    _remember_landed(partition / PART_FILE, day, frame)
    return write


# The frame each bronze file of the days being run was written from, while the file is
# still that write (same inode, size and modification time). Silver reads a day's
# partitions right after they are landed: handing it the frame instead of decoding the
# file again saves about 1 s over the 30-day run at scale 1 (the inventory snapshots'
# 120 k rows a day). Only the frames of the two days landed last are kept (the run lands
# the next day's read-ahead sources while a day is built), and each is handed out once; the run
# holds those days' extracted frames until they are built anyway.
_LANDED: dict[Path, tuple[dt.date, FileStamp, pl.DataFrame]] = {}
LANDED_DAYS = 2
_LANDED_LOCK = threading.Lock()  # land_bronze writes a day's partitions from threads


def _remember_landed(file: Path, day: dt.date, frame: pl.DataFrame) -> None:
    # Kept only when reading the file back gives the same schema (the values of every
    # Polars type with a Parquet equivalent round-trip exactly), so what silver is
    # handed is what it would have read. The footer alone is read for the check.
    if list(pl.read_parquet_schema(file).items()) != list(frame.schema.items()):
        return
    stamp = file_stamp(file)
    with _LANDED_LOCK:
        _LANDED.pop(file, None)
        _LANDED[file] = (day, stamp, frame)  # last: the dict is in landing order
        kept = list(dict.fromkeys(d for d, _, _ in reversed(_LANDED.values())))[:LANDED_DAYS]
        for stale in [p for p, (d, _, _) in _LANDED.items() if d not in kept]:
            del _LANDED[stale]


def take_landed(file: Path) -> pl.DataFrame | None:
    """The frame `file` was just landed from, if this process wrote it and it has not
    changed since (else None: read the file). Handed out once."""
    with _LANDED_LOCK:
        entry = _LANDED.pop(file, None)
    if entry is None:
        return None
    try:
        return entry[2] if file_stamp(file) == entry[1] else None
    except OSError:
        return None


def read_bronze(bronze_root: Path, source: str, table: str, day: dt.date) -> pl.DataFrame:
    """One landed partition. Raises FileNotFoundError if the day was never landed."""
    path = bronze_partition(bronze_root, source, table, day) / PART_FILE
    return pl.read_parquet(path)
