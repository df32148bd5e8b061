"""A real Spark standalone cluster on 127.0.0.1, started from the pyspark
distribution's own launcher classes (a master and N workers, each a JVM), and
stopped with every process it started: the tests check none is left behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyspark

from demo_pipeline.spark.session import JVM_OPTIONS, find_java

SPARK_HOME = Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class StandaloneCluster:
    workdir: Path
    workers: int = 2
    cores_per_worker: int = 1
    memory_per_worker: str = "1g"  # a Spark app asks 1g per executor by default
    port: int = field(default_factory=free_port)
    ui_port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        java = find_java()
        assert java, "the standalone-cluster test needs java"
        # SPARK_SCALA_VERSION: what bin/load-spark-env.sh sets; without it a worker
        # looks for a source build and cannot launch an executor.
        env = dict(os.environ, SPARK_HOME=str(SPARK_HOME), SPARK_LOCAL_IP="127.0.0.1")
        env["SPARK_SCALA_VERSION"] = _scala_version()
        env.setdefault("JAVA_HOME", str(Path(os.path.realpath(java)).parents[1]))
        return env

    def _java(self, main: str, *args: str, log: str) -> subprocess.Popen:
        command = [
            find_java() or "java", *JVM_OPTIONS.split(), "-Xmx256m",
            "-cp", f"{SPARK_HOME}/jars/*", main, *args,
        ]  # fmt: skip
        out = open(self.workdir / f"{log}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=self._env(), start_new_session=True
        )
        self.processes.append(process)
        return process

    def start(self, timeout: float = 240) -> StandaloneCluster:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._java(
            "org.apache.spark.deploy.master.Master",
            "--host", "127.0.0.1", "--port", str(self.port), "--webui-port", str(self.ui_port),
            log="master",
        )  # fmt: skip
        for i in range(self.workers):
            self._java(
                "org.apache.spark.deploy.worker.Worker", self.url,
                "--host", "127.0.0.1", "--webui-port", str(free_port()),
                "--cores", str(self.cores_per_worker), "--memory", self.memory_per_worker,
                "--work-dir", str(self.workdir / f"worker-{i}"),
                log=f"worker-{i}",
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.alive_workers() == self.workers:
                return self
            time.sleep(1)
        self.stop()
        raise TimeoutError(
            f"standalone cluster: expected {self.workers} workers; see {self.workdir}"
        )

    def alive_workers(self) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=2) as r:
                return int(json.load(r).get("aliveworkers", 0))
        except (OSError, ValueError):
            return 0

    def kill_worker(self, index: int) -> None:
        """SIGKILL a worker JVM (and the executor it launched, in its process group)."""
        os.killpg(self.processes[1 + index].pid, signal.SIGKILL)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]


def _scala_version() -> str:
    """The Scala binary version of the distribution's jars (scala-library-2.12.x.jar)."""
    [jar] = SPARK_HOME.joinpath("jars").glob("scala-library-*.jar")
    return ".".join(jar.stem.removeprefix("scala-library-").split(".")[:2])
