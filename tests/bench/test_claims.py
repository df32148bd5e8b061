"""Claim verdicts are computed from the results file and the registry (data/claims.yaml)
on every call; `claims.json` records them for the site."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rich.console import Console

from demo_pipeline.bench.claims import (
    NOT_JUDGED,
    NOT_SUPPORTED,
    SUPPORTED,
    UNMEASURED,
    evaluate_claims,
    load_registry,
    print_claims,
)
from demo_pipeline.bench.harness import REPO_ROOT
from demo_pipeline.errors import BenchmarkError
from demo_pipeline.workdir import Workdir

BENCH_CLAIMS = [c for c in load_registry().claims if c.measured_by == "bench"]


def _write_results(
    workdir: Workdir, figures: dict, *, scale: float = 0.05, profile: str = "default"
) -> None:
    workdir.bench.mkdir(parents=True, exist_ok=True)
    (workdir.bench / "results.json").write_text(
        json.dumps(
            {
                "run_id": "bench-test",
                "measured_at": "2026-11-30T00:00:00+00:00",
                "profile": profile,
                "profile_settings": {"warmups": 1, "repetitions": 5},
                "scale": scale,
                "data": {"tables": {"fact_sales": {"rows": 1234, "bytes": 5678}}, "days": 30},
                "figures": figures,
                "benchmarks": {"row_stores": {"status": "ok"}},
            }
        )
    )


def _figure(value, why=""):
    return {"value": value, "unit": "x", "description": "", "why": why}


def _verdicts(workdir: Workdir) -> dict[str, object]:
    return {v.claim.id: v for v in evaluate_claims(workdir)}


def test_supported_not_supported_and_unmeasured_from_fake_results(tmp_path):
    """Above threshold -> supported; below -> not supported at this scale; None or
    absent -> unmeasured with the recorded reason; the scale travels with the verdict."""
    workdir = Workdir(tmp_path)
    _write_results(
        workdir,
        {
            "bench.polars_vs_pandas.speedup": _figure(7.5),
            "bench.preagg_vs_facts.speedup": _figure(3.0),
            "bench.dimensional_queries.p95_s": _figure(0.2),
            "bench.duckdb_vs_postgres.speedup": _figure(None, "PostgreSQL could not be started"),
        },
    )
    v = _verdicts(workdir)
    assert v["polars_vs_pandas_speed"].verdict == SUPPORTED
    assert v["preaggregation"].verdict == NOT_SUPPORTED
    assert v["dimensional_p95"].verdict == SUPPORTED  # "<" comparison
    assert v["duckdb_vs_postgres"].verdict == UNMEASURED
    assert "could not be started" in v["duckdb_vs_postgres"].reason
    assert v["parquet_size"].verdict == UNMEASURED  # absent from the results
    assert v["preaggregation"].measured_on["scale"] == 0.05
    assert "30 days, 1,234 sales lines, 5 repetitions" in v["preaggregation"].scale_text()


def test_verdicts_follow_the_results_file_not_a_stored_answer(tmp_path):
    """Rewriting the results flips the verdict: nothing is cached between calls."""
    workdir = Workdir(tmp_path)
    _write_results(workdir, {"bench.preagg_vs_facts.speedup": _figure(3.0)})
    assert _verdicts(workdir)["preaggregation"].verdict == NOT_SUPPORTED
    _write_results(workdir, {"bench.preagg_vs_facts.speedup": _figure(41.0)})
    assert _verdicts(workdir)["preaggregation"].verdict == SUPPORTED


def test_quick_profile_figures_are_not_judged(tmp_path):
    """A quick-profile run is a smoke test: its figures get no verdict either way, and the
    reason names the profile and how little data it saw."""
    workdir = Workdir(tmp_path)
    _write_results(
        workdir,
        {
            "bench.polars_vs_pandas.speedup": _figure(50.0),
            "bench.preagg_vs_facts.speedup": _figure(1.0),
        },
        profile="quick",
    )
    v = _verdicts(workdir)
    assert v["polars_vs_pandas_speed"].verdict == NOT_JUDGED
    assert v["preaggregation"].verdict == NOT_JUDGED
    assert "quick profile" in v["preaggregation"].reason
    assert "30 days" in v["preaggregation"].reason


def test_no_results_means_every_claim_unmeasured(tmp_path):
    """Without a benchmark run, no claim is supported and print_claims says so."""
    workdir = Workdir(tmp_path)
    assert {v.verdict for v in evaluate_claims(workdir)} == {UNMEASURED}
    assert print_claims(workdir, console=Console(quiet=True)) is False


def test_claims_json_records_the_registry_wording_with_each_verdict(tmp_path):
    """claims.json, the file the site reads, holds each claim's verdict next to its
    threshold, its wording per verdict and what the figure was measured on."""
    workdir = Workdir(tmp_path)
    _write_results(workdir, {"bench.duckdb_vs_postgres.speedup": _figure(7.0)})
    print_claims(workdir, console=Console(quiet=True))
    records = {r["id"]: r for r in json.loads(workdir.claims.read_text())}
    duck = records["duckdb_vs_postgres"]
    assert duck["verdict"] == NOT_SUPPORTED
    assert duck["measured"] == 7.0 and duck["threshold_text"] == "≥ 20×"
    assert set(duck["says"]) >= {"supported", "not_supported"}
    assert duck["measured_on"]["days"] == 30 and duck["measured_on"]["repetitions"] == 5


def test_a_broken_registry_names_the_file_and_the_claim(tmp_path):
    """A registry entry with a wrong field fails with the file, the claim id and the field."""
    path = tmp_path / "claims.yaml"
    path.write_text(
        "claimed_at: x\nclaims:\n  fast:\n    text: t\n    claimed: c\n"
        "    source: {page: p.md, label: P}\n    benchmark: b\n    metric: bench.b.x\n"
        "    comparison: '=>'\n    threshold: 5\n    unit: x\n    reading: r\n"
    )
    with pytest.raises(BenchmarkError, match=r"claims\.yaml: claim 'fast'.*comparison"):
        load_registry(path)


def test_print_claims_true_only_when_every_claim_holds(tmp_path):
    """All figures on the right side of their thresholds -> True."""
    workdir = Workdir(tmp_path)
    figures = {
        c.metric: _figure(c.threshold * 2 if c.comparison.startswith(">") else 0.0)
        for c in BENCH_CLAIMS
    }
    _write_results(workdir, figures)
    pipeline = {
        c.metric: {"value": c.threshold * 2 if c.comparison.startswith(">") else c.threshold - 1}
        for c in load_registry().claims
        if c.measured_by == "pipeline"
    }
    pipeline = {k: {**v, "unit": "", "provenance": {}} for k, v in pipeline.items()}
    for key in pipeline:  # "<=" thresholds of 0 need a value at or below them
        if pipeline[key]["value"] < 0:
            pipeline[key]["value"] = 0
    workdir.metrics.write_text(json.dumps(pipeline))
    assert print_claims(workdir, console=Console(quiet=True)) is True


def test_claims_strict_exits_non_zero_unless_all_supported(tmp_path):
    """`claims --strict` exits 1 with an unsupported claim and prints the scale."""
    workdir = Workdir(tmp_path)
    _write_results(workdir, {"bench.preagg_vs_facts.speedup": _figure(3.0)})
    done = subprocess.run(
        [sys.executable, "-m", "demo_pipeline", "claims", "--strict", "--workdir", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 1, done.stderr
    assert "not supported at this scale" in done.stdout
    assert "scale 0.05" in done.stdout


def test_a_busy_machine_is_called_out():
    """Load above the core count during a benchmark produces a warning; below it, none."""
    from demo_pipeline.bench.claims import busy_machine_note

    def results(load: float) -> dict:
        return {
            "environment": {"cores_logical": 2},
            "benchmarks": {"memory": {"load_average_at_start": [load, 1.0, 1.0]}},
        }

    assert busy_machine_note(results(1.5)) is None
    assert "load average up to 7.5 on 2 cores" in busy_machine_note(results(7.5))


def test_an_extrapolated_claim_is_never_called_supported(tmp_path):
    """A claim registered with `basis: extrapolated` gets the verdict "extrapolated"
    whichever side of the threshold its figure falls; the reason says whether the
    extrapolation agrees, and `--strict` accepts it only when it does."""
    extrapolated = [c for c in BENCH_CLAIMS if c.basis == "extrapolated"]
    assert extrapolated, "the registry has an extrapolated claim (Spark's migration volume)"
    claim = extrapolated[0]
    for factor, agrees in ((2.0, True), (0.5, False)):
        workdir = Workdir(tmp_path / str(factor))
        _write_results(workdir, {claim.metric: _figure(claim.threshold * factor)})
        verdict = _verdicts(workdir)[claim.id]
        assert verdict.verdict == "extrapolated" and not verdict.supported
        assert ("does not agree" in verdict.reason) is not agrees
        assert verdict.holds is agrees


def test_a_benchmark_on_its_own_data_says_what_its_verdicts_rest_on(tmp_path):
    """scale_out builds its own estates and runs each engine once: its claims must not be
    shown as measured on the bench's 30-day dataset with five repetitions."""
    claim = next(c for c in BENCH_CLAIMS if c.benchmark == "scale_out" and c.basis == "measured")
    workdir = Workdir(tmp_path)
    _write_results(workdir, {claim.metric: _figure(claim.threshold * 2)}, scale=1.0)
    results = json.loads((workdir.bench / "results.json").read_text())
    own = {"scale": 1.0, "days": 2, "rows": None, "bytes": None, "warmups": 0, "repetitions": 1}
    results["benchmarks"]["scale_out"] = {"status": "ok", "summary": {"measured_on": own}}
    (workdir.bench / "results.json").write_text(json.dumps(results))
    verdicts = _verdicts(workdir)
    on = verdicts[claim.id].measured_on
    assert (on["days"], on["repetitions"], on["rows"]) == (2, 1, None)
    assert verdicts[claim.id].scale_text() == "scale 1, default profile: 2 days, 1 repetition"
    # Claims of other benchmarks keep the shared dataset.
    other = next(c for c in BENCH_CLAIMS if c.benchmark == "row_stores")
    assert verdicts[other.id].measured_on["days"] == 30
