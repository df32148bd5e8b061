"""One business day in two halves, and the reading of the days to come.

    start_day   extract -> bronze -> silver   (the main thread)
    finish_day  quality step 1, gold beside step 2, step 3, the manifest and results
                (the run's lane, pipeline/runner.py `_Lane`, while the next day starts)

`run_pipeline` (pipeline/runner.py) calls them day after day; ADR 0013 says why a day
is split and what keeps two neighbouring days apart. While a day is landed and built,
the sources of the coming days are read (`read_ahead`), and the next day's ERP and
workbooks landed in bronze.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import duckdb
from rich.console import Console

from demo_pipeline.config import DemoConfig
from demo_pipeline.core.context import DayContext, contract_versions_on, run_id_for
from demo_pipeline.core.manifest import (
    GoldRecord,
    QualityRecord,
    RunManifest,
    read_manifests,
    write_manifest,
)
from demo_pipeline.core.results import CheckResult
from demo_pipeline.errors import DemoPipelineError, SourceError
from demo_pipeline.extract.api import OrdersApiExtractor
from demo_pipeline.extract.base import Extracted, Extractor
from demo_pipeline.extract.database import DatabaseExtractor, connector_for
from demo_pipeline.extract.file import WorkbookExtractor
from demo_pipeline.pipeline.engine import Engine
from demo_pipeline.pipeline.manifest import record_layers, summary_line
from demo_pipeline.pipeline.memory import PeakSampler, PeakWindow, current_rss_mb
from demo_pipeline.pipeline.stages import (
    Landed,
    Reading,
    Started,
    extract_all,
    land_bronze,
    land_when_read,
    latency_checks,
    missed_api_dates,
    start_extract,
)
from demo_pipeline.provenance import git_commit
from demo_pipeline.quality import hooks
from demo_pipeline.quality.fallback import checks_not_run, on_source_failure
from demo_pipeline.quality.results import QualityResults
from demo_pipeline.runlog import RunLog
from demo_pipeline.silver.conservation import assert_conserved, conservation_checks
from demo_pipeline.silver.stage import SilverOutcome
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir

READ_AHEAD = frozenset({"erp", "workbooks"})
"""Sources always read the day before (`read_ahead`); the API too when that day's read
of it succeeded."""
FILES_BESIDE_SILVER_BYTES = 32 * 2**20
"""The most the day's own ERP and workbook frames may hold for the next day's to be read
beside the day's silver (`files_fit_beside_silver`). At scale 1 a day's are a few MB;
at scale 10 its inventory snapshot alone is about 70 MB."""
API_DAYS_AHEAD = 4
"""Days of the orders API read ahead (`read_ahead`). Its pages come one after another
(a cursor names the next), so a slow day waits on every page in turn. Read days
early, that wait runs while the days before it are built instead of holding up its
own: the slow-responses day (15 pages at 0.2 s at scale 1) needs four."""


def _set_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


@dataclass(frozen=True)
class Sources:
    """What stays open for a whole run: the orders API, the gold database, the
    engine computing silver and gold (pipeline/engine.py), and the threads that read
    the sources (a day's own, and the coming days' read ahead), land what is read
    ahead, and run the quality step that overlaps gold."""

    api_url: str
    gold: duckdb.DuckDBPyConnection
    engine: Engine
    workers: Executor
    ahead: dict[dt.date, dict[str, Reading]] = field(default_factory=dict)
    """Sources of coming days being read while this day is built, per day and source
    (`read_ahead`)."""
    landing: dict[dt.date, list[Future[Landed]]] = field(default_factory=dict)
    """The next day's sources read ahead, landed in bronze as soon as they are read."""
    memory: PeakSampler | None = None
    """Samples each day's peak resident memory (pipeline/memory.py)."""
    silver_free: threading.Event = field(default_factory=_set_event)
    """Set while no gold build still has to read the silver it builds from (the run's
    lane, pipeline/runner.py `_Lane`)."""
    drafts: dict[dt.date, RunManifest] = field(default_factory=dict)
    """Manifests of days started and not yet finished, as far as they are known."""


@dataclass
class DayRun:
    """A business day between its two halves: `start_day` read, landed and cleaned it
    (extract, bronze, silver), `finish_day` builds gold and records it. A run starts
    the next day while this one is finished (pipeline/runner.py `_Lane`)."""

    ctx: DayContext
    log: RunLog
    """The day's event log, open until `finish_day` closes it."""
    manifest: RunManifest
    started: float
    memory: PeakWindow | None
    checks: list[CheckResult]
    durations: dict[str, float] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    """Sources unreadable after their retries (source -> error): quality step 1 for
    them runs in `finish_day`, where it writes the ledger and alerts in day order."""
    fallback_at: int = 0
    """Where step 1's checks go in `checks` (where the day's run always put them)."""
    silver: SilverOutcome | None = None
    error: DemoPipelineError | None = None
    """Why the first half stopped, if it did: `finish_day` records the day as failed."""
    backfill: tuple[dt.date, str] | None = None
    """For a re-run of an earlier day: the day it is run on, and why."""


def start_day(
    cfg: DemoConfig,
    workdir: Workdir,
    business_date: dt.date,
    run_day: dt.date,
    sources: Sources,
    carried: tuple[CheckResult, ...] = (),
    *,
    coming: list[dt.date] | None = None,
    backfill: tuple[dt.date, str] | None = None,
) -> DayRun:
    """Extract, bronze and silver for one day. The sources of the `coming` days (the
    next ones of the run) are read while it is landed and built. Silver waits until the
    gold build of the day before, if one is running, has read the silver it builds
    from (`Sources.silver_free`)."""
    run_id = run_id_for(business_date, cfg)
    versions = contract_versions_on(cfg, run_day)
    manifest = RunManifest(
        run_id=run_id,
        business_date=business_date,
        run_day=run_day,
        config_sha256=cfg.sha256,
        code_version=git_commit(),
        seed=cfg.estate.seed,
        scale=cfg.estate.scale,
        contract_versions=versions,
    )
    # The full event log goes to <workdir>/logs/<run_id>.jsonl; the terminal gets one
    # line per day (and the errors), so a 30-day run stays readable.
    log = RunLog(workdir.logs, run_id)
    ctx = DayContext(cfg, workdir, business_date, run_id, log, versions)
    day = DayRun(
        ctx,
        log,
        manifest,
        started=time.perf_counter(),
        memory=sources.memory.window() if sources.memory else None,
        checks=list(carried),
        backfill=backfill,
    )
    checks, durations = day.checks, day.durations
    # Where the sources were, this run: the errors name the API by its path only.
    log.event("run.sources", api_url=sources.api_url)
    try:
        # The days before, as far as they are known (read once: the API catch-up and
        # the latency check both look back).
        past = history(workdir, sources)
        with _timed(durations, log, "extract"):
            started = _started(cfg, workdir, business_date, sources, past)
            extracted = extract_all(ctx, started=started)
        checks += extracted.checks
        # The coming days' API is read while this day is landed and built; the next
        # day's ERP and workbooks too, unless they are large (`read_ahead`).
        files_now = files_fit_beside_silver(extracted.extracted)
        if coming:
            read_ahead(
                cfg, workdir, coming, sources, api="api" not in extracted.failures, files=files_now
            )
        checks += latency_checks(ctx, extracted.notes, past)
        day.failures, day.fallback_at = extracted.failures, len(checks)
        unavailable: dict[str, str] = {}
        for source, error in extracted.failures.items():
            unavailable.update(dict.fromkeys(TABLES.of_source(source), error))
        with _timed(durations, log, "bronze"):
            writes = land_bronze(
                ctx, extracted.extracted, _landed_ahead(sources, business_date, log)
            )
        sources.silver_free.wait()
        with _timed(durations, log, "silver"):
            silver = sources.engine.silver(ctx, unavailable)
        checks += silver.checks
        if coming and not files_now:
            read_ahead(cfg, workdir, coming[:1], sources, api=False, files=True)
        # Checks a failed source prevented are recorded as not run, with the reason.
        checks += checks_not_run(ctx, silver, unavailable)
        conservation = [t.conservation for t in silver.tables.values() if t.conservation]
        checks += conservation_checks(conservation, run_id, business_date)
        day.manifest = record_layers(manifest, extracted, writes, silver)
        day.silver = silver
        sources.drafts[business_date] = day.manifest
        assert_conserved(conservation, business_date)
    except DemoPipelineError as exc:
        day.error = exc
    except BaseException:
        log.close()
        raise
    return day


def finish_day(
    day: DayRun,
    sources: Sources,
    console: Console | None,
    silver_read: Callable[[], None] = lambda: None,
) -> RunManifest:
    """Quality step 1 for the day's unreadable sources, gold beside quality step 2, then
    step 3; writes the day's manifest and quality results and closes its log. Gold
    calls `silver_read` once it has read the silver it builds from."""
    ctx, log, checks, durations = day.ctx, day.log, day.checks, day.durations
    workdir, business_date = ctx.workdir, ctx.business_date
    manifest = day.manifest
    try:
        # Quality step 1: record the fallback, mark gold stale, alert.
        checks[day.fallback_at : day.fallback_at] = [
            check
            for source, error in day.failures.items()
            for check in on_source_failure(ctx, source, TABLES.of_source(source), error)
        ]
        if day.error is not None:
            raise day.error
        # Quality step 2: freshness ledger, tier 3, alerts. It reads silver and writes
        # the quality layer's files, none of which gold reads, so it runs while gold is
        # built; step 3 reads the ledger it writes, so it waits.
        after_silver = sources.workers.submit(hooks.after_silver, ctx, day.silver)
        try:
            with _timed(durations, log, "gold"):
                gold = sources.engine.gold(ctx, sources.gold, silver_read)
        finally:
            checks += after_silver.result()
        # Quality step 3: staleness, late arrivals and their recomputation, recoveries.
        checks += hooks.after_gold(ctx, sources.gold)
        problems = [t for t in manifest.tables.values() if t.status != "ok"]
        manifest = replace(
            manifest,
            gold=GoldRecord(tuple(gold.loaded), tuple(gold.skipped), gold.timings_s),
            rows=replace(manifest.rows, gold=gold.rows),
            bytes={**manifest.bytes, "gold": workdir.gold_db.stat().st_size},
            status="partial" if problems or day.failures else "succeeded",
        )
    except DemoPipelineError as exc:
        manifest = replace(manifest, status="failed", error=str(exc))
        log.event("run.failed", level="error", error=str(exc))
    finally:
        silver_read()  # also when gold stopped before reading it
        durations["total"] = round(time.perf_counter() - day.started, 4)
        manifest = replace(
            manifest,
            durations_s=durations,
            memory_rss_mb=current_rss_mb(),
            memory_peak_mb=day.memory.end() if day.memory else None,
            quality=QualityRecord.of(checks),
        )
        if day.backfill is not None:
            manifest = replace(
                manifest, backfilled_on=day.backfill[0], backfill_reason=day.backfill[1]
            )
        QualityResults(workdir.quality_results).replace_day(business_date, checks)
        write_manifest(workdir.runs, manifest)
        sources.drafts.pop(business_date, None)
        log.event("run.done", status=manifest.status, business_date=business_date)
        log.close()
        if console is not None:
            console.print(summary_line(manifest), highlight=False, soft_wrap=True)
    return manifest


def history(workdir: Workdir, sources: Sources) -> list[RunManifest]:
    """The manifests of the days run so far, the day being finished included (its draft,
    whose sources are known)."""
    by_day = {m.business_date: m for m in read_manifests(workdir.runs)}
    by_day.update(sources.drafts)
    return [by_day[d] for d in sorted(by_day)]


def read_ahead(
    cfg: DemoConfig,
    workdir: Workdir,
    coming: list[dt.date],
    sources: Sources,
    *,
    api: bool,
    files: bool = False,
) -> None:
    """Start reading the coming days' sources now, so that they overlap today's work
    (they wait on SQLite, HTTP and Excel parsing; silver and gold run in Polars and
    DuckDB, which leave the GIL). With `api`, the orders API for each of the `coming`
    days (up to API_DAYS_AHEAD), each read once; with `files`, the ERP and the
    workbooks (READ_AHEAD) for the next day only.

    `start_day` asks for the API as soon as today's extraction is over, and for the ERP
    and workbooks then too when they are small (`files_fit_beside_silver`), else once
    today's silver is done, beside its gold. The next day's inventory snapshot is the
    largest frame a run reads (over a million rows at scale 10): read beside silver, it
    was held beside today's own snapshot and its cleaning, which set the run's peak
    memory. Small, it costs little memory, and reading it beside silver keeps it off
    the next day's critical path.

    The ERP and the workbooks depend on earlier days only through the ERP watermarks,
    which today's extraction has saved. The orders API is read ahead only when `api`
    (today's read of it succeeded): today then caught up on every date missed before,
    so the coming days have none to catch up on. If one appears later (a coming day's
    read fails), the day after it drops its early read and reads again with the missed
    dates (`_started`). What the API serves depends on the dates asked for,
    not on when: the same pages, faults and delays. Its latency is measured while
    earlier days are being built; the check allows for that (slow is 3x the median of
    earlier days and 0.1 s more)."""
    for index, day in enumerate(coming):
        wanted = (READ_AHEAD if index == 0 and files else frozenset()) | ({"api"} if api else set())
        if not wanted:
            break  # the days after the next: only the API is read for them
        reading = sources.ahead.setdefault(day, {})
        extractors = [
            e
            for e in _extractors(cfg, workdir, day, sources.api_url, catch_up=())
            if e.source in wanted and e.source not in reading
        ]
        for extractor, future in start_extract(sources.workers, extractors, day):
            reading[extractor.source] = (extractor, future)
            # The ERP and the workbooks are landed as soon as they are read: their early
            # read is always the one the day uses (the API's may be read again).
            if extractor.source in READ_AHEAD:
                landing = land_when_read(sources.workers, workdir.bronze, (extractor, future), day)
                sources.landing.setdefault(day, []).append(landing)


def files_fit_beside_silver(extracted: list[Extracted]) -> bool:
    """Whether the next day's ERP and workbooks may be read while today's silver runs,
    judged by the size of today's (the next day's are much the same): under
    FILES_BESIDE_SILVER_BYTES. Larger ones are read once today's silver is done."""
    size = sum(e.frame.estimated_size() for e in extracted if e.source in READ_AHEAD)
    return size <= FILES_BESIDE_SILVER_BYTES


def _landed_ahead(sources: Sources, business_date: dt.date, log: RunLog) -> Landed:
    """What was landed in bronze for the day while it was read ahead. A landing that
    failed is left out (and logged): the day lands those tables itself, and meets the
    error there if it persists. A read that failed is the extract stage's to report."""
    landed: Landed = {}
    for landing in sources.landing.pop(business_date, []):
        try:
            landed.update(landing.result())
        except SourceError:
            continue
        except Exception as exc:
            log.event("bronze.early_landing_failed", level="warning", error=repr(exc))
    return landed


def _started(
    cfg: DemoConfig,
    workdir: Workdir,
    business_date: dt.date,
    sources: Sources,
    past: list[RunManifest],
) -> Started:
    """The day's extractors, in their fixed order: those read ahead during the days
    before, and the others started now."""
    ahead = sources.ahead.pop(business_date, {})
    catch_up = missed_api_dates(past, business_date)
    if catch_up and "api" in ahead:
        # Read ahead without dates that are now missing (a backfill of an earlier day
        # failed on the API since): read again with them; the early read is dropped.
        del ahead["api"]
    extractors = _extractors(cfg, workdir, business_date, sources.api_url, catch_up)
    now = start_extract(
        sources.workers, [e for e in extractors if e.source not in ahead], business_date
    )
    started = {e.source: (e, f) for e, f in now} | ahead
    return [started[e.source] for e in extractors]


def _extractors(
    cfg: DemoConfig,
    workdir: Workdir,
    business_date: dt.date,
    api_url: str,
    catch_up: tuple[dt.date, ...],
) -> list[Extractor]:
    # The ERP is opened read-only; the generated one is replayed as of the day by the
    # connection itself (nothing is written into the source, see `sqlite_connector`).
    connect_erp, origin = connector_for(cfg.sources.erp.url, workdir.erp_db, as_of=business_date)
    return [
        DatabaseExtractor(connect_erp, workdir.watermarks, origin=origin),
        OrdersApiExtractor(
            api_url,
            cfg.pipeline.retry,
            page_size=cfg.sources.api.page_size,
            seed=cfg.estate.seed,
            catch_up=catch_up,
        ),
        WorkbookExtractor(workdir.workbooks),
    ]


@contextmanager
def _timed(durations: dict[str, float], log: RunLog, stage: str) -> Iterator[None]:
    started = time.perf_counter()
    with log.stage(stage):
        try:
            yield
        finally:
            durations[stage] = round(time.perf_counter() - started, 4)
