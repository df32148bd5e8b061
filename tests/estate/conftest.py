"""Tiny estates shared by the estate tests (scale 0.01, 27 days: every scenario and the peak)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from demo_pipeline.config import DemoConfig, load_config
from demo_pipeline.estate import build_estate
from demo_pipeline.workdir import Workdir

TINY = {"seed": 7, "scale": 0.01, "days": 27}


def tiny_config(**overrides) -> DemoConfig:
    return load_config().with_overrides(**{**TINY, **overrides})


def build(root: Path, *, fork: bool = True, **overrides) -> tuple[DemoConfig, Workdir]:
    cfg = tiny_config(**overrides)
    workdir = Workdir(root)
    build_estate(cfg, workdir, fork=fork)
    return cfg, workdir


def file_hashes(sources: Path) -> dict[str, str]:
    """sha256 of every file under `sources`, keyed by relative path."""
    return {
        str(p.relative_to(sources)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(sources.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def tiny_estate(tmp_path_factory) -> tuple[DemoConfig, Workdir]:
    """One tiny estate, built once for the read-only tests."""
    return build(tmp_path_factory.mktemp("tiny"))
