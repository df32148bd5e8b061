"""Where every output of a run lives. All paths hang off one work directory, so two
runs (say, two scales) can sit side by side and be compared.

Every file name and folder layout is spelled here and nowhere else: a module that
needs a file asks `Workdir` for it (a property, or a method for per-day and per-table
files). The functions below the class are the same layout for code that is handed a
folder rather than a whole work directory (a bronze root, a silver root).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

PART_FILE = "part-0.parquet"
"""The one data file of a partition (bronze, silver facts, quarantine)."""


@dataclass(frozen=True)
class Workdir:
    """The layout of one work directory (default `build/`)."""

    root: Path

    @property
    def sources(self) -> Path:
        """The synthetic source estate: ERP database, orders data, workbooks."""
        return self.root / "sources"

    @property
    def erp_db(self) -> Path:
        return self.sources / "erp.sqlite"

    @property
    def orders_store(self) -> Path:
        """What the orders API serves from (written by the generator)."""
        return self.sources / "orders"

    def orders_day(self, date: str) -> Path:
        """One published date of the orders feed (NDJSON, as the API serves it)."""
        return orders_day_file(self.orders_store, date)

    @property
    def orders_manifest(self) -> Path:
        """Rows and schema version per published date, for the API server."""
        return orders_manifest_file(self.orders_store)

    @property
    def workbooks(self) -> Path:
        return self.sources / "workbooks"

    def workbook(self, date: str, table: str) -> Path:
        """The workbook a supplier sent on `date` (YYYY-MM-DD)."""
        return workbook_file(self.workbooks, date, table)

    @property
    def ground_truth(self) -> Path:
        return self.sources / "ground_truth.json"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def bronze(self) -> Path:
        return self.lake / "bronze"

    @property
    def silver(self) -> Path:
        return self.lake / "silver"

    def bronze_table(self, source: str, table: str) -> Path:
        """Every landing of one table, a partition per ingestion date below it."""
        return self.bronze / source / table

    def bronze_partition(self, source: str, table: str, day: dt.date) -> Path:
        return bronze_partition(self.bronze, source, table, day)

    def bronze_file(self, source: str, table: str, day: dt.date) -> Path:
        return self.bronze_partition(source, table, day) / PART_FILE

    def silver_partition(self, table: str, day: dt.date) -> Path:
        """A fact's silver partition for one ingestion date."""
        return ingest_partition(self.silver, table, day)

    def silver_file(self, table: str, day: dt.date) -> Path:
        return self.silver_partition(table, day) / PART_FILE

    def dimension_file(self, table: str) -> Path:
        """A dimension in silver, as of the latest day loaded."""
        return dimension_file(self.silver, table)

    @property
    def quarantine(self) -> Path:
        return self.silver / "quarantine"

    def quarantine_partition(self, table: str, day: dt.date) -> Path:
        return ingest_partition(self.quarantine, table, day)

    @property
    def gold(self) -> Path:
        return self.root / "gold"

    @property
    def gold_db(self) -> Path:
        return self.gold / "warehouse.duckdb"

    @property
    def gold_parquet(self) -> Path:
        return self.gold / "parquet"

    def gold_export(self, table: str) -> Path:
        """One gold table exported to Parquet."""
        return self.gold_parquet / f"{table}.parquet"

    @property
    def state(self) -> Path:
        """Pipeline state kept between runs (watermarks, SCD2 bookkeeping)."""
        return self.root / "state"

    @property
    def watermarks(self) -> Path:
        """ERP watermarks, one JSON file per business date (see `dated_file`)."""
        return self.state / "watermarks"

    @property
    def dimension_states(self) -> Path:
        """Each dimension after each day, `<table>/<date>.parquet` (see `dated_file`)."""
        return self.state / "dimensions"

    @property
    def lock(self) -> Path:
        """Held while a pipeline run writes to this work directory."""
        return self.root / ".pipeline.lock"

    @property
    def runs(self) -> Path:
        """One manifest per daily run."""
        return self.root / "runs"

    def run_manifest(self, day: dt.date) -> Path:
        return run_manifest_file(self.runs, day)

    def run_manifests(self) -> list[Path]:
        """Every run manifest there is, oldest business date first."""
        return run_manifest_files(self.runs)

    @property
    def quality(self) -> Path:
        return self.root / "quality"

    @property
    def quality_results(self) -> Path:
        """Every check of every run (tiers 1 to 3), one row per check."""
        return self.quality / "results.parquet"

    @property
    def freshness_ledger(self) -> Path:
        """The state and data date of every feed, per business date."""
        return self.quality / "freshness.parquet"

    @property
    def anomalies(self) -> Path:
        """The tier-3 anomaly log."""
        return self.quality / "anomalies.parquet"

    @property
    def order_stats(self) -> Path:
        """Cached per-ingest-date order measures for tier 3 (see `dated_file`)."""
        return self.quality / "order_stats"

    @property
    def recall(self) -> Path:
        """Injected faults against what the checks caught."""
        return self.quality / "recall.parquet"

    @property
    def false_positives(self) -> Path:
        return self.quality / "false_positives.parquet"

    @property
    def run_outputs(self) -> tuple[Path, ...]:
        """Every folder a pipeline run writes into. A run killed mid-write can leave a
        hidden temporary file in any of them; the next run sweeps them all."""
        return (self.lake, self.gold, self.state, self.runs, self.quality)

    @property
    def alerts(self) -> Path:
        return self.root / "alerts.jsonl"

    @property
    def bench(self) -> Path:
        return self.root / "bench"

    @property
    def bench_results(self) -> Path:
        """The last benchmark run's summary: figures, settings, data and environment."""
        return self.bench / "results.json"

    @property
    def bench_raw(self) -> Path:
        """Every timing of the last benchmark run."""
        return self.bench / "raw.json"

    @property
    def bench_environment(self) -> Path:
        return self.bench / "environment.json"

    @property
    def bench_scratch(self) -> Path:
        """Throwaway files of a benchmark run (variants, job parameters)."""
        return self.bench / "scratch"

    @property
    def bench_generate(self) -> Path:
        """The estate-generation benchmark's summary."""
        return self.bench / "generate.json"

    @property
    def bench_generate_log(self) -> Path:
        return self.root / "generate.out"

    def bench_estate(self, scale_name: str) -> Path:
        """The estate the generation benchmark builds at one scale."""
        return self.bench / "generate" / scale_name

    @property
    def claims(self) -> Path:
        """The verdict on every registered claim, judged from `bench_results`."""
        return self.bench / "claims.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def run_log(self, run_id: str) -> Path:
        return run_log_file(self.logs, run_id)

    @property
    def site_steps(self) -> Path:
        """What each step of the site build last read and wrote."""
        return self.root / "site-steps"

    @property
    def metrics(self) -> Path:
        """The metric catalogue: the one place the site takes numbers from."""
        return self.root / "metrics.json"


def bronze_partition(bronze: Path, source: str, table: str, day: dt.date) -> Path:
    """`<bronze>/<source>/<table>/year=YYYY/month=MM/day=DD`"""
    return bronze / source / table / f"year={day:%Y}" / f"month={day:%m}" / f"day={day:%d}"


def ingest_partition(root: Path, table: str, day: dt.date) -> Path:
    """`<root>/<table>/ingest_date=YYYY-MM-DD` (silver facts, quarantine)."""
    return root / table / f"ingest_date={day.isoformat()}"


FileStamp = tuple[int, int, int]
"""A file's (inode, mtime in ns, size): what the in-process caches of file contents
check before handing out what they read earlier. Every write here is a rename of a
new file, so a rewrite changes the inode even within one mtime tick."""


def file_stamp(file: Path | os.stat_result) -> FileStamp:
    """The `FileStamp` of a file, from its path or a `stat` already taken."""
    stat = file if isinstance(file, os.stat_result) else file.stat()
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def partition_stats(root: Path, table: str) -> list[tuple[Path, os.stat_result]]:
    """Every partition file of a table under `root` with its `stat`, oldest ingestion
    date first. One `stat` per file says both that it is there (a crash can leave a
    partition folder without its file) and what it is: callers that cache a file's rows
    key them by it. A day's build lists the whole history of a few tables, and a
    `glob` followed by a `stat` per file made three system calls of each one."""
    folder = root / table
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if e.name.startswith("ingest_date="))
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        file = folder / name / PART_FILE
        try:
            found.append((file, file.stat()))
        except (FileNotFoundError, NotADirectoryError):
            continue
    return found


def dimension_file(silver: Path, table: str) -> Path:
    return silver / table / f"{table}.parquet"


def dated_file(folder: Path, day: dt.date | str, suffix: str = ".parquet") -> Path:
    """`<folder>/YYYY-MM-DD<suffix>`: one file per business date (state, caches)."""
    date = day if isinstance(day, str) else day.isoformat()
    return folder / f"{date}{suffix}"


def dated_files(folder: Path, suffix: str = ".parquet") -> list[Path]:
    """Every `dated_file` in `folder`, oldest first."""
    return sorted(folder.glob(f"*{suffix}"))


def run_manifest_file(runs: Path, day: dt.date) -> Path:
    return dated_file(runs, day, ".json")


def run_manifest_files(runs: Path) -> list[Path]:
    return dated_files(runs, ".json")


def run_log_file(logs: Path, run_id: str) -> Path:
    return logs / f"{run_id}.jsonl"


def orders_day_file(orders: Path, date: str) -> Path:
    return dated_file(orders, date, ".ndjson")


def orders_manifest_file(orders: Path) -> Path:
    return orders / "manifest.json"


def workbook_file(workbooks: Path, date: str, table: str) -> Path:
    return workbooks / date / f"{table}.xlsx"
