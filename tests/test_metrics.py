"""The metric catalogue: merged updates, atomic writes, stable keys."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from demo_pipeline.metrics import Metric, MetricCatalogue
from demo_pipeline.provenance import Provenance

PROV = Provenance(run_id="r1", git_commit="abc", seed=1, scale=0.1, measured_at="t", machine="m")


def metric(key: str, value: float = 1.0) -> Metric:
    return Metric(key=key, value=value, unit="s", description="a test metric", provenance=PROV)


def test_update_merges_without_erasing(tmp_path):
    """One step's update keeps every other step's metrics."""
    cat = MetricCatalogue(tmp_path / "metrics.json")
    cat.update([metric("pipeline.duration.total_s")])
    cat.update([metric("bench.polars_vs_pandas.speedup", 3.0)])
    data = cat.read()
    assert set(data) == {"pipeline.duration.total_s", "bench.polars_vs_pandas.speedup"}
    assert data["bench.polars_vs_pandas.speedup"]["value"] == 3.0
    assert data["pipeline.duration.total_s"]["provenance"]["run_id"] == "r1"


def test_drop_prefix_replaces_one_family_only(tmp_path):
    """drop_prefix removes stale keys of one family and nothing else."""
    cat = MetricCatalogue(tmp_path / "metrics.json")
    cat.update([metric("bench.a.x"), metric("bench.b.y"), metric("pipeline.runs.total")])
    cat.update([metric("bench.a.x", 2.0)], drop_prefix="bench")
    assert set(cat.read()) == {"bench.a.x", "pipeline.runs.total"}


def test_bad_key_is_rejected():
    """A key that is not dotted lower_snake is refused with the key in the message."""
    with pytest.raises(ValueError, match="'Bad Key'"):
        metric("Bad Key")


def _write_many(path: str, prefix: str) -> None:
    cat = MetricCatalogue(path)
    for i in range(20):
        cat.update([metric(f"{prefix}.m{i}.value", i)])


def test_concurrent_writers_lose_nothing(tmp_path):
    """Two processes updating at once both keep every one of their metrics."""
    path = str(tmp_path / "metrics.json")
    procs = [multiprocessing.Process(target=_write_many, args=(path, p)) for p in ("aa", "bb")]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    data = json.loads((tmp_path / "metrics.json").read_text())
    assert len(data) == 40
