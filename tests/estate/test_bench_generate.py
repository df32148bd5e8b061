"""The generation benchmark runs generate in a fresh process and records its figures."""

from __future__ import annotations

import json

from demo_pipeline.estate import bench_generate
from demo_pipeline.workdir import Workdir


def test_bench_generate_records_throughput_and_peak_memory(tmp_path):
    """A tiny run writes generate.json and bench.generate.* metrics measured from outside."""
    workdir = Workdir(tmp_path)
    args = ["--workdir", str(tmp_path), "--scales", "0.01", "--repeats", "3"]
    assert bench_generate.main(args) == 0
    result = json.loads(workdir.bench_generate.read_text())
    (run,) = result["results"]
    assert run["scale"] == 0.01 and run["fact_rows"] > 0
    assert run["rows_per_s"] > 0 and run["peak_rss_mb"] > 10
    # A warm-up, then three counted runs: the median of those is reported.
    assert run["repeats"] == 3 and len(run["warmup_rows_per_s"]) == 1
    assert run["rows_per_s"] == sorted(run["all_rows_per_s"])[1]
    assert run["min_rows_per_s"] <= run["rows_per_s"] <= run["max_rows_per_s"]
    metrics = json.loads(workdir.metrics.read_text())
    assert metrics["bench.generate.scale_0_01.rows_per_s"]["value"] == run["rows_per_s"]
    assert metrics["bench.generate.peak_rss_mb"]["value"] == run["peak_rss_mb"]
    assert not (workdir.bench / "generate" / "scale_0_01").exists()
