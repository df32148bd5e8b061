"""The daily batch, as a scheduler would run it: for each business day in order,
extract -> bronze -> silver -> gold, and write the day's run manifest and quality
results. Sources are read, never written (the ERP is opened read-only and replayed
as of the day by its connection; the watermarks live under the work directory).

    run_pipeline(cfg, workdir)                       every day of the simulation
    run_pipeline(cfg, workdir, day="2026-11-18")     re-run one day (a backfill)
    run_pipeline(cfg, workdir, from_scratch=True)    delete lake/gold/state/runs first

Run ids are deterministic (`<yyyymmdd>-<config hash>`), so a re-run of a day with
the same config produces the same bytes in bronze, silver and gold.

Each day runs in two halves (pipeline/day.py: `start_day`, `finish_day`). Days overlap
where that is safe, and only there (`_Lane` says what keeps it safe):
coming days' sources are read (and the ERP and workbooks landed in bronze) while a day
is built, and a day's gold and quality steps run while the next day is extracted,
landed and cleaned. The files written are the ones a day-by-day run writes (tests:
one day at a time equals the whole week in one go).

Schema contract updates (`quality.contract_updates`): on the day an update lands,
the days whose table halted under the old contract are re-run first (backfilled),
then the day itself. A re-run of an older day later on uses the newest contract in
force by then.

The quality steps are called by the day's halves, in order, and none calls back up:
  1. `quality.fallback.on_source_failure` - a source failed after its retries: fall
     back / mark stale. Nothing is loaded for its tables today (gold keeps the earlier
     good data); the next good day catches up (API).
  2. `quality.hooks.after_silver` - after silver, beside gold: the freshness ledger,
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
import time
from concurrent.futures import Future, ThreadPoolExecutor

import polars as pl
from rich.console import Console

from demo_pipeline.bronze import clean_stale_temp_dirs
from demo_pipeline.config import ContractUpdate, DemoConfig
from demo_pipeline.core.manifest import RunManifest, read_manifests
from demo_pipeline.core.results import CheckResult
from demo_pipeline.errors import DemoPipelineError
from demo_pipeline.estate.api_server import OrdersApiServer
from demo_pipeline.gold.build import export_gold, open_warehouse, table_rows
from demo_pipeline.pipeline.catalogue import Invocation, record_pipeline_metrics
from demo_pipeline.pipeline.day import (
    API_DAYS_AHEAD,
    READ_AHEAD,
    DayRun,
    Sources,
    finish_day,
    start_day,
)
from demo_pipeline.pipeline.engine import open_engine
from demo_pipeline.pipeline.memory import PeakSampler
from demo_pipeline.pipeline.workspace import (
    exclusive,
    parse_day,
    require_estate,
    require_lake_of_this_estate,
    require_sound_lake,
    reset,
)
from demo_pipeline.provenance import Provenance
from demo_pipeline.quality.results import QualityResults
from demo_pipeline.quality.summary import write_quality_metrics
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir


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
