"""Tier 2: business rules, declared once as SQL predicates, a quarantine, and de-duplication.

Each rule is a SQL predicate that is true for a row that BREAKS it: Polars evaluates it
with `pl.sql_expr`, Spark with `F.expr` (demo_pipeline/spark/rules.py), so no rule is
written twice. A referential-integrity rule ("the column exists in a reference set")
names its reference instead: each engine checks membership its own way (Polars
`is_in`, Spark a join), since a key set is data, not SQL text. A row breaking any
rule goes to the quarantine with the names of every rule it broke; the others go on.
Per-rule thresholds come from `quality.rules["<table>.<rule>"]` (or
`quality.default_rule`): above `warn_above_pct` the result is a warning, above
`fail_above_pct` a failure. Rows are quarantined either way; a failure is reported,
and the run decides what it means (see `RuleOutcome.failed`).

Everything here is frame in, frame out: reference data (known product ids...) is
passed in, nothing is read from disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from demo_pipeline.config import QualityConfig, RuleThreshold

RULES_COLUMN = "_rules_broken"
RUN_ID_COLUMN = "_run_id"


@dataclass(frozen=True)
class Rule:
    table: str
    name: str
    predicate: str
    """SQL, true for a row that breaks the rule (null counts as not broken). For a
    reference rule, the same condition written out for a reader (not evaluated)."""
    description: str
    column: str | None = None
    """Reference rules: the column checked against the reference keys."""
    reference: str | None = None
    """Reference rules: the `References` field holding the keys (e.g. product_ids)."""
    keys: Any = field(default=None, compare=False, repr=False)
    """Reference rules: the key set itself, in the executing engine's form."""

    @property
    def key(self) -> str:
        return f"{self.table}.{self.name}"

    @property
    def broken(self) -> pl.Expr:
        """The rule compiled for Polars."""
        if self.reference is not None:
            col = pl.col(self.column)
            return col.is_not_null() & ~col.is_in(self.keys.implode())
        return pl.sql_expr(self.predicate)


@dataclass(frozen=True)
class RuleCount:
    rule: Rule
    rows_checked: int
    rows_failed: int
    threshold: RuleThreshold

    @property
    def pct(self) -> float:
        return 100.0 * self.rows_failed / self.rows_checked if self.rows_checked else 0.0

    @property
    def severity(self) -> str:
        if self.rows_failed == 0:
            return "info"
        if self.pct > self.threshold.fail_above_pct:
            return "fail"
        if self.pct > self.threshold.warn_above_pct:
            return "warn"
        return "info"


@dataclass(frozen=True)
class RuleOutcome:
    passed: pl.DataFrame
    quarantined: pl.DataFrame
    """The broken rows, with `_rules_broken` (comma-separated rule names)."""
    counts: list[RuleCount]

    @property
    def failed(self) -> list[RuleCount]:
        return [c for c in self.counts if c.severity == "fail"]


@dataclass(frozen=True)
class References:
    """Keys that referential-integrity rules check against (None: not checked). The
    values are whatever the executing engine holds keys in (Polars: a Series)."""

    product_ids: Any = None
    warehouse_ids: Any = None
    customer_ids: Any = None
    supplier_ids: Any = None
    order_ids: Any = None


def _not_null(table: str, column: str) -> Rule:
    return Rule(table, f"{column}_not_null", f"{column} IS NULL", f"{column} is present")


def _known(table: str, column: str, refs: References, reference: str, what: str) -> list[Rule]:
    keys = getattr(refs, reference)
    if keys is None:
        return []
    return [
        Rule(
            table,
            f"{column}_known",
            f"{column} IS NOT NULL AND {column} NOT IN ({reference})",
            f"{column} exists in {what}",
            column=column,
            reference=reference,
            keys=keys,
        )
    ]


def _range(table: str, name: str, broken: str, description: str) -> Rule:
    return Rule(table, name, broken, description)


def rules_for(table: str, refs: References) -> list[Rule]:
    """The business rules of one silver table."""
    if table == "orders":
        return [
            _not_null(table, "order_id"),
            _not_null(table, "business_date"),
            *_known(table, "warehouse_id", refs, "warehouse_ids", "warehouses"),
            *_known(table, "customer_id", refs, "customer_ids", "customers"),
            _range(table, "order_amount_non_negative", "order_amount < 0", "amount >= 0"),
        ]
    if table == "order_lines":
        return [
            _not_null(table, "order_id"),
            *_known(table, "order_id", refs, "order_ids", "the day's valid orders"),
            *_known(table, "product_id", refs, "product_ids", "the product dimension"),
            _range(table, "quantity_positive", "quantity <= 0", "quantity > 0"),
            _range(table, "unit_price_non_negative", "unit_price_cents < 0", "price >= 0"),
        ]
    if table == "inventory_snapshots":
        return [
            *_known(table, "product_id", refs, "product_ids", "the product dimension"),
            *_known(table, "warehouse_id", refs, "warehouse_ids", "warehouses"),
            _range(table, "on_hand_non_negative", "on_hand_units < 0", "on hand >= 0"),
        ]
    if table == "purchase_orders":
        return [
            *_known(table, "supplier_id", refs, "supplier_ids", "suppliers"),
            *_known(table, "warehouse_id", refs, "warehouse_ids", "warehouses"),
        ]
    if table == "purchase_order_lines":
        return [
            *_known(table, "product_id", refs, "product_ids", "the product dimension"),
            _range(table, "qty_ordered_positive", "qty_ordered <= 0", "ordered > 0"),
            _range(table, "qty_received_non_negative", "qty_received < 0", "received >= 0"),
        ]
    if table == "supplier_prices":
        return [
            _not_null(table, "supplier_id"),
            _not_null(table, "sku"),
            *_known(table, "supplier_id", refs, "supplier_ids", "suppliers"),
            _range(table, "unit_cost_non_negative", "unit_cost_eur < 0", "cost >= 0"),
        ]
    # Dimensions: the key must be there; everything else is the source's truth.
    key = {
        "warehouses": "warehouse_id",
        "suppliers": "supplier_id",
        "categories": "category_id",
        "products": "product_id",
        "customers": "customer_id",
    }.get(table)
    return [_not_null(table, key)] if key else []


def threshold_for(quality: QualityConfig, rule: Rule) -> RuleThreshold:
    return quality.rules.get(rule.key, quality.default_rule)


def apply_rules(
    frame: pl.DataFrame, rules: Sequence[Rule], quality: QualityConfig, run_id: str
) -> RuleOutcome:
    """Split a typed batch into rows that pass every rule and rows to quarantine."""
    if not rules or frame.height == 0:
        counts = [RuleCount(r, frame.height, 0, threshold_for(quality, r)) for r in rules]
        return RuleOutcome(frame, _no_quarantine(frame, run_id), counts)
    flags = frame.select(
        [r.broken.fill_null(False).alias(f"__rule_{i}") for i, r in enumerate(rules)]
    )
    counts = [
        RuleCount(r, frame.height, int(flags[f"__rule_{i}"].sum()), threshold_for(quality, r))
        for i, r in enumerate(rules)
    ]
    # Most batches break no rule: they pass as they are, not copied by a filter (a
    # day's inventory snapshot is the run's largest frame).
    if not any(c.rows_failed for c in counts):
        return RuleOutcome(frame, _no_quarantine(frame, run_id), counts)
    names = pl.concat_str(
        [
            pl.when(pl.col(f"__rule_{i}")).then(pl.lit(r.name)).otherwise(None)
            for i, r in enumerate(rules)
        ],
        separator=",",
        ignore_nulls=True,
    )
    labelled = pl.concat([frame, flags.select(names.alias(RULES_COLUMN))], how="horizontal")
    bad = pl.col(RULES_COLUMN) != ""
    quarantined = labelled.filter(bad).with_columns(
        pl.lit(run_id, dtype=pl.String).alias(RUN_ID_COLUMN)
    )
    passed = labelled.filter(~bad).drop(RULES_COLUMN)
    return RuleOutcome(passed, quarantined, counts)


def _no_quarantine(frame: pl.DataFrame, run_id: str) -> pl.DataFrame:
    """An empty quarantine with the columns a quarantined batch has."""
    return frame.clear().with_columns(
        pl.lit("", dtype=pl.String).alias(RULES_COLUMN),
        pl.lit(run_id, dtype=pl.String).alias(RUN_ID_COLUMN),
    )


@dataclass(frozen=True)
class DedupOutcome:
    kept: pl.DataFrame
    duplicates: int


def drop_duplicates(
    frame: pl.DataFrame, keys: Sequence[str], seen: pl.DataFrame | None = None
) -> DedupOutcome:
    """Keep the first row per key (in arrival order), then drop rows whose keys were
    already `seen` in earlier batches (`seen`'s columns are the keys compared, e.g.
    order lines against earlier order ids). Rows with a null key never match."""
    if not keys or frame.height == 0:
        return DedupOutcome(frame, 0)
    first = pl.struct(list(keys)).is_first_distinct()
    keep = frame.select(first | pl.any_horizontal([pl.col(k).is_null() for k in keys]))
    mask = keep.to_series()
    # Without duplicates the batch is kept as it is, not copied by a filter.
    kept = frame if mask.all() else frame.filter(mask)
    if seen is not None and seen.height:
        kept = kept.join(seen.unique(), on=seen.columns, how="anti", maintain_order="left")
    return DedupOutcome(kept, frame.height - kept.height)
