"""Benchmark `scale_out`: when does Spark earn its place? (issue 13, ADR 0012)

For each scale of the profile (default: 0.1, 1 and 10; full adds 30) it generates one
estate of a few business days, then runs the same build on it with each engine, each
as its own fresh `python -m demo_pipeline run --engine <e>` process, exactly as a
reader types it:

* `polars`: Polars for silver and DuckDB for gold, in the one process;
* `spark`: PySpark on `local[<threads>]`, the same number of cores.

What is recorded, per engine and scale:
* the silver and gold seconds summed over the days (from the run manifests: extract
  and bronze are the same code for both engines and are left out), and the process's
  wall time, which adds Spark's start-up;
* peak memory read from outside, by sampling the process tree every 100 ms: the Python
  driver, the JVM (in local mode Spark's driver and executors share one JVM) and their
  sum at the same instant;
* fact rows per second per core of the silver and gold build.

The answers are checked: both engines' gold exports must have equal order-independent
digests (demo_pipeline/digests.py) at every scale, or the benchmark fails.

From the scales it fits, per engine, seconds per day = fixed + rows/day x marginal
cost, and then extrapolates, labelled as such (the assumptions live in
`bench.scale_out` of the config and go into the results):
* the crossover on this machine: the daily volume at which Spark's build would be
  faster than the embedded one, if its marginal cost per row is lower at all;
* the daily volume at which one machine runs out, the smallest of three limits: the
  batch window (the embedded build's time per day), memory (its peak, fitted against
  rows per day) and disk (the lake's bytes per day, times the retention);
* how many Spark nodes of the same size that volume would need in the same window.
Volumes are the uncompressed (in-memory, Arrow) bytes of the day's bronze data: what
an engine processes, independent of the sources' formats and of Parquet's compression.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import yaml

from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.demo_process import run_demo
from demo_pipeline.bench.results import BenchmarkResult, Figure
from demo_pipeline.config import DEFAULT_CONFIG_PATH
from demo_pipeline.core.manifest import read_manifests
from demo_pipeline.errors import BenchmarkError
from demo_pipeline.workdir import Workdir

NAME = "scale_out"
ENGINES = ("polars", "spark")
# What `scale_out` can run: engine and Spark tuning (config `spark.tuning`).
VARIANTS = {
    "polars": ("polars", None),
    "spark": ("spark", "small_batches"),
    "spark_throughput": ("spark", "throughput"),
}
BUILD_STAGES = ("silver", "gold")
RUN_OK = (0, 3)  # 3: a partial day, which the shipped calendar's outage makes by design
REFERENCE_SCALE = 1.0
""""This volume": the scale the demo is built and published at."""


def scale_key(scale: float) -> str:
    return f"scale_{scale:g}".replace(".", "_")


def _demo(args: list[str], log: Path, ok: tuple[int, ...], timeout_s: float, threads: int):
    """The command on `threads` cores' worth of Polars threads, with the peak memory of
    its whole process tree (Spark's JVM included)."""
    env = {"POLARS_MAX_THREADS": str(threads)}
    return run_demo(args, log, ok, timeout_s=timeout_s, env=env, sample_tree=True)


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.parquet")) if folder.exists() else 0


def _in_memory_bytes(bronze: Path) -> int:
    """Uncompressed (Arrow) bytes of every bronze table: the volume the build processes,
    whatever the source's own format or Parquet's compression would make of it."""
    import polars as pl

    return sum(pl.read_parquet(f).estimated_size() for f in sorted(bronze.rglob("*.parquet")))


def _config_with(root: Path, tuning: str) -> Path:
    """The default config with `spark.tuning` set, as a file `run --config` reads."""
    raw = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")) or {}
    raw.setdefault("spark", {})["tuning"] = tuning
    path = root / f"config-{tuning}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def measure_engine(
    variant: str, estate: Path, root: Path, *, days: int, threads: int, timeout_s: float
) -> dict[str, Any]:
    """One engine variant's run of every day of the estate in `estate` (copied to `root`)."""
    engine, tuning = VARIANTS[variant]
    workdir = Workdir(root / variant)
    shutil.copytree(estate / "sources", workdir.root / "sources")
    args = ["run", "--engine", engine, "--days", str(days), "--workdir", str(workdir.root)]
    if engine == "spark":
        args += ["--spark-master", f"local[{threads}]", "--config", str(_config_with(root, tuning))]
    run = _demo(args, root / f"{variant}.log", RUN_OK, timeout_s, threads)
    run["variant"], run["tuning"] = variant, tuning
    manifests = read_manifests(workdir.runs)
    stage_s = {s: sum(m.durations_s.get(s, 0.0) for m in manifests) for s in BUILD_STAGES}
    run.update(
        days=len(manifests),
        build_s=round(sum(stage_s.values()), 3),
        stage_s={s: round(v, 3) for s, v in stage_s.items()},
        lake_bytes=_folder_bytes(workdir.lake) + _folder_bytes(workdir.root / "gold" / "parquet"),
    )
    return run


def measure_scale(
    scale: float, root: Path, *, days: int, variants: tuple[str, ...], threads: int, timeout_s
) -> dict[str, Any]:
    """Generate one estate at `scale`, run each engine variant on a copy, check that
    they all built the same gold, and keep each engine's faster tuning."""
    root.mkdir(parents=True, exist_ok=False)
    estate = root / "estate"
    generate = ["generate", "--scale", f"{scale:g}", "--days", str(days)]
    _demo([*generate, "--workdir", str(estate)], root / "generate.log", (0,), timeout_s, threads)
    metrics = json.loads(Workdir(estate).metrics.read_text(encoding="utf-8"))
    rows = int(metrics["estate.rows.facts"]["value"])
    runs = {}
    for variant in variants:
        runs[variant] = measure_engine(
            variant, estate, root, days=days, threads=threads, timeout_s=timeout_s
        )
        runs[variant]["rows_per_s_per_core"] = round(rows / runs[variant]["build_s"] / threads)
    bronze_bytes = _in_memory_bytes(Workdir(root / "polars").bronze)
    if len(runs) > 1:
        _check_same_gold(scale, [Workdir(root / v) for v in runs])
    # Each engine at its best for this volume: the faster of its tunings.
    best: dict[str, dict[str, Any]] = {}
    for run in runs.values():
        engine = VARIANTS[run["variant"]][0]
        if engine not in best or run["build_s"] < best[engine]["build_s"]:
            best[engine] = run
    return {
        "scale": scale,
        "days": days,
        "fact_rows": rows,
        "rows_per_day": rows / days,
        "bronze_bytes_per_row": bronze_bytes / rows,
        "engines": best,
        "variants": runs,
    }


def _check_same_gold(scale: float, workdirs: list[Workdir]) -> None:
    """Every engine's gold exports have the same digests, or the benchmark fails."""
    from demo_pipeline.digests import digests

    found = [digests(w.root / "gold" / "parquet") for w in workdirs]
    reference = found[0]
    for workdir, other in zip(workdirs[1:], found[1:], strict=True):
        differing = sorted(
            t for t in set(reference) | set(other) if reference.get(t) != other.get(t)
        )
        if differing:
            raise BenchmarkError(
                f"scale_out at scale {scale:g}: expected the same gold from every engine; "
                f"found different {', '.join(differing)} in {workdir.root} "
                f"(reference {workdirs[0].root})"
            )


def fit_line(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least-squares y = a + b*x; None with fewer than two distinct x."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return mean_y - b * mean_x, b


def extrapolate(scales: list[dict[str, Any]], assumptions: dict[str, float], threads: int):
    """The fitted costs, the crossover and one machine's limit (see the module doc).

    Returns (summary, reasons): a value is None when the measurements cannot give it,
    with the reason under the same key."""
    out: dict[str, Any] = {}
    why: dict[str, str] = {}
    fits = {}
    for engine in ENGINES:
        points = [
            (s["rows_per_day"], s["engines"][engine]["build_s"] / s["days"])
            for s in scales
            if engine in s["engines"]
        ]
        fit = fit_line(points)
        if fit is None:
            why[engine] = f"{engine} measured at fewer than two scales"
            continue
        fixed, per_row = max(fit[0], 0.0), fit[1]
        fits[engine] = (fixed, per_row)
        out[f"{engine}_fixed_s_per_day"] = round(fixed, 2)
        out[f"{engine}_marginal_rows_per_s_per_core"] = (
            round(1 / per_row / threads) if per_row > 0 else None
        )
    bytes_per_row = sum(s["bronze_bytes_per_row"] for s in scales) / len(scales)
    gb = bytes_per_row / 1e9  # GB of bronze per row
    out["bronze_bytes_per_row"] = round(bytes_per_row, 1)
    if {"polars", "spark"} <= set(fits):
        (fixed_p, row_p), (fixed_s, row_s) = fits["polars"], fits["spark"]
        if row_s < row_p:
            out["crossover_gb_per_day"] = round((fixed_s - fixed_p) / (row_p - row_s) * gb, 2)
        else:
            why["crossover_gb_per_day"] = (
                "none on one machine: Spark's marginal cost per row is not lower than the "
                "embedded build's, so its fixed cost is never paid back on the same cores"
            )
    if "polars" in fits:
        fixed_p, row_p = fits["polars"]
        cores = assumptions["cores"]
        window_s = assumptions["batch_window_h"] * 3600
        # Throughput assumed to grow linearly with cores: the optimistic reading.
        row_p_machine = row_p * threads / cores
        limits = {"window": (window_s - fixed_p) / row_p_machine if row_p_machine > 0 else None}
        rss = fit_line([(s["rows_per_day"], s["engines"]["polars"]["total_mb"]) for s in scales])
        limits["memory"] = (
            (assumptions["memory_gb"] * 1024 - rss[0]) / rss[1] if rss and rss[1] > 0 else None
        )
        lake_per_row = sum(s["engines"]["polars"]["lake_bytes"] / s["fact_rows"] for s in scales)
        lake_per_row /= len(scales)
        limits["disk"] = (
            assumptions["disk_tb"] * 1e12 / assumptions["retention_days"] / lake_per_row
        )
        for name, rows in limits.items():
            out[f"limit_{name}_gb_per_day"] = round(rows * gb, 1) if rows else None
            if not rows:
                why[f"limit_{name}_gb_per_day"] = "no growth with volume in the measured range"
        bounded = {k: v for k, v in limits.items() if v and v > 0}
        if not bounded:
            why["one_machine_limit_gb_per_day"] = "no limit grows with volume in the fit"
            return out, why
        binding = min(bounded, key=bounded.__getitem__)
        out["one_machine_limit_gb_per_day"] = round(bounded[binding] * gb, 1)
        out["binding_limit"] = binding
        if "spark" in fits:
            fixed_s, row_s = fits["spark"]
            row_s_node = row_s * threads / cores
            per_node = (window_s - fixed_s) / row_s_node
            out["spark_nodes_at_limit"] = math.ceil(bounded[binding] / per_node)
    return out, why


# The extrapolated figures (GB of uncompressed bronze data per day) and what each means.
EXTRAPOLATED = {
    "crossover_gb_per_day": "Extrapolated: daily volume at which Spark on one machine "
    "would build faster than Polars + DuckDB",
    "one_machine_limit_gb_per_day": "Extrapolated: daily volume at which one machine "
    "runs out (the smallest of the batch-window, memory and disk limits)",
    "limit_window_gb_per_day": "Extrapolated: daily volume that fills the batch window",
    "limit_memory_gb_per_day": "Extrapolated: daily volume that fills the machine's memory",
    "limit_disk_gb_per_day": "Extrapolated: daily volume that fills the disk over the retention",
}
# The extrapolation's assumptions (config `bench.scale_out`), recorded as figures so a
# page quotes them from the same run as the figures they produced.
ASSUMED = (
    ("memory_gb", "GB", "memory of the one machine the extrapolation sizes"),
    ("cores", "cores", "cores of that machine, and of each Spark node"),
    ("batch_window_h", "h", "hours the daily build may take"),
    ("disk_tb", "TB", "disk for the lake"),
    ("retention_days", "days", "days of data the lake keeps"),
)


def figures_for(
    scales: list[dict[str, Any]],
    summary: dict,
    why: dict,
    assumptions: dict[str, float],
    no_spark: str = "",
) -> list[Figure]:
    figures = []
    for s in scales:
        at = f"at scale {s['scale']:g} ({s['days']} days)"
        for engine, run in s["engines"].items():
            key = f"bench.{NAME}.{scale_key(s['scale'])}.{engine}"
            figures += [
                Figure(f"{key}.build_s", run["build_s"], "s", f"{engine}: silver + gold {at}"),
                Figure(f"{key}.wall_s", run["wall_s"], "s", f"{engine}: whole run wall {at}"),
                Figure(f"{key}.peak_mb", run["total_mb"], "MB", f"{engine}: peak memory {at}"),
                Figure(
                    f"{key}.jvm_peak_mb", run["jvm_mb"], "MB", f"{engine}: JVM peak memory {at}"
                ),
                Figure(
                    f"{key}.rows_per_s_per_core",
                    run["rows_per_s_per_core"],
                    "rows/s",
                    f"{engine}: fact rows per second per core of silver + gold {at}",
                ),
            ]
    reference = next((s for s in scales if s["scale"] == REFERENCE_SCALE), None)
    ratio_why = ""
    ratio = None
    if no_spark:
        ratio_why = no_spark
    elif reference is None:
        ratio_why = f"scale {REFERENCE_SCALE:g} not in this profile"
    else:
        e = reference["engines"]
        ratio = round(e["spark"]["build_s"] / e["polars"]["build_s"], 2)
    figures.append(
        Figure(
            f"bench.{NAME}.spark_time_ratio",
            ratio,
            "x",
            f"Spark's silver + gold time over the embedded build's at scale {REFERENCE_SCALE:g}",
            why=ratio_why,
        )
    )
    for name, text in EXTRAPOLATED.items():
        figures.append(
            Figure(
                f"bench.{NAME}.{name}",
                summary.get(name),
                "GB/day",
                text,
                why=why.get(name, "not enough scales measured"),
            )
        )
    nodes = summary.get("spark_nodes_at_limit")
    figures.append(
        Figure(
            f"bench.{NAME}.spark_nodes_at_limit",
            nodes,
            "nodes",
            "Extrapolated: Spark nodes of the assumed size needed at one machine's limit",
            why="" if nodes is not None else "Spark not measured at two scales",
        )
    )
    for name, unit, text in ASSUMED:
        value = assumptions[name]
        figures.append(Figure(f"bench.{NAME}.assumed_{name}", value, unit, f"Assumed: {text}"))
    for engine in ENGINES:
        value = summary.get(f"{engine}_fixed_s_per_day")
        figures.append(
            Figure(
                f"bench.{NAME}.{engine}_fixed_s_per_day",
                value,
                "s",
                f"{engine}: fitted fixed seconds per day of silver + gold",
                why=why.get(engine, ""),
            )
        )
    return figures


def available_engines(wanted: tuple[str, ...], threads: int) -> tuple[tuple[str, ...], str]:
    """The engine variants that can run here, and why Spark cannot (no PySpark, no Java)."""
    spark = [v for v in wanted if VARIANTS[v][0] == "spark"]
    if not spark:
        return wanted, "Spark not run by this profile (no JVM in the quick profile)"
    from demo_pipeline.spark.session import SparkUnavailable, require_spark

    try:
        require_spark(f"local[{threads}]")
    except SparkUnavailable as exc:
        return tuple(v for v in wanted if v not in spark), str(exc)
    return wanted, ""


def run(ctx: BenchContext, assumptions: dict[str, float]) -> BenchmarkResult:
    profile = ctx.profile
    engines, no_spark = available_engines(profile.scale_out_engines, ctx.threads)
    scales = []
    for scale in profile.scale_out_scales:
        scales.append(
            measure_scale(
                scale,
                ctx.scratch / NAME / scale_key(scale),
                days=profile.scale_out_days,
                variants=engines,
                threads=ctx.threads,
                timeout_s=profile.job_timeout_s * 3,
            )
        )
    summary, why = extrapolate(scales, assumptions, ctx.threads)
    if len(scales) < 2:
        few = f"the {profile.name} profile measures one scale; a fit needs two or more"
        why.update({name: few for name in EXTRAPOLATED})
    if no_spark:
        why["spark"] = no_spark
    return BenchmarkResult(
        name=NAME,
        status="ok",
        summary={
            "scales": scales,
            "extrapolation": summary,
            "unavailable": why,
            "assumptions": assumptions,
            "engines": list(engines),
            "threads": ctx.threads,
            # Its claims rest on these runs, not on the bench's shared gold dataset:
            # each engine once, on an estate of a few days, at the reference scale.
            "measured_on": {
                "scale": REFERENCE_SCALE
                if REFERENCE_SCALE in profile.scale_out_scales
                else profile.scale_out_scales[0],
                "days": profile.scale_out_days,
                "rows": None,
                "bytes": None,
                "warmups": 0,
                "repetitions": 1,
            },
        },
        raw={scale_key(s["scale"]): s for s in scales},
        figures=figures_for(scales, summary, why, assumptions, no_spark),
        notes=[
            f"Each engine runs in a fresh process on the same estate, {ctx.threads} cores "
            f"each (POLARS_MAX_THREADS, DuckDB threads, Spark local[{ctx.threads}]).",
            "build_s is the silver and gold stages summed over the days (run manifests); "
            "wall_s adds extract, bronze and Spark's JVM start.",
            "Peak memory is sampled from outside every 100 ms over the process tree: the "
            "Python driver plus, for Spark, the JVM (driver and executors in local mode).",
            "Every extrapolated figure is a straight-line fit through the measured scales; "
            "its assumptions are under `assumptions`.",
        ],
    )
