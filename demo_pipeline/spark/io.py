"""Spark output published in the lake's own layout, atomically.

Spark writes a directory of `part-<n>-<uuid>` files through a Hadoop committer. The
lake's readers (the gold build, the quality checks, DuckDB, the digests) expect one
`part-0.parquet` per partition, swapped in whole. So Spark writes into a hidden
scratch directory beside the partition, its one file is moved into a second hidden
directory as `part-0.parquet` and sealed, and that directory is exchanged with the
partition exactly as the Polars engine does (bronze.replace_partition): a reader, or a
crash, sees the old partition or the new one, never half of one.

One file per partition is the lake's layout at this volume; the write is a
`coalesce(1)` of the day's partition only, never a collect to the driver.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.parquet as pq

from demo_pipeline.atomic import fsync_dir
from demo_pipeline.bronze import TEMP_SUFFIX, PartitionWrite, exchange_directories
from demo_pipeline.core.crashpoints import crash_point
from demo_pipeline.seals import write_seal
from demo_pipeline.workdir import PART_FILE

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def _hidden(beside: Path, tag: str) -> Path:
    return beside.parent / f".{beside.name}.{tag}{secrets.token_hex(4)}{TEMP_SUFFIX}"


def write_partition(
    frame: DataFrame, partition: Path, rows: int | None = None, order: str | None = None
) -> PartitionWrite:
    """Replace the directory `partition` with `frame` as one sealed part-0.parquet.
    `rows` is the frame's row count if the caller knows it (else read from the written
    file's footer: no second pass over the data);
    `order` a column to sort the file by (then dropped), for the same bytes on a rerun."""
    partition.parent.mkdir(parents=True, exist_ok=True)
    scratch = _hidden(partition, "spark-")
    out = frame.coalesce(1)
    if order is not None:
        out = out.sortWithinPartitions(order).drop(order)
    out.write.mode("overwrite").parquet(str(scratch))
    parts = sorted(p for p in scratch.iterdir() if p.name.startswith("part-"))
    staged = _hidden(partition, "")
    staged.mkdir()
    try:
        if len(parts) != 1:
            raise RuntimeError(f"Spark wrote {len(parts)} part files to {scratch}; expected 1")
        target = staged / PART_FILE
        os.rename(parts[0], target)
        with open(target, "rb") as fh:
            os.fsync(fh.fileno())
        write_seal(target)
        size = target.stat().st_size
        if rows is None:
            rows = pq.ParquetFile(target).metadata.num_rows
        fsync_dir(staged)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    crash_point("partition.before_swap")
    if partition.exists():
        exchange_directories(staged, partition)
        crash_point("partition.after_swap")
        fsync_dir(partition.parent)
        shutil.rmtree(staged)
    else:
        os.rename(staged, partition)
        fsync_dir(partition.parent)
    return PartitionWrite(partition, rows, 1, size)


def write_file(frame: DataFrame, path: Path, order: str | None = None) -> int:
    """Replace the single file `path` with `frame` (atomically); returns its size."""
    scratch = _hidden(path, "spark-")
    out = frame.coalesce(1)
    if order is not None:
        out = out.sortWithinPartitions(order).drop(order)
    try:
        out.write.mode("overwrite").parquet(str(scratch))
        [part] = sorted(p for p in scratch.iterdir() if p.name.startswith("part-"))
        os.replace(part, path)
        fsync_dir(path.parent)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return path.stat().st_size
