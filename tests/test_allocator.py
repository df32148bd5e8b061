"""The run's cap on glibc's malloc arenas (demo_pipeline/allocator.py, ADR 0015).

Each case runs in a fresh interpreter: the cap is process-wide, and glibc reads
MALLOC_ARENA_MAX from the environment when the process starts."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

CALL = "from demo_pipeline.allocator import limit_malloc_arenas; print(limit_malloc_arenas())"


def _limit(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", CALL], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="the cap is glibc's (mallopt M_ARENA_MAX)",
)
def test_the_cap_is_set_on_glibc() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    assert _limit(env) == "True"


def test_a_cap_from_the_environment_is_left_alone() -> None:
    assert _limit({**os.environ, "MALLOC_ARENA_MAX": "4"}) == "False"
