"""The scenario calendar: faults injected on known days, and the ground truth
(the answer key) that records each one with the keys it touched.

Feed faults are pure: a polars frame of one published day's orders goes in, the
faulty frame and a `Fault` record come out. The API faults (errors, slowness,
outage) live in the server; here they are only recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from demo_pipeline.config import DemoConfig, Scenario
from demo_pipeline.estate.streams import rng_for

DISCOUNT_TYPES = np.array(["promo_code", "loyalty", "bundle", "clearance"])
DISCOUNT_SHARE = 0.18
# Orphan product ids start far above any real product id.
ORPHAN_ID_OFFSET = 9_000_000


@dataclass
class Fault:
    """One entry of ground_truth.json."""

    day: int
    date: str
    source: str
    table: str
    kind: str
    count: int
    keys: list[Any] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "date": self.date,
            "source": self.source,
            "table": self.table,
            "kind": self.kind,
            "count": self.count,
            "keys": self.keys,
            "params": self.params,
        }


@dataclass(frozen=True)
class ScenarioPlan:
    """The calendar of one config, indexed by (day, kind)."""

    scenarios: tuple[Scenario, ...]
    seed: int
    start_date: dt.date
    days: int

    @classmethod
    def from_config(cls, cfg: DemoConfig) -> ScenarioPlan:
        return cls(
            scenarios=tuple(sorted(cfg.scenarios, key=lambda s: (s.day, s.kind))),
            seed=cfg.estate.seed,
            start_date=cfg.estate.start_date,
            days=cfg.estate.days,
        )

    def on(self, day: int, kind: str) -> Scenario | None:
        return next((s for s in self.scenarios if s.day == day and s.kind == kind), None)

    def first_day(self, kind: str) -> int | None:
        days = [s.day for s in self.scenarios if s.kind == kind]
        return min(days) if days else None

    def date(self, day: int) -> str:
        return (self.start_date + dt.timedelta(days=day - 1)).isoformat()

    def rng(self, scenario: Scenario) -> np.random.Generator:
        return rng_for(self.seed, f"scenario.{scenario.kind}", scenario.day)

    def fault(self, scenario: Scenario, count: int, keys: list[Any], **extra: Any) -> Fault:
        return Fault(
            day=scenario.day,
            date=self.date(scenario.day),
            source=scenario.source,
            table=scenario.table,
            kind=scenario.kind,
            count=count,
            keys=keys,
            params={**scenario.params, **extra},
        )


def _rows(scenario: Scenario, default: int) -> int:
    return int(scenario.params.get("rows", default))


def pick_spike_warehouse(plan: ScenarioPlan, scenario: Scenario, n_warehouses: int) -> int:
    """Which warehouse's volume jumps on the anomaly day."""
    return int(plan.rng(scenario).integers(1, n_warehouses + 1))


def pick_late_orders(plan: ScenarioPlan, scenario: Scenario, n_orders: int) -> np.ndarray:
    """Row positions (sorted) of the orders that reach the feed `delay_days` late."""
    # Never more than a quarter of the day, so the day still has a feed of its own.
    k = min(_rows(scenario, 100), n_orders // 4)
    return np.sort(plan.rng(scenario).choice(n_orders, size=k, replace=False))


def pick_lines(
    plan: ScenarioPlan, scenario: Scenario, eligible_lines: np.ndarray, default: int
) -> np.ndarray:
    """Sorted positions of the order lines a line-level fault touches."""
    k = min(_rows(scenario, default), eligible_lines.size)
    return np.sort(plan.rng(scenario).choice(eligible_lines, size=k, replace=False))


def orphan_product_ids(count: int) -> np.ndarray:
    """Product ids that no product ever had."""
    return ORPHAN_ID_OFFSET + np.arange(1, count + 1)


def null_keys(
    plan: ScenarioPlan, scenario: Scenario, feed: pl.DataFrame
) -> tuple[pl.DataFrame, Fault]:
    """Blank out `order_id` on some orders. Keys are the ids the orders should have had."""
    k = min(_rows(scenario, 25), feed.height)
    rows = np.sort(plan.rng(scenario).choice(feed.height, size=k, replace=False))
    keys = feed["order_id"].gather(rows).to_list()
    mask = np.zeros(feed.height, dtype=bool)
    mask[rows] = True
    feed = feed.with_columns(
        pl.when(pl.Series(mask))
        .then(pl.lit(None, pl.String))
        .otherwise("order_id")
        .alias("order_id")
    )
    return feed, plan.fault(scenario, k, keys)


def duplicate_rows(
    plan: ScenarioPlan, scenario: Scenario, feed: pl.DataFrame
) -> tuple[pl.DataFrame, Fault]:
    """Repeat some orders later in the same feed (what a retrying vendor job does)."""
    rng = plan.rng(scenario)
    k = min(_rows(scenario, 40), feed.height)
    sources = np.sort(rng.choice(feed.height, size=k, replace=False))
    # Each copy lands somewhere after its original, so it may be on a later page.
    positions = sources + 1 + (rng.random(k) * (feed.height - sources)).astype(np.int64)
    order = np.argsort(positions, kind="stable")
    index = np.insert(np.arange(feed.height), positions[order], sources[order])
    keys = feed["order_id"].gather(sources).to_list()
    return feed[index], plan.fault(scenario, k, keys)


def drift_schema(seed: int, published_day: int, feed: pl.DataFrame) -> pl.DataFrame:
    """Contract v2 shape: order_amount as a decimal with cents, plus `discount_type`."""
    rng = rng_for(seed, "schema_drift.discount_type", published_day)
    discounted = rng.random(feed.height) < DISCOUNT_SHARE
    kinds = rng.choice(DISCOUNT_TYPES, size=feed.height)
    discount = pl.Series("discount_type", kinds.tolist(), dtype=pl.String)
    discount = pl.when(pl.Series(discounted)).then(discount).otherwise(None).alias("discount_type")
    return feed.with_columns((pl.col("amount_cents") / 100).alias("order_amount"), discount).select(
        pl.exclude("amount_cents", "lines", "order_amount", "discount_type"),
        "order_amount",
        "discount_type",
        "lines",
    )


def contract_v1(feed: pl.DataFrame) -> pl.DataFrame:
    """Contract v1 shape: order_amount in whole EUR (rounded half up)."""
    return feed.with_columns(((pl.col("amount_cents") + 50) // 100).alias("order_amount")).select(
        pl.exclude("amount_cents", "lines", "order_amount"), "order_amount", "lines"
    )


def ground_truth(cfg: DemoConfig, faults: list[Fault]) -> dict[str, Any]:
    """The answer key: every injected fault, in calendar order."""
    estate = cfg.estate
    peaks = sorted(
        {p.isoformat() for p in [estate.peak_day, *cfg.quality.expected_peaks] if p is not None}
        & {d.isoformat() for d in estate.business_days()}
    )
    return {
        "seed": estate.seed,
        "scale": estate.scale,
        "days": estate.days,
        "start_date": estate.start_date.isoformat(),
        "expected_peaks": peaks,
        "faults": [f.to_dict() for f in sorted(faults, key=lambda f: (f.day, f.kind, f.table))],
    }
