"""The Spark session a run uses, with the failures a user can fix said plainly.

Before a JVM is started, the things that would otherwise surface as a long Java stack
trace (or a silent hang) are checked here:
- PySpark not installed (it is the optional `spark` extra);
- no Java (Spark 3.5 runs on Java 17: say how to install it);
- a `spark://host:port` master that does not answer: a standalone driver retries its
  registration for a minute before giving up, so the port is probed first and the run
  stops within `CONNECT_TIMEOUT_S`.

The session is configured for identical results on any master: UTC, timestamps
without a time zone kept as such (the lake's timestamps are local business times),
Parquet timestamps written as microseconds (what Polars and DuckDB read back
unchanged), and no UI (nothing listens on a port the tests did not choose).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from demo_pipeline.errors import DemoPipelineError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"
CONNECT_TIMEOUT_S = 10.0
"""Per attempt; two attempts keep an unreachable master's error well within 30 s."""
JAVA_INSTALL_HINT = (
    "Spark needs Java 17. Install it with `sudo apt-get install openjdk-17-jre-headless` "
    "(Debian/Ubuntu; `make system-deps` does this), `brew install openjdk@17` (macOS), "
    "or point JAVA_HOME at an installed JDK/JRE 17"
)


JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.level=ERROR"
"""The small-batch tuning: C1 alone warms the JVM fastest; one GC thread is enough."""
THROUGHPUT_JVM_OPTIONS = "-Dlog4j2.level=ERROR"
"""The throughput tuning: the JVM's defaults (tiered C1 + C2, G1)."""


class SparkUnavailable(DemoPipelineError):
    """Spark cannot start here: no PySpark, no Java, or the cluster does not answer."""


def find_java() -> str | None:
    """The java executable Spark would launch: $JAVA_HOME/bin/java, else the PATH's."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = os.path.join(home, "bin", "java")
        return candidate if os.access(candidate, os.X_OK) else None
    return shutil.which("java")


def check_master(master: str) -> None:
    """Raise SparkUnavailable unless `master` is local[...] or a reachable spark:// URL."""
    if master == "local" or master.startswith("local["):
        return
    if not master.startswith("spark://"):
        raise SparkUnavailable(
            f"--spark-master: expected local[N], local[*] or spark://host:port; found "
            f"{master!r} (for YARN or Kubernetes, run under spark-submit: see the toolkit page)"
        )
    hostport = master.removeprefix("spark://").split(",")[0]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise SparkUnavailable(f"--spark-master: expected spark://host:port; found {master!r}")
    error: OSError | None = None
    for _ in range(2):
        try:
            with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
                return
        except OSError as exc:
            error = exc
    raise SparkUnavailable(
        f"Spark master {master} is unreachable: expected a standalone master listening on "
        f"{host}:{port}; found {error} (start one with `sbin/start-master.sh`, or check "
        "the host, port and firewall)"
    )


def submitted() -> bool:
    """Launched by `spark-submit` (YARN, Kubernetes...): it has set the master and the
    resources already, and started the JVM this process talks to."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def require_spark(master: str) -> None:
    """Everything a session needs, checked before a JVM is started or anything written."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkUnavailable(
            "--engine spark: expected PySpark; found it not installed "
            "(install the spark extra: `pip install -e '.[spark]'`)"
        ) from None
    if find_java() is None and not submitted():
        where = "JAVA_HOME=" + os.environ["JAVA_HOME"] if "JAVA_HOME" in os.environ else "PATH"
        raise SparkUnavailable(f"--engine spark: no java found on {where}. {JAVA_INSTALL_HINT}")
    if not submitted():
        check_master(master)


@contextmanager
def spark_session(
    master: str = DEFAULT_MASTER,
    app_name: str = "demo-pipeline",
    shuffle_partitions: int = 2,
    tuning: str = "small_batches",
) -> Iterator[SparkSession]:
    """A session for one run, stopped on the way out (also on an error)."""
    require_spark(master)
    # Executors on a standalone cluster run Python only for Python UDFs (there are
    # none), but they must use this interpreter if they ever do.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    # The driver binds to loopback, as the tests' cluster does, unless told otherwise.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    # Spark creates its (unused) SQL warehouse folder in the working directory unless
    # told otherwise: keep it out of the user's checkout.
    warehouse = tempfile.mkdtemp(prefix="demo-spark-warehouse-")
    small = tuning == "small_batches"
    jvm = JVM_OPTIONS if small else THROUGHPUT_JVM_OPTIONS
    builder = SparkSession.builder
    if not (submitted() and master == DEFAULT_MASTER):
        builder = builder.master(master)
    builder = (
        builder.appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.adaptive.enabled", str(not small).lower())  # see below
        .config("spark.sql.ansi.enabled", "false")
        # Rewriting a partition must not leave _SUCCESS/.crc files beside part-0.
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
        .config("spark.hadoop.parquet.enable.summary-metadata", "false")
        .config("spark.sql.parquet.compression.codec", "zstd")
        # Small driver-side frames (a dimension's keys) go to the JVM as Arrow, and must.
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.pyspark.fallback.enabled", "false")
        # Many small jobs: whole-stage code generation compiles Java for every new
        # plan, which costs more than it saves on batches of thousands of rows, and
        # the C1 compiler alone warms the JVM faster. For the same reason projections
        # are interpreted, not compiled with Janino (a JFR profile of a scale-0.02 run
        # found a tenth of the JVM's samples compiling them), and adaptive execution,
        # which plans every stage again, is off. Together with the Arrow hand-over
        # above, a 2-day run went from 88 s to 63 s. At scale (tuning: throughput),
        # Spark's defaults.
        .config("spark.sql.codegen.wholeStage", str(not small).lower())
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN" if small else "FALLBACK")
        .config("spark.driver.extraJavaOptions", jvm)
        .config("spark.executor.extraJavaOptions", jvm)
    )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start: say which master and why
        shutil.rmtree(warehouse, ignore_errors=True)
        raise SparkUnavailable(f"could not start Spark on {master}: {exc}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()
        shutil.rmtree(warehouse, ignore_errors=True)
