"""Benchmark `pipeline`: the project's own performance record (issue 17).

For each scale of the profile (quick: 0.02; default: 1; full: 1 and 10) it builds a fresh
estate and runs the pipeline over every day of it (the config's 30; a week in the quick
profile, which proves the machinery, not the speed), each as its own command in a fresh
process (`python -m demo_pipeline generate`, then `run`), exactly as a reader types them,
and records:

* generation throughput: fact rows per second of the whole `generate` process (start-up
  included, the issue's measure) and per second of the build itself (the child's own
  metric), with the process's CPU time;
* the build: the `run` process's wall and CPU time, the seconds each stage took
  summed over the days (from the run manifests), and the time outside the days
  (start-up, the gold export, the catalogue: the wall time less the span from the first
  day's start to the last day's end, the catalogue's `pipeline.run.days_s`). Neighbouring
  days overlap (ADR 0013), so the stages' seconds add up to more than that span;
* memory: each process's peak resident set size, read by `os.wait4` when it exits
  (measured from outside, the kernel's figure), and whether memory stays flat with the
  days: each day's own peak resident size (the manifest's `memory_peak_mb`, sampled
  every few milliseconds while the day runs, pipeline/memory.py), day 5 against the last
  day, with the resident size at each day's end next to it.

A busy machine slows wall time, not CPU time: both are kept, with the load average.
The estates and work directories live in the bench scratch folder and are removed with
it. A failed command is a BenchmarkError naming its log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.demo_process import run_demo
from demo_pipeline.bench.results import BenchmarkResult, Figure
from demo_pipeline.core.manifest import read_manifests
from demo_pipeline.workdir import Workdir

NAME = "pipeline"
STAGES = ("extract", "bronze", "silver", "gold")
# `run` exits 3 when a day is partial: the shipped calendar's source outage makes one.
RUN_OK = (0, 3)
FLAT_FROM_DAY = 5  # day 5 is past the first days' warm-up of caches and pools


def scale_name(scale: float) -> str:
    return f"scale_{scale:g}".replace(".", "_")


def measure_scale(scale: float, root: Path, days: int | None = None) -> dict[str, Any]:
    """Generate, then run every day (the config's 30 unless `days`), at one scale, in
    `root` (created fresh)."""
    root.mkdir(parents=True, exist_ok=False)
    workdir = Workdir(root / "wd")
    common = ["--scale", f"{scale:g}", "--workdir", str(workdir.root)]
    common += ["--days", str(days)] if days is not None else []
    generate = run_demo(["generate", *common], root / "generate.log", (0,))
    metrics = json.loads(workdir.metrics.read_text(encoding="utf-8"))
    fact_rows = int(metrics["estate.rows.facts"]["value"])
    build_s = float(metrics["estate.generate.duration_s"]["value"])
    generate.update(
        fact_rows=fact_rows,
        build_s=build_s,
        rows_per_s=round(fact_rows / generate["wall_s"]),
        rows_per_s_build=round(fact_rows / build_s),
    )
    run = run_demo(["run", *common], root / "run.log", RUN_OK)
    metrics = json.loads(workdir.metrics.read_text(encoding="utf-8"))
    days_s = float(metrics["pipeline.run.days_s"]["value"])
    manifests = read_manifests(workdir.runs)
    stages = {s: round(sum(m.durations_s.get(s, 0.0) for m in manifests), 3) for s in STAGES}
    rss = [m.memory_rss_mb for m in manifests]
    peaks = [m.memory_peak_mb for m in manifests]
    run.update(
        days=len(manifests),
        stage_s=stages,
        days_s=days_s,
        outside_days_s=round(run["wall_s"] - days_s, 3),
        rss_end_of_day_mb=rss,
        rss_day5_mb=_day5(rss),
        rss_last_day_mb=rss[-1] if rss else None,
        rss_growth_pct=_growth(rss),
        peak_by_day_mb=peaks,
        peak_day5_mb=_day5(peaks),
        peak_last_day_mb=peaks[-1] if peaks else None,
        peak_growth_pct=_growth(peaks),
    )
    return {"scale": scale, "generate": generate, "run": run}


def _day5(values: list[float | None]) -> float | None:
    return values[FLAT_FROM_DAY - 1] if len(values) >= FLAT_FROM_DAY else None


def _growth(values: list[float | None]) -> float | None:
    """The last day against day 5, in %; None with fewer days or a missing figure."""
    day5, last = _day5(values), values[-1] if values else None
    return round(100 * (last - day5) / day5, 1) if day5 and last else None


def figures_for(result: dict[str, Any]) -> list[Figure]:
    """The catalogue figures of one scale (bench.pipeline.<scale>.*)."""
    scale, gen, run = result["scale"], result["generate"], result["run"]
    at = f"at scale {scale:g}"
    key = f"bench.{NAME}.{scale_name(scale)}"
    figures = [
        Figure(
            f"{key}.generate_rows_per_s",
            gen["rows_per_s"],
            "rows/s",
            f"Estate generation: fact rows per second of the whole process {at}",
        ),
        Figure(
            f"{key}.generate_rows_per_s_build",
            gen["rows_per_s_build"],
            "rows/s",
            f"Estate generation: fact rows per second of the build (start-up excluded) {at}",
        ),
        Figure(f"{key}.generate_wall_s", gen["wall_s"], "s", f"Generate process wall time {at}"),
        Figure(f"{key}.generate_cpu_s", gen["cpu_s"], "s", f"Generate process CPU time {at}"),
        Figure(f"{key}.generate_peak_rss_mb", gen["peak_rss_mb"], "MB", f"Generate peak RSS {at}"),
        Figure(
            f"{key}.run_wall_s",
            run["wall_s"],
            "s",
            f"The {run['days']}-day pipeline run, whole process wall time {at}",
        ),
        Figure(f"{key}.run_cpu_s", run["cpu_s"], "s", f"The pipeline run's CPU time {at}"),
        Figure(f"{key}.run_peak_rss_mb", run["peak_rss_mb"], "MB", f"Pipeline peak RSS {at}"),
        Figure(
            f"{key}.run_outside_days_s",
            run["outside_days_s"],
            "s",
            f"Pipeline wall time outside the daily runs (start-up, gold export, metrics) {at}",
        ),
    ]
    for stage, seconds in run["stage_s"].items():
        figures.append(
            Figure(
                f"{key}.stage_{stage}_s",
                seconds,
                "s",
                f"Pipeline {stage} stage, seconds summed over the days {at}",
            )
        )
    for name, text in (
        ("peak_growth_pct", "The last day's peak resident memory against day"),
        ("rss_growth_pct", "Resident memory at the end of the last day against day"),
    ):
        growth = run[name]
        figures.append(
            Figure(
                f"{key}.{name}",
                growth,
                "%",
                f"{text} {FLAT_FROM_DAY}'s {at}",
                why="" if growth is not None else f"fewer than {FLAT_FROM_DAY} days ran",
            )
        )
    return figures


def run(ctx: BenchContext) -> BenchmarkResult:
    results = []
    for scale in ctx.profile.pipeline_scales:
        root = ctx.scratch / NAME / scale_name(scale)
        results.append(measure_scale(scale, root, ctx.profile.pipeline_days))
    figures = [f for r in results for f in figures_for(r)]
    return BenchmarkResult(
        name=NAME,
        status="ok",
        summary={"scales": results, "stages": list(STAGES)},
        raw={scale_name(r["scale"]): r for r in results},
        figures=figures,
        notes=[
            "generate and run are each one fresh `python -m demo_pipeline` process; wall "
            "and CPU time and peak RSS (wait4 ru_maxrss) are the whole process's.",
            "Stage seconds are summed from the run manifests (latest run of each day). "
            "Neighbouring days overlap (a day's gold runs while the next day is extracted "
            "and cleaned), so they add up to more than days_s, the span from the first "
            "day's start to the last day's end; outside_days_s is the rest of the "
            "process's wall time.",
            "The run reads coming days' sources while a day is landed and built (the next "
            "day's ERP and workbooks, landed in bronze at once; the orders API a few days "
            "ahead) and runs quality step 2 while its gold is built: that work is not in "
            "extract or bronze, and every stage's seconds include the CPU it shares.",
            f"peak_growth_pct compares day {FLAT_FROM_DAY}'s peak resident size with the "
            "last day's (each day's manifest: resident size sampled every 5 ms while the "
            "day runs, so a shorter spike can be missed); rss_growth_pct does the same "
            "with the resident size at each day's end.",
        ],
    )
