"""Observability dashboards as pages: run history and quality by day, from the run
manifests (`runs/`) and the quality results (`quality/results.parquet`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from demo_pipeline.core.manifest import RunManifest, read_manifests
from generators.catalogue import Catalogue


def load_runs(runs_dir: Path) -> list[RunManifest]:
    """Every run manifest, in business-date order."""
    if not runs_dir.exists():
        return []
    return read_manifests(runs_dir)


def run_outcomes(runs: Iterable[RunManifest | Mapping[str, Any]]) -> dict[str, str]:
    """Business date -> how the last run of that date ended (a record may also be given
    as its JSON mapping)."""
    outcomes: dict[str, str] = {}
    for record in runs:
        run = RunManifest.from_dict(record) if isinstance(record, Mapping) else record
        outcome = run.status
        if run.backfilled_on:
            outcome += f" after a backfill on {run.backfilled_on}"
        outcomes[run.business_date.isoformat()] = outcome
    return outcomes


def quality_by_day(results: pl.DataFrame) -> pl.DataFrame:
    """Per business date: checks run, checks that found something, rows quarantined,
    tables halted and tier-3 anomaly flags (each a count of one thing)."""
    if results.is_empty():
        return pl.DataFrame()
    return (
        results.group_by("business_date")
        .agg(
            pl.len().alias("checks"),
            ((pl.col("rows_failed") > 0) | (pl.col("severity") != "info")).sum().alias("findings"),
            pl.col("rows_failed")
            .filter(pl.col("action") == "quarantined")
            .sum()
            .alias("quarantined"),
            pl.col("table").filter(pl.col("action") == "halted").n_unique().alias("halts"),
            (pl.col("action") == "flagged").sum().alias("anomalies"),
        )
        .sort("business_date")
    )


HEALTH_KEYS = (
    ("pipeline.runs.total", "Daily runs on record"),
    ("pipeline.runs.succeeded", "Runs where every table loaded"),
    ("pipeline.runs.partial", "Runs that completed with a table halted or stale"),
    ("pipeline.runs.failed", "Runs that stopped"),
    ("pipeline.runs.backfilled", "Days re-run as a backfill"),
    ("pipeline.duration.total_s", "Time for all daily runs"),
    ("quality.stale_tables", "Gold tables stale at the end of the run"),
)

# The fault tally's totals; the three outcomes add up to the faults injected.
FAULT_KEYS = (
    ("quality.faults.injected", "Faults injected"),
    ("quality.faults.caught", "Caught: the expected tier took the expected action that day"),
    (
        "quality.faults.caught_otherwise",
        "Caught otherwise: by another tier, with another action or on another day",
    ),
    ("quality.faults.missed", "Missed: no check noticed"),
)


def render_health(catalogue: Catalogue) -> str:
    """Pipeline health: the run counts and timings the catalogue holds."""
    rows = [(key, label) for key, label in HEALTH_KEYS if key in catalogue]
    if not rows:
        return ""
    lines = ["### Pipeline health", "", "| | Latest run |", "|---|---|"]
    lines += [f'| {label} | {{{{ metric("{key}") }}}} |' for key, label in rows]
    faults = [(key, label) for key, label in FAULT_KEYS if key in catalogue]
    if faults:
        lines += ["", "### Injected faults", "", "| | Latest run |", "|---|---|"]
        lines += [f'| {label} | {{{{ metric("{key}") }}}} |' for key, label in faults]
    freshness = [
        e for e in catalogue.with_prefix("quality.freshness") if e.key.endswith("age_days")
    ]
    if freshness:
        lines += [
            "",
            "### Freshness per gold table",
            "",
            "| Gold table | Data age at the end of the run |",
            "|---|---|",
        ]
        for entry in freshness:
            table = entry.key.removeprefix("quality.freshness.").removesuffix(".age_days")
            lines.append(f'| `{table}` | {{{{ metric("{entry.key}") }}}} |')
    return "\n".join([*lines, ""])


def render_quality_dashboard(
    results: pl.DataFrame, runs: list[RunManifest], catalogue: Catalogue | None = None
) -> str:
    lines = [render_health(catalogue) if catalogue is not None else ""]
    lines += ["### Quality and freshness, day by day", "", '{% include "charts/quality.md" %}', ""]
    lines += ["### Pipeline history", "", '{% include "charts/pipeline.md" %}', ""]
    by_day = quality_by_day(results)
    if by_day.is_empty():
        return "\n".join([*lines, "No quality results yet.", ""])
    outcomes = run_outcomes(runs)
    lines += [
        "### Quality by day",
        "",
        '??? info "Every day of the latest run"',
        "",
        "    | Date | Run | Checks | Findings | Rows quarantined | Tables halted | Anomaly flags |",
        "    |---|---|---|---|---|---|---|",
    ]
    for row in by_day.iter_rows(named=True):
        date = str(row["business_date"])
        lines.append(
            f"    | {date} | {outcomes.get(date, '—')} | {row['checks']:,} | {row['findings']:,} "
            f"| {row['quarantined']:,} | {row['halts']:,} | {row['anomalies']:,} |"
        )
    lines.append("")
    return "\n".join(lines)
