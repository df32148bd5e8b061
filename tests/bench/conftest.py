"""Fixtures for the benchmark tests: a tiny gold-shaped work directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo_pipeline.workdir import Workdir
from tests.bench.gold_fixture import write_gold_fixture


@pytest.fixture
def gold_workdir(tmp_path: Path) -> Workdir:
    """A work directory holding only the four gold Parquet exports the suite reads."""
    workdir = Workdir(tmp_path / "work")
    write_gold_fixture(workdir)
    return workdir
