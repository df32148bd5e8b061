"""The data a benchmark run reads: the demo's gold Parquet exports, as they are, or
(quick profile) capped to their first N rows in a scratch folder.

Every engine reads the same files, so they answer the same questions over the same rows.
Row counts and bytes on disk are recorded with the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from demo_pipeline.errors import BenchmarkError
from demo_pipeline.workdir import Workdir

GOLD_TABLES = ("fact_sales", "dim_product", "fact_inventory_daily", "agg_daily_sales")
FACT_TABLES = ("fact_sales", "fact_inventory_daily")


@dataclass(frozen=True)
class BenchDataset:
    paths: dict[str, Path]
    rows: dict[str, int]
    bytes: dict[str, int]
    capped_at: int | None  # None = the full gold tables

    def to_dict(self) -> dict:
        return {
            "tables": {
                name: {
                    "path": str(self.paths[name]),
                    "rows": self.rows[name],
                    "bytes": self.bytes[name],
                    "format": "parquet",
                }
                for name in self.paths
            },
            "capped_at_rows": self.capped_at,
        }


def missing_gold_tables(workdir: Workdir) -> list[str]:
    return [t for t in GOLD_TABLES if not (workdir.gold_parquet / f"{t}.parquet").is_file()]


def prepare_dataset(workdir: Workdir, scratch: Path, max_fact_rows: int | None) -> BenchDataset:
    """Point at the gold tables; with a cap, write capped copies of the fact tables.

    Capping keeps the first N rows in file order, so it is deterministic; dimensions and
    the aggregate are never capped (a fact row must still find its product).
    """
    missing = missing_gold_tables(workdir)
    if missing:
        raise BenchmarkError(
            f"gold tables missing under {workdir.gold_parquet}: expected "
            f"{', '.join(t + '.parquet' for t in missing)}"
        )
    paths: dict[str, Path] = {}
    for table in GOLD_TABLES:
        source = workdir.gold_parquet / f"{table}.parquet"
        if max_fact_rows is not None and table in FACT_TABLES:
            capped = scratch / "data" / f"{table}.parquet"
            capped.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(pq.read_table(source).slice(0, max_fact_rows), capped)
            paths[table] = capped
        else:
            paths[table] = source
    return BenchDataset(
        paths=paths,
        rows={t: pq.read_metadata(p).num_rows for t, p in paths.items()},
        bytes={t: p.stat().st_size for t, p in paths.items()},
        capped_at=max_fact_rows,
    )
