"""Publish the raw results with the site: the metric catalogue (which the macros
read), the claim verdicts, the quality results as CSV, and the fault answer key.
Readers can download exactly what the pages were rendered from."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import shutil
from pathlib import Path

import polars as pl

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.workdir import Workdir
from generators.project import Project


def _plain(value: object) -> object:
    """Claims as plain JSON values, whatever shape the claims module returns."""
    if hasattr(value, "to_dict"):
        return _plain(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def evaluate_claims(workdir: Workdir) -> list[dict]:
    """Verdicts from demo_pipeline.bench.claims, or [] when that module is absent."""
    if importlib.util.find_spec("demo_pipeline.bench") is None:
        return []
    if importlib.util.find_spec("demo_pipeline.bench.claims") is None:
        return []
    from demo_pipeline.bench.claims import evaluate_claims as evaluate

    return [_plain(c) for c in evaluate(workdir)]


def build(project: Project, workdir: Workdir) -> None:
    out = project.published_data
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    metrics = workdir.metrics.read_text(encoding="utf-8") if workdir.metrics.exists() else "{}\n"
    write_text_atomic(out / "metrics.json", metrics)
    claims = evaluate_claims(workdir)
    write_text_atomic(out / "claims.json", json.dumps(claims, indent=2, sort_keys=True) + "\n")
    results = workdir.quality / "results.parquet"
    if results.exists():
        pl.read_parquet(results).write_csv(out / "quality-results.csv")
    else:
        (out / "quality-results.csv").write_text("", encoding="utf-8")
    bench_results = workdir.bench / "results.json"
    if bench_results.exists():
        shutil.copyfile(bench_results, out / "bench-results.json")
    else:
        write_text_atomic(out / "bench-results.json", "{}\n")
    if workdir.ground_truth.exists():
        shutil.copyfile(workdir.ground_truth, out / "ground_truth.json")
    else:
        write_text_atomic(out / "ground_truth.json", "{}\n")


def published(project: Project, name: str) -> Path:
    return project.published_data / name
