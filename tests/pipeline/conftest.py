"""Shared, session-scoped pipeline runs at a tiny scale (built once, read by many tests).

- `month`: the 30-day simulation at scale 0.02 (every scenario of config/demo.yaml),
  built once per run even under pytest-xdist (tests/quality/test_simulation.py reads it
  too).
- `week`: a 6-day simulation, the reference for crash and bad-input tests (copied
  before anything is done to it).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from demo_pipeline.config import DemoConfig, load_config
from demo_pipeline.estate import build_estate
from demo_pipeline.pipeline.runner import run_pipeline
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir
from tests.shared import built_once

REPO_ROOT = Path(__file__).resolve().parents[2]
SCALE = 0.02


def tiny_config(days: int) -> DemoConfig:
    return load_config().with_overrides(seed=42, scale=SCALE, days=days)


@dataclass(frozen=True)
class Run:
    cfg: DemoConfig
    workdir: Workdir


def copy_estate(src: Workdir, root: Path) -> Workdir:
    """A fresh work directory with the same generated sources (no lake, no gold)."""
    shutil.copytree(src.sources, root / "sources")
    return Workdir(root)


def copy_workdir(src: Workdir, root: Path) -> Workdir:
    shutil.copytree(src.root, root, ignore=shutil.ignore_patterns(".pipeline.lock"))
    return Workdir(root)


def gold_frames(workdir: Workdir) -> dict[str, pl.DataFrame]:
    """Every gold export, read back (already sorted by its key on export)."""
    return {t: pl.read_parquet(workdir.gold_export(t)) for t in TABLES.gold_names}


def assert_same_gold(a: Workdir, b: Workdir) -> None:
    left, right = gold_frames(a), gold_frames(b)
    for table in TABLES.gold_names:
        assert left[table].equals(right[table]), f"gold table {table} differs"


@pytest.fixture(scope="session")
def month(tmp_path_factory) -> Run:
    """Built once per run, whichever worker asks first (tests/shared.py); read-only: a
    test that runs anything on it copies it first (`copy_workdir`)."""
    cfg = tiny_config(30)

    def make(root: Path) -> None:
        build_estate(cfg, Workdir(root))
        run_pipeline(cfg, Workdir(root))

    return Run(cfg, Workdir(built_once(tmp_path_factory, "month", make)))


@pytest.fixture(scope="session")
def week_estate(tmp_path_factory) -> Run:
    cfg = tiny_config(6)
    wd = Workdir(tmp_path_factory.mktemp("week-estate"))
    build_estate(cfg, wd)
    return Run(cfg, wd)


@pytest.fixture(scope="session")
def week(week_estate, tmp_path_factory) -> Run:
    wd = copy_estate(week_estate.workdir, tmp_path_factory.mktemp("week") / "wd")
    run_pipeline(week_estate.cfg, wd)
    return Run(week_estate.cfg, wd)
