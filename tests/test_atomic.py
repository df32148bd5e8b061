"""Atomic writes: the target holds the old or the new content, never a part."""

from __future__ import annotations

import pytest

from demo_pipeline.atomic import atomic_path, write_text_atomic


def test_write_replaces_content(tmp_path):
    """A completed write replaces the file and leaves no temporary file."""
    target = tmp_path / "a" / "file.txt"
    write_text_atomic(target, "old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_failed_write_keeps_old_content(tmp_path):
    """An exception mid-write leaves the old file untouched and no temporary file."""
    target = tmp_path / "file.txt"
    write_text_atomic(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


def test_temporary_name_is_hidden(tmp_path):
    """The temporary file is a hidden sibling, which Hive-style readers skip."""
    with atomic_path(tmp_path / "part.parquet") as tmp:
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(".")
        tmp.write_bytes(b"x")
