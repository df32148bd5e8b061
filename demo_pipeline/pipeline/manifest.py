"""The run record: one JSON manifest per business day in `<workdir>/runs/<date>.json`.

It says what ran (run id, business date, config hash, code version, seed, scale),
how long each stage took, how many rows went in and out of each layer and table,
which files and bytes were written, what the quality checks found, and the status:

  succeeded  every table loaded
  partial    the run completed but a table was halted, missing or failed, or a
             source was unavailable (earlier good data untouched)
  failed     the run stopped (an error, or rows went missing)
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.provenance import git_commit
from demo_pipeline.quality.results import CheckResult


def current_rss_mb() -> float | None:
    """Resident memory of this process now (Linux), to show it does not grow by day."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def manifest_path(runs: Path, day: dt.date) -> Path:
    return runs / f"{day.isoformat()}.json"


def read_manifest(runs: Path, day: dt.date) -> dict[str, Any] | None:
    path = manifest_path(runs, day)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def read_manifests(runs: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(runs.glob("*.json"))]


def write_manifest(runs: Path, manifest: dict[str, Any]) -> Path:
    path = manifest_path(runs, dt.date.fromisoformat(manifest["business_date"]))
    write_text_atomic(path, json.dumps(manifest, indent=2, default=str) + "\n")
    return path


def quality_summary(checks: list[CheckResult]) -> dict[str, Any]:
    severities = Counter(c.severity for c in checks)
    return {
        "checks": len(checks),
        "by_severity": dict(sorted(severities.items())),
        "halts": sum(c.action == "halted" for c in checks),
        "quarantined_rows": sum(c.rows_failed for c in checks if c.action == "quarantined"),
        "findings": [
            {
                "tier": c.tier,
                "table": c.table,
                "rule": c.rule,
                "severity": c.severity,
                "action": c.action,
                "rows_failed": c.rows_failed,
                "detail": c.detail,
            }
            for c in checks
            if c.severity != "info"
        ],
    }


def base_manifest(
    *,
    run_id: str,
    business_date: dt.date,
    run_day: dt.date,
    cfg_sha: str,
    seed: int,
    scale: float,
    contract_versions: dict[str, int],
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "business_date": business_date.isoformat(),
        "run_day": run_day.isoformat(),
        "config_sha256": cfg_sha,
        "code_version": git_commit(),
        "seed": seed,
        "scale": scale,
        "contract_versions": contract_versions,
        "status": "failed",
        "durations_s": {},
        "sources": {},
        "tables": {},
        "rows": {
            "extracted": {},
            "bronze": {},
            "silver": {},
            "quarantined": {},
            "duplicates_dropped": {},
            "held": {},
            "gold": {},
        },
        "files": {"bronze": 0, "silver": 0, "quarantine": 0},
        "bytes": {"bronze": 0, "silver": 0, "quarantine": 0, "gold": 0},
        "conservation": [],
        "quality": {},
        "gold": {},
        "error": None,
    }


def record_layers(manifest: dict, extracted: Any, writes: dict, silver: Any) -> None:
    """Fill rows, files, bytes, tables and conservation from the stage outcomes."""
    rows = manifest["rows"]
    manifest["sources"] = extracted.notes
    for item in extracted.extracted:
        rows["extracted"][item.table] = item.rows
    for table, write in writes.items():
        rows["bronze"][table] = write.rows
        manifest["files"]["bronze"] += write.files
        manifest["bytes"]["bronze"] += write.bytes
    for table, outcome in silver.tables.items():
        entry: dict[str, Any] = {"status": outcome.status, "detail": outcome.detail}
        if outcome.halt:
            entry["halt"] = outcome.halt
        manifest["tables"][table] = entry
        if outcome.conservation:
            c = outcome.conservation
            rows["silver"][table] = c.silver
            rows["quarantined"][table] = c.quarantined
            rows["duplicates_dropped"][table] = c.duplicates
            rows["held"][table] = c.held
            manifest["conservation"].append(c.to_dict())
        for layer, write in (
            ("silver", outcome.silver_write),
            ("quarantine", outcome.quarantine_write),
        ):
            if write is not None:
                manifest["files"][layer] += write.files
                manifest["bytes"][layer] += write.bytes


def summary_line(manifest: dict[str, Any]) -> str:
    """One line per day for the terminal: date, status, stage times, what went wrong."""
    style = {"succeeded": "green", "partial": "yellow"}.get(manifest["status"], "bold red")
    times = " ".join(
        f"{stage} {manifest['durations_s'][stage]:.2f}s"
        for stage in ("extract", "bronze", "silver", "gold", "total")
        if stage in manifest["durations_s"]
    )
    rows = manifest["rows"]
    line = (
        f"{manifest['business_date']} [{style}]{manifest['status']:<9}[/] {times} | "
        f"orders {rows['silver'].get('orders', 0)} lines {rows['silver'].get('order_lines', 0)} "
        f"quarantined {sum(rows['quarantined'].values())} "
        f"duplicates {sum(rows['duplicates_dropped'].values())}"
    )
    if manifest.get("backfilled_on"):
        line += f" | backfilled on {manifest['backfilled_on']}"
    problems = [
        f"{table} {entry['status']}"
        for table, entry in manifest["tables"].items()
        if entry["status"] != "ok"
    ]
    if problems:
        line += " | " + ", ".join(problems)
    if manifest.get("error"):
        line += f"\n  [bold red]error:[/] {manifest['error']}"
    return line
