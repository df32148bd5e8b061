"""Claim verdicts are computed from the results file on every call, never stored."""

from __future__ import annotations

import json
import subprocess
import sys

from rich.console import Console

from demo_pipeline.bench.claims import (
    CLAIMS,
    NOT_SUPPORTED,
    SUPPORTED,
    UNMEASURED,
    evaluate_claims,
    print_claims,
)
from demo_pipeline.bench.harness import REPO_ROOT
from demo_pipeline.workdir import Workdir


def _write_results(workdir: Workdir, figures: dict, *, scale: float = 0.05) -> None:
    workdir.bench.mkdir(parents=True, exist_ok=True)
    (workdir.bench / "results.json").write_text(
        json.dumps(
            {
                "run_id": "bench-test",
                "measured_at": "2026-11-30T00:00:00+00:00",
                "profile": "default",
                "scale": scale,
                "data": {"tables": {"fact_sales": {"rows": 1234}}},
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
    assert v["preaggregation"].scale == 0.05
    assert "1,234 sales lines" in v["preaggregation"].scale_text()


def test_verdicts_follow_the_results_file_not_a_stored_answer(tmp_path):
    """Rewriting the results flips the verdict: nothing is cached between calls."""
    workdir = Workdir(tmp_path)
    _write_results(workdir, {"bench.preagg_vs_facts.speedup": _figure(3.0)})
    assert _verdicts(workdir)["preaggregation"].verdict == NOT_SUPPORTED
    _write_results(workdir, {"bench.preagg_vs_facts.speedup": _figure(41.0)})
    assert _verdicts(workdir)["preaggregation"].verdict == SUPPORTED


def test_no_results_means_every_claim_unmeasured(tmp_path):
    """Without a benchmark run, no claim is supported and print_claims says so."""
    workdir = Workdir(tmp_path)
    assert {v.verdict for v in evaluate_claims(workdir)} == {UNMEASURED}
    assert print_claims(workdir, console=Console(quiet=True)) is False


def test_print_claims_true_only_when_every_claim_holds(tmp_path):
    """All figures on the right side of their thresholds -> True."""
    workdir = Workdir(tmp_path)
    figures = {
        c.metric_key: _figure(c.threshold * 2 if c.comparison.startswith(">") else 0.0)
        for c in CLAIMS
    }
    _write_results(workdir, figures)
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
