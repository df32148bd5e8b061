"""Bad input and faults on the Spark engine: each stops before anything is written,
with a message naming what failed, what was expected and what was found."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from tests.spark.conftest import REPO_ROOT

pytestmark = pytest.mark.spark


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_spark(workdir: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "demo_pipeline", "run", "--engine", "spark",
         "--workdir", str(workdir), *extra],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def _nothing_written(workdir: Path) -> None:
    for layer in ("lake", "gold", "runs", "state"):
        assert not (workdir / layer).exists(), f"{layer} written by a run that could not start"


def test_java_missing_says_how_to_install(estate, tmp_path):
    workdir = estate.copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)  # python, but no java
    done = _run_spark(workdir, env=env)
    assert done.returncode == 1, done.stderr
    assert "no java found" in done.stderr and "openjdk-17-jre-headless" in done.stderr
    _nothing_written(workdir)


def test_unreachable_master_fails_within_30_seconds(estate, tmp_path):
    workdir = estate.copy(tmp_path)
    master = f"spark://127.0.0.1:{_free_port()}"  # nothing listens there
    started = time.monotonic()
    done = _run_spark(workdir, "--spark-master", master)
    assert time.monotonic() - started < 30
    assert done.returncode == 1, done.stderr
    assert f"Spark master {master} is unreachable" in done.stderr
    _nothing_written(workdir)


def test_a_rule_spark_cannot_translate_fails_at_start_naming_it():
    """Polars accepts the predicate; Spark 3.5 has no `starts_with`: the compile step
    run when the engine starts names the rule. (In a subprocess: its JVM ends with it.)"""
    predicate = "starts_with(order_id, 'X')"
    assert pl.DataFrame({"order_id": ["X1", "Y"]}).select(pl.sql_expr(predicate)).height == 2
    script = (
        "from demo_pipeline.silver.rules import Rule\n"
        "from demo_pipeline.spark.rules import check_rules, UntranslatableRule\n"
        "from demo_pipeline.spark.session import spark_session\n"
        "with spark_session('local[1]') as spark:\n"
        f"    rule = Rule('orders', 'order_id_prefixed', {predicate!r}, 'starts with X')\n"
        "    try:\n"
        "        check_rules(spark, {'orders': [rule]})\n"
        "    except UntranslatableRule as exc:\n"
        "        print('REFUSED', exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert "REFUSED rule orders.order_id_prefixed" in done.stdout, done.stderr[-2000:]
    assert predicate in done.stdout


def test_every_declared_rule_compiles_for_polars_and_is_sql():
    """The declarations are SQL text (one per rule), and Polars compiles each."""
    from demo_pipeline.silver.contracts import CONTRACTS
    from demo_pipeline.silver.rules import References, rules_for
    from demo_pipeline.tables import TABLES

    every = References(**{f: pl.Series([1]) for f in References.__dataclass_fields__})
    for table in TABLES.names:
        contract = CONTRACTS[table][max(CONTRACTS[table])]
        empty = pl.DataFrame(schema=contract.stored_schema())
        for rule in rules_for(table, every):
            assert isinstance(rule.predicate, str) and rule.predicate
            if rule.reference is None:
                empty.select(rule.broken)  # raises if Polars cannot evaluate it


DRIVER_CALLS = re.compile(r"\.(collect|toPandas|toLocalIterator|take|first|head)\(")


def test_the_driver_never_collects_a_fact_table():
    """Every call that brings rows to the driver is on a line saying why it is small
    (`# driver:`); toPandas is not used at all."""
    offenders = []
    for path in sorted((REPO_ROOT / "demo_pipeline" / "spark").glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ".toPandas(" in line or (DRIVER_CALLS.search(line) and "# driver:" not in line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert not offenders, "rows brought to the driver without a reason:\n" + "\n".join(offenders)
