"""Issue 15, item 5: a damaged lake is found, not trusted.

Every lake file carries a seal written with it (size and SHA-256, demo_pipeline/seals.py).
A run checks them, and the gold database's header, before any day starts:
- a truncated or altered silver, bronze or unsealed file stops the run (exit 1) with a
  message naming the file, what was expected and what was found, and the command that
  rebuilds the lake; no run record is rewritten;
- a corrupt gold database is named the same way;
- a damaged gold Parquet export is rebuilt by the run itself;
- after `--from-scratch`, the lake and gold equal the undamaged reference.

Before the seals, each of these runs exited 0 and left the damage in place (the gold
database's case ended in a raw DuckDB traceback).

Scale 0.01, 2 days, through the real command line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.reliability.support import assert_same_data, cli, no_traceback, one_line

# `reference` (tests/reliability/conftest.py): an estate (seed 42, scale 0.01, 2 days)
# and a clean run of it, shared with the failure tests.
DAY = "2026-11-02"

pytestmark = pytest.mark.slow


def copy(reference: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(reference, tmp_path / "wd"))


def records(workdir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((workdir / "runs").glob("*.json"))}


def first(workdir: Path, pattern: str) -> Path:
    return sorted(workdir.glob(pattern))[0]


def assert_stopped_naming(result, damaged: Path, *words: str) -> None:
    message = one_line(result)
    assert result.returncode == 1, result.stderr
    assert no_traceback(result)
    assert str(damaged) in message
    assert "--from-scratch" in message
    for word in words:
        assert word in message


def test_a_truncated_silver_file_stops_the_run_before_any_day(reference, tmp_path):
    wd = copy(reference, tmp_path)
    damaged = first(wd, "lake/silver/order_lines/*/part-0.parquet")
    size = damaged.stat().st_size
    damaged.write_bytes(damaged.read_bytes()[:100])
    before = records(wd)

    result = cli("run", "--workdir", str(wd), "--day", DAY)

    assert_stopped_naming(result, damaged, f"expected {size} bytes", "found 100 bytes")
    assert records(wd) == before  # no good run record rewritten as failed


def test_an_altered_bronze_file_of_the_same_size_is_caught_by_its_checksum(reference, tmp_path):
    wd = copy(reference, tmp_path)
    damaged = first(wd, "lake/bronze/erp/*/year=*/month=*/day=*/part-0.parquet")
    data = bytearray(damaged.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0xFF  # one flipped byte: the size and the Parquet framing still look fine
    damaged.write_bytes(bytes(data))

    result = cli("run", "--workdir", str(wd), "--day", DAY)

    assert_stopped_naming(result, damaged, "SHA-256", "other content")


def test_a_truncated_file_without_a_seal_is_caught_by_its_parquet_framing(reference, tmp_path):
    """A crash between a file's swap and its seal leaves no seal: the framing still
    catches truncation."""
    wd = copy(reference, tmp_path)
    damaged = first(wd, "lake/silver/orders/*/part-0.parquet")
    damaged.with_name(f".{damaged.name}.seal").unlink()
    damaged.write_bytes(damaged.read_bytes()[:-20])

    result = cli("run", "--workdir", str(wd), "--day", DAY)

    assert_stopped_naming(result, damaged, "PAR1")


def test_a_corrupt_gold_database_is_named_not_a_traceback(reference, tmp_path):
    wd = copy(reference, tmp_path)
    gold = wd / "gold" / "warehouse.duckdb"
    gold.write_bytes(b"\0not a database\0" * 512)

    result = cli("run", "--workdir", str(wd), "--day", DAY)

    assert_stopped_naming(result, gold, "expected a DuckDB database")


def test_a_damaged_gold_export_is_rebuilt_by_the_run(reference, tmp_path):
    wd = copy(reference, tmp_path)
    export = wd / "gold" / "parquet" / "fact_sales.parquet"
    export.write_bytes(export.read_bytes()[:64])

    result = cli("run", "--workdir", str(wd), "--day", DAY)

    assert result.returncode == 0, result.stderr
    assert "repaired" in result.stderr and "fact_sales.parquet" in one_line(result)
    assert_same_data(wd, reference)


def test_from_scratch_after_damage_equals_the_reference(reference, tmp_path):
    wd = copy(reference, tmp_path)
    first(wd, "lake/silver/order_lines/*/part-0.parquet").write_bytes(b"PAR1")
    assert cli("run", "--workdir", str(wd)).returncode == 1

    result = cli("run", "--workdir", str(wd), "--from-scratch")

    assert result.returncode == 0, result.stderr
    assert_same_data(wd, reference)
