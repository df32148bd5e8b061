"""Jobs that check the measuring instrument itself, not an engine: the harness tests
run them to prove that peak memory is the job's own and that thread pinning reaches
the engines. They are ordinary jobs, run by `harness.run_job` like the benchmarks."""

from __future__ import annotations

import os
import time
from typing import Any


def allocate(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Hold `mib` MiB of touched memory for a moment, then return."""
    block = bytearray(params["mib"] * 2**20)
    for i in range(0, len(block), 4096):  # touch every page so it is resident
        block[i] = 1
    time.sleep(0.05)
    return {"allocated_mib": params["mib"]}


def thread_settings(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """What each engine reports as its thread count inside a job process."""
    import duckdb
    import polars as pl
    import pyarrow as pa

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    return {
        "bench_threads": threads,
        "POLARS_MAX_THREADS": os.environ.get("POLARS_MAX_THREADS"),
        "polars": pl.thread_pool_size(),
        "duckdb": con.execute("SELECT current_setting('threads')").fetchone()[0],
        "pyarrow": pa.cpu_count(),
    }


def sleep(params: dict[str, Any], threads: int) -> dict[str, Any]:
    time.sleep(params["seconds"])
    return {}


def fail(params: dict[str, Any], threads: int) -> dict[str, Any]:
    raise ValueError(params["message"])
