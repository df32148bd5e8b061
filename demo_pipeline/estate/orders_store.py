"""What the orders API serves from: one NDJSON file per published date under
`<workdir>/sources/orders/`, each line the exact JSON object the API returns for an
order, plus `manifest.json` (rows and schema version per date)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from demo_pipeline.errors import SourceError
from demo_pipeline.workdir import orders_day_file, orders_manifest_file

if TYPE_CHECKING:  # the API server reads this module: it must not load the generators
    from demo_pipeline.estate.feed import PublishedDay


def feed_path(orders_dir: Path, date: str) -> Path:
    return orders_day_file(orders_dir, date)


def write_published_day(orders_dir: Path, published: PublishedDay) -> int:
    """Write one published day; returns its row count."""
    orders_dir.mkdir(parents=True, exist_ok=True)
    published.frame.write_ndjson(feed_path(orders_dir, published.date))
    return published.frame.height


def manifest_entry(published: PublishedDay) -> dict[str, int]:
    return {
        "day": published.day,
        "rows": published.frame.height,
        "schema_version": published.schema_version,
    }


def write_manifest(orders_dir: Path, entries: dict[str, dict[str, int]]) -> None:
    """Published date -> {day, rows, schema_version}, for the API server."""
    text = json.dumps({"dates": entries}, indent=2, sort_keys=True)
    orders_manifest_file(orders_dir).write_text(text + "\n", encoding="utf-8")


def read_manifest(orders_dir: Path) -> dict[str, dict]:
    """Published date -> {day, rows, schema_version}."""
    path = orders_manifest_file(orders_dir)
    if not path.is_file():
        raise SourceError(f"orders store {path} not found (run `generate` first)")
    return json.loads(path.read_text(encoding="utf-8"))["dates"]
