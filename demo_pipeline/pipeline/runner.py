"""The daily batch, as a scheduler would run it: for each business day in order,
extract -> bronze -> silver -> gold, and write the day's run manifest and quality
results. Sources are read, never written (the ERP is opened read-only and replayed
as of the day by its connection; the watermarks live under the work directory).

    run_pipeline(cfg, workdir)                       every day of the simulation
    run_pipeline(cfg, workdir, day="2026-11-18")     re-run one day (a backfill)
    run_pipeline(cfg, workdir, from_scratch=True)    delete lake/gold/state/runs first

Run ids are deterministic (`<yyyymmdd>-<config hash>`), so a re-run of a day with
the same config produces the same bytes in bronze, silver and gold.

Days overlap where that is safe, and only there (`_Lane` says what keeps it safe):
coming days' sources are read (and the ERP and workbooks landed in bronze) while a day
is built, and a day's gold and quality steps run while the next day is extracted,
landed and cleaned. The files written are the ones a day-by-day run writes (tests:
one day at a time equals the whole week in one go).

Schema contract updates (`quality.contract_updates`): on the day an update lands,
the days whose table halted under the old contract are re-run first (backfilled),
then the day itself. A re-run of an older day later on uses the newest contract in
force by then.

The quality steps are called here, in order, and none calls back up:
  1. `quality.fallback.on_source_failure` - a source failed after its retries: fall
     back / mark stale. Nothing is loaded for its tables today (gold keeps the earlier
     good data); the next good day catches up (API).
  2. `quality.hooks.after_silver` - after silver, before gold: the freshness ledger,
     tier-3 statistical checks, alerts.
  3. `quality.hooks.after_gold` - after the day's gold build: staleness, late arrivals
     and their recomputation, recoveries.
The run never makes its upstream: a work directory without the estate `run` needs
(or with an estate of another seed, scale or calendar) stops with an error that names
the command that makes it (`make generate`, `python -m demo_pipeline generate`).

Every stage's CheckResults are collected and stored with
`QualityResults(workdir.quality_results).replace_day(date, results)`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import duckdb
import polars as pl
from rich.console import Console

from demo_pipeline.bronze import clean_stale_temp_dirs
from demo_pipeline.config import ContractUpdate, DemoConfig
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
from demo_pipeline.estate.api_server import OrdersApiServer
from demo_pipeline.extract.api import OrdersApiExtractor
from demo_pipeline.extract.base import Extractor
from demo_pipeline.extract.database import DatabaseExtractor, connector_for
from demo_pipeline.extract.file import WorkbookExtractor
from demo_pipeline.gold.build import (
    export_gold,
    open_warehouse,
    table_rows,
)
from demo_pipeline.pipeline.catalogue import Invocation, record_pipeline_metrics
from demo_pipeline.pipeline.engine import Engine, open_engine
from demo_pipeline.pipeline.manifest import current_rss_mb, record_layers, summary_line
from demo_pipeline.pipeline.memory import PeakSampler, PeakWindow
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
from demo_pipeline.pipeline.workspace import (
    exclusive,
    parse_day,
    require_estate,
    require_lake_of_this_estate,
    require_sound_lake,
    reset,
)
from demo_pipeline.provenance import Provenance, git_commit
from demo_pipeline.quality import hooks
from demo_pipeline.quality.fallback import checks_not_run, on_source_failure
from demo_pipeline.quality.results import QualityResults
from demo_pipeline.quality.summary import write_quality_metrics
from demo_pipeline.runlog import RunLog
from demo_pipeline.silver.conservation import assert_conserved, conservation_checks
from demo_pipeline.silver.stage import SilverOutcome
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir


def _set_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


@dataclass(frozen=True)
class Sources:
    """What stays open for a whole run: the orders API, the gold database, the
    engine computing silver and gold (pipeline/engine.py), and the threads that read
    the sources (a day's own, and the next day's read ahead) and run the quality
    steps that overlap gold."""

    api_url: str
    gold: duckdb.DuckDBPyConnection
    engine: Engine
    workers: Executor
    ahead: dict[dt.date, dict[str, Reading]] = field(default_factory=dict)
    """Sources of coming days being read while this day is built, per day and source
    (`_read_ahead`)."""
    landing: dict[dt.date, list[Future[Landed]]] = field(default_factory=dict)
    """The next day's sources read ahead, landed in bronze as soon as they are read."""
    memory: PeakSampler | None = None
    """Samples each day's peak resident memory (pipeline/memory.py)."""
    silver_free: threading.Event = field(default_factory=_set_event)
    """Set while no gold build still has to read the silver it builds from (`_Lane`)."""
    drafts: dict[dt.date, RunManifest] = field(default_factory=dict)
    """Manifests of days started and not yet finished, as far as they are known."""


def run_pipeline(
    cfg: DemoConfig,
    workdir: Workdir,
    day: str | None = None,
    from_scratch: bool = False,
    console: Console | None = None,
) -> list[RunManifest]:
    """Run the daily batch; returns the manifests written. Raises DemoPipelineError
    if the estate is missing (see `require_estate`), or (after recording everything)
    if any day's run failed."""
    started = time.perf_counter()
    workdir.root.mkdir(parents=True, exist_ok=True)
    with exclusive(workdir), open_engine(cfg) as engine:
        if from_scratch:
            reset(workdir)
        require_estate(cfg, workdir)
        for root in workdir.run_outputs:
            clean_stale_temp_dirs(root)
        require_lake_of_this_estate(cfg, workdir)
        for note in require_sound_lake(workdir):
            if console:
                console.print(f"[yellow]repaired:[/] {note}", highlight=False, soft_wrap=True)
        days = [parse_day(cfg, day)] if day else cfg.estate.business_days()
        latest = max(
            (m.business_date for m in read_manifests(workdir.runs)),
            default=days[0],
        )
        manifests: list[RunManifest] = []
        with (
            OrdersApiServer(workdir, cfg) as api,
            open_warehouse(workdir.gold_db) as gold,
            ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="worker") as workers,
            PeakSampler() as memory,
        ):
            sources = Sources(api.base_url, gold, engine, workers, memory=memory)
            lane = _Lane(sources, console)
            days_started = time.perf_counter()
            try:
                for index, business_date in enumerate(days):
                    # A scheduled day runs under the contracts of that day; a one-day
                    # re-run under the contracts in force now (the latest day run).
                    run_day = max(business_date, latest) if day else business_date
                    manifests += _backfill_halted_days(cfg, workdir, business_date, sources, lane)
                    begun = start_day(
                        cfg,
                        workdir,
                        business_date,
                        run_day,
                        sources,
                        coming=days[index + 1 : index + 1 + API_DAYS_AHEAD],
                    )
                    manifests += lane.finish(begun)
                manifests += lane.wait()
            finally:
                lane.close()
            days_s = time.perf_counter() - days_started
            export_gold(workdir, gold)
            gold_rows = table_rows(gold)
        provenance = Provenance.now(manifests[-1].run_id, cfg.estate.seed, cfg.estate.scale)
        run = Invocation(time.perf_counter() - started, len(manifests), days_s)
        record_pipeline_metrics(workdir, provenance, gold_rows, run)
        # Quality layer (issue 4): quality.* metrics and recall from the results file.
        write_quality_metrics(workdir, provenance.run_id, cfg.estate.seed, cfg.estate.scale)
    failed = [m for m in final_runs(manifests) if m.status == "failed"]
    if failed:
        raise DaysFailed(
            f"{len(failed)} of {len(final_runs(manifests))} daily run(s) failed: "
            + "; ".join(f"{m.business_date}: {m.error}" for m in failed),
            manifests,
        )
    return manifests


READ_AHEAD = frozenset({"erp", "workbooks"})
"""Sources always read the day before, while it is landed and built; the API too when
that day's read of it succeeded (`_read_ahead`)."""
API_DAYS_AHEAD = 4
"""Days of the orders API read ahead (`_read_ahead`). Its pages come one after another
(a cursor names the next), so a slow day waits on every page in turn. Read days
early, that wait runs while the days before it are built instead of holding up its
own: the slow-responses day (15 pages at 0.2 s at scale 1) needs four."""
WORKERS = 3 + 2 * len(READ_AHEAD) + API_DAYS_AHEAD + 1
"""Threads of a run: one per source for the day (pipeline/stages.py `start_extract`),
one per source and day read ahead, one per source landing what was read ahead, and one
for the quality step that runs beside gold."""

# Exit codes of `run` (documented in `run --help` and the README).
EXIT_OK = 0
"""Every day succeeded."""
EXIT_NOT_RUN = 1
"""The command could not run (no estate, work directory locked...): nothing was run."""
EXIT_CONFIG = 2
"""Bad config or arguments: nothing was run."""
EXIT_PARTIAL = 3
"""Every day ran, but at least one is partial: a source was unreadable or a table was
held (its quality results say why). The shipped scenario calendar ends here by design
(its source outage leaves one day partial)."""
EXIT_FAILED = 4
"""At least one day failed: its run stopped with an error (named in the summary)."""


class DaysFailed(DemoPipelineError):
    """At least one day's run failed (raised after everything was recorded)."""

    def __init__(self, message: str, manifests: list[RunManifest]) -> None:
        super().__init__(message)
        self.manifests = manifests


def final_runs(manifests: list[RunManifest]) -> list[RunManifest]:
    """The last run of each business day (a day halted, then backfilled, counts as its
    backfill), in date order."""
    latest = {m.business_date: m for m in manifests}
    return [latest[d] for d in sorted(latest)]


def exit_code(manifests: list[RunManifest]) -> int:
    """EXIT_OK, EXIT_PARTIAL or EXIT_FAILED for the days of a run."""
    statuses = {m.status for m in final_runs(manifests)}
    if "failed" in statuses:
        return EXIT_FAILED
    return EXIT_PARTIAL if statuses - {"succeeded"} else EXIT_OK


def run_summary(manifests: list[RunManifest]) -> list[str]:
    """The end-of-run summary: counts, then one line per day that was not a success,
    naming the sources and tables that failed or were held."""
    days = final_runs(manifests)
    done = sum(m.status == "succeeded" for m in days)
    lines = [f"{done} of {len(days)} daily run(s) succeeded"]
    for m in days:
        if m.status == "succeeded":
            continue
        down = [s for s, v in m.sources.items() if v.get("status") == "failed"]
        parts = [
            f"source {s} unreadable ({', '.join(TABLES.of_source(s))}): "
            f"{m.sources[s].get('error', 'no reason recorded')}"
            for s in down
        ]
        tables = [
            f"{t} {e.status}"
            for t, e in m.tables.items()
            if e.status != "ok" and TABLES[t].source not in down
        ]
        if tables:
            parts.append("tables: " + ", ".join(tables))
        if m.error:
            parts.append(f"error: {m.error}")
        lines.append(f"{m.business_date} {m.status}: " + "; ".join(parts or ["see its manifest"]))
    return lines


@dataclass
class DayRun:
    """A business day between its two halves: `start_day` read, landed and cleaned it
    (extract, bronze, silver), `finish_day` builds gold and records it. A run starts
    the next day while this one is finished (`_Lane`)."""

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
        with _timed(durations, log, "extract"):
            extracted = extract_all(ctx, started=_started(cfg, workdir, business_date, sources))
        checks += extracted.checks
        # The next day's ERP and workbooks (and the coming days' API) are read while
        # this day is landed and built (its ERP watermarks are saved by now).
        if coming:
            _read_ahead(cfg, workdir, coming, sources, api="api" not in extracted.failures)
        checks += latency_checks(ctx, extracted.notes, _history(workdir, sources))
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


class _Lane:
    """Finishes the run's days one at a time on a thread of its own, while the main
    thread starts the next day: gold (DuckDB, which leaves the interpreter lock) then
    runs beside the next day's extract, bronze and silver (SQLite, HTTP, Polars).

    What keeps the overlap safe:
    - The next day's silver starts once this day's gold has read the silver it builds
      from (the dimension states, which silver rewrites; its facts are partitions of
      its own day, which the next day never writes): `Sources.silver_free`.
    - Everything that writes the quality layer's files (the ledger, tier 3's logs, the
      alerts, the quality results) runs in `finish_day`, one day after the other.
    - What the next day reads of this one before its manifest is written (the API
      dates to catch up on, the latency history) comes from `Sources.drafts`.
    - A day whose contract update lands waits for the lane first: its backfills read
      the manifests and results of the days before (`_backfill_halted_days`)."""

    def __init__(self, sources: Sources, console: Console | None) -> None:
        self.sources, self.console = sources, console
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finish")
        self._pending: Future[RunManifest] | None = None

    def finish(self, day: DayRun) -> list[RunManifest]:
        """Finish `day` on the lane; returns the manifest of the day finished before
        it (once that is done: one day is finished at a time, in order)."""
        done = self.wait()
        self.sources.silver_free.clear()
        self._pending = self._pool.submit(
            finish_day, day, self.sources, self.console, self.sources.silver_free.set
        )
        return done

    def wait(self) -> list[RunManifest]:
        """The manifest of the day being finished, once it is (none if none is)."""
        pending, self._pending = self._pending, None
        return [pending.result()] if pending is not None else []

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def _history(workdir: Workdir, sources: Sources) -> list[RunManifest]:
    """The manifests of the days run so far, the day being finished included (its draft,
    whose sources are known)."""
    by_day = {m.business_date: m for m in read_manifests(workdir.runs)}
    by_day.update(sources.drafts)
    return [by_day[d] for d in sorted(by_day)]


def _backfill_halted_days(
    cfg: DemoConfig,
    workdir: Workdir,
    business_date: dt.date,
    sources: Sources,
    lane: _Lane,
) -> list[RunManifest]:
    """On the day a contract update lands, re-run the earlier days its table halted on,
    through the lane like any day. Returns the manifests the lane hands back meanwhile
    (the last re-run is still being finished)."""
    redone: list[RunManifest] = []
    results = QualityResults(workdir.quality_results)
    for update in _updates_landing(cfg, business_date):
        # The halts are read from the manifests and results of the days before: every
        # one of them is finished first.
        redone += lane.wait()
        for earlier in sorted(read_manifests(workdir.runs), key=lambda m: m.business_date):
            day = earlier.business_date
            table = earlier.tables.get(update.table)
            if day >= business_date or table is None or table.halt != "schema":
                continue
            # Keep the record of the original halt: it is history, not noise.
            halts = results.read().filter(
                (pl.col("business_date") == day) & (pl.col("action") == "halted")
            )
            carried = tuple(
                CheckResult(
                    **{**row, "detail": f"[before the backfill on {business_date}] {row['detail']}"}
                )
                for row in halts.iter_rows(named=True)
            )
            reason = (
                f"{update.table} contract v{update.version} landed; the day had halted: "
                f"{table.detail}"
            )
            begun = start_day(
                cfg, workdir, day, business_date, sources, carried, backfill=(business_date, reason)
            )
            redone += lane.finish(begun)
    return redone


def _updates_landing(cfg: DemoConfig, business_date: dt.date) -> list[ContractUpdate]:
    """The contract updates that land on `business_date`."""
    return [
        u
        for u in cfg.quality.contract_updates
        if cfg.estate.start_date + dt.timedelta(days=u.applied_on_day - 1) == business_date
    ]


def _read_ahead(
    cfg: DemoConfig, workdir: Workdir, coming: list[dt.date], sources: Sources, *, api: bool
) -> None:
    """Start reading the coming days' sources now, as soon as today's extraction is
    over, so that they overlap today's bronze, silver and gold (they wait on SQLite,
    HTTP and Excel parsing; silver and gold run in Polars and DuckDB, which leave the
    GIL). The ERP and the workbooks are read for the next day only; the orders API for
    each of the `coming` days (up to API_DAYS_AHEAD), each read once.

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
        wanted = (READ_AHEAD if index == 0 else frozenset()) | ({"api"} if api else set())
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
    cfg: DemoConfig, workdir: Workdir, business_date: dt.date, sources: Sources
) -> Started:
    """The day's extractors, in their fixed order: those read ahead during the days
    before, and the others started now."""
    ahead = sources.ahead.pop(business_date, {})
    catch_up = missed_api_dates(_history(workdir, sources), business_date)
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
