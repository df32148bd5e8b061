"""The reference run the failure, damaged-lake and one-writer tests start from or compare
against, built once per run (tests/shared.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.support import cli
from tests.shared import built_once

FLAGS = ("--seed", "42", "--scale", "0.01", "--days", "2")


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> Path:
    """An estate (FLAGS) and a clean 2-day run of it, by the real command line: what a
    rerun after a failure or damage must equal. `run` is given no flags: it runs the
    recorded estate (test_one_writer.py checks that on this run). Read-only: each test
    copies it."""

    def make(root: Path) -> None:
        generated = cli("generate", *FLAGS, "--workdir", str(root))
        assert generated.returncode == 0, generated.stderr
        ran = cli("run", "--workdir", str(root))
        assert ran.returncode == 0, ran.stderr

    return built_once(tmp_path_factory, "reliability-reference", make)
