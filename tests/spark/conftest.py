"""One estate per session, built once, and the Polars engine's run of it: the
reference every Spark run is compared with (tests/spark/equivalence.py).

The estate is scale 0.02 over SPARK_DAYS days, not the 30-day calendar: Spark pays a
fixed cost per job (scheduling, planning, a JVM that warms up) and a day is some fifty
jobs, so the 30 days would take these tests far past the minutes they may add to CI.
The days kept include an initial load and a day of changes on top of it (SCD2
versions, re-pointed facts, de-duplication against earlier days). The whole month,
with every scenario of the calendar, is `make test-spark-month` (about half an hour).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCALE = 0.02
SPARK_DAYS = 2


def pipeline(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """`python -m demo_pipeline ...` in a subprocess: its JVM ends with it."""
    return subprocess.run(
        [sys.executable, "-m", "demo_pipeline", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass(frozen=True)
class Estate:
    root: Path
    """A work directory holding only the generated sources."""

    def copy(self, target: Path) -> Path:
        shutil.copytree(self.root / "sources", target / "sources")
        return target


@pytest.fixture(scope="session")
def estate(tmp_path_factory) -> Estate:
    root = tmp_path_factory.mktemp("spark-estate")
    done = pipeline("generate", "--seed", "42", "--scale", str(SCALE), "--days", str(SPARK_DAYS),
                    "--workdir", str(root))  # fmt: skip
    assert done.returncode == 0, done.stderr
    return Estate(root)


@pytest.fixture(scope="session")
def polars_run(estate, tmp_path_factory) -> Path:
    """The reference: the default engine on the session's estate."""
    workdir = estate.copy(tmp_path_factory.mktemp("polars-run"))
    done = pipeline("run", "--workdir", str(workdir))
    assert done.returncode in (0, 3), done.stderr
    return workdir
