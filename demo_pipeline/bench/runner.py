"""`python -m demo_pipeline bench`: run every benchmark, validate, record, report.

Wiring only: check that the gold layer exists (when it does not, stop with a
BenchmarkError naming the missing files and the command that builds them: the bench
never runs the generator or the pipeline), pick the data, capture the environment, run
each benchmark module, then write `<workdir>/bench/results.json` (summary, figures,
environment), `raw.json` (every raw run) and `environment.json`, put the figures in the
metric catalogue with provenance, and print the claims table. A benchmark that fails (a
wrong answer, a crash, a timeout) is recorded as failed and shown; the others still run,
and the command then exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.bench import (
    dimensional,
    engines_polars_pandas,
    formats,
    memory,
    partitions,
    pipeline,
    preagg,
    row_stores,
    scale_out,
    throughput,
)
from demo_pipeline.bench.claims import measured_on, print_claims
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.dataset import GOLD_TABLES, missing_gold_tables, prepare_dataset
from demo_pipeline.bench.environment import capture_environment
from demo_pipeline.bench.profiles import get_profile
from demo_pipeline.bench.results import (
    BenchmarkResult,
    load_results,
    results_path,
)
from demo_pipeline.config import DemoConfig
from demo_pipeline.errors import BenchmarkError
from demo_pipeline.metrics import Metric, MetricCatalogue
from demo_pipeline.provenance import Provenance
from demo_pipeline.runlog import RunLog
from demo_pipeline.workdir import Workdir


def benchmarks(
    workdir: Workdir, cfg: DemoConfig
) -> list[tuple[str, Callable[[BenchContext], BenchmarkResult]]]:
    """Every benchmark, in the order they run (cheapest questions first)."""
    return [
        (engines_polars_pandas.NAME, engines_polars_pandas.run),
        (memory.NAME, memory.run),
        (row_stores.NAME, row_stores.run),
        (formats.NAME, formats.run),
        (partitions.NAME, partitions.run),
        (preagg.NAME, preagg.run),
        (dimensional.NAME, dimensional.run),
        (throughput.NAME, lambda ctx: throughput.run(ctx, workdir.metrics)),
        # Last and longest: generates estates and runs the whole pipeline in subprocesses.
        (pipeline.NAME, pipeline.run),
        # Both engines at three scales: the crossover where Spark earns its place.
        (scale_out.NAME, lambda ctx: scale_out.run(ctx, cfg.bench.scale_out.model_dump())),
    ]


def require_gold(workdir: Workdir) -> None:
    """Stop, before writing anything, when the gold exports the suite reads are missing.

    The benchmarks run on the gold layer they are given; building it is the pipeline's
    job, ordered by the Makefile and generators/build_site.py, never the bench's.
    """
    missing = missing_gold_tables(workdir)
    if not missing:
        return
    files = ", ".join(str(workdir.gold_export(t)) for t in missing)
    root = workdir.root
    raise BenchmarkError(
        f"no gold layer to benchmark in {root}: expected {len(GOLD_TABLES)} gold exports; "
        f"missing {files}. The bench does not run the pipeline: build gold first with "
        f"`make run WORKDIR={root}` (`make generate run WORKDIR={root}` when there is no "
        f"estate yet), or `python -m demo_pipeline run --workdir {root}` (after "
        f"`python -m demo_pipeline generate --workdir {root}`), then run the bench again."
    )


def data_origin(cfg: DemoConfig, workdir: Workdir, console: Console) -> tuple[int, float]:
    """Seed and scale of the data actually benchmarked (the estate's, when recorded)."""
    entry = MetricCatalogue(workdir.metrics).read().get("estate.skus")
    if entry is None:
        return cfg.estate.seed, cfg.estate.scale
    prov = entry["provenance"]
    if (prov["seed"], prov["scale"]) != (cfg.estate.seed, cfg.estate.scale):
        console.print(
            f"[yellow]note:[/] the gold data in {workdir.root} was generated with seed "
            f"{prov['seed']}, scale {prov['scale']} (config says seed {cfg.estate.seed}, "
            f"scale {cfg.estate.scale}); results are labelled with the data's values"
        )
    return int(prov["seed"]), float(prov["scale"])


def run_one(name: str, fn: Callable[[], BenchmarkResult], log: RunLog) -> BenchmarkResult:
    load = list(os.getloadavg())  # a busy machine slows every engine: say how busy
    start = time.perf_counter()
    try:
        with log.stage(name):
            result = fn()
    except BenchmarkError as exc:
        result = BenchmarkResult(name=name, status="failed", error=str(exc))
    result.duration_s = time.perf_counter() - start
    result.load_average_at_start = load
    return result


def record_metrics(
    workdir: Workdir, results: list[BenchmarkResult], prov: Provenance, previous_keys: set[str]
) -> None:
    """Figures into the catalogue; keys the previous run wrote but this one did not go."""
    catalogue = MetricCatalogue(workdir.metrics)
    metrics = [
        Metric(
            f.key,
            f.value,
            f.unit,
            f.description if f.value is not None else f"{f.description} - unmeasured: {f.why}",
            prov,
        )
        for r in results
        for f in r.figures
    ]
    for stale in previous_keys - {m.key for m in metrics}:
        catalogue.update([], drop_prefix=stale)
    catalogue.update(metrics)


def print_summary(console: Console, results: list[BenchmarkResult]) -> None:
    table = Table(title="Benchmark figures")
    for column in ("benchmark", "status", "figure", "value", "seconds"):
        table.add_column(column, overflow="fold")
    for r in results:
        if r.status == "failed":
            table.add_row(r.name, "[red]failed[/]", r.error[:300], "", f"{r.duration_s:.1f}")
        for f in r.figures:
            value = "unmeasured: " + f.why if f.value is None else f"{f.value:.3g} {f.unit}"
            table.add_row(r.name, r.status, f.key, value, f"{r.duration_s:.1f}")
    console.print(table)


def run_bench(
    cfg: DemoConfig, workdir: Workdir, *, profile: str = "default", console: Console | None = None
) -> dict[str, Any]:
    """Run the suite; returns the results document written to results.json."""
    console = console or Console(stderr=True)
    prof = get_profile(profile, cfg.bench)
    threads = cfg.bench.threads
    require_gold(workdir)
    started = time.perf_counter()
    stamp = dt.datetime.now(dt.UTC)
    run_id = f"bench-{stamp.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"
    seed, scale = data_origin(cfg, workdir, console)
    previous = load_results(workdir) or {}
    scratch = workdir.bench_scratch
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        with RunLog(workdir.logs, run_id, console=console) as log:
            dataset = prepare_dataset(workdir, scratch, prof.max_days)
            environment = capture_environment(
                seed=seed, scale=scale, profile=prof.name, threads=threads, data=dataset.to_dict()
            )
            ctx = BenchContext(dataset=dataset, profile=prof, threads=threads, scratch=scratch)
            results = [
                run_one(name, lambda fn=fn: fn(ctx), log) for name, fn in benchmarks(workdir, cfg)
            ]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    document = {
        "run_id": run_id,
        "measured_at": stamp.isoformat(timespec="seconds"),
        "profile": prof.name,
        "profile_settings": prof.__dict__,
        "seed": seed,
        "scale": scale,
        "threads": threads,
        "duration_s": time.perf_counter() - started,
        "data": dataset.to_dict(),
        "environment": environment,
        "figures": {
            f.key: {**f.to_dict(), "benchmark": r.name} for r in results for f in r.figures
        },
        "benchmarks": {r.name: r.to_dict() for r in results},
    }
    workdir.bench.mkdir(parents=True, exist_ok=True)
    write_text_atomic(results_path(workdir), json.dumps(document, indent=2, default=str) + "\n")
    raw = {"run_id": run_id, "benchmarks": {r.name: r.raw for r in results}}
    write_text_atomic(workdir.bench_raw, json.dumps(raw, default=str) + "\n")
    write_text_atomic(
        workdir.bench_environment, json.dumps(environment, indent=2, default=str) + "\n"
    )
    record_metrics(
        workdir,
        results,
        Provenance.now(run_id, seed, scale, measured_on=measured_on(document)),
        set(previous.get("figures", {})),
    )
    print_summary(console, results)
    print_claims(workdir, console=console)
    console.print(
        f"benchmark results in {results_path(workdir)} ({document['duration_s']:.0f} s, "
        f"profile {prof.name}, scale {scale:g})"
    )
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise BenchmarkError(
            f"{len(failed)} benchmark(s) failed: "
            + "; ".join(f"{r.name}: {r.error.splitlines()[0] if r.error else ''}" for r in failed)
            + f" (details in {results_path(workdir)})"
        )
    return document
