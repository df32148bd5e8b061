"""`build_estate`: generate the whole synthetic source estate into `<workdir>/sources`.

Wiring only: it calls the pure generators (dimensions, facts, feed, scenarios), hands
their output to the writers (ERP, orders store, workbooks), logs each stage and
records the estate.* metrics. The estate is built in a hidden staging folder and
swapped in at the end, so re-running `generate` (or crashing half-way) never leaves
half an estate behind. Where it can, it forks a child that makes the orders feed while
this process makes the ERP and the price lists (forked.py); the files are the same
either way.

`sources/ground_truth.json` is the estate's record: besides the answer key (every
injected fault) it holds the seed, scale, days and start date the estate was made with.
It is written last, inside the swapped-in folder, so it exists only for a whole estate;
`record.read_estate_record` is the one reader of those settings (`run` uses them by
default).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

# numpy loads these on first use, which would be after the fork, once in each process:
# numpy.random for every seeded stream, numpy.ma when Polars builds a frame from arrays.
import numpy.ma
import numpy.random  # noqa: F401
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from demo_pipeline.config import DemoConfig
from demo_pipeline.errors import SourceError
from demo_pipeline.estate import erp, forked, orders_store, workbooks
from demo_pipeline.estate import scenarios as sc
from demo_pipeline.estate.dimensions import Dimensions, build_dimensions
from demo_pipeline.estate.facts import (
    DayOrders,
    InventoryLedger,
    day_date,
    generate_orders,
    simulate_product_history,
    simulate_purchase_orders,
    units_sold,
)
from demo_pipeline.estate.feed import FeedBuilder
from demo_pipeline.metrics import Metric, MetricCatalogue
from demo_pipeline.provenance import Provenance
from demo_pipeline.runlog import RunLog
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir

STAGING_PREFIX = ".sources-staging-"
RETIRED_PREFIX = ".sources-retired-"
# Tables whose rows are facts (counted for the generation throughput): the registry's
# facts but the workbooks' price lists, which are counted with the other tables.
FACT_TABLES = tuple(t.name for t in TABLES if t.kind == "fact" and t.source != "workbooks")


@dataclass
class EstateStats:
    """Row counts per table and the timings of one build."""

    rows: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    cpu_s: float = 0.0  # all threads: on a busy machine wall time grows, CPU time barely
    child_cpu_s: float = 0.0  # the forked child's, included in cpu_s

    @property
    def fact_rows(self) -> int:
        return sum(self.rows.get(t, 0) for t in FACT_TABLES)


# Where a row count means something narrower than "rows generated", say so: the ERP's
# products table holds the products still listed on the last day, not every SKU ever listed.
ROW_DESCRIPTIONS = {
    "products": "Rows in the ERP's products table at the end of the calendar: the products "
    "still listed on the last day (SKUs delisted during the month are not counted)",
}


def ensure_writable(root: Path) -> None:
    """Fail early, naming the path, when the work directory cannot be written."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".write-probe-{secrets.token_hex(4)}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise SourceError(
            f"work directory {root} is not writable (expected a writable folder; "
            f"found: {exc.strerror or exc})"
        ) from None


def _remove_leftovers(root: Path) -> None:
    """Staging or retired folders left by a crashed earlier run."""
    for leftover in sorted(root.glob(f"{STAGING_PREFIX}*")) + sorted(
        root.glob(f"{RETIRED_PREFIX}*")
    ):
        shutil.rmtree(leftover)


def _swap_in(staged: Path, target: Path, token: str) -> None:
    """Replace `target` by `staged` with two renames; the old estate is then removed."""
    retired = target.with_name(f"{RETIRED_PREFIX}{token}")
    if target.exists():
        os.replace(target, retired)
    os.replace(staged, target)
    if retired.exists():
        shutil.rmtree(retired)


def _progress(console: Console | None) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=console is None,
        transient=False,
    )


def build_estate(
    cfg: DemoConfig, workdir: Workdir, *, console: Console | None = None, fork: bool = True
) -> str:
    """Generate the estate into `workdir.sources`; returns a one-line summary.

    With `fork` (and where it is safe, see forked.py) a child process makes the orders
    feed and price lists while this one builds the ERP; the files are the same either way."""
    workdir = Workdir(Path(workdir.root))
    root = workdir.root
    ensure_writable(root)
    _remove_leftovers(root)
    token = secrets.token_hex(4)
    run_id = f"generate-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}-{token}"
    staging = Workdir(root / f"{STAGING_PREFIX}{token}")
    start = time.perf_counter()
    cpu_start = time.process_time()
    with ExitStack() as stack:
        log = stack.enter_context(RunLog(workdir.logs, run_id))
        progress = stack.enter_context(_progress(console))
        log.event(
            "estate.start",
            seed=cfg.estate.seed,
            scale=cfg.estate.scale,
            days=cfg.estate.days,
            config_sha256=cfg.sha256 or cfg.fingerprint(),
        )
        try:
            stats = _build_into(cfg, staging, log, progress, fork=fork)
            with log.stage("swap", table="sources"):
                _swap_in(staging.sources, workdir.sources, token)
        finally:
            if staging.root.exists():
                shutil.rmtree(staging.root)
        stats.duration_s = time.perf_counter() - start
        stats.cpu_s = time.process_time() - cpu_start + stats.child_cpu_s
        stats.sizes = _file_sizes(workdir)
        _record_metrics(cfg, workdir, run_id, stats)
        log.event(
            "estate.done",
            rows=sum(stats.rows.values()),
            fact_rows=stats.fact_rows,
            duration_s=round(stats.duration_s, 3),
            cpu_s=round(stats.cpu_s, 3),
        )
    return (
        f"{stats.rows['skus']:,} SKUs, {stats.rows['warehouses']} warehouses, "
        f"{cfg.estate.days} days, {stats.fact_rows:,} fact rows in {stats.duration_s:.1f} s"
    )


def _build_into(
    cfg: DemoConfig, staging: Workdir, log: RunLog, progress: Progress, *, fork: bool
) -> EstateStats:
    estate = cfg.estate
    plan = sc.ScenarioPlan.from_config(cfg)
    stats = EstateStats()
    staging.sources.mkdir(parents=True)
    staging.orders_store.mkdir(parents=True)
    task = progress.add_task("master data", total=estate.days + 3)
    # The orders feed is made by a forked child where that is safe, on the other core,
    # while this process builds the ERP and the price lists (forked.py). It is forked
    # before anything is computed and makes its own dimensions and product history from
    # the seed (the same values): about 0.1 s on the other core, where waiting for this
    # process to make and pickle them kept both processes busier.
    child = None
    if fork and forked.fork_safe():
        child = forked.Child("orders feed", partial(_publish_all, cfg, plan, staging))
        child.send(None)
    log.event("estate.processes", feed_by="forked child" if child else "this process")
    try:
        published = _build_erp(cfg, plan, staging, log, (progress, task), stats, child)
    except BaseException:
        if child is not None:
            child.stop()
        raise
    stats.rows.update(published.counts)

    progress.update(task, description="ground truth")
    with log.stage("ground_truth", table="ground_truth") as out:
        faults = published.faults + _served_faults(plan, published.manifest)
        truth = sc.ground_truth(cfg, faults)
        text = json.dumps(truth, indent=2, sort_keys=False, ensure_ascii=False)
        staging.ground_truth.write_text(text + "\n", encoding="utf-8")
        out["rows"] = len(faults)
    progress.advance(task)
    return stats


def _build_erp(
    cfg: DemoConfig,
    plan: sc.ScenarioPlan,
    staging: Workdir,
    log: RunLog,
    progress_task: tuple[Progress, TaskID],
    stats: EstateStats,
    child: forked.Child | None,
) -> Published:
    """The ERP and the price lists, day by day; the orders feed too unless `child` makes
    it. Returns what was published (with the anomaly spike's fault added)."""
    estate = cfg.estate
    progress, task = progress_task
    with log.stage("dimensions", table="dimensions") as out:
        dims = build_dimensions(estate)
        out["rows"] = dims.products.height + dims.customers.height
    with log.stage("products", table="products_history") as out:
        history = simulate_product_history(estate, dims)
        out["rows"] = history.versions.height
        out.update(history.changes)
    with log.stage("purchase_orders", table="purchase_orders_history") as out:
        pos = simulate_purchase_orders(estate, dims, history)
        out["rows"] = pos.header_versions.height
    progress.advance(task)

    info = {
        "seed": str(estate.seed),
        "scale": repr(estate.scale),
        "days": str(estate.days),
        "start_date": estate.start_date.isoformat(),
        "warehouses": str(dims.warehouses.height),
    }
    conn = erp.create_erp(staging.erp_db, info)
    # From here on the ERP is written on a background thread, in submission order.
    writer = erp.ErpWriter(conn, dims.warehouses.height)
    # The price lists are made here; the feed too unless the child makes it (its
    # files are then written on the writer thread).
    publisher = _Publisher(cfg, plan, dims, history, staging, writer.call, feed=child is None)
    try:
        for table, frame in _master_tables(dims).items():
            stats.rows[table] = writer.insert_frame(table, frame)
        writer.insert_frame("products_history", history.versions)
        writer.insert_frame("purchase_orders_history", pos.header_versions)
        writer.insert_frame("purchase_order_lines_history", pos.line_versions)
        progress.update(task, description="daily facts")
        counts, spike_fault = _daily_facts(
            cfg, plan, dims, history, pos, writer, publisher, log, progress, task
        )
    except BaseException:
        writer.close()
        conn.close()
        raise
    with log.stage("erp.flush", table="erp") as out:
        writer.close()
        out["writer_cpu_s"] = round(writer.cpu_s, 3)
    stats.rows.update(counts)
    erp.finish_erp(conn, estate.end_date)
    stats.rows["skus"] = dims.products.height
    stats.rows["products"] = int(history.active[-1].sum())
    stats.rows["products_history"] = history.versions.height
    stats.rows["purchase_orders"] = pos.count
    stats.rows["purchase_order_lines"] = pos.line_count
    published = publisher.finish()
    if child is not None:
        with log.stage("published", table="orders_published") as out:
            feed = child.result()
            stats.child_cpu_s = child.cpu_s
            out["rows"] = feed.counts["orders_published"]
            out["child_cpu_s"] = round(child.cpu_s, 3)
        published = Published.merge(feed, published)
    progress.advance(task)
    if spike_fault is not None:
        published.faults.append(spike_fault)
    return published


def _master_tables(dims: Dimensions) -> dict[str, Any]:
    return {
        "warehouses": dims.warehouses,
        "suppliers": dims.suppliers,
        "categories": dims.categories,
        "customers": dims.customers,
    }


def _orders_of(
    cfg: DemoConfig, plan: sc.ScenarioPlan, dims: Dimensions, history, day: int
) -> tuple[DayOrders, sc.Fault | None]:
    """The clean orders of one business day; on the anomaly day, the spike's fault too."""
    spike_scenario = plan.on(day, "anomaly_spike")
    if spike_scenario is None:
        return generate_orders(cfg.estate, dims, history, day)[0], None
    wh = sc.pick_spike_warehouse(plan, spike_scenario, dims.warehouses.height)
    spike = (wh, float(spike_scenario.params.get("multiplier", 4.0)))
    orders, extra = generate_orders(cfg.estate, dims, history, day, spike=spike)
    return orders, plan.fault(spike_scenario, extra, [wh], warehouse_id=wh)


def _daily_facts(
    cfg, plan, dims, history, pos, writer, publisher, log, progress, task
) -> tuple[dict[str, int], sc.Fault | None]:
    """Orders, order lines and inventory snapshots one day at a time, and what
    `publisher` publishes of each day. Returns row counts and the anomaly spike's fault."""
    estate = cfg.estate
    n_wh = dims.warehouses.height
    n_skus = dims.products.height
    cells = n_skus * n_wh
    ledger = InventoryLedger(estate, dims)
    counts = {"orders": 0, "order_lines": 0, "inventory_snapshots": 0}
    spike_fault: sc.Fault | None = None
    for day in range(1, estate.days + 1):
        date = day_date(estate, day).isoformat()
        with log.stage("day", table="orders", business_date=date) as out:
            orders, fault = _orders_of(cfg, plan, dims, history, day)
            spike_fault = fault or spike_fault
            received, on_order_delta = pos.movements(day, cells)
            ledger.close_day(units_sold(orders, n_wh, n_skus), received, on_order_delta)
            listed, on_hand, on_order = ledger.snapshot(history.active[day - 1])
            writer.insert_inventory(date, listed, on_hand, on_order)
            snapshot_rows = int(listed.sum())
            counts["orders"] += orders.n_orders
            counts["order_lines"] += orders.n_lines
            counts["inventory_snapshots"] += snapshot_rows
            out.update(rows=orders.n_orders, lines=orders.n_lines, inventory=snapshot_rows)
            # Made while the writer thread packs and inserts the day's inventory.
            out["price_list_rows"] = publisher.add(day, orders)
        progress.advance(task)
    return counts, spike_fault


@dataclass
class Published:
    """What the published half made: row counts, the faults it injected (feed, then
    workbooks) and the feed manifest."""

    counts: dict[str, int]
    faults: list[sc.Fault]
    manifest: dict[str, dict[str, int]]

    @staticmethod
    def merge(feed: Published, price_lists: Published) -> Published:
        """The feed's and the price lists' halves as one process would have made them."""
        return Published(
            {**feed.counts, **price_lists.counts}, feed.faults + price_lists.faults, feed.manifest
        )


class _Publisher:
    """The published files one business day at a time: the day's orders feed (its file
    written through `write(what, job)`) and its supplier price list, or only one of them
    when two processes share the work."""

    def __init__(
        self,
        cfg: DemoConfig,
        plan: sc.ScenarioPlan,
        dims: Dimensions,
        history,
        staging: Workdir,
        write: Callable[[str, Callable[[], object]], None],
        *,
        feed: bool = True,
        price_lists: bool = True,
    ) -> None:
        self.cfg, self.plan, self.dims, self.history = cfg, plan, dims, history
        self.staging = staging
        self.write = write
        self.feed = FeedBuilder(cfg.estate, plan) if feed else None
        self.price_lists = price_lists
        self.counts = {"orders_published": 0} if feed else {}
        if price_lists:
            self.counts[workbooks.TABLE] = 0
        self.workbook_faults: list[sc.Fault] = []
        self.manifest: dict[str, dict[str, int]] = {}

    def add(self, day: int, orders: DayOrders) -> int | None:
        """Publish one business day; returns the rows of its price list (if made here)."""
        if self.feed is not None:
            published = self.feed.add_business_day(orders)
            self.write(
                f"orders feed {published.date}",
                partial(orders_store.write_published_day, self.staging.orders_store, published),
            )
            self.manifest[published.date] = orders_store.manifest_entry(published)
            self.counts["orders_published"] += published.frame.height
        if not self.price_lists:
            return None
        rows, fault = _write_workbook(
            self.cfg, self.plan, self.dims, self.history, self.staging, day
        )
        self.counts[workbooks.TABLE] += rows
        self.workbook_faults += [fault] if fault is not None else []
        return rows

    def finish(self) -> Published:
        faults = []
        if self.feed is not None:
            orders_store.write_manifest(self.staging.orders_store, self.manifest)
            faults = self.feed.finish()
        return Published(self.counts, faults + self.workbook_faults, self.manifest)


def _publish_all(
    cfg: DemoConfig, plan: sc.ScenarioPlan, staging: Workdir, _start: None
) -> Published:
    """The orders feed on its own (in the forked child), from dimensions and a product
    history made here from the seed: the same as the parent's."""
    estate = cfg.estate
    dims = build_dimensions(estate)
    history = simulate_product_history(estate, dims)
    publisher = _Publisher(
        cfg, plan, dims, history, staging, lambda _what, job: job(), price_lists=False
    )
    for day in range(1, estate.days + 1):
        publisher.add(day, _orders_of(cfg, plan, dims, history, day)[0])
    return publisher.finish()


def _write_workbook(
    cfg: DemoConfig, plan: sc.ScenarioPlan, dims, history, staging: Workdir, day: int
) -> tuple[int, sc.Fault | None]:
    """The day's supplier price list; the renamed header on its scenario day."""
    date = day_date(cfg.estate, day)
    frame = workbooks.price_list(cfg.estate, dims, history, day)
    renamed, fault = None, None
    if (scenario := plan.on(day, "renamed_column")) is not None:
        old = scenario.params.get("from", "Unit Cost (EUR)")
        new = scenario.params.get("to", "Unit cost EUR")
        renamed = {old: new}
        fault = plan.fault(scenario, 1, [old])
    rows = workbooks.write_price_list(
        workbooks.workbook_path(staging.workbooks, date.isoformat()),
        frame,
        date,
        workbooks.blank_row_positions(cfg.estate, day, frame.height),
        renamed,
    )
    return rows, fault


def _served_faults(plan: sc.ScenarioPlan, manifest: dict[str, dict[str, int]]) -> list[sc.Fault]:
    """Faults the API server injects at request time: recorded from the calendar.

    `count` is the number of failing requests for transient errors, and the orders of
    that published date (all of them delayed or unavailable) for slowness and outage."""
    faults = []
    for scenario in plan.scenarios:
        if scenario.kind == "transient_errors":
            faults.append(plan.fault(scenario, int(scenario.params.get("failures", 2)), []))
        elif scenario.kind in ("slow_responses", "source_outage"):
            rows = manifest.get(plan.date(scenario.day), {}).get("rows", 0)
            faults.append(plan.fault(scenario, rows, []))
    return faults


def _file_sizes(workdir: Workdir) -> dict[str, int]:
    return {
        "erp": workdir.erp_db.stat().st_size,
        "orders": sum(p.stat().st_size for p in workdir.orders_store.glob("*")),
        "workbooks": sum(p.stat().st_size for p in workdir.workbooks.rglob("*.xlsx")),
    }


def _record_metrics(cfg: DemoConfig, workdir: Workdir, run_id: str, stats: EstateStats) -> None:
    estate = cfg.estate
    prov = Provenance.now(run_id, estate.seed, estate.scale)

    def m(key: str, value: Any, unit: str, description: str) -> Metric:
        return Metric(key, value, unit, description, prov)

    metrics = [
        m(
            "estate.skus",
            stats.rows["skus"],
            "count",
            "SKUs in the catalogue (all listed on day 1)",
        ),
        m("estate.warehouses", stats.rows["warehouses"], "count", "Warehouses"),
        m("estate.suppliers", stats.rows["suppliers"], "count", "Suppliers"),
        m("estate.customers", stats.rows["customers"], "count", "Customers"),
        m("estate.days", estate.days, "days", "Simulated business days"),
        m("estate.rows.total", sum(stats.rows.values()), "rows", "Rows generated, all tables"),
        m("estate.rows.facts", stats.fact_rows, "rows", "Fact rows generated"),
        m(
            "estate.generate.duration_s",
            round(stats.duration_s, 3),
            "s",
            "Time to build the estate",
        ),
        m(
            "estate.generate.rows_per_s",
            round(stats.fact_rows / stats.duration_s) if stats.duration_s else None,
            "rows/s",
            "Fact rows generated per second (whole build, all writes included)",
        ),
        m("estate.bytes.total", sum(stats.sizes.values()), "bytes", "Size of the source files"),
    ]
    metrics += [
        m(
            f"estate.rows.{table}",
            rows,
            "rows",
            ROW_DESCRIPTIONS.get(table, f"Rows generated for {table}"),
        )
        for table, rows in sorted(stats.rows.items())
        if table != "skus"
    ]
    metrics += [
        m(f"estate.bytes.{name}", size, "bytes", f"Size of the {name} source files")
        for name, size in sorted(stats.sizes.items())
    ]
    MetricCatalogue(workdir.metrics).update(metrics, drop_prefix="estate")
