"""The silver stage of one day: read bronze, check, clean, write silver (the wiring).

For every table: the bronze partition of the day -> schema contract (tier 1) ->
business rules (tier 2, failing rows to the quarantine) -> de-duplication -> silver.
Dimensions are then applied to their state (SCD1 or SCD2); facts are written as one
partition per ingestion date. Rows are counted at every step for conservation.

Layout (all under <workdir>/lake/silver unless said):
  <fact>/ingest_date=YYYY-MM-DD/part-0.parquet       facts, one partition per run day
  <dimension>/<dimension>.parquet                     dimension as of the latest day
  quarantine/<table>/ingest_date=YYYY-MM-DD/part-0.parquet
  <workdir>/state/dimensions/<dimension>/<date>.parquet  dimension after each day
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from demo_pipeline.bronze import (
    PartitionWrite,
    parquet_bytes,
    remove_partition,
    replace_partition,
    take_landed,
)
from demo_pipeline.core.context import DayContext
from demo_pipeline.core.results import CheckResult
from demo_pipeline.errors import QualityError, SourceError
from demo_pipeline.extract.database import KEYS_SUFFIX
from demo_pipeline.seals import seal_path, write_sealed
from demo_pipeline.silver.conservation import Conservation
from demo_pipeline.silver.contracts import contract_for, describe_problems, validate_schema
from demo_pipeline.silver.rules import (
    References,
    RuleCount,
    apply_rules,
    drop_duplicates,
    rules_for,
)
from demo_pipeline.silver.scd1 import apply_scd1
from demo_pipeline.silver.scd2 import apply_scd2, check_history, history_schema
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import (
    PART_FILE,
    FileStamp,
    Workdir,
    dated_file,
    dated_files,
    dimension_file,
    file_stamp,
    ingest_partition,
    partition_stats,
)

# The tables, their sources, keys, SCD types and load order come from the table
# registry (config/tables.yaml): dimensions first, since the facts' referential-integrity
# rules check against them, and a table after the one it depends on.


@dataclass
class TableOutcome:
    table: str
    status: str
    """ok | halted (contract or rule failure; rows held in bronze) | missing | failed"""
    conservation: Conservation | None = None
    detail: str = ""
    halt: str | None = None
    """Why a batch halted: schema (tier 1), rules (tier 2) or upstream (its parent)."""
    valid_keys: pl.DataFrame | None = None
    """Keys of the rows that passed the rules (before de-duplication), for a table with
    children (`TABLES.parents`): a child's referential integrity checks against these,
    so the lines of a repeated order are counted as duplicates rather than quarantined
    as orphans."""
    silver_write: PartitionWrite | None = None
    quarantine_write: PartitionWrite | None = None


@dataclass
class SilverOutcome:
    tables: dict[str, TableOutcome] = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)


def silver_partition(silver: Path, table: str, day: dt.date) -> Path:
    return ingest_partition(silver, table, day)


def quarantine_partition(quarantine: Path, table: str, day: dt.date) -> Path:
    return ingest_partition(quarantine, table, day)


def dimension_path(silver: Path, table: str) -> Path:
    return dimension_file(silver, table)


def fact_files(
    silver: Path, table: str, before: dt.date | None = None, since: dt.date | None = None
) -> list[Path]:
    """The silver partition files of a fact, oldest first (optionally only those
    ingested from `since` on, and before `before`)."""
    return [file for file, _ in fact_stats(silver, table, before, since)]


def fact_stats(
    silver: Path, table: str, before: dt.date | None = None, since: dt.date | None = None
) -> list[tuple[Path, os.stat_result]]:
    """`fact_files` with each file's `stat`, for callers that cache by `file_stamp`."""
    files = partition_stats(silver, table)
    if since is not None:
        files = [(f, st) for f, st in files if _ingest_date(f) >= since.isoformat()]
    if before is not None:
        files = [(f, st) for f, st in files if _ingest_date(f) < before.isoformat()]
    return files


def _ingest_date(file: Path) -> str:
    """YYYY-MM-DD of a partition file (`ingest_date=YYYY-MM-DD/part-0.parquet`)."""
    return file.parent.name.split("=", 1)[1]


class DimensionState:
    """Dimension versions per business day under <state>/dimensions/<table>/."""

    def __init__(self, workdir: Workdir) -> None:
        self.root = workdir.dimension_states
        self.silver = workdir.silver

    def before(self, table: str, day: dt.date) -> pl.DataFrame | None:
        files = [p for p in dated_files(self.root / table) if p.stem < day.isoformat()]
        return _read_state(files[-1]) if files else None

    def save(
        self, table: str, day: dt.date, frame: pl.DataFrame, previous: pl.DataFrame | None
    ) -> int:
        """Keep the day's version (only if it changed: an unchanged day is read through
        to the earlier one) and publish it to silver if it is the latest day. Returns
        the bytes written."""
        path = dated_file(self.root / table, day)
        if previous is not None and frame.equals(previous):
            path.unlink(missing_ok=True)
            seal_path(path).unlink(missing_ok=True)
            return 0
        # Encoded once: the state file and the silver copy are the same bytes.
        data = parquet_bytes(frame)
        write_sealed(path, data)
        _remember_state(path, frame)
        written = len(data)
        latest = max(p.stem for p in dated_files(self.root / table))
        if latest == day.isoformat():
            write_sealed(dimension_path(self.silver, table), data)
            written += len(data)
        return written


# The last state read or written per dimension, with its file's (inode, mtime, size):
# every day starts from the day before's state, which this run has usually just
# written, so reading it back from Parquet each day (twice) was wasted. A file
# rewritten since (or by another process) no longer matches its stamp and is read again.
_STATES: dict[Path, tuple[Path, FileStamp, pl.DataFrame]] = {}


def _read_state(path: Path) -> pl.DataFrame:
    cached = _STATES.get(path.parent)
    if cached is not None and cached[0] == path and cached[1] == file_stamp(path):
        return cached[2]
    frame = pl.read_parquet(path)
    _remember_state(path, frame)
    return frame


def _remember_state(path: Path, frame: pl.DataFrame) -> None:
    _STATES[path.parent] = (path, file_stamp(path), frame)


def rule_checks(ctx: DayContext, table: str, counts: list[RuleCount]) -> list[CheckResult]:
    """One tier-2 result per rule, as both engines report them (Polars here, Spark in
    demo_pipeline/spark/silver.py)."""
    return [
        ctx.check(
            2,
            table,
            count.rule.name,
            rows_checked=count.rows_checked,
            rows_failed=count.rows_failed,
            severity=count.severity,
            action="quarantined" if count.rows_failed else "none",
            detail=f"{count.rule.description}; {count.pct:.2f}% failed "
            f"(warn > {count.threshold.warn_above_pct}%, fail > "
            f"{count.threshold.fail_above_pct}%)",
        )
        for count in counts
    ]


def build_silver(ctx: DayContext, unavailable: dict[str, str] | None = None) -> SilverOutcome:
    """Run the silver stage for ctx.business_date. Never raises for one bad table:
    the table is marked halted/failed and the others go on. `unavailable` maps tables
    whose source failed today to the error: they are marked failed and left alone."""
    unavailable = unavailable or {}
    out = SilverOutcome()
    refs: dict[str, pl.Series] = {}
    state = DimensionState(ctx.workdir)
    # Fact partitions and dimension states are written by a thread while the next
    # table is cleaned: the write is Parquet encoding and fsync (neither holds the
    # GIL), and no later table of the day reads today's files (a fact checks its keys
    # against the dimensions' keys in memory).
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="silver-write") as writers:
        writes = _clean_all(ctx, unavailable, out, refs, state, writers)
    for outcome, write in writes:
        outcome.silver_write = write.result()
    return out


def _clean_all(
    ctx: DayContext,
    unavailable: dict[str, str],
    out: SilverOutcome,
    refs: dict[str, pl.Series],
    state: DimensionState,
    writers: Executor,
) -> list[tuple[TableOutcome, Future[PartitionWrite]]]:
    """`build_silver`'s loop over the tables; returns the fact writes it started."""
    writes = []
    day_orders: pl.Series | None = None
    for table in TABLES.names:
        if table == TABLES.facts[0]:
            keep_previous_references(ctx, state, refs)
        if table in unavailable:
            out.tables[table] = TableOutcome(table, "failed", detail=unavailable[table])
            continue
        upstream = TABLES[table].depends_on
        if upstream and out.tables[upstream].status != "ok":
            out.tables[table] = _hold_for_upstream(ctx, table, out.tables[upstream], out.checks)
            continue
        try:
            raw = _read_bronze(ctx, table)
        except FileNotFoundError:
            out.tables[table] = TableOutcome(table, "missing", detail="no bronze partition today")
            continue
        except SourceError as exc:
            out.tables[table] = TableOutcome(table, "failed", detail=str(exc))
            ctx.log.event("silver.table_failed", level="error", table=table, error=str(exc))
            continue
        references = References(
            product_ids=refs.get("products"),
            warehouse_ids=refs.get("warehouses"),
            customer_ids=refs.get("customers"),
            supplier_ids=refs.get("suppliers"),
            order_ids=day_orders if table == "order_lines" else None,
        )
        outcome, passed = _clean(ctx, table, raw, references, out.checks)
        out.tables[table] = outcome
        if passed is None:
            continue
        if TABLES[table].kind == "dimension":
            change = dimension_change(ctx, table, passed, state, outcome)
            refs[table] = change.ids
            writes.append((outcome, writers.submit(change.save)))
        else:
            if table == "orders":
                assert outcome.valid_keys is not None
                day_orders = outcome.valid_keys["order_id"]
            writes.append((outcome, writers.submit(_write_fact, ctx, table, passed)))
    return writes


def keep_previous_references(
    ctx: DayContext, state: DimensionState, refs: dict[str, pl.Series]
) -> None:
    """A dimension not updated today (source missing or halted) checks with yesterday's."""
    for table in TABLES.dimensions:
        if table not in refs:
            previous = state.before(table, ctx.business_date)
            if previous is not None:
                refs[table] = previous[TABLES[table].key].unique().sort()


def _read_bronze(ctx: DayContext, table: str) -> pl.DataFrame:
    file = ctx.workdir.bronze_file(TABLES[table].source, table, ctx.business_date)
    if not file.exists():
        raise FileNotFoundError(file)
    landed = take_landed(file)  # the frame bronze just wrote there, if it did
    if landed is not None:
        return landed
    try:
        return pl.read_parquet(file)
    except Exception as exc:
        raise SourceError(f"bronze file {file} for table {table!r} is unreadable ({exc})") from exc


def _clean(
    ctx: DayContext,
    table: str,
    raw: pl.DataFrame,
    refs: References,
    checks: list[CheckResult],
) -> tuple[TableOutcome, pl.DataFrame | None]:
    """Contract, rules, quarantine, de-duplication. Returns the outcome and the rows to
    keep (None when the batch halts)."""
    version = ctx.contract_versions.get(table, TABLES[table].contract)
    contract = contract_for(table, version)
    origin = str(ctx.workdir.bronze_partition(TABLES[table].source, table, ctx.business_date))
    verdict = validate_schema(raw, contract)
    if not verdict.passed:
        message = describe_problems(table, contract.version, origin, verdict.problems)
        checks.append(
            ctx.check(
                1,
                table,
                "schema_contract",
                rows_checked=raw.height,
                rows_failed=raw.height,
                severity="halt",
                action="halted",
                detail=message,
            )
        )
        ctx.log.event("silver.schema_halt", level="error", table=table, error=message)
        return TableOutcome(
            table,
            "halted",
            Conservation(table, raw.height, 0, 0, 0, raw.height),
            detail=message,
            halt="schema",
        ), None
    note = f"contract v{contract.version}"
    if verdict.dropped_columns:
        note += f"; columns not in the contract dropped: {verdict.dropped_columns}"
    checks.append(ctx.check(1, table, "schema_contract", rows_checked=raw.height, detail=note))

    typed = verdict.frame
    assert typed is not None
    ruled = apply_rules(typed, rules_for(table, refs), ctx.cfg.quality, ctx.run_id)
    checks += rule_checks(ctx, table, ruled.counts)
    if ctx.cfg.quality.halt_on_rule_failure and ruled.failed:
        names = ", ".join(f"{c.rule.name} {c.pct:.1f}%" for c in ruled.failed)
        message = f"table {table!r}: rules above their fail threshold ({names}); batch held"
        ctx.log.event("silver.rule_halt", level="error", table=table, error=message)
        return TableOutcome(
            table,
            "halted",
            Conservation(table, raw.height, 0, 0, 0, raw.height),
            detail=message,
            halt="rules",
        ), None
    quarantine_write = _write_quarantine(ctx, table, ruled.quarantined)

    seen = _seen_keys(ctx, table, ruled.passed)
    deduped = drop_duplicates(ruled.passed, contract.keys, seen)
    if deduped.duplicates:
        checks.append(
            ctx.check(
                2,
                table,
                "duplicates_dropped",
                rows_checked=ruled.passed.height,
                rows_failed=deduped.duplicates,
                severity="info",
                action="logged",
                detail=f"{deduped.duplicates} duplicate row(s) by key {list(contract.keys)}",
            )
        )
    conservation = Conservation(
        table, raw.height, deduped.kept.height, ruled.quarantined.height, deduped.duplicates
    )
    outcome = TableOutcome(
        table, "ok", conservation, detail=note, quarantine_write=quarantine_write
    )
    # Kept only where a child table checks against them: the outcome lives until the
    # day's gold is built, and the keys of a day's inventory are its largest columns.
    if table in TABLES.parents:
        outcome.valid_keys = ruled.passed.select(contract.keys)
    return outcome, deduped.kept


def _seen_keys(ctx: DayContext, table: str, batch: pl.DataFrame) -> pl.DataFrame | None:
    """Keys loaded on earlier days, for tables whose rows may be repeated across days.
    Only those of `batch` are kept (already unique): the history grows every day, the
    batch does not, and the rest could never match."""
    if table not in ("orders", "order_lines") or batch.height == 0:
        return None
    files = fact_stats(ctx.workdir.silver, "orders", before=ctx.business_date)
    if not files:
        return None
    wanted = batch.get_column("order_id").drop_nulls().unique()
    earlier = pl.concat([_order_ids(file, stat) for file, stat in files], rechunk=False)
    return earlier.filter(earlier.is_in(wanted.implode())).unique(maintain_order=True).to_frame()


# The order ids of each silver orders partition, with the file's (inode, mtime, size):
# every day compares its batch with every earlier day's ids, and reading them all again
# each day made a day's cost grow with the history. A partition rewritten since (a
# re-run of its day) is read again; one that is gone is dropped.
_ORDER_IDS: dict[Path, tuple[FileStamp, pl.Series]] = {}


def _order_ids(file: Path, stat: os.stat_result) -> pl.Series:
    stamp = file_stamp(stat)
    cached = _ORDER_IDS.get(file)
    if cached is None or cached[0] != stamp:
        for gone in [f for f in _ORDER_IDS if not f.exists()]:
            del _ORDER_IDS[gone]
        cached = (stamp, pl.read_parquet(file, columns=["order_id"]).get_column("order_id"))
        _ORDER_IDS[file] = cached
    return cached[1]


def _write_quarantine(ctx: DayContext, table: str, rows: pl.DataFrame) -> PartitionWrite | None:
    partition = quarantine_partition(ctx.workdir.quarantine, table, ctx.business_date)
    if rows.height == 0:
        remove_partition(partition)  # a re-run with nothing to quarantine leaves nothing
        return None
    return replace_partition(partition, {PART_FILE: rows})


def _write_fact(ctx: DayContext, table: str, rows: pl.DataFrame) -> PartitionWrite:
    partition = silver_partition(ctx.workdir.silver, table, ctx.business_date)
    return replace_partition(partition, {PART_FILE: rows})


def apply_dimension(
    ctx: DayContext, table: str, rows: pl.DataFrame, state: DimensionState, outcome: TableOutcome
) -> pl.Series:
    """Apply the day's changes to the dimension and save it; returns every key it has
    ever known."""
    change = dimension_change(ctx, table, rows, state, outcome)
    outcome.silver_write = change.save()
    return change.ids


@dataclass(frozen=True)
class DimensionChange:
    """A dimension's state at the end of the day, computed, not yet saved."""

    state: DimensionState
    table: str
    day: dt.date
    new: pl.DataFrame
    previous: pl.DataFrame | None
    ids: pl.Series
    """Every key the dimension has ever known (what the day's facts are checked against)."""

    def save(self) -> PartitionWrite:
        """Keep the day's state and publish it to silver (see DimensionState.save)."""
        size = self.state.save(self.table, self.day, self.new, self.previous)
        return PartitionWrite(
            dimension_path(self.state.silver, self.table), self.new.height, 1 if size else 0, size
        )


def dimension_change(
    ctx: DayContext, table: str, rows: pl.DataFrame, state: DimensionState, outcome: TableOutcome
) -> DimensionChange:
    """The day's changes applied to the dimension's previous state (SCD type 1 or 2, as
    the table registry says); `outcome` is marked failed if the history is broken."""
    day = ctx.business_date
    keys_file = ctx.workdir.bronze_file(TABLES[table].source, table + KEYS_SUFFIX, day)
    current_keys = pl.read_parquet(keys_file).to_series() if keys_file.exists() else None
    spec = TABLES[table]
    contract = contract_for(table, spec.contract)
    if spec.scd == 1:
        key = spec.key
        previous = state.before(table, day)
        if previous is None:
            previous = pl.DataFrame(schema=contract.stored_schema())
        new = apply_scd1(
            previous, rows, key=key, columns=list(contract.columns), current_keys=current_keys
        )
        ids = new[key]
    else:
        key, sk, tracked = spec.key, spec.surrogate_key, spec.tracked
        assert sk is not None
        schema = history_schema(key, sk, {c: contract.columns[c].stored for c in tracked})
        previous = state.before(table, day)
        if previous is None:
            previous = pl.DataFrame(schema=schema)
        end_of_day = dt.datetime.combine(day, dt.time(23, 59, 59))
        new = apply_scd2(
            previous,
            rows,
            key=key,
            sk=sk,
            tracked=tracked,
            current_keys=current_keys,
            deleted_at=end_of_day,
        )
        try:
            check_history(new, key=key, table=table)
        except QualityError as exc:
            outcome.status, outcome.detail = "failed", str(exc)
            raise
        ids = new[key].unique().sort()
    return DimensionChange(state, table, day, new, previous if previous.height else None, ids)


def _hold_for_upstream(
    ctx: DayContext, table: str, upstream: TableOutcome, checks: list[CheckResult]
) -> TableOutcome:
    """A dependent batch (order lines of halted orders) is held with its parent."""
    try:
        rows = _read_bronze(ctx, table).height
    except (FileNotFoundError, SourceError):
        return TableOutcome(table, upstream.status, detail=f"{upstream.table} {upstream.status}")
    detail = f"held because {upstream.table!r} is {upstream.status} today"
    checks.append(
        ctx.check(
            1,
            table,
            "upstream_halted",
            rows_checked=rows,
            rows_failed=rows,
            severity="halt",
            action="halted",
            detail=detail,
        )
    )
    return TableOutcome(
        table, "halted", Conservation(table, rows, 0, 0, 0, rows), detail=detail, halt="upstream"
    )
