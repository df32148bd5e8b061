"""A throw-away PostgreSQL server for the row-store benchmark, started and stopped here.

It uses the distribution's server binaries (Debian: /usr/lib/postgresql/<v>/bin). initdb
and postgres refuse to run as root, so as root the server runs as the unprivileged
`postgres` system user via `runuser`. The cluster lives in a fresh temporary folder and
listens only on a unix socket inside it (no TCP port, no clash with other servers).
Whatever goes wrong, `PostgresUnavailable` says why, and the claim is then unmeasured.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from demo_pipeline.errors import BenchmarkError

SEARCH_ROOT = Path("/usr/lib/postgresql")
PORT = 5432  # only names the socket file; the socket sits in our private folder
UNPRIVILEGED_USER = "postgres"


class PostgresUnavailable(BenchmarkError):
    """No PostgreSQL server could be started on this machine (the reason is the message)."""


@dataclass(frozen=True)
class PostgresServer:
    socket_dir: str
    port: int
    user: str
    version: str
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def conninfo(self) -> str:
        return f"host={self.socket_dir} port={self.port} user={self.user} dbname=postgres"


def analyst_settings(threads: int) -> dict[str, str]:
    """What an analyst would set on a dedicated analytics box of this size.

    Memory and parallelism are raised from the (tiny) defaults; fsync and friends are off
    because this cluster is thrown away after the run - they speed up loading only and
    do not change how a read query executes. JIT stays at its default (on).
    """
    return {
        "shared_buffers": "512MB",
        "work_mem": "64MB",
        "maintenance_work_mem": "256MB",
        "effective_cache_size": "2GB",
        "random_page_cost": "1.1",
        "max_worker_processes": str(max(8, threads)),
        "max_parallel_workers": str(threads),
        "max_parallel_workers_per_gather": str(threads),
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }


def find_bin_dir() -> Path | None:
    """The newest server binaries: /usr/lib/postgresql/<v>/bin, else pg_ctl on PATH."""
    if SEARCH_ROOT.is_dir():
        versions = sorted(
            (p for p in SEARCH_ROOT.iterdir() if (p / "bin" / "initdb").exists()),
            key=lambda p: [int(x) for x in re.findall(r"\d+", p.name)] or [0],
            reverse=True,
        )
        if versions:
            return versions[0] / "bin"
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).parent / "initdb").exists():
        return Path(on_path).parent
    return None


def _run(cmd: list[str], what: str) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresUnavailable(f"{what} could not run: {exc}") from None
    if done.returncode != 0:
        raise PostgresUnavailable(
            f"{what} failed (exit {done.returncode}): {(done.stderr or done.stdout).strip()[-800:]}"
        )
    return done.stdout


@contextmanager
def temporary_postgres(threads: int, bin_dir: Path | None = None) -> Iterator[PostgresServer]:
    """Start a private PostgreSQL cluster; stop it and delete its files afterwards.

    `bin_dir` overrides where the server binaries are looked for (default: find_bin_dir).
    """
    bin_dir = bin_dir if bin_dir is not None else find_bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        raise PostgresUnavailable(
            f"no PostgreSQL server binaries found: expected initdb and pg_ctl under "
            f"{bin_dir or f'{SEARCH_ROOT}/<version>/bin or on PATH'}"
        )
    prefix: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(UNPRIVILEGED_USER)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root, and PostgreSQL refuses root: expected a system user "
                f"{UNPRIVILEGED_USER!r} to run it as; found none"
            ) from None
        runuser = shutil.which("runuser")
        if runuser is None:
            raise PostgresUnavailable("running as root: expected `runuser` to drop privileges")
        prefix = [runuser, "-u", UNPRIVILEGED_USER, "--"]
    user = owner.pw_name if owner else pwd.getpwuid(os.geteuid()).pw_name

    version = _run([str(bin_dir / "postgres"), "--version"], "postgres --version").strip()
    root = Path(tempfile.mkdtemp(prefix="demo-bench-postgres-"))
    data_dir = root / "data"
    log_file = root / "server.log"
    settings = analyst_settings(threads)
    try:
        if owner is not None:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        _run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                user,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            "initdb",
        )
        options = " ".join(
            ["-c listen_addresses=''", f"-c unix_socket_directories={root}", f"-p {PORT}"]
            + [f"-c {k}={v}" for k, v in settings.items()]
        )
        _run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data_dir),
                "-l",
                str(log_file),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            "pg_ctl start",
        )
        try:
            yield PostgresServer(
                socket_dir=str(root), port=PORT, user=user, version=version, settings=settings
            )
        finally:
            _run(
                [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"],
                "pg_ctl stop",
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
