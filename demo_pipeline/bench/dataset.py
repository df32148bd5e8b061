"""The data a benchmark run reads: the demo's gold Parquet exports, as they are, or
(quick profile) cut to their first N business days in a scratch folder.

Every engine reads the same files, so they answer the same questions over the same rows.
Row counts and bytes on disk are recorded with the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from demo_pipeline.errors import BenchmarkError
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir

# The gold tables the benchmarks read, from the table registry (`benchmarked`).
GOLD_TABLES = tuple(g.name for g in TABLES.gold if g.benchmarked)
# The dated tables and their date column. Cutting all of them to the same days keeps the
# pre-aggregated table consistent with the facts it summarises.
DATED_TABLES = {g.name: g.date_column for g in TABLES.gold if g.benchmarked and g.date_column}


@dataclass(frozen=True)
class BenchDataset:
    paths: dict[str, Path]
    rows: dict[str, int]
    bytes: dict[str, int]
    days_kept: int | None  # None = the full gold tables
    days: int = 0  # business days of sales in the data benchmarked

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
            "days_kept": self.days_kept,
            "days": self.days,
        }


def missing_gold_tables(workdir: Workdir) -> list[str]:
    return [t for t in GOLD_TABLES if not workdir.gold_export(t).is_file()]


def prepare_dataset(workdir: Workdir, scratch: Path, max_days: int | None) -> BenchDataset:
    """Point at the gold tables; with `max_days`, write copies of the dated tables cut
    to the first N business days of the sales (deterministic; dimensions are whole)."""
    missing = missing_gold_tables(workdir)
    if missing:
        raise BenchmarkError(
            f"gold tables missing under {workdir.gold_parquet}: expected "
            f"{', '.join(workdir.gold_export(t).name for t in missing)}"
        )
    paths = {t: workdir.gold_export(t) for t in GOLD_TABLES}
    dates = pq.read_table(paths["fact_sales"], columns=["business_date"])["business_date"]
    days = sorted(pc.unique(dates).to_pylist())
    if max_days is not None:
        if not days:
            raise BenchmarkError(f"{paths['fact_sales']}: expected sales rows; found none")
        last_day = days[:max_days][-1]
        for table, column in DATED_TABLES.items():
            data = pq.read_table(paths[table])
            cut = scratch / "data" / f"{table}.parquet"
            cut.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(data.filter(pc.less_equal(data[column], last_day)), cut)
            paths[table] = cut
    return BenchDataset(
        paths=paths,
        rows={t: pq.read_metadata(p).num_rows for t, p in paths.items()},
        bytes={t: p.stat().st_size for t, p in paths.items()},
        days_kept=max_days,
        days=len(days[:max_days] if max_days is not None else days),
    )
