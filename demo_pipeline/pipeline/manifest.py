"""The runner's side of the run record (`core.manifest.RunManifest`): the layers'
outcomes turned into the manifest's rows, files, bytes and tables, and the one line
per day the terminal shows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from demo_pipeline.core.manifest import RowCounts, RunManifest, TableRecord


def record_layers(manifest: RunManifest, extracted: Any, writes: dict, silver: Any) -> RunManifest:
    """The manifest with sources, rows, files, bytes, tables and conservation filled
    from the stage outcomes (extract, bronze writes, silver)."""
    rows: dict[str, dict[str, int]] = {layer: {} for layer in RowCounts().to_dict()}
    files, sizes = dict(manifest.files), dict(manifest.bytes)
    tables: dict[str, TableRecord] = {}
    conservation: list[dict[str, Any]] = []
    for item in extracted.extracted:
        rows["extracted"][item.table] = item.rows
    for table, write in writes.items():
        rows["bronze"][table] = write.rows
        files["bronze"] += write.files
        sizes["bronze"] += write.bytes
    for table, outcome in silver.tables.items():
        tables[table] = TableRecord(outcome.status, outcome.detail, outcome.halt or None)
        if outcome.conservation:
            c = outcome.conservation
            rows["silver"][table] = c.silver
            rows["quarantined"][table] = c.quarantined
            rows["duplicates_dropped"][table] = c.duplicates
            rows["held"][table] = c.held
            conservation.append(c.to_dict())
        for layer, write in (
            ("silver", outcome.silver_write),
            ("quarantine", outcome.quarantine_write),
        ):
            if write is not None:
                files[layer] += write.files
                sizes[layer] += write.bytes
    return replace(
        manifest,
        sources=extracted.notes,
        tables=tables,
        rows=RowCounts(**rows),
        files=files,
        bytes=sizes,
        conservation=tuple(conservation),
    )


def summary_line(manifest: RunManifest) -> str:
    """One line per day for the terminal: date, status, stage times, what went wrong."""
    style = {"succeeded": "green", "partial": "yellow"}.get(manifest.status, "bold red")
    times = " ".join(
        f"{stage} {manifest.durations_s[stage]:.2f}s"
        for stage in ("extract", "bronze", "silver", "gold", "total")
        if stage in manifest.durations_s
    )
    rows = manifest.rows
    line = (
        f"{manifest.business_date} [{style}]{manifest.status:<9}[/] {times} | "
        f"orders {rows.silver.get('orders', 0)} lines {rows.silver.get('order_lines', 0)} "
        f"quarantined {sum(rows.quarantined.values())} "
        f"duplicates {sum(rows.duplicates_dropped.values())}"
    )
    if manifest.backfilled_on:
        line += f" | backfilled on {manifest.backfilled_on}"
    problems = [
        f"{table} {entry.status}"
        for table, entry in manifest.tables.items()
        if entry.status != "ok"
    ]
    if problems:
        line += " | " + ", ".join(problems)
    if manifest.error:
        line += f"\n  [bold red]error:[/] {manifest.error}"
    return line
