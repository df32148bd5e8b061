"""`build_estate`: generate the whole synthetic source estate into `<workdir>/sources`.

Wiring only: it calls the pure generators (dimensions, facts, feed, scenarios), hands
their output to the writers (ERP, orders store, workbooks), logs each stage and
records the estate.* metrics. The estate is built in a hidden staging folder and
swapped in at the end, so re-running `generate` (or crashing half-way) never leaves
half an estate behind.

`sources/ground_truth.json` is the estate's record: besides the answer key (every
injected fault) it holds the seed, scale, days and start date the estate was made with.
It is written last, inside the swapped-in folder, so it exists only for a whole estate;
`read_estate_record` is the one reader of those settings (`run` uses them by default).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from demo_pipeline.config import DemoConfig
from demo_pipeline.errors import SourceError
from demo_pipeline.estate import erp, orders_store, workbooks
from demo_pipeline.estate import scenarios as sc
from demo_pipeline.estate.dimensions import Dimensions, build_dimensions
from demo_pipeline.estate.facts import (
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


ESTATE_RECORD_KEYS = ("seed", "scale", "days", "start_date")
"""The settings of an estate recorded in `ground_truth.json` (EstateConfig field names)."""


def read_estate_record(workdir: Workdir) -> dict[str, Any] | None:
    """The seed, scale, days and start date the estate in `workdir` was generated with,
    typed as in `EstateConfig`; None when the work directory holds no estate. A record
    that cannot be read is a SourceError naming the file."""
    path = workdir.ground_truth
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SourceError(
            f"{path}: the estate record cannot be read (expected JSON written by `generate`; "
            f"found: {exc}); generate the estate again"
        ) from None
    try:
        return {
            "seed": int(raw["seed"]),
            "scale": float(raw["scale"]),
            "days": int(raw["days"]),
            "start_date": dt.date.fromisoformat(raw["start_date"]),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(
            f"{path}: the estate record is incomplete (expected {', '.join(ESTATE_RECORD_KEYS)}; "
            f"found: {exc!r}); generate the estate again"
        ) from None


@dataclass
class EstateStats:
    """Row counts per table and the timings of one build."""

    rows: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    cpu_s: float = 0.0  # all threads: on a busy machine wall time grows, CPU time barely

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


def build_estate(cfg: DemoConfig, workdir: Workdir, *, console: Console | None = None) -> str:
    """Generate the estate into `workdir.sources`; returns a one-line summary."""
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
            stats = _build_into(cfg, staging, log, progress)
            with log.stage("swap", table="sources"):
                _swap_in(staging.sources, workdir.sources, token)
        finally:
            if staging.root.exists():
                shutil.rmtree(staging.root)
        stats.duration_s = time.perf_counter() - start
        stats.cpu_s = time.process_time() - cpu_start
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


def _build_into(cfg: DemoConfig, staging: Workdir, log: RunLog, progress: Progress) -> EstateStats:
    estate = cfg.estate
    plan = sc.ScenarioPlan.from_config(cfg)
    stats = EstateStats()
    staging.sources.mkdir(parents=True)
    task = progress.add_task("master data", total=estate.days + 3)

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
    try:
        for table, frame in _master_tables(dims).items():
            stats.rows[table] = writer.insert_frame(table, frame)
        writer.insert_frame("products_history", history.versions)
        writer.insert_frame("purchase_orders_history", pos.header_versions)
        writer.insert_frame("purchase_order_lines_history", pos.line_versions)
        progress.update(task, description="daily facts")
        counts, feed_faults, manifest = _daily_facts(
            cfg, plan, dims, history, pos, writer, staging, log, progress, task
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
    progress.advance(task)

    progress.update(task, description="ground truth")
    with log.stage("ground_truth", table="ground_truth") as out:
        faults = feed_faults + _served_faults(plan, manifest)
        truth = sc.ground_truth(cfg, faults)
        text = json.dumps(truth, indent=2, sort_keys=False, ensure_ascii=False)
        staging.ground_truth.write_text(text + "\n", encoding="utf-8")
        out["rows"] = len(faults)
    progress.advance(task)
    return stats


def _master_tables(dims: Dimensions) -> dict[str, Any]:
    return {
        "warehouses": dims.warehouses,
        "suppliers": dims.suppliers,
        "categories": dims.categories,
        "customers": dims.customers,
    }


def _daily_facts(
    cfg, plan, dims, history, pos, writer, staging, log, progress, task
) -> tuple[dict[str, int], list[sc.Fault], dict[str, dict[str, int]]]:
    """Orders, order lines, published feed and inventory snapshots, one day at a time.

    Returns row counts, the faults injected into the feed, and the feed manifest."""
    estate = cfg.estate
    n_wh = dims.warehouses.height
    n_skus = dims.products.height
    cells = n_skus * n_wh
    ledger = InventoryLedger(estate, dims)
    feed = FeedBuilder(estate, plan)
    counts = {
        "orders": 0,
        "order_lines": 0,
        "orders_published": 0,
        "inventory_snapshots": 0,
        workbooks.TABLE: 0,
    }
    workbook_faults: list[sc.Fault] = []
    manifest: dict[str, dict[str, int]] = {}
    spike_fault: sc.Fault | None = None
    # The feed files are written on the writer thread; the manifest below, on this one.
    staging.orders_store.mkdir(parents=True, exist_ok=True)
    for day in range(1, estate.days + 1):
        date = day_date(estate, day).isoformat()
        with log.stage("day", table="orders", business_date=date) as out:
            spike = None
            spike_scenario = plan.on(day, "anomaly_spike")
            if spike_scenario is not None:
                wh = sc.pick_spike_warehouse(plan, spike_scenario, n_wh)
                spike = (wh, float(spike_scenario.params.get("multiplier", 4.0)))
            orders, extra = generate_orders(estate, dims, history, day, spike=spike)
            if spike_scenario is not None:
                spike_fault = plan.fault(spike_scenario, extra, [spike[0]], warehouse_id=spike[0])
            received, on_order_delta = pos.movements(day, cells)
            ledger.close_day(units_sold(orders, n_wh, n_skus), received, on_order_delta)
            listed, on_hand, on_order = ledger.snapshot(history.active[day - 1])
            writer.insert_inventory(date, listed, on_hand, on_order)
            snapshot_rows = int(listed.sum())
            published = feed.add_business_day(orders)
            writer.call(
                f"orders feed {published.date}",
                partial(orders_store.write_published_day, staging.orders_store, published),
            )
            manifest[published.date] = orders_store.manifest_entry(published)
            counts["orders"] += orders.n_orders
            counts["order_lines"] += orders.n_lines
            counts["orders_published"] += published.frame.height
            counts["inventory_snapshots"] += snapshot_rows
            # Written while the writer thread packs and inserts the day's inventory
            # snapshot and writes its feed file.
            wb_rows, wb_fault = _write_workbook(cfg, plan, dims, history, staging, day)
            counts[workbooks.TABLE] += wb_rows
            workbook_faults += [wb_fault] if wb_fault is not None else []
            out.update(
                rows=orders.n_orders,
                lines=orders.n_lines,
                inventory=snapshot_rows,
                price_list_rows=wb_rows,
            )
        progress.advance(task)
    orders_store.write_manifest(staging.orders_store, manifest)
    faults = feed.finish() + workbook_faults
    if spike_fault is not None:
        faults.append(spike_fault)
    return counts, faults, manifest


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
