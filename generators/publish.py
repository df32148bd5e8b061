"""Publish the raw results with the site: the metric catalogue (which the macros
read), the claim verdicts, the quality results as CSV, and the fault answer key.
Readers can download exactly what the pages were rendered from."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.workdir import Workdir
from generators.project import Project


def build(project: Project, workdir: Workdir) -> None:
    out = project.published_data
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    metrics = workdir.metrics.read_text(encoding="utf-8") if workdir.metrics.exists() else "{}\n"
    write_text_atomic(project.published_metrics, metrics)
    # The verdicts the claims step recorded (an empty list before any benchmark ran).
    if workdir.claims.exists():
        shutil.copyfile(workdir.claims, project.published_claims)
    else:
        write_text_atomic(project.published_claims, "[]\n")
    results = workdir.quality_results
    if results.exists():
        pl.read_parquet(results).write_csv(project.published_quality_results)
    else:
        project.published_quality_results.write_text("", encoding="utf-8")
    bench_results = workdir.bench_results
    if bench_results.exists():
        shutil.copyfile(bench_results, project.published_bench_results)
    else:
        write_text_atomic(project.published_bench_results, "{}\n")
    if workdir.ground_truth.exists():
        shutil.copyfile(workdir.ground_truth, project.published_ground_truth)
    else:
        write_text_atomic(project.published_ground_truth, "{}\n")


def published(project: Project, name: str) -> Path:
    return project.published_data / name
