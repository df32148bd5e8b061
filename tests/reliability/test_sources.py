"""Sources are read, never written (issue 15, item 3).

- The ERP is never written: its bytes and mtime (and every other source file's) are
  unchanged after a multi-day run, and the run works with the files read-only.
- An unreadable ERP fails that day's source with a message naming the file, the
  other sources still load, the run exits 3 (partial), and every referential check
  the ERP's absence prevented is a `not_run` row in the quality results.
- An unreadable workbook fails only the workbook source, naming the file.
- A calendar with no scenarios exits 0, and the closing summary says so.

Tiny scale (0.01), three days, through the real command line.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DAYS = 3
FLAGS = ("--scale", "0.01", "--days", str(DAYS), "--seed", "42")
EXIT_PARTIAL = 3

# The referential-integrity rules of the tables the API and the workbooks deliver, each
# needing an ERP dimension: what an unreadable ERP prevents on a first day.
ERP_DEPENDENT_RULES = {
    ("orders", "warehouse_id_known"),
    ("orders", "customer_id_known"),
    ("order_lines", "product_id_known"),
    ("supplier_prices", "supplier_id_known"),
}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "demo_pipeline", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def clean_config(tmp_path_factory) -> Path:
    """config/demo.yaml with no injected scenarios and no contract updates."""
    data = yaml.safe_load((REPO / "config" / "demo.yaml").read_text(encoding="utf-8"))
    data["scenarios"] = []
    data["quality"]["contract_updates"] = []
    path = tmp_path_factory.mktemp("config") / "clean.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def estate(clean_config, tmp_path_factory) -> Path:
    """A generated clean estate; each test runs on its own copy."""
    root = tmp_path_factory.mktemp("estate") / "wd"
    result = cli("generate", "--config", str(clean_config), "--workdir", str(root), *FLAGS)
    assert result.returncode == 0, result.stderr
    return root


def fresh_copy(estate: Path, tmp_path: Path) -> Path:
    root = tmp_path / "wd"
    shutil.copytree(estate / "sources", root / "sources")
    return root


def run(config: Path, workdir: Path) -> subprocess.CompletedProcess:
    return cli("run", "--config", str(config), "--workdir", str(workdir), *FLAGS)


def fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under `folder`: its SHA-256 and its mtime in nanoseconds."""
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def make_read_only(folder: Path) -> None:
    for p in [folder, *folder.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)


def make_writable(folder: Path) -> None:
    for p in [folder, *folder.rglob("*")]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)


@dataclass(frozen=True)
class CleanRun:
    result: subprocess.CompletedProcess
    sources: Path
    before: dict[str, tuple[str, int]]
    after: dict[str, tuple[str, int]]


@pytest.fixture(scope="module")
def clean_run(estate, clean_config, tmp_path_factory) -> CleanRun:
    """One run of the clean calendar on a fresh copy of the estate, its sources read-only
    while it runs, with every source file's fingerprint before and after. Two tests read
    it (it used to be two identical runs, one of them on writable sources)."""
    workdir = fresh_copy(estate, tmp_path_factory.mktemp("clean-run"))
    sources = workdir / "sources"
    before = fingerprint(sources)
    make_read_only(sources)
    try:
        result = run(clean_config, workdir)
    finally:
        make_writable(sources)
    return CleanRun(result, sources, before, fingerprint(sources))


def test_the_erp_is_never_written_and_read_only_sources_are_enough(clean_run):
    """A three-day run leaves every source file byte for byte and mtime for mtime as it
    was, with the sources read-only. (Root ignores the permissions, hence the bytes and
    mtime comparison: the old code moved the ERP's `source_clock` row every day.)"""
    before, after = clean_run.before, clean_run.after
    assert "erp.sqlite" in before
    assert clean_run.result.returncode == 0, clean_run.result.stderr
    assert after["erp.sqlite"] == before["erp.sqlite"], "the run wrote into the ERP"
    assert after == before, "the run changed a source file"
    # No journal, WAL or lock file was left (or created) beside the ERP.
    left = sorted(p.name for p in clean_run.sources.iterdir())
    assert left == sorted({k.split(os.sep)[0] for k in before})


def test_a_clean_calendar_exits_zero_and_says_so(clean_run):
    """No scenario injected: every day succeeds, exit 0, the summary counts the days."""
    result = clean_run.result
    assert result.returncode == 0, result.stderr
    assert f"{DAYS} of {DAYS} daily run(s) succeeded" in " ".join(result.stderr.split())


def test_an_unreadable_erp_fails_its_source_and_records_the_checks_it_prevented(
    estate, clean_config, tmp_path
):
    """A corrupt ERP: exit 3, a message naming the file and what is wrong, no traceback,
    the API and the workbooks still load, and a `not_run` row (with the reason) for every
    referential check that needed an ERP dimension, on every day."""
    workdir = fresh_copy(estate, tmp_path)
    erp = workdir / "sources" / "erp.sqlite"
    erp.write_bytes(b"this is not a SQLite database\n" * 1000)
    result = run(clean_config, workdir)
    message = " ".join(result.stderr.split())
    assert result.returncode == EXIT_PARTIAL, result.stderr
    assert "Traceback" not in result.stderr
    assert str(erp) in message and "not a readable SQLite database" in message
    assert f"0 of {DAYS} daily run(s) succeeded" in message
    assert message.count("partial: source erp unreadable") == DAYS

    results = pl.read_parquet(workdir / "quality" / "results.parquet")
    days = results.get_column("business_date").unique().sort().to_list()
    assert len(days) == DAYS
    for day in days:
        today = results.filter(pl.col("business_date") == day)
        not_run = today.filter(pl.col("action") == "not_run")
        assert set(zip(not_run["table"], not_run["rule"], strict=True)) == ERP_DEPENDENT_RULES
        for detail in not_run["detail"]:
            assert detail.startswith("not run:") and "source 'erp' unreadable" in detail
            assert str(erp) in detail
        assert set(not_run["severity"]) == {"warn"}
        unavailable = today.filter(pl.col("rule") == "source.available")
        assert unavailable.height > 0 and all(str(erp) in d for d in unavailable["detail"])
    # The other sources of the day still loaded.
    lake = workdir / "lake" / "silver"
    for table in ("orders", "order_lines"):
        assert list((lake / table).rglob("*.parquet")), f"{table} did not load"


def test_an_unreadable_workbook_fails_only_its_source(estate, clean_config, tmp_path):
    """A corrupt workbook on day 2: exit 3, the file named, the ERP and the API load."""
    workdir = fresh_copy(estate, tmp_path)
    book = sorted((workdir / "sources" / "workbooks").glob("*/supplier_prices.xlsx"))[1]
    book.write_bytes(b"not a zip file")
    result = run(clean_config, workdir)
    message = " ".join(result.stderr.split())
    assert result.returncode == EXIT_PARTIAL, result.stderr
    assert "Traceback" not in result.stderr
    assert str(book) in message
    assert f"{DAYS - 1} of {DAYS} daily run(s) succeeded" in message
    assert f"{book.parent.name} partial: source workbooks unreadable" in message
