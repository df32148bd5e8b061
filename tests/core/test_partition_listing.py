"""Listing a table's partitions (workdir.partition_stats): oldest ingestion date first,
one `stat` per file, and a partition folder a crash left without its file is not a
partition."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from demo_pipeline.workdir import PART_FILE, ingest_partition, partition_stats


def test_partitions_come_oldest_first_with_their_stat_and_empty_folders_are_skipped(
    tmp_path: Path,
):
    days = [dt.date(2026, 11, d) for d in (12, 3, 30)]
    for n, day in enumerate(days):
        folder = ingest_partition(tmp_path, "orders", day)
        folder.mkdir(parents=True)
        (folder / PART_FILE).write_bytes(b"x" * (n + 1))
    ingest_partition(tmp_path, "orders", dt.date(2026, 11, 4)).mkdir()  # a crash's leftover
    (tmp_path / "orders" / ".tmp-part").write_bytes(b"not a partition")

    listed = partition_stats(tmp_path, "orders")

    expected = [ingest_partition(tmp_path, "orders", d) / PART_FILE for d in sorted(days)]
    assert [file for file, _ in listed] == expected
    assert [stat.st_size for _, stat in listed] == [2, 1, 3]  # each file's own stat


def test_a_table_without_a_folder_has_no_partitions(tmp_path: Path):
    assert partition_stats(tmp_path, "orders") == []
