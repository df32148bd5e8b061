"""Vectorised fact generation: product changes, orders and lines, purchase orders,
inventory. Pure functions of (config, dimensions, day): numpy arrays in, numpy
arrays or polars frames out; nothing here touches a file.

Demand follows a weekly pattern (busy weekends), a gentle ramp through the month
and a Black-Friday-like peak on `estate.peak_day` (an expected, seasonal peak).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from demo_pipeline.config import EstateConfig
from demo_pipeline.estate.dimensions import Dimensions
from demo_pipeline.estate.streams import rng_for

# Monday .. Sunday: weekends sell more.
WEEKDAY_FACTOR = np.array([0.92, 0.88, 0.90, 0.97, 1.12, 1.22, 1.03])
# Orders per hour of the day (shape only; normalised below).
HOURLY_SHAPE = np.array(
    [
        1,
        0.6,
        0.4,
        0.3,
        0.3,
        0.5,
        1,
        2,
        3.5,
        4.5,
        5,
        5.2,
        5.5,
        5.2,
        5,
        5,
        5.2,
        5.6,
        6,
        6.2,
        5.5,
        4.5,
        3,
        2,
    ]
)
HOURLY_P = HOURLY_SHAPE / HOURLY_SHAPE.sum()
CHANNELS = np.array(["web", "store", "marketplace"])
CHANNEL_P = [0.6, 0.3, 0.1]
# Daily master-data churn, as shares of the assortment.
PRICE_CHANGE_SHARE = 0.010
CATEGORY_CHANGE_SHARE = 0.001
DISCONTINUE_SHARE = 0.002
RELIST_PROBABILITY = 0.5
# Business hours in which master-data changes are keyed in.
OFFICE_SECONDS = (8 * 3600, 18 * 3600)
SNAPSHOT_TIME = "T23:00:00"
OPEN_END = "9999-12-31"


def day_date(estate: EstateConfig, day: int) -> dt.date:
    """Business date of 1-based day `day`."""
    return estate.start_date + dt.timedelta(days=day - 1)


def _clock_strings(date: dt.date, seconds: np.ndarray) -> list[str]:
    """'YYYY-MM-DDTHH:MM:SS' for seconds after midnight of `date`."""
    base = date.isoformat() + "T"
    h, rem = np.divmod(seconds.astype(np.int64), 3600)
    m, s = np.divmod(rem, 60)
    return [
        f"{base}{a:02d}:{b:02d}:{c:02d}"
        for a, b, c in zip(h.tolist(), m.tolist(), s.tolist(), strict=True)
    ]


# --------------------------------------------------------------------------- products


@dataclass
class ProductHistory:
    """Every version of every product, and the daily view the facts need."""

    versions: (
        pl.DataFrame
    )  # product columns + updated_at, valid_from, valid_to (dates, to exclusive)
    active: np.ndarray  # bool [days, skus]: listed at the end of that day
    list_price: np.ndarray  # int64 [days, skus]: list price that day
    changes: dict[str, int] = field(default_factory=dict)  # counts per change kind


def simulate_product_history(estate: EstateConfig, dims: Dimensions) -> ProductHistory:
    """Price and category changes, discontinued and re-listed products, day by day."""
    products = dims.products
    n = products.height
    days = estate.days
    n_categories = dims.categories.height
    price = products["list_price_cents"].to_numpy().copy()
    cost = products["unit_cost_cents"].to_numpy().copy()
    category = products["category_id"].to_numpy().copy()
    active_now = np.ones(n, dtype=bool)
    relist_day = np.zeros(n, dtype=np.int64)
    version_start = np.ones(n, dtype=np.int64)
    version_updated = np.array([dims.initial_updated_at] * n, dtype=object)

    closed: list[dict[str, np.ndarray]] = []
    active = np.zeros((days, n), dtype=bool)
    list_price = np.zeros((days, n), dtype=np.int64)
    active[0] = True
    list_price[0] = price
    counts = {"price_changes": 0, "category_changes": 0, "discontinued": 0, "relisted": 0}

    def close(idx: np.ndarray, day: int) -> None:
        if idx.size:
            closed.append(
                {
                    "i": idx.copy(),
                    "category_id": category[idx].copy(),
                    "unit_cost_cents": cost[idx].copy(),
                    "list_price_cents": price[idx].copy(),
                    "updated_at": version_updated[idx].copy(),
                    "valid_from": version_start[idx].copy(),
                    "valid_to": np.full(idx.size, day, dtype=np.int64),
                }
            )

    def open_(idx: np.ndarray, day: int, rng: np.random.Generator) -> None:
        version_start[idx] = day
        secs = rng.integers(*OFFICE_SECONDS, size=idx.size)
        version_updated[idx] = np.array(_clock_strings(day_date(estate, day), secs), dtype=object)

    for day in range(2, days + 1):
        rng = rng_for(estate.seed, "product_changes", day)
        back = np.flatnonzero(relist_day == day)
        if back.size:
            relist_day[back] = 0
            active_now[back] = True
            price[back] = np.maximum(
                price[back] + rng.integers(-2, 3, size=back.size) * 100, cost[back] + 1
            )
            open_(back, day, rng)
            counts["relisted"] += back.size
        listed = np.flatnonzero(active_now)
        listed = listed[~np.isin(listed, back)]
        # A tiny assortment must not run dry: stop discontinuing below 90% listed.
        k_del = max(1, round(DISCONTINUE_SHARE * n)) if listed.size > 0.9 * n else 0
        k_price = max(1, round(PRICE_CHANGE_SHARE * n))
        k_cat = max(1, round(CATEGORY_CHANGE_SHARE * n))
        chosen = rng.permutation(listed)[: k_del + k_price + k_cat]
        gone = np.sort(chosen[:k_del])
        repriced = np.sort(chosen[k_del : k_del + k_price])
        recategorised = np.sort(chosen[k_del + k_price :])

        close(gone, day)
        active_now[gone] = False
        comes_back = rng.random(gone.size) < RELIST_PROBABILITY
        relist_day[gone[comes_back]] = day + rng.integers(3, 9, size=int(comes_back.sum()))

        close(repriced, day)
        factor = rng.uniform(0.88, 1.12, size=repriced.size)
        price[repriced] = np.maximum(
            np.round(price[repriced] * factor / 10).astype(np.int64) * 10 - 1, cost[repriced] + 1
        )
        open_(repriced, day, rng)

        close(recategorised, day)
        category[recategorised] = rng.integers(1, n_categories + 1, size=recategorised.size)
        open_(recategorised, day, rng)

        counts["price_changes"] += repriced.size
        counts["category_changes"] += recategorised.size
        counts["discontinued"] += gone.size
        active[day - 1] = active_now
        list_price[day - 1] = price

    current = np.flatnonzero(active_now)
    close(current, days + 1)
    parts = {k: np.concatenate([c[k] for c in closed]) for k in closed[0]}
    idx = parts.pop("i")
    start = estate.start_date.toordinal() - 1
    to_date = {
        d: (dt.date.fromordinal(start + d).isoformat() if d <= days else OPEN_END)
        for d in range(1, days + 2)
    }
    versions = pl.DataFrame(
        {
            "product_id": products["product_id"].to_numpy()[idx],
            "sku": products["sku"].to_numpy()[idx],
            "name": products["name"].to_numpy()[idx],
            "category_id": parts["category_id"],
            "supplier_id": products["supplier_id"].to_numpy()[idx],
            "unit_cost_cents": parts["unit_cost_cents"],
            "list_price_cents": parts["list_price_cents"],
            "updated_at": parts["updated_at"].astype(str),
            "valid_from": [to_date[d] for d in parts["valid_from"].tolist()],
            "valid_to": [to_date[d] for d in parts["valid_to"].tolist()],
        }
    ).sort("product_id", "valid_from")
    return ProductHistory(versions=versions, active=active, list_price=list_price, changes=counts)


# ----------------------------------------------------------------------------- orders


def orders_on_day(estate: EstateConfig, day: int) -> int:
    """Expected order count of a business day: base x weekday x ramp x peak x noise."""
    date = day_date(estate, day)
    base = estate.scaled(estate.orders_per_day_at_scale_1, minimum=5)
    ramp = 1.0 + 0.15 * (day - 1) / max(1, estate.days - 1)
    peak = estate.peak_multiplier if estate.peak_day == date else 1.0
    noise = rng_for(estate.seed, "order_volume", day).normal(1.0, 0.03)
    return max(1, round(base * WEEKDAY_FACTOR[date.weekday()] * ramp * peak * noise))


@dataclass
class DayOrders:
    """One business day's orders (one row per order) and lines (flat, by order)."""

    business_day: int
    seq: np.ndarray  # 1-based number of the order within its business day
    seconds: np.ndarray  # order time, seconds after midnight
    customer_id: np.ndarray
    warehouse_id: np.ndarray
    channel: np.ndarray
    line_offsets: np.ndarray  # int64 [orders + 1]
    line_no: np.ndarray
    product_id: np.ndarray
    quantity: np.ndarray
    unit_price_cents: np.ndarray

    @property
    def n_orders(self) -> int:
        return self.seq.size

    @property
    def n_lines(self) -> int:
        return self.product_id.size

    def amount_cents(self) -> np.ndarray:
        """What each order is worth, from its clean lines (before any fault)."""
        value = self.quantity * self.unit_price_cents
        return (
            np.add.reduceat(value, self.line_offsets[:-1]) if value.size else np.zeros(0, np.int64)
        )


def generate_orders(
    estate: EstateConfig,
    dims: Dimensions,
    history: ProductHistory,
    day: int,
    spike: tuple[int, float] | None = None,
) -> tuple[DayOrders, int]:
    """Clean orders of one business day. `spike` = (warehouse_id, multiplier) adds
    extra orders for one warehouse. Returns the orders and the number of extra orders."""
    rng = rng_for(estate.seed, "orders", day)
    n = orders_on_day(estate, day)
    n_wh = dims.warehouses.height
    warehouse = rng.choice(n_wh, size=n, p=dims.warehouse_weights) + 1
    extra = 0
    if spike is not None:
        wh, multiplier = spike
        extra = round((multiplier - 1.0) * int((warehouse == wh).sum()))
        warehouse = np.concatenate([warehouse, np.full(extra, wh, dtype=warehouse.dtype)])
        n += extra
    hours = rng.choice(24, size=n, p=HOURLY_P)
    seconds = hours * 3600 + rng.integers(0, 3600, size=n)
    order = np.argsort(seconds, kind="stable")
    seconds = seconds[order]
    warehouse = warehouse[order]
    customer = rng.integers(1, dims.customers.height + 1, size=n)
    channel = rng.choice(CHANNELS, size=n, p=CHANNEL_P)

    lines_per_order = np.minimum(rng.geometric(0.45, size=n), 8)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lines_per_order, out=offsets[1:])
    n_lines = int(offsets[-1])
    order_of_line = np.repeat(np.arange(n), lines_per_order)
    line_no = np.arange(n_lines) - offsets[order_of_line] + 1

    listed = history.active[day - 1]
    weights = np.where(listed, dims.product_popularity, 0.0)
    cdf = np.cumsum(weights)
    pick = np.searchsorted(cdf, rng.random(n_lines) * cdf[-1], side="right")
    pick = np.minimum(pick, listed.size - 1)
    product = pick + 1
    quantity = np.minimum(rng.geometric(0.55, size=n_lines), 12)
    price = history.list_price[day - 1][pick]
    return (
        DayOrders(
            business_day=day,
            seq=np.arange(1, n + 1),
            seconds=seconds,
            customer_id=customer,
            warehouse_id=warehouse,
            channel=channel,
            line_offsets=offsets,
            line_no=line_no,
            product_id=product,
            quantity=quantity,
            unit_price_cents=price,
        ),
        extra,
    )


def orders_frame(
    estate: EstateConfig, orders: DayOrders, amount_cents: np.ndarray | None = None
) -> pl.DataFrame:
    """The orders of one business day as feed rows, lines nested (contract v1 shape
    plus an internal `amount_cents` column that the feed writer turns into order_amount)."""
    date = day_date(estate, orders.business_day)
    # Nest the lines under their orders. (Not via pyarrow: converting numpy there
    # imports pandas, which costs more than the whole day's orders.)
    lines = (
        pl.DataFrame(
            {
                "order": np.repeat(np.arange(orders.n_orders), np.diff(orders.line_offsets)),
                "line_no": orders.line_no.astype(np.int64),
                "product_id": orders.product_id.astype(np.int64),
                "quantity": orders.quantity.astype(np.int64),
                "unit_price_cents": orders.unit_price_cents.astype(np.int64),
            }
        )
        # Lines come order by order: saying so lets Polars group by runs (2-3x faster).
        .with_columns(pl.col("order").set_sorted())
        .group_by("order", maintain_order=True)
        .agg(pl.struct("line_no", "product_id", "quantity", "unit_price_cents").alias("lines"))
    )
    ymd = date.strftime("%Y%m%d")
    frame = pl.DataFrame(
        {
            "seq": orders.seq,
            "seconds": orders.seconds,
            "customer_id": orders.customer_id.astype(np.int64),
            "warehouse_id": orders.warehouse_id.astype(np.int64),
            "channel": orders.channel,
            "amount_cents": (
                orders.amount_cents() if amount_cents is None else amount_cents
            ).astype(np.int64),
        }
    )
    frame = frame.with_columns(lines["lines"])
    midnight = dt.datetime.combine(date, dt.time())
    return frame.select(
        pl.format("O-{}-{}", pl.lit(ymd), pl.col("seq").cast(pl.String).str.zfill(6)).alias(
            "order_id"
        ),
        (pl.lit(midnight) + pl.duration(seconds=pl.col("seconds")))
        .dt.strftime("%Y-%m-%dT%H:%M:%S")
        .alias("order_ts"),
        pl.lit(date.isoformat()).alias("business_date"),
        "customer_id",
        "warehouse_id",
        "channel",
        pl.lit("placed").alias("status"),
        pl.lit("EUR").alias("currency"),
        "amount_cents",
        "lines",
    )


def units_sold(orders: DayOrders, n_warehouses: int, n_skus: int) -> np.ndarray:
    """Units sold per (product, warehouse) cell of the inventory grid."""
    cell = (orders.product_id - 1) * n_warehouses + (
        np.repeat(orders.warehouse_id, np.diff(orders.line_offsets)) - 1
    )
    return np.bincount(cell, weights=orders.quantity, minlength=n_skus * n_warehouses).astype(
        np.int64
    )


# -------------------------------------------------------------------- purchase orders


@dataclass
class PurchaseOrders:
    """Every purchase order version plus the stock movements they cause per day."""

    header_versions: pl.DataFrame
    line_versions: pl.DataFrame
    # Stock movements as sparse events (day, cell, units): dense day x cell arrays
    # would cost hundreds of MB at scale 10.
    received_events: tuple[np.ndarray, np.ndarray, np.ndarray]
    on_order_events: tuple[np.ndarray, np.ndarray, np.ndarray]
    count: int
    line_count: int

    @staticmethod
    def _dense(
        events: tuple[np.ndarray, np.ndarray, np.ndarray], day: int, cells: int
    ) -> np.ndarray:
        days, cell, units = events
        mask = days == day
        return np.bincount(cell[mask], weights=units[mask], minlength=cells).astype(np.int64)

    def movements(self, day: int, cells: int) -> tuple[np.ndarray, np.ndarray]:
        """(units received, change of units on order) per inventory cell on `day`."""
        return (
            self._dense(self.received_events, day, cells),
            self._dense(self.on_order_events, day, cells),
        )


def simulate_purchase_orders(
    estate: EstateConfig, dims: Dimensions, history: ProductHistory
) -> PurchaseOrders:
    """Purchase orders raised each day, then received on time, partially, late or cancelled.

    Vectorised per day. Each PO has up to three events (raised; then cancelled, or
    received, or partially received and completed two days later); every event that
    falls inside the simulation becomes a version of the PO (and of its lines)."""
    days = estate.days
    n_wh = dims.warehouses.height
    lead = dims.suppliers["lead_time_days"].to_numpy()
    product_supplier = dims.products["supplier_id"].to_numpy()
    unit_cost = dims.products["unit_cost_cents"].to_numpy()
    per_day = estate.scaled(60, minimum=2)
    po_parts: list[dict[str, np.ndarray]] = []
    line_parts: list[dict[str, np.ndarray]] = []
    next_po = 1
    for day in range(1, days + 1):
        rng = rng_for(estate.seed, "purchase_orders", day)
        listed = np.flatnonzero(history.active[day - 1])
        # Listed products grouped by supplier, shuffled within each supplier's slice.
        order = np.lexsort((rng.random(listed.size), product_supplier[listed]))
        by_supplier = listed[order]
        supplier_of = product_supplier[by_supplier]
        suppliers, starts, sizes = np.unique(supplier_of, return_index=True, return_counts=True)
        if suppliers.size == 0:
            continue
        pick = rng.integers(0, suppliers.size, size=per_day)
        supplier = suppliers[pick]
        warehouse = rng.integers(1, n_wh + 1, size=per_day)
        k = np.minimum(sizes[pick], 1 + rng.poisson(6, size=per_day))
        offset = rng.integers(0, sizes[pick])
        po_of_line = np.repeat(np.arange(per_day), k)
        j = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
        items = by_supplier[
            starts[pick][po_of_line] + (offset[po_of_line] + j) % sizes[pick][po_of_line]
        ]
        qty = rng.integers(2, 30, size=items.size) * 10
        part = np.floor(qty * rng.uniform(0.4, 0.9, size=items.size)).astype(np.int64)
        fate = rng.random(per_day)
        delay = rng.integers(0, 2, size=per_day)
        expected = day + lead[supplier - 1]
        cancelled = fate < 0.04
        partial = ~cancelled & (fate < 0.24)
        never = np.full(per_day, 10**6)
        # Event days per PO: [raised, second, third]; `never` where there is none.
        second = np.where(cancelled, day + 1, np.where(partial, expected, expected + delay))
        third = np.where(partial, expected + 2, never)
        po_ids = np.arange(next_po, next_po + per_day)
        next_po += per_day
        po_parts.append(
            {
                "po_id": po_ids,
                "supplier_id": supplier,
                "warehouse_id": warehouse,
                "order_day": np.full(per_day, day),
                "expected_day": expected,
                "second": second,
                "third": third,
                "cancelled": cancelled,
                "partial": partial,
                "stamp_seconds": rng.integers(*OFFICE_SECONDS, size=(per_day, 3)),
            }
        )
        line_parts.append(
            {
                "po": po_ids[po_of_line],
                "po_index": po_of_line + (po_ids[0] - 1),
                "line_no": j + 1,
                "product_id": items + 1,
                "cell": items * n_wh + (warehouse[po_of_line] - 1),
                "qty": qty,
                "part": part,
                "unit_cost_cents": unit_cost[items],
            }
        )
    po = {key: np.concatenate([p[key] for p in po_parts]) for key in po_parts[0]}
    ln = {key: np.concatenate([p[key] for p in line_parts]) for key in line_parts[0]}
    return _purchase_order_versions(estate, po, ln)


def _purchase_order_versions(
    estate: EstateConfig, po: dict[str, np.ndarray], ln: dict[str, np.ndarray]
) -> PurchaseOrders:
    """Versions and stock movements from the PO events (only those inside the simulation)."""
    days = estate.days
    end = days + 1
    dates = [day_date(estate, d).isoformat() for d in range(1, days + 60)]
    n = po["po_id"].size
    status_second = np.where(
        po["cancelled"], "cancelled", np.where(po["partial"], "partial", "received")
    )
    event_day = np.stack([po["order_day"], po["second"], po["third"]], axis=1)
    status = np.stack([np.full(n, "open"), status_second, np.full(n, "received")], axis=1)
    next_day = np.concatenate([event_day[:, 1:], np.full((n, 1), 10**6)], axis=1)
    happened = event_day <= days
    rows, slot = np.nonzero(happened)
    valid_to = np.minimum(next_day[rows, slot], end)
    stamp = [
        f"{dates[d - 1]}T{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
        for d, s in zip(
            event_day[rows, slot].tolist(), po["stamp_seconds"][rows, slot].tolist(), strict=True
        )
    ]

    def as_dates(values: np.ndarray) -> list[str]:
        return [dates[v - 1] if v <= days else OPEN_END for v in values.tolist()]

    header_versions = pl.DataFrame(
        {
            "po_id": po["po_id"][rows],
            "supplier_id": po["supplier_id"][rows],
            "warehouse_id": po["warehouse_id"][rows],
            "order_date": [dates[d - 1] for d in po["order_day"][rows].tolist()],
            "expected_date": [dates[d - 1] for d in po["expected_day"][rows].tolist()],
            "status": status[rows, slot],
            "updated_at": stamp,
            "valid_from": as_dates(event_day[rows, slot]),
            "valid_to": as_dates(valid_to),
        }
    )

    # Line versions: one per event that changes the lines (a cancellation does not).
    i = ln["po_index"]
    line_event = event_day[i]
    line_status = status[i]
    changes = (line_event <= days) & (line_status != "cancelled")
    # The next change of the lines: skip a cancellation (lines stay as they were).
    nxt = np.where(line_status[:, 1:] == "cancelled", 10**6, line_event[:, 1:])
    nxt = np.concatenate([nxt, np.full((i.size, 1), 10**6)], axis=1)
    received = np.stack(
        [np.zeros_like(ln["qty"]), np.where(po["partial"][i], ln["part"], ln["qty"]), ln["qty"]],
        axis=1,
    )
    lrows, lslot = np.nonzero(changes)
    stamp_of = {
        (int(p), int(s)): t for p, s, t in zip(rows.tolist(), slot.tolist(), stamp, strict=True)
    }
    line_versions = pl.DataFrame(
        {
            "po_id": ln["po"][lrows],
            "line_no": ln["line_no"][lrows],
            "product_id": ln["product_id"][lrows],
            "qty_ordered": ln["qty"][lrows],
            "qty_received": received[lrows, lslot],
            "unit_cost_cents": ln["unit_cost_cents"][lrows],
            "updated_at": [
                stamp_of[(p, s)] for p, s in zip(i[lrows].tolist(), lslot.tolist(), strict=True)
            ],
            "valid_from": as_dates(line_event[lrows, lslot]),
            "valid_to": as_dates(np.minimum(nxt[lrows, lslot], end)),
        }
    ).sort("po_id", "line_no", "valid_from")

    # Stock movements: what each event adds to stock on hand and on order.
    recv_days, recv_cells, recv_units = [], [], []
    oo_days, oo_cells, oo_units = [line_event[:, 0]], [ln["cell"]], [ln["qty"]]
    for s in (1, 2):
        happens = line_event[:, s] <= days
        cancel = happens & (line_status[:, s] == "cancelled")
        oo_days.append(line_event[cancel, s])
        oo_cells.append(ln["cell"][cancel])
        oo_units.append(-ln["qty"][cancel])
        got = happens & ~cancel
        delta = received[:, s] - received[:, s - 1]
        recv_days.append(line_event[got, s])
        recv_cells.append(ln["cell"][got])
        recv_units.append(delta[got])
        oo_days.append(line_event[got, s])
        oo_cells.append(ln["cell"][got])
        oo_units.append(-delta[got])
    in_sim = line_event[:, 0] <= days
    oo_days[0], oo_cells[0], oo_units[0] = (
        oo_days[0][in_sim],
        oo_cells[0][in_sim],
        oo_units[0][in_sim],
    )
    return PurchaseOrders(
        header_versions=header_versions,
        line_versions=line_versions,
        received_events=tuple(np.concatenate(x) for x in (recv_days, recv_cells, recv_units)),
        on_order_events=tuple(np.concatenate(x) for x in (oo_days, oo_cells, oo_units)),
        count=n,
        line_count=i.size,
    )


# -------------------------------------------------------------------------- inventory


class InventoryLedger:
    """Stock on hand and on order per (product, warehouse), rolled forward day by day."""

    def __init__(self, estate: EstateConfig, dims: Dimensions) -> None:
        rng = rng_for(estate.seed, "inventory_start")
        self.n_wh = dims.warehouses.height
        self.n_skus = dims.products.height
        popularity = np.repeat(dims.product_popularity * self.n_skus, self.n_wh)
        self.on_hand = rng.poisson(30 + 60 * np.sqrt(popularity)).astype(np.int64)
        self.on_order = np.zeros(self.on_hand.size, dtype=np.int64)

    def close_day(self, sold: np.ndarray, received: np.ndarray, on_order_delta: np.ndarray) -> None:
        """Apply one day's sales and receipts (stock never goes below zero)."""
        np.maximum(self.on_hand - sold + received, 0, out=self.on_hand)
        self.on_order += on_order_delta

    def snapshot(self, listed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(listed?, on hand, on order) for every cell, in (product, warehouse) order.

        Only cells of listed products are snapshot rows; the others are kept (not
        dropped) so a cell's position still says which product and warehouse it is."""
        return np.repeat(listed, self.n_wh), self.on_hand, self.on_order
