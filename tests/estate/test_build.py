"""Building the estate: determinism, seeds, scale, re-runs, logs, metrics and bad input."""

from __future__ import annotations

import json
import sqlite3

import pytest

from demo_pipeline.errors import SourceError
from demo_pipeline.estate import build_estate
from demo_pipeline.workdir import Workdir
from tests.estate.conftest import build, file_hashes, tiny_config


def test_same_seed_and_scale_give_byte_identical_files(tiny_estate, tmp_path):
    """Two builds with the same seed and scale produce the same bytes in every file."""
    _, first = tiny_estate
    _, second = build(tmp_path / "again")
    hashes = file_hashes(first.sources)
    assert {"erp.sqlite", "ground_truth.json", "orders/manifest.json"} <= set(hashes)
    assert any(name.startswith("orders/2026-11-") for name in hashes)
    assert any(name.startswith("workbooks/2026-11-") for name in hashes)
    assert hashes == file_hashes(second.sources)


def test_different_seed_gives_different_data(tiny_estate, tmp_path):
    """A different seed changes the ERP, the orders feed and the ground truth."""
    _, first = tiny_estate
    _, other = build(tmp_path / "other", seed=8)
    a, b = file_hashes(first.sources), file_hashes(other.sources)
    assert a["erp.sqlite"] != b["erp.sqlite"]
    assert a["orders/2026-11-01.ndjson"] != b["orders/2026-11-01.ndjson"]
    assert a["ground_truth.json"] != b["ground_truth.json"]


def test_scale_changes_counts_proportionally(tmp_path):
    """Doubling the scale doubles SKUs and customers and roughly doubles orders."""
    counts = {}
    for scale in (0.01, 0.02):
        _, workdir = build(tmp_path / str(scale), scale=scale, days=3)
        metrics = json.loads(workdir.metrics.read_text())
        counts[scale] = {k: metrics[f"estate.{k}"]["value"] for k in ("skus", "customers")}
        counts[scale]["orders"] = metrics["estate.rows.orders"]["value"]
        counts[scale]["inventory"] = metrics["estate.rows.inventory_snapshots"]["value"]
    assert counts[0.01]["skus"] == round(10_247 * 0.01)
    assert counts[0.02]["skus"] == round(10_247 * 0.02)
    assert counts[0.02]["customers"] == 2 * counts[0.01]["customers"]
    assert 1.7 < counts[0.02]["orders"] / counts[0.01]["orders"] < 2.3
    assert 1.8 < counts[0.02]["inventory"] / counts[0.01]["inventory"] < 2.2


def test_scale_one_has_the_briefs_company():
    """At scale 1 the config describes 10,247 SKUs across 12 warehouses."""
    from demo_pipeline.estate.dimensions import DimensionSizes

    sizes = DimensionSizes.from_config(tiny_config(scale=1.0).estate)
    assert (sizes.skus, sizes.warehouses) == (10_247, 12)


def test_regenerate_replaces_the_estate_and_leaves_no_staging(tmp_path):
    """Re-running generate swaps in a complete new estate and removes leftovers of a crash."""
    _, workdir = build(tmp_path / "w", days=2)
    leftover = workdir.root / ".sources-staging-deadbeef"
    (leftover / "sources").mkdir(parents=True)
    build_estate(tiny_config(days=3), workdir)
    assert not leftover.exists()
    assert [p.name for p in workdir.root.iterdir() if p.name.startswith(".sources")] == []
    truth = json.loads(workdir.ground_truth.read_text())
    assert truth["days"] == 3
    assert (workdir.orders_store / "2026-11-03.ndjson").is_file()


def test_unwritable_workdir_raises_source_error_naming_the_path(tmp_path):
    """A work directory that cannot be created stops with SourceError naming it."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "work"
    with pytest.raises(SourceError, match=str(target)):
        build_estate(tiny_config(days=2), Workdir(target))


def test_build_logs_stages_with_rows_and_durations(tiny_estate):
    """The run log has one JSON event per line with stage, table, rows and duration."""
    _, workdir = tiny_estate
    (log,) = sorted(workdir.logs.glob("generate-*.jsonl"))
    events = [json.loads(line) for line in log.read_text().splitlines()]
    done = [e for e in events if e["event"] == "stage.done"]
    stages = {e["stage"] for e in done}
    assert {"dimensions", "products", "erp.flush", "day", "ground_truth", "swap"} <= stages
    assert all("duration_s" in e and "table" in e for e in done)
    assert all("rows" in e for e in done if e["stage"] == "day")
    assert events[-1]["event"] == "estate.done"


def test_metrics_have_the_contract_keys_with_provenance(tiny_estate):
    """estate.* metrics land in the catalogue, each with its provenance."""
    cfg, workdir = tiny_estate
    metrics = json.loads(workdir.metrics.read_text())
    for key in (
        "estate.skus",
        "estate.warehouses",
        "estate.suppliers",
        "estate.customers",
        "estate.days",
        "estate.rows.total",
        "estate.rows.orders",
        "estate.rows.order_lines",
        "estate.rows.inventory_snapshots",
        "estate.rows.products",
    ):
        assert key in metrics, key
        assert metrics[key]["provenance"]["seed"] == cfg.estate.seed
    assert metrics["estate.days"]["value"] == cfg.estate.days
    with sqlite3.connect(workdir.erp_db) as conn:
        (n,) = conn.execute("SELECT count(*) FROM inventory_snapshots").fetchone()
    assert metrics["estate.rows.inventory_snapshots"]["value"] == n


def test_generate_command_builds_the_estate(tmp_path):
    """`python -m demo_pipeline generate` builds the estate and prints a summary."""
    import subprocess
    import sys

    args = ["generate", "--scale", "0.01", "--days", "2", "--workdir", str(tmp_path)]
    result = subprocess.run(
        [sys.executable, "-m", "demo_pipeline", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "estate ready" in result.stderr
    assert Workdir(tmp_path).ground_truth.is_file()


def test_a_very_small_estate_still_builds_every_day(tmp_path):
    """At scale 0.001 (10 SKUs) the assortment never runs dry and every day has orders."""
    _, workdir = build(tmp_path, scale=0.001, days=30)
    manifest = json.loads(workdir.orders_manifest.read_text())["dates"]
    assert len(manifest) == 30
    assert all(entry["rows"] > 0 for entry in manifest.values())
    with sqlite3.connect(workdir.erp_db) as conn:
        (listed,) = conn.execute("SELECT count(*) FROM products").fetchone()
    assert listed >= 0.8 * round(10_247 * 0.001)
