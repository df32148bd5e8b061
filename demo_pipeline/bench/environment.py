"""The environment saved next to every benchmark result: machine, OS, versions, data.

Captured in the runner's process without importing any engine (versions come from the
installed package metadata), so capturing it cannot change an engine's thread settings.
Every field in REQUIRED_FIELDS is always present; a value that cannot be found is the
string "unknown", never a missing key.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import psutil

from demo_pipeline.bench.postgres_server import find_bin_dir
from demo_pipeline.errors import BenchmarkError
from demo_pipeline.provenance import git_commit

ENGINE_PACKAGES = (
    "polars",
    "pandas",
    "duckdb",
    "pyarrow",
    "numpy",
    "psycopg",
    "adbc-driver-sqlite",
)
REQUIRED_FIELDS = (
    "cpu_model",
    "cores_physical",
    "cores_logical",
    "ram_bytes",
    "swap_bytes",
    "swap_on",
    "os",
    "kernel",
    "python",
    "engines",
    "git_commit",
    "seed",
    "scale",
    "profile",
    "threads",
    "data",
)
UNKNOWN = "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or UNKNOWN


def os_name() -> str:
    try:
        fields = dict(
            line.split("=", 1)
            for line in Path("/etc/os-release").read_text().splitlines()
            if "=" in line
        )
        return fields.get("PRETTY_NAME", "").strip('"') or platform.system()
    except OSError:
        return f"{platform.system()} {platform.version()}"


def postgres_version() -> str:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return "not installed"
    try:
        done = subprocess.run(
            [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return UNKNOWN
    return done.stdout.strip() or UNKNOWN


def engine_versions() -> dict[str, str]:
    versions: dict[str, str] = {}
    for package in ENGINE_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    versions["sqlite"] = sqlite3.sqlite_version
    versions["postgresql"] = postgres_version()
    return versions


def capture_environment(
    *, seed: int, scale: float, profile: str, threads: int, data: dict[str, Any]
) -> dict[str, Any]:
    """Everything a reader needs to know to compare our numbers with theirs."""
    swap = psutil.swap_memory().total
    env = {
        "cpu_model": cpu_model(),
        "cores_physical": psutil.cpu_count(logical=False) or UNKNOWN,
        "cores_logical": psutil.cpu_count(logical=True) or os.cpu_count() or UNKNOWN,
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_bytes": psutil.virtual_memory().total,
        "swap_bytes": swap,
        "swap_on": swap > 0,
        "os": os_name(),
        "kernel": platform.release(),
        # Other work on the machine slows every engine; the load says how busy it was.
        "load_average_1_5_15m": list(os.getloadavg()),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "engines": engine_versions(),
        "git_commit": git_commit(),
        "seed": seed,
        "scale": scale,
        "profile": profile,
        "threads": threads,
        "data": data,
    }
    missing = [f for f in REQUIRED_FIELDS if env.get(f) is None]
    if missing:  # a bug here must not silently produce an incomplete record
        raise BenchmarkError(f"environment capture incomplete: expected {missing}; found none")
    return env
