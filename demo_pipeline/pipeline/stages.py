"""Extract and bronze for one day (wiring: call the extractors, land what they return).

A source that fails (after its retries) does not stop the day: its tables are marked
failed, the other sources go on, and the runner decides what the failure means.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from demo_pipeline.bronze import PartitionWrite, write_bronze
from demo_pipeline.core.context import DayContext
from demo_pipeline.core.manifest import RunManifest
from demo_pipeline.core.results import CheckResult
from demo_pipeline.errors import SourceError
from demo_pipeline.extract.base import Extracted, Extractor
from demo_pipeline.tables import TABLES

WRITERS = 4
"""Partitions written at once: enough to overlap one file's flush with the next one's
encoding on two cores; more only queue on the disk."""


@dataclass
class ExtractOutcome:
    extracted: list[Extracted] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    """source -> error message (the source was unreadable after its retries)."""
    notes: dict[str, dict] = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)


Reading = tuple[Extractor, "Future[tuple[list[Extracted], float]]"]
"""An extractor reading one day's source, with the future of its tables."""
Started = list[Reading]
"""Extractors reading one day's sources."""


def start_extract(pool: Executor, extractors: list[Extractor], day: dt.date) -> Started:
    """Start reading `day` from every source on `pool`; `extract_all` collects them.
    The sources are independent and mostly wait on I/O or C code (SQLite, HTTP,
    Excel), so they are read at the same time."""
    return [(e, pool.submit(_timed_extract, e, day)) for e in extractors]


def extract_all(
    ctx: DayContext, extractors: list[Extractor] | None = None, *, started: Started | None = None
) -> ExtractOutcome:
    """Run every extractor (or collect those `started` already). Quality records
    (tier 1), per table of the source: `source.available` (only when it failed after
    its retries), `source.retries` (when requests had to be retried), `source.latency`
    (seconds per request), and `header_mapping` when a workbook header was found under
    another spelling. Results are handled in a fixed order, whatever finished first."""
    out = ExtractOutcome()
    if started is None:
        with ThreadPoolExecutor(max_workers=len(extractors or ()) or 1) as pool:
            started = start_extract(pool, list(extractors or ()), ctx.business_date)
    for extractor, future in started:
        source = extractor.source
        try:
            tables, seconds = future.result()
        except SourceError as exc:
            out.failures[source] = str(exc)
            out.notes[source] = {"status": "failed", "error": str(exc)}
            for table in TABLES.of_source(source):
                out.checks.append(
                    ctx.check(
                        1,
                        table,
                        "source.available",
                        severity="fail",
                        action="none",
                        detail=str(exc),
                    )
                )
            ctx.log.event("extract.source_failed", level="error", source=source, error=str(exc))
            continue
        notes = tables[0].notes if tables else {}
        requests = int(notes.get("requests", 0) or 0)
        retries = int(notes.get("retries", 0) or 0)
        out.notes[source] = {
            "status": "ok",
            "seconds": round(seconds, 4),
            **{k: notes[k] for k in ("requests", "retries", "pages", "caught_up") if k in notes},
        }
        for table in tables:
            if retries:
                out.checks.append(
                    ctx.check(
                        1,
                        table.table,
                        "source.retries",
                        rows_checked=requests,
                        rows_failed=retries,
                        severity="warn",
                        action="logged",
                        detail=f"{retries} of {requests} request(s) retried "
                        f"(HTTP 429/5xx), then the day loaded",
                    )
                )
            if requests:
                http = float(notes.get("http_seconds", seconds))
                out.notes[source]["seconds_per_request"] = round(http / requests, 4)
            mapping = table.notes.get("header_mapping") or {}
            if mapping:
                detail = "; ".join(f"header {k!r} mapped to {v!r}" for k, v in mapping.items())
                out.checks.append(
                    ctx.check(
                        1,
                        table.table,
                        "header_mapping",
                        rows_checked=table.rows,
                        severity="warn",
                        action="logged",
                        detail=f"{detail} (file {table.origin})",
                    )
                )
            ctx.log.event("extract.table", source=source, table=table.table, rows=table.rows)
        out.extracted.extend(tables)
    return out


def _timed_extract(extractor: Extractor, day: dt.date) -> tuple[list[Extracted], float]:
    started = time.perf_counter()
    tables = extractor.extract(day)
    return tables, time.perf_counter() - started


Landed = dict[str, tuple[pl.DataFrame, PartitionWrite]]
"""Tables of one source landed in bronze: the frame each was written from, and the write."""


def land_when_read(pool: Executor, bronze: Path, reading: Reading, day: dt.date) -> Future[Landed]:
    """Land a source read ahead in bronze as soon as its read is over, on `pool`, so the
    writing overlaps the days before (`land_bronze` on its day finds it landed). A
    partition lands atomically whenever it is written: landed early, it is what a crash
    after the day's bronze stage would have left, and the day's run would write the
    same bytes again. A read that failed lands nothing (the future raises)."""
    _, read = reading

    def land() -> Landed:
        tables, _ = read.result()
        return {
            t.table: (t.frame, write_bronze(bronze, t.source, t.table, day, t.frame))
            for t in tables
        }

    return pool.submit(land)


def land_bronze(
    ctx: DayContext, extracted: list[Extracted], landed: Landed | None = None
) -> dict[str, PartitionWrite]:
    """Write every extracted table to its bronze partition for the day, except those
    `landed` already holds from the very frame extracted (`land_when_read`)."""
    done = {
        item.table: landed[item.table][1]
        for item in extracted
        if landed and item.table in landed and landed[item.table][0] is item.frame
    }
    # Each partition is its own atomic swap, so they are written at the same time: the
    # time goes to Parquet encoding and fsync, both of which release the GIL.
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        futures = {
            item.table: pool.submit(
                write_bronze,
                ctx.workdir.bronze,
                item.source,
                item.table,
                ctx.business_date,
                item.frame,
            )
            for item in extracted
            if item.table not in done
        }
    written = {table: future.result() for table, future in futures.items()}
    return {item.table: done.get(item.table) or written[item.table] for item in extracted}


def latency_checks(
    ctx: DayContext, notes: dict[str, dict], history: list[RunManifest]
) -> list[CheckResult]:
    """`source.latency` for the API: seconds per request against the median of the
    previous days (up to 7). Slow is over 3x the median and 0.1 s more than it."""
    api = notes.get("api", {})
    if "seconds_per_request" not in api:
        return []
    today = api["seconds_per_request"]
    earlier = sorted(
        (m for m in history if m.business_date < ctx.business_date),
        key=lambda m: m.business_date,
    )[-7:]
    past = sorted(
        m.sources["api"]["seconds_per_request"]
        for m in earlier
        if "seconds_per_request" in m.sources.get("api", {})
    )
    if not past:
        return []
    median = past[len(past) // 2]
    slow = today > 3 * median and today > median + 0.1
    return [
        ctx.check(
            1,
            table,
            "source.latency",
            rows_checked=api.get("requests", 0),
            rows_failed=api.get("requests", 0) if slow else 0,
            severity="warn" if slow else "info",
            action="logged" if slow else "none",
            detail=f"{today:.3f} s per request (median of the last {len(past)} day(s): "
            f"{median:.3f} s)",
        )
        for table in TABLES.of_source("api")
    ]


def missed_api_dates(history: list[RunManifest], business_date: dt.date) -> tuple[dt.date, ...]:
    """Published dates the API could not serve on earlier days (`history`, in date
    order) and no later day has fetched yet: the next good day catches up on them."""
    missed: set[str] = set()
    for m in history:
        if m.business_date >= business_date:
            continue
        api = m.sources.get("api", {})
        if api.get("status") == "failed":
            missed.add(m.business_date.isoformat())
        missed -= set(api.get("caught_up", []))
    return tuple(dt.date.fromisoformat(d) for d in sorted(missed))
