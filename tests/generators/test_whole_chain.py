"""The whole chain at a tiny scale (the `tiny_chain` fixture, tests/conftest.py), built
once and read by several tests: `build_site` at scale 0.01 runs estate, pipeline, quick
benchmarks, generators and mkdocs --strict on a copy of the project. The quick benchmark
profile's end-to-end expectations are checked on the results this build made (the chain
runs `bench --profile quick`; running the profile a second time on a fixture of its own
would measure nothing new)."""

from __future__ import annotations

import json

import pytest

from demo_pipeline.bench.claims import NOT_JUDGED, UNMEASURED, evaluate_claims
from demo_pipeline.bench.environment import REQUIRED_FIELDS
from demo_pipeline.bench.profiles import PROFILES
from tests.conftest import TINY_CHAIN_SCALE
from tests.generators.project_copy import build
from tests.generators.site_checks import assert_site_is_sound
from tests.shared import copy_tree

pytestmark = pytest.mark.slow


def test_whole_chain_at_tiny_scale(tiny_chain):
    """Every step ran, and mkdocs --strict built a sound site: every page uses only keys
    real runs produce (a missing one fails the build), no leftover Jinja, alt text."""
    for step in ("estate", "pipeline", "bench", "publish", "charts", "pages", "mkdocs"):
        assert f"[done] {step}" in tiny_chain.stdout
    assert_site_is_sound(tiny_chain.project / "site")


def test_a_second_build_with_nothing_changed_skips_every_step(tiny_chain, tmp_path):
    """On a copy of the project and work directory (step records name files relative to
    them), so a step that did run again could not touch what other tests read."""
    project = copy_tree(tiny_chain.project, tmp_path / "project")
    workdir = copy_tree(tiny_chain.workdir.root, tmp_path / "wd")
    again = build(project, workdir, "--scale", TINY_CHAIN_SCALE)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "[run]" not in again.stdout, again.stdout


def test_quick_profile_runs_end_to_end(tiny_chain):
    """`bench --profile quick` (the chain's bench step): every benchmark ok,
    results/raw/environment written, the figures in the metric catalogue with provenance,
    and every benchmark claim measured (and, the quick profile being a smoke test, not
    judged)."""
    workdir = tiny_chain.workdir
    for name in ("results.json", "raw.json", "environment.json"):
        assert (workdir.bench / name).is_file()
    document = json.loads(workdir.bench_results.read_text())
    assert document["profile"] == "quick"
    assert {b["status"] for b in document["benchmarks"].values()} == {"ok"}
    environment = json.loads((workdir.bench / "environment.json").read_text())
    assert set(REQUIRED_FIELDS) <= set(environment)
    raw = json.loads((workdir.bench / "raw.json").read_text())
    runs = raw["benchmarks"]["engines_polars_pandas"]["pandas_numpy"]["payload"]["questions"]
    assert len(runs["top_products"]["timing"]["runs_s"]) == PROFILES["quick"].repetitions

    catalogue = json.loads(workdir.metrics.read_text())
    for key in (
        "bench.polars_vs_pandas.speedup",
        "bench.polars_lazy_vs_pandas.memory_reduction_pct",
        "bench.duckdb_vs_sqlite.speedup",
        "bench.duckdb_vs_postgres.speedup",
        "bench.parquet_vs_csv.size_reduction_pct",
        "bench.parquet_zstd_vs_csv.size_reduction_pct",
        "bench.parquet_vs_csv.scan_time_reduction_pct",
        "bench.partition_pruning.speedup",
        "bench.preagg_vs_facts.speedup",
    ):
        assert key in catalogue, key
        assert catalogue[key]["provenance"]["run_id"] == document["run_id"]

    postgres = document["benchmarks"]["row_stores"]["summary"]["postgres"]
    for verdict in evaluate_claims(workdir):
        if verdict.claim.measured_by != "bench":
            continue  # pipeline claims are judged from the pipeline's own figures
        if verdict.claim.metric == "bench.duckdb_vs_postgres.speedup" and not postgres["available"]:
            assert verdict.verdict == UNMEASURED and verdict.reason
        elif verdict.claim.benchmark == "scale_out":  # the quick profile starts no JVM
            assert verdict.verdict == UNMEASURED and "quick profile" in verdict.reason
        else:  # measured, but a quick-profile figure is a smoke test: not judged
            assert verdict.verdict == NOT_JUDGED, verdict.reason
            assert verdict.measured is not None
        assert verdict.measured_on["profile"] == "quick"
