"""The measuring instrument: repetitions, fresh-process peak memory, thread pinning."""

from __future__ import annotations

import pytest

from demo_pipeline.bench.harness import run_job, time_repeated
from demo_pipeline.errors import BenchmarkError

MIB = 2**20


def test_warmups_are_timed_apart_and_every_run_is_kept():
    """1 warm-up + 4 runs: 4 raw runs kept, min <= median <= max, last result returned."""
    calls = []
    timing, result = time_repeated(lambda: calls.append(1) or len(calls), warmups=1, repetitions=4)
    assert len(timing.warmup_s) == 1 and len(timing.runs_s) == 4
    assert timing.min_s <= timing.median_s <= timing.max_s
    assert result == 5


def test_peak_memory_is_the_jobs_own_and_measured_from_outside(tmp_path):
    """A job holding 200 MiB peaks above 200 MiB; a small job stays far below, even though
    the parent itself holds 300 MiB (the peak is not inherited from the runner)."""
    ballast = bytearray(300 * MIB)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    big = run_job(
        "demo_pipeline.bench.probe:allocate",
        {"mib": 200},
        threads=1,
        scratch=tmp_path,
        timeout_s=60,
    )
    small = run_job(
        "demo_pipeline.bench.probe:allocate",
        {"mib": 1},
        threads=1,
        scratch=tmp_path,
        timeout_s=60,
    )
    assert big.peak_rss_bytes > 200 * MIB
    assert small.peak_rss_bytes < 100 * MIB
    assert len(ballast) == 300 * MIB


def test_threads_reach_every_engine(tmp_path):
    """With threads=1, Polars, DuckDB and pyarrow all report one thread inside the job."""
    outcome = run_job(
        "demo_pipeline.bench.probe:thread_settings", {}, threads=1, scratch=tmp_path, timeout_s=60
    )
    settings = outcome.payload
    assert settings["POLARS_MAX_THREADS"] == "1"
    assert settings["polars"] == 1
    assert int(settings["duckdb"]) == 1
    assert settings["pyarrow"] == 1


def test_a_failing_job_raises_with_its_stderr(tmp_path):
    """A job that raises becomes a BenchmarkError carrying the child's message."""
    with pytest.raises(BenchmarkError, match="probe-says-no"):
        run_job(
            "demo_pipeline.bench.probe:fail",
            {"message": "probe-says-no"},
            threads=1,
            scratch=tmp_path,
            timeout_s=60,
        )


def test_a_job_over_its_timeout_is_stopped(tmp_path):
    """A job that runs past its timeout is killed and reported as timed out."""
    with pytest.raises(BenchmarkError, match="timed out"):
        run_job(
            "demo_pipeline.bench.probe:sleep",
            {"seconds": 30},
            threads=1,
            scratch=tmp_path,
            timeout_s=1,
        )
