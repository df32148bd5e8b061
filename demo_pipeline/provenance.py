"""Where a number came from: run id, git commit, seed, scale, time and machine."""

from __future__ import annotations

import datetime as dt
import functools
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def git_commit() -> str:
    """The commit the code ran at, with '-dirty' when the tree has local changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


@functools.cache
def machine() -> str:
    """A one-line description of the machine: CPU model, cores, RAM, OS."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        ram_gib = f", {pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{ram_gib}, {platform.system()} {platform.release()}"


def describe_machine(environment: dict, *, kernel: bool = False) -> str:
    """One line for the machine a benchmark environment record (bench/environment.json)
    describes: CPU, cores, RAM and OS, and the kernel when asked."""
    ram = environment.get("ram_bytes")
    cores = environment.get("cores_logical")
    parts = (
        environment.get("cpu_model"),
        f"{cores} logical cores" if cores else None,
        f"{ram / 2**30:.0f} GiB RAM" if ram else None,
        environment.get("os"),
        f"kernel {environment['kernel']}" if kernel and environment.get("kernel") else None,
    )
    return ", ".join(str(p) for p in parts if p)


@dataclass(frozen=True)
class Provenance:
    run_id: str
    git_commit: str
    seed: int
    scale: float
    measured_at: str
    machine: str
    # What made a benchmark figure (profile, days, rows, bytes, repetitions); benchmark
    # figures only, so that a smoke test is never read as a measurement.
    measured_on: dict | None = None

    @classmethod
    def now(
        cls, run_id: str, seed: int, scale: float, *, measured_on: dict | None = None
    ) -> Provenance:
        return cls(
            run_id=run_id,
            git_commit=git_commit(),
            seed=seed,
            scale=scale,
            measured_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            machine=machine(),
            measured_on=measured_on,
        )

    def to_dict(self) -> dict:
        data = asdict(self)
        if data["measured_on"] is None:
            del data["measured_on"]
        return data
