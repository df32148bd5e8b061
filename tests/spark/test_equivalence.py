"""The Spark engine computes the same silver and gold as the Polars/DuckDB engine:
every table's digest, the quarantine, the SCD2 versions and the quality results
(tests/spark/equivalence.py says what is compared), on `local[2]` (after its driver
is killed mid-run and the run started again) and on a real standalone cluster bound to
127.0.0.1 (after it loses a worker mid-run)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from demo_pipeline.config import load_config
from demo_pipeline.workdir import Workdir
from tests.spark.cluster import StandaloneCluster
from tests.spark.conftest import REPO_ROOT, SPARK_DAYS, pipeline
from tests.spark.equivalence import assert_equivalent

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@dataclass(frozen=True)
class LocalRun:
    workdir: Path
    orphans: list  # processes of the killed driver still alive a minute after it


@pytest.fixture(scope="module")
def local_run(estate, tmp_path_factory) -> LocalRun:
    """A `local[2]` run whose driver (the `run` process) is SIGKILLed while the second
    day's silver is being written, then that day run again. Every test below checks the
    rerun's result, so the crash costs CI no Spark run of its own: an engine that
    computed other tables, or a rerun that did not recover, fails them alike."""
    workdir = estate.copy(tmp_path_factory.mktemp("spark-local"))
    second_day = load_config().estate.start_date + dt.timedelta(days=1)
    run = subprocess.Popen(
        [sys.executable, "-m", "demo_pipeline", "run", "--engine", "spark",
         "--spark-master", "local[2]", "--workdir", str(workdir)],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 900
    # The first silver write of day two: the day is under way, its gold not yet built.
    while not any(workdir.joinpath("lake", "silver").glob(f"*/ingest_date={second_day}")):
        assert run.poll() is None, run.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "day two's silver never started"
        time.sleep(0.2)
    jvms = psutil.Process(run.pid).children(recursive=True)
    run.kill()
    run.wait()
    _, orphans = psutil.wait_procs(jvms, timeout=60)
    for process in orphans:
        process.kill()
    assert not (workdir / "runs" / f"{second_day}.json").exists(), "killed after day two ended"
    # The interrupted day run again, as an operator would after a crash (day one is
    # finished and sealed; rerunning it too is what the `--day` test below checks).
    done = pipeline("run", "--engine", "spark", "--spark-master", "local[2]",
                    "--workdir", str(workdir), "--day", str(second_day))  # fmt: skip
    assert done.returncode in (0, 3), done.stderr[-3000:]
    return LocalRun(workdir, orphans)


def test_local_spark_after_a_driver_kill_equals_polars(polars_run, local_run):
    assert_equivalent(polars_run, local_run.workdir)


def test_the_killed_driver_leaves_no_jvm_behind(local_run):
    assert not local_run.orphans, f"the driver's JVM outlived it: {local_run.orphans}"


def test_gold_duckdb_is_loaded_from_spark_gold_parquet(local_run):
    """The site's gold database holds what Spark wrote (its row counts), and Spark's
    gold Parquet is where it came from."""
    import duckdb

    spark_gold = local_run.workdir / "gold" / "spark"
    con = duckdb.connect(str(Workdir(local_run.workdir).gold_db), read_only=True)
    try:
        for table in ("fact_sales", "dim_product", "agg_daily_sales"):
            files = f"{spark_gold / table}/**/*.parquet"
            [(expected,)] = con.sql(f"SELECT count(*) FROM read_parquet('{files}')").fetchall()
            [(loaded,)] = con.sql(f"SELECT count(*) FROM {table}").fetchall()
            assert loaded == expected > 0, table
    finally:
        con.close()


def test_a_day_rerun_on_spark_changes_nothing(polars_run, local_run):
    """`--day` rerun: the same digests as before it."""
    day = str(load_config().estate.start_date + dt.timedelta(days=SPARK_DAYS - 1))
    done = pipeline("run", "--engine", "spark", "--spark-master", "local[2]",
                    "--workdir", str(local_run.workdir), "--day", day)  # fmt: skip
    assert done.returncode in (0, 3), done.stderr[-3000:]
    assert_equivalent(polars_run, local_run.workdir)


def test_a_standalone_cluster_losing_a_worker_equals_polars(polars_run, estate, tmp_path):
    """Submitted to a real standalone cluster (a master and two workers on 127.0.0.1),
    with one worker SIGKILLed (and its executor) once the first day's silver is under
    way: Spark reschedules the lost tasks on the other worker, every table still equals
    the reference, and stopping the cluster leaves no process behind. (One cluster run
    for both: each Spark run costs about a minute of CI.)"""
    cluster = StandaloneCluster(tmp_path / "cluster").start()
    workdir = estate.copy(tmp_path / "run")
    try:
        run = subprocess.Popen(
            [sys.executable, "-m", "demo_pipeline", "run", "--engine", "spark",
             "--spark-master", cluster.url, "--workdir", str(workdir)],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 600
        while not (workdir / "lake" / "silver").exists() and time.monotonic() < deadline:
            assert run.poll() is None, run.communicate()[1][-3000:]
            time.sleep(0.5)
        cluster.kill_worker(0)
        _, stderr = run.communicate(timeout=1800)
    finally:
        cluster.stop()
    assert run.returncode in (0, 3), stderr[-3000:]
    assert_equivalent(polars_run, workdir)
    alive = subprocess.run(["ps", "-o", "pid=", "-p", ",".join(map(str, cluster.pids()))],
                           capture_output=True, text=True).stdout.split()  # fmt: skip
    assert not alive, f"cluster processes left behind: {alive}"


@pytest.mark.skipif(
    os.environ.get("DEMO_SPARK_MONTH") != "1",
    reason="the whole month on Spark takes about half an hour on 2 cores; "
    "`make test-spark-month` runs it",
)
def test_the_whole_month_on_spark_equals_polars(tmp_path):
    """Every day of the scenario calendar (schema drift, the outage and its backfill, late
    data, the peak day) on both engines: every table equal."""
    estate = tmp_path / "estate"
    done = pipeline("generate", "--seed", "42", "--scale", "0.02", "--workdir", str(estate))
    assert done.returncode == 0, done.stderr
    runs = {}
    for engine in ("polars", "spark"):
        workdir = tmp_path / engine
        shutil.copytree(estate / "sources", workdir / "sources")
        master = ("--spark-master", "local[2]") if engine == "spark" else ()
        done = pipeline("run", "--engine", engine, *master, "--workdir", str(workdir),
                        timeout=5400)  # fmt: skip
        assert done.returncode in (0, 3), done.stderr[-3000:]
        runs[engine] = workdir
    assert_equivalent(runs["polars"], runs["spark"])
