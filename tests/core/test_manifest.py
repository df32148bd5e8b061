"""The run record as a type: `core.manifest.RunManifest` writes the bytes the runner has
always written, and reads back records that lack keys (older or hand-made ones)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os

import pytest

from demo_pipeline.core.manifest import (
    QualityRecord,
    RowCounts,
    RunManifest,
    TableRecord,
    read_manifest,
    read_manifests,
    write_manifest,
)
from demo_pipeline.core.results import CheckResult


def test_a_manifest_is_frozen_and_written_where_it_is_read(tmp_path):
    day = dt.date(2026, 11, 3)
    check = CheckResult("r", day, 2, "orders", "not_null", 10, 2, "warn", "quarantined")
    manifest = RunManifest(
        run_id="20261103-abc",
        business_date=day,
        run_day=day,
        config_sha256="abc",
        code_version="unknown",
        seed=42,
        scale=0.01,
        status="partial",
        tables={"orders": TableRecord("halted", "contract v1", halt="schema")},
        rows=RowCounts(silver={"orders": 8}),
        quality=QualityRecord.of([check]),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        manifest.status = "failed"  # type: ignore[misc]
    path = write_manifest(tmp_path, manifest)
    assert path == tmp_path / "2026-11-03.json"
    assert read_manifest(tmp_path, day) == manifest
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["tables"]["orders"] == {
        "status": "halted",
        "detail": "contract v1",
        "halt": "schema",
    }
    assert data["quality"]["quarantined_rows"] == 2 and data["gold"] == {}
    assert "backfilled_on" not in data


def test_a_partial_record_reads_with_defaults():
    """The site reads hand-made or older records: missing keys take their defaults."""
    manifest = RunManifest.from_dict({"business_date": "2026-11-02", "status": "succeeded"})
    assert manifest.run_day == dt.date(2026, 11, 2)
    assert manifest.rows.silver == {} and manifest.tables == {} and manifest.gold is None
    assert manifest.bytes == {"bronze": 0, "silver": 0, "quarantine": 0, "gold": 0}


def test_read_manifests_sees_a_record_rewritten_since_it_last_read_it(tmp_path):
    """Records are parsed once per file version: a re-run of a day (a new file put in
    place by a rename), or an edit in place of the same size, is read again."""
    day = dt.date(2026, 11, 3)
    first = RunManifest("a", day, day, "abc", "unknown", 42, 0.01, status="partial")
    write_manifest(tmp_path, first)
    assert read_manifests(tmp_path) == [first]
    rerun = dataclasses.replace(first, status="succeeded", error=None)
    path = write_manifest(tmp_path, rerun)
    assert read_manifests(tmp_path) == [rerun]
    # Same size, same inode, rewritten in place: the modification time tells.
    edited = path.read_text(encoding="utf-8").replace('"run_id": "a"', '"run_id": "b"')
    stat = path.stat()
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert [m.run_id for m in read_manifests(tmp_path)] == ["b"]
