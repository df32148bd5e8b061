"""The pipeline's entries in the metric catalogue (`pipeline.*`), computed from the
run manifests and the lake as it is after a run, so they always describe the runs
on disk rather than only the last invocation."""

from __future__ import annotations

import resource
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from demo_pipeline.core.manifest import read_manifests
from demo_pipeline.metrics import Metric, MetricCatalogue
from demo_pipeline.provenance import Provenance
from demo_pipeline.workdir import Workdir

STAGES = ("extract", "bronze", "silver", "gold")


def directory_bytes(path: Path) -> int:
    if not path.exists():
        return 0
    return sum(
        p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
    )


@dataclass(frozen=True)
class Invocation:
    """What one `run` invocation measured about itself."""

    wall_s: float
    days_run: int
    """Daily runs executed, backfills included."""
    days_s: float
    """From the first day's start to the last day's end (neighbouring days overlap, so
    this is not the sum of the days' durations)."""


def pipeline_metrics(
    workdir: Workdir, provenance: Provenance, gold_rows: dict[str, int], run: Invocation
) -> list[Metric]:
    manifests = read_manifests(workdir.runs)
    metrics: list[Metric] = []

    def add(key: str, value, unit: str, description: str) -> None:
        metrics.append(Metric(key, value, unit, description, provenance))

    statuses = [m.status for m in manifests]
    add(
        "pipeline.runs.total",
        len(manifests),
        "runs",
        "Daily runs on record (one per business day).",
    )
    add(
        "pipeline.runs.succeeded",
        statuses.count("succeeded"),
        "runs",
        "Daily runs where every table loaded.",
    )
    add(
        "pipeline.runs.partial",
        statuses.count("partial"),
        "runs",
        "Daily runs that completed with a table halted, missing or failed.",
    )
    add("pipeline.runs.failed", statuses.count("failed"), "runs", "Daily runs that stopped.")
    add(
        "pipeline.runs.backfilled",
        sum(1 for m in manifests if m.backfilled_on),
        "runs",
        "Days re-run as a backfill after a schema contract update.",
    )
    total = sum(m.durations_s.get("total", 0.0) for m in manifests)
    add(
        "pipeline.duration.total_s",
        round(total, 3),
        "s",
        "Wall time of all daily runs on record (latest run of each day).",
    )
    for stage in STAGES:
        seconds = sum(m.durations_s.get(stage, 0.0) for m in manifests)
        add(
            f"pipeline.duration.{stage}_s",
            round(seconds, 3),
            "s",
            f"Time spent in the {stage} stage over all daily runs.",
        )
    per_layer: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in manifests:
        for layer in ("bronze", "silver"):
            for table, n in m.rows.layer(layer).items():
                per_layer[layer][table] += n
    for layer, tables in per_layer.items():
        for table, n in sorted(tables.items()):
            add(
                f"pipeline.rows.{layer}.{table}",
                n,
                "rows",
                f"Rows of {table} written to {layer} over all daily runs.",
            )
    for table, n in sorted(gold_rows.items()):
        add(f"pipeline.rows.gold.{table}", n, "rows", f"Rows in gold table {table} after the run.")
    quarantined = sum(sum(m.rows.quarantined.values()) for m in manifests)
    duplicates = sum(sum(m.rows.duplicates_dropped.values()) for m in manifests)
    add("pipeline.rows.quarantined", quarantined, "rows", "Rows sent to the quarantine.")
    add("pipeline.rows.duplicates_dropped", duplicates, "rows", "Duplicate rows dropped in silver.")
    add("pipeline.bytes.bronze", directory_bytes(workdir.bronze), "bytes", "Bronze on disk.")
    add(
        "pipeline.bytes.silver",
        directory_bytes(workdir.silver),
        "bytes",
        "Silver on disk (quarantine included).",
    )
    add(
        "pipeline.bytes.gold",
        directory_bytes(workdir.gold),
        "bytes",
        "Gold on disk: DuckDB file and Parquet exports.",
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    add(
        "pipeline.memory.peak_rss_mb",
        round(peak_mb, 1),
        "MiB",
        "Peak resident memory of the last `run` process.",
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    add(
        "pipeline.run.wall_s",
        round(run.wall_s, 2),
        "s",
        "Wall time of the last `run` invocation: startup, every day, exports and metrics.",
    )
    add(
        "pipeline.run.cpu_s",
        round(usage.ru_utime + usage.ru_stime, 2),
        "s",
        "CPU time (user + system, all threads) of the last `run` process; less sensitive "
        "than wall time to other load on the machine.",
    )
    add(
        "pipeline.run.days_s",
        round(run.days_s, 2),
        "s",
        "Wall time of the daily runs of the last `run` invocation, from the first day's "
        "start to the last day's end (the rest is startup, the gold export and metrics).",
    )
    add(
        "pipeline.run.days",
        run.days_run,
        "runs",
        "Daily runs executed by the last `run` invocation (backfills included).",
    )
    per_day = [m.memory_rss_mb for m in manifests if m.memory_rss_mb]
    if per_day:
        add(
            "pipeline.memory.rss_first_day_mb",
            per_day[0],
            "MiB",
            "Resident memory after the first business day of the run on record.",
        )
        add(
            "pipeline.memory.rss_last_day_mb",
            per_day[-1],
            "MiB",
            "Resident memory after the last business day (compare: memory by day).",
        )
    return metrics


def record_pipeline_metrics(
    workdir: Workdir, provenance: Provenance, gold_rows: dict[str, int], run: Invocation
) -> None:
    MetricCatalogue(workdir.metrics).update(
        pipeline_metrics(workdir, provenance, gold_rows, run), drop_prefix="pipeline"
    )
