"""The orders feed as the vendor publishes it, one published day at a time.

Takes each business day's clean orders and turns them into what the API will serve:
line faults (negative quantities, orphan product ids), late orders held back and
published days later, null keys, duplicated rows, and the schema drift from its day
on. Every fault is recorded for the ground truth. Pure: frames in, frames out.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl

from demo_pipeline.config import EstateConfig
from demo_pipeline.estate import scenarios as sc
from demo_pipeline.estate.facts import DayOrders, day_date, orders_frame


def _order_ids(estate: EstateConfig, orders: DayOrders, order_rows: np.ndarray) -> list[str]:
    ymd = day_date(estate, orders.business_day).strftime("%Y%m%d")
    return [f"O-{ymd}-{seq:06d}" for seq in orders.seq[order_rows].tolist()]


@dataclasses.dataclass
class PublishedDay:
    """One published day of the feed, ready to write."""

    day: int
    date: str
    frame: pl.DataFrame
    schema_version: int


class FeedBuilder:
    """Accumulates business days and emits published days in order."""

    def __init__(self, estate: EstateConfig, plan: sc.ScenarioPlan) -> None:
        self.estate = estate
        self.plan = plan
        self.faults: list[sc.Fault] = []
        self._held: dict[int, list[pl.DataFrame]] = {}
        self._drift_day = plan.first_day("schema_drift")
        self._drift_rows = 0

    def _line_faults(self, orders: DayOrders, day: int, on_time: np.ndarray) -> DayOrders:
        """Negative quantities and orphan product ids on lines of on-time orders."""
        order_of_line = np.repeat(np.arange(orders.n_orders), np.diff(orders.line_offsets))
        eligible = np.flatnonzero(on_time[order_of_line])
        quantity, product = orders.quantity, orders.product_id
        if (scenario := self.plan.on(day, "negative_quantities")) is not None:
            lines = sc.pick_lines(self.plan, scenario, eligible, default=30)
            quantity = quantity.copy()
            quantity[lines] = -quantity[lines]
            eligible = np.setdiff1d(eligible, lines)
            self._record_lines(scenario, orders, order_of_line, lines)
        if (scenario := self.plan.on(day, "orphan_product_ids")) is not None:
            lines = sc.pick_lines(self.plan, scenario, eligible, default=20)
            product = product.copy()
            product[lines] = sc.orphan_product_ids(lines.size)
            self._record_lines(scenario, orders, order_of_line, lines)
        return dataclasses.replace(orders, quantity=quantity, product_id=product)

    def _record_lines(self, scenario, orders, order_of_line, lines) -> None:
        ids = _order_ids(self.estate, orders, order_of_line[lines])
        keys = [[oid, int(no)] for oid, no in zip(ids, orders.line_no[lines].tolist(), strict=True)]
        self.faults.append(self.plan.fault(scenario, len(keys), keys))

    def add_business_day(self, orders: DayOrders) -> PublishedDay:
        """Take business day `orders.business_day` and return the feed published that day."""
        day = orders.business_day
        amount = orders.amount_cents()
        on_time = np.ones(orders.n_orders, dtype=bool)
        late = self.plan.on(day, "late_orders")
        late_rows = np.zeros(0, dtype=np.int64)
        publish_on = day
        if late is not None:
            publish_on = min(day + int(late.params.get("delay_days", 2)), self.estate.days)
            if publish_on > day:
                late_rows = sc.pick_late_orders(self.plan, late, orders.n_orders)
                on_time[late_rows] = False
            else:
                # The last simulated day: there is no later day to publish on.
                self.faults.append(self.plan.fault(late, 0, [], published_date=None))
        frame = orders_frame(self.estate, self._line_faults(orders, day, on_time), amount)
        if late_rows.size:
            self._held.setdefault(publish_on, []).append(frame[late_rows])
            keys = frame["order_id"].gather(late_rows).to_list()
            published = day_date(self.estate, publish_on).isoformat()
            self.faults.append(self.plan.fault(late, len(keys), keys, published_date=published))
            frame = frame.filter(pl.Series(on_time))
        feed = pl.concat([frame, *self._held.pop(day, [])])
        return self._publish(day, feed)

    def _publish(self, day: int, feed: pl.DataFrame) -> PublishedDay:
        if (scenario := self.plan.on(day, "null_keys")) is not None:
            feed, fault = sc.null_keys(self.plan, scenario, feed)
            self.faults.append(fault)
        if (scenario := self.plan.on(day, "duplicate_rows")) is not None:
            feed, fault = sc.duplicate_rows(self.plan, scenario, feed)
            self.faults.append(fault)
        drifted = self._drift_day is not None and day >= self._drift_day
        if drifted:
            self._drift_rows += feed.height
            feed = sc.drift_schema(self.estate.seed, day, feed)
        else:
            feed = sc.contract_v1(feed)
        return PublishedDay(
            day=day,
            date=day_date(self.estate, day).isoformat(),
            frame=feed,
            schema_version=2 if drifted else 1,
        )

    def finish(self) -> list[sc.Fault]:
        """Faults recorded per published day plus the schema drift (rows from its day on)."""
        if self._drift_day is not None:
            scenario = self.plan.on(self._drift_day, "schema_drift")
            self.faults.append(self.plan.fault(scenario, self._drift_rows, []))
        return self.faults
