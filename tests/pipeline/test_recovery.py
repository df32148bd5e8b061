"""Idempotency, crash safety and bad input, on the 6-day reference run.

Each test copies the reference (or its estate) into its own directory, does
something to it, and compares gold with the uninterrupted run."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time

import polars as pl
import pytest

from demo_pipeline.bronze import bronze_partition
from demo_pipeline.core.crashpoints import ENV_VAR
from demo_pipeline.core.manifest import read_manifest
from demo_pipeline.pipeline.runner import run_pipeline
from demo_pipeline.silver.stage import silver_partition
from tests.pipeline.conftest import REPO_ROOT, SCALE, assert_same_gold, copy_estate, copy_workdir

pytestmark = pytest.mark.slow


def lake_files(workdir) -> dict[str, bytes]:
    """Every file of the lake by relative path (hidden temporaries would show up too)."""
    return {
        str(p.relative_to(workdir.lake)): p.read_bytes()
        for p in sorted(workdir.lake.rglob("*"))
        if p.is_file()
    }


def cli_command(workdir, days: int, *extra: str) -> list[str]:
    """The real command line that runs `days` days of the test estate in `workdir`."""
    return [
        sys.executable,
        "-m",
        "demo_pipeline",
        "run",
        "--scale",
        str(SCALE),
        "--days",
        str(days),
        "--seed",
        "42",
        "--workdir",
        str(workdir.root),
        *extra,
    ]


def run_cli(workdir, days: int, *extra: str, env: dict | None = None):
    """The real command line, in a subprocess (so it can be killed)."""
    return subprocess.run(
        cli_command(workdir, days, *extra),
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


# --- idempotency ------------------------------------------------------------------------


def test_rerunning_a_day_gives_identical_lake_and_gold(week, tmp_path):
    """`--day` on an already-run day rewrites bronze and silver byte for byte."""
    wd = copy_workdir(week.workdir, tmp_path / "wd")
    before = lake_files(wd)
    run_pipeline(week.cfg, wd, day="2026-11-04")
    assert lake_files(wd) == before
    assert_same_gold(wd, week.workdir)


def test_days_one_at_a_time_equal_days_in_one_go(week, tmp_path):
    """Running each day separately (as a scheduler would) gives the same gold, lake and
    quality results as one run of the week, where each day is finished while the next
    one is read and cleaned (runner._Lane)."""
    wd = copy_estate(week.workdir, tmp_path / "wd")
    for day in week.cfg.estate.business_days():
        run_pipeline(week.cfg, wd, day=day.isoformat())
    assert_same_gold(wd, week.workdir)
    assert lake_files(wd) == lake_files(week.workdir)
    assert_same_quality_results(wd, week.workdir)


def test_from_scratch_rebuild_equals_the_first_build(week, tmp_path):
    """--from-scratch removes lake, gold and state and rebuilds the same gold."""
    wd = copy_workdir(week.workdir, tmp_path / "wd")
    (wd.lake / "bronze" / "stray.txt").write_text("left over")
    run_pipeline(week.cfg, wd, from_scratch=True)
    assert not (wd.lake / "bronze" / "stray.txt").exists()
    assert_same_gold(wd, week.workdir)
    assert lake_files(wd) == lake_files(week.workdir)
    assert_same_quality_results(wd, week.workdir)


def assert_same_quality_results(workdir, reference) -> None:
    """The same checks with the same verdicts and details, except the latency check's
    outcome: it measures request times (wall clock), so its detail is never the same twice
    and, on a loaded machine, a request may cross the threshold in one run and not the
    other. Its presence and the rows it checked are still compared."""

    def comparable(wd) -> pl.DataFrame:
        results = pl.read_parquet(wd.quality_results)
        timed = pl.col("rule") == "source.latency"
        measured = ("detail", "rows_failed", "severity", "action")
        return results.with_columns(
            pl.when(timed).then(None).otherwise(pl.col(c)).alias(c) for c in measured
        )

    got, expected = comparable(workdir), comparable(reference)
    assert got.height == expected.height > 0
    assert got.equals(expected), got.join(expected, how="anti", on=got.columns, nulls_equal=True)


# --- crash safety -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "start"),
    [
        # day 1, bronze: the new partition written, not yet swapped in
        ("partition.before_swap#12", "empty"),
        # a re-run over a finished lake: swapped, the old copy not yet removed
        ("partition.after_swap#20", "finished"),
        # day 3, inside the gold transaction
        ("gold.mid_build#3", "empty"),
        # day 5, the whole gold build done but not committed
        ("gold.before_commit#5", "empty"),
    ],
)
def test_sigkill_then_rerun_gives_the_uninterrupted_gold(week, tmp_path, point, start):
    """Killed with SIGKILL at a precise point, a plain rerun ends with identical gold
    and lake, and no temporary directory is left behind."""
    if start == "empty":
        wd = copy_estate(week.workdir, tmp_path / "wd")
    else:
        wd = copy_workdir(week.workdir, tmp_path / "wd")
    killed = run_cli(wd, 6, env={ENV_VAR: point})
    assert killed.returncode == -9, killed.stderr[-2000:]
    rerun = run_cli(wd, 6)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert_same_gold(wd, week.workdir)
    assert lake_files(wd) == lake_files(week.workdir)
    assert not list(wd.root.rglob(".*.tmp"))


# --- bad input --------------------------------------------------------------------------


def test_truncated_workbook_fails_its_table_and_keeps_earlier_data(week, tmp_path):
    """A half-written .xlsx: a clear error naming the file, the table marked failed,
    the other tables loaded and the earlier silver untouched."""
    wd = copy_workdir(week.workdir, tmp_path / "wd")
    day = dt.date(2026, 11, 6)
    book = wd.workbooks / day.isoformat() / "supplier_prices.xlsx"
    book.write_bytes(book.read_bytes()[:500])
    earlier = (
        silver_partition(wd.silver, "supplier_prices", day - dt.timedelta(days=1))
        / "part-0.parquet"
    ).read_bytes()
    run_pipeline(week.cfg, wd, day=day.isoformat())
    manifest = read_manifest(wd.runs, day)
    assert manifest.status == "partial"
    assert manifest.tables["supplier_prices"].status == "failed"
    assert str(book) in manifest.tables["supplier_prices"].detail
    assert manifest.tables["orders"].status == "ok"
    assert (
        silver_partition(wd.silver, "supplier_prices", day - dt.timedelta(days=1))
        / "part-0.parquet"
    ).read_bytes() == earlier


def test_missing_workbook_is_reported_by_name(week, tmp_path):
    """A workbook that is not there: the run names the missing file and carries on."""
    wd = copy_workdir(week.workdir, tmp_path / "wd")
    day = dt.date(2026, 11, 5)
    book = wd.workbooks / day.isoformat() / "supplier_prices.xlsx"
    book.unlink()
    run_pipeline(week.cfg, wd, day=day.isoformat())
    detail = read_manifest(wd.runs, day).tables["supplier_prices"].detail
    assert "not found" in detail and str(book) in detail


def test_corrupt_bronze_parquet_fails_the_table_not_the_run(week, tmp_path):
    """A truncated bronze file is detected as corrupt (not read as empty); table failed."""
    from demo_pipeline.core.context import DayContext
    from demo_pipeline.runlog import RunLog
    from demo_pipeline.silver.stage import build_silver

    wd = copy_workdir(week.workdir, tmp_path / "wd")
    day = dt.date(2026, 11, 6)
    file = bronze_partition(wd.bronze, "erp", "inventory_snapshots", day) / "part-0.parquet"
    file.write_bytes(file.read_bytes()[:100])
    good = silver_partition(wd.silver, "inventory_snapshots", day) / "part-0.parquet"
    before = good.read_bytes()
    with RunLog(wd.logs, "corrupt-test") as log:
        outcome = build_silver(DayContext(week.cfg, wd, day, "corrupt-test", log))
    table = outcome.tables["inventory_snapshots"]
    assert table.status == "failed"
    assert str(file) in table.detail and "unreadable" in table.detail
    assert good.read_bytes() == before
    assert outcome.tables["orders"].status == "ok"


def test_unreachable_erp_marks_its_tables_failed_and_gold_keeps_earlier_days(week, tmp_path):
    """No ERP database: its tables are failed with the path in the error; gold facts of
    earlier days are untouched."""
    wd = copy_workdir(week.workdir, tmp_path / "wd")
    wd.erp_db.rename(wd.erp_db.with_suffix(".moved"))
    run_pipeline(week.cfg, wd, day="2026-11-06")
    manifest = read_manifest(wd.runs, dt.date(2026, 11, 6))
    assert manifest.status == "partial"
    for table in ("products", "inventory_snapshots", "purchase_orders"):
        assert manifest.tables[table].status == "failed"
        assert str(wd.erp_db) in manifest.tables[table].detail
    old = pl.read_parquet(week.workdir.gold_export("fact_inventory_daily"))
    new = pl.read_parquet(wd.gold_export("fact_inventory_daily"))
    assert new.equals(old)


def test_a_temporary_left_in_any_run_folder_is_swept_by_the_next_run(week, tmp_path):
    """A kill can land inside any atomic write, including the quality files a worker
    writes while gold is built: the next run removes the hidden leftovers everywhere."""
    wd = copy_workdir(week.workdir, tmp_path / "wd")
    planted = [folder / ".left.parquet.dead0001.tmp" for folder in wd.run_outputs]
    planted.append(wd.order_stats / ".2026-11-03.parquet.dead0002.tmp")
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    run_pipeline(week.cfg, wd, day="2026-11-04")
    assert [p for p in planted if p.exists()] == []
    assert not list(wd.root.rglob(".*.tmp"))


def test_sigkill_at_random_moments_then_rerun_gives_the_uninterrupted_gold(week, tmp_path):
    """Killed three times at (seeded) random moments of a run, then run to the end:
    gold and lake equal the uninterrupted run's."""
    rng = random.Random(7)
    wd = copy_estate(week.workdir, tmp_path / "wd")
    command = cli_command(wd, 6)
    for _ in range(3):
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(1.0, 6.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    rerun = run_cli(wd, 6)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert_same_gold(wd, week.workdir)
    assert lake_files(wd) == lake_files(week.workdir)
