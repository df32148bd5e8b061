"""How a measurement is taken: repeated timings in-process, and jobs in fresh processes.

Two rules from the method drive this module:

* Timings: a warm-up, then N repetitions; every raw run is kept and min/median/max are
  derived from them (never the other way round).
* Engines run in a fresh child process per measurement. That is the only way to set
  POLARS_MAX_THREADS before Polars is imported, and the only honest way to get a job's
  peak memory: the kernel's own maximum resident set size of that child, read with
  `os.wait4` by a minimal launcher process when it exits (launcher.py explains why the
  launcher is needed): measured from outside, never a library's size estimate.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from demo_pipeline.errors import BenchmarkError

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER_MODULE = "demo_pipeline.bench.worker"
LAUNCHER = Path(__file__).resolve().parent / "launcher.py"
T = TypeVar("T")


@dataclass
class Timing:
    """Wall-clock seconds of one measured operation: warm-up runs and measured runs."""

    warmup_s: list[float] = field(default_factory=list)
    runs_s: list[float] = field(default_factory=list)

    @property
    def min_s(self) -> float:
        return min(self.runs_s)

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs_s)

    @property
    def max_s(self) -> float:
        return max(self.runs_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_s": self.min_s,
            "median_s": self.median_s,
            "max_s": self.max_s,
            "runs_s": self.runs_s,
            "warmup_s": self.warmup_s,
        }


def time_repeated(fn: Callable[[], T], *, warmups: int, repetitions: int) -> tuple[Timing, T]:
    """Call `fn` warm-up times (timed, reported apart), then `repetitions` times.

    Returns the timing and the last result, so the caller can validate the answer
    that was actually timed.
    """
    if repetitions < 1:
        raise BenchmarkError(f"repetitions must be >= 1; found {repetitions}")
    timing = Timing()
    result: T | None = None
    for i in range(warmups + repetitions):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        (timing.warmup_s if i < warmups else timing.runs_s).append(elapsed)
    return timing, result  # type: ignore[return-value]


def thread_environment(threads: int) -> dict[str, str]:
    """Environment variables that pin every engine's thread pool to `threads`.

    POLARS_MAX_THREADS is read once, when Polars is imported; OMP_NUM_THREADS also sizes
    pyarrow's CPU pool (pandas' Parquet reader); the others cap BLAS pools numpy may use.
    DuckDB is set in code by each job (`SET threads`) from BENCH_THREADS.
    """
    value = str(threads)
    return {
        "BENCH_THREADS": value,
        "POLARS_MAX_THREADS": value,
        "OMP_NUM_THREADS": value,
        "OPENBLAS_NUM_THREADS": value,
        "MKL_NUM_THREADS": value,
        "NUMEXPR_MAX_THREADS": value,
    }


@dataclass(frozen=True)
class ProcessOutcome:
    """What a job in a fresh process returned, and what the kernel says it cost."""

    job: str
    payload: dict[str, Any]
    peak_rss_bytes: int
    wall_s: float
    cpu_user_s: float = 0.0
    cpu_system_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "peak_rss_bytes": self.peak_rss_bytes,
            "process_wall_s": self.wall_s,
            # CPU time is less disturbed by other work on the machine than wall time.
            "process_cpu_user_s": self.cpu_user_s,
            "process_cpu_system_s": self.cpu_system_s,
            "payload": self.payload,
        }


def run_job(
    job: str,
    params: dict[str, Any],
    *,
    threads: int,
    scratch: Path,
    timeout_s: float,
) -> ProcessOutcome:
    """Run `job` ('module:function' inside demo_pipeline.bench) in a fresh interpreter.

    The child gets `params` as JSON and writes its JSON result to a file. It is started
    by launcher.py, a minimal process that reaps it with `os.wait4`: `ru_maxrss` is the
    kernel's record of the job's peak resident set (kilobytes on Linux), taken outside
    the job. A crash, a non-zero exit or a timeout raises BenchmarkError with the
    child's stderr.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    tag = f"{job.rsplit(':', 1)[-1]}-{time.time_ns()}"
    params_path = scratch / f"{tag}.params.json"
    out_path = scratch / f"{tag}.out.json"
    err_path = scratch / f"{tag}.stderr.txt"
    usage_path = scratch / f"{tag}.usage.json"
    params_path.write_text(json.dumps(params, default=str), encoding="utf-8")
    env = {**os.environ, **thread_environment(threads), "PYTHONPATH": str(REPO_ROOT)}
    job_cmd = [sys.executable, "-m", WORKER_MODULE, job, str(params_path), str(out_path)]
    cmd = [sys.executable, "-I", "-S", str(LAUNCHER), str(usage_path), "--", *job_cmd]
    start = time.perf_counter()
    with open(err_path, "wb") as err:
        # Own session, so a timeout can stop the launcher and the job together.
        proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=env, stdout=err, stderr=err, start_new_session=True
        )
        try:
            code = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise BenchmarkError(
                f"benchmark job {job} timed out: expected to finish within {timeout_s:.0f} s"
            ) from None
    wall = time.perf_counter() - start
    stderr_tail = err_path.read_text(encoding="utf-8", errors="replace")[-3000:]
    if code != 0 or not out_path.exists() or not usage_path.exists():
        raise BenchmarkError(
            f"benchmark job {job} failed in its own process: expected exit 0 and a result "
            f"file {out_path.name}; found exit {code}.\n{stderr_tail}"
        )
    payload = json.loads(out_path.read_text(encoding="utf-8"))
    usage = json.loads(usage_path.read_text(encoding="utf-8"))
    for path in (params_path, out_path, err_path, usage_path):
        path.unlink()
    return ProcessOutcome(
        job=job,
        payload=payload,
        peak_rss_bytes=usage["maxrss_kb"] * 1024,
        wall_s=wall,
        cpu_user_s=usage["user_s"],
        cpu_system_s=usage["system_s"],
    )
