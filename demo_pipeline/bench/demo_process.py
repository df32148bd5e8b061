"""`python -m demo_pipeline <args>` as the whole-process benchmarks run it (`pipeline`,
`scale_out`): a fresh process of this interpreter, exactly as a reader types the command,
with its output in a log and its cost measured from outside.

* wall time, and the load average just before (a busy machine slows wall time, not CPU);
* CPU time and peak resident set size of the process itself, from `os.wait4` when it
  exits (the kernel's figures);
* with `sample_tree`, the peak memory of the whole process tree (TreeMemory): a Spark
  run's JVM is a child of the Python driver, which `wait4` does not count.

A command that exits with a code not in `ok`, or outlives `timeout_s`, is a
BenchmarkError naming its log.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path

from demo_pipeline.bench.harness import REPO_ROOT
from demo_pipeline.errors import BenchmarkError

SAMPLE_EVERY_S = 0.1
MB = 1024 * 1024


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled from
    outside (the kernel's RSS of each process, summed at the same instant)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = {"driver_mb": 0.0, "jvm_mb": 0.0, "total_mb": 0.0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            try:
                driver = root.memory_info().rss / MB
                jvm = 0.0
                for child in root.children(recursive=True):
                    try:
                        rss = child.memory_info().rss / MB
                        jvm += rss if "java" in child.name() else 0.0
                        driver += 0.0 if "java" in child.name() else rss
                    except psutil.NoSuchProcess:
                        continue
            except psutil.NoSuchProcess:
                return
            self.peak["driver_mb"] = max(self.peak["driver_mb"], driver)
            self.peak["jvm_mb"] = max(self.peak["jvm_mb"], jvm)
            self.peak["total_mb"] = max(self.peak["total_mb"], driver + jvm)
            self._stop.wait(SAMPLE_EVERY_S)


def run_demo(
    args: list[str],
    log: Path,
    ok: tuple[int, ...],
    *,
    timeout_s: float | None = None,
    env: dict[str, str] | None = None,
    sample_tree: bool = False,
) -> dict[str, float]:
    """Run `python -m demo_pipeline <args>`; wall, CPU, peak RSS (and the tree's peaks)."""
    command = f"`python -m demo_pipeline {' '.join(args)}`"
    load = os.getloadavg()[0]
    started = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "demo_pipeline", *args],
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=None if env is None else {**os.environ, **env},
        )
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout_s, kill) if timeout_s else None
        if timer:
            timer.start()
        with TreeMemory(proc.pid) if sample_tree else nullcontext() as tree:
            _, status, usage = os.wait4(proc.pid, 0)
        if timer:
            timer.cancel()
    proc.returncode = code = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
    wall = time.perf_counter() - started
    if timed_out.is_set():
        raise BenchmarkError(
            f"{command} took longer than {timeout_s:g} s (the profile's limit); log {log}"
        )
    if code not in ok:
        tail = log.read_text(errors="replace")[-1500:]
        raise BenchmarkError(
            f"{command} exited with {code} (expected {' or '.join(map(str, ok))}); "
            f"log {log}:\n{tail}"
        )
    measured = {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        "load_avg_1m_before": round(load, 2),
    }
    if tree is not None:
        measured.update({k: round(v, 1) for k, v in tree.peak.items()})
    return measured
