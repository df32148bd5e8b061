"""Tier 1: a schema contract per table, versioned.

A contract lists, per column, the types the source may send and the type silver
stores. A batch with a missing column, a column of another type, text that does not
parse as the declared date, or (for strict contracts) an unexpected column does not
pass: the table halts for that day and nothing downstream is updated from it.

Versions only widen what is accepted; the stored (silver) schema of a table is the
same for every version, so a day loaded under v1 equals the same day loaded under v2
(the drift backfill relies on that). Contracts are plain data checked with Polars
rather than a validation library: the checks are few, must report expected-vs-found
per column, and must also cast; see adr/ for the reasoning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from demo_pipeline.tables import TABLES

OPEN_TEXT_FORMATS = {
    pl.Date: "%Y-%m-%d",
    pl.Datetime: "%Y-%m-%dT%H:%M:%S",
}


@dataclass(frozen=True)
class Column:
    """One column of a contract: what the source may send, what silver stores."""

    stored: pl.DataType
    accepts: tuple[pl.DataType, ...] = ()
    """Source types accepted (default: the stored type). Text is accepted for dates."""
    required: bool = True
    """False: the column may be absent (it is then stored as nulls)."""
    forbidden: bool = False
    """The source must not send it yet (an older version of a column the table will get)."""

    def accepted(self) -> tuple[pl.DataType, ...]:
        if self.accepts:
            return self.accepts
        if self.stored in (pl.Date, pl.Datetime):
            return (pl.String,)
        return (self.stored,)


@dataclass(frozen=True)
class Contract:
    table: str
    version: int
    columns: dict[str, Column]
    strict: bool = False
    """Strict: an unexpected extra column is drift (halt). Otherwise extras are dropped."""

    @property
    def keys(self) -> tuple[str, ...]:
        """The columns that identify a row: the table's keys in the table registry."""
        return TABLES[self.table].keys

    def stored_schema(self) -> dict[str, pl.DataType]:
        return {name: col.stored for name, col in self.columns.items()}


@dataclass(frozen=True)
class ContractOutcome:
    """The typed frame if the batch passed, else the problems (expected vs found)."""

    table: str
    version: int
    frame: pl.DataFrame | None
    problems: list[str]
    dropped_columns: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


I64, F64, STR, DATE, TS = pl.Int64, pl.Float64, pl.String, pl.Date, pl.Datetime("us")

_ORDERS_V1 = {
    "order_id": Column(STR),
    "order_ts": Column(TS),
    "business_date": Column(DATE),
    "customer_id": Column(I64),
    "warehouse_id": Column(I64),
    "channel": Column(STR),
    "status": Column(STR),
    "currency": Column(STR),
    "order_amount": Column(F64, accepts=(I64,)),  # whole euros in v1
    "discount_type": Column(STR, required=False, forbidden=True),  # v1: must be absent
}
_ORDERS_V2 = {
    **_ORDERS_V1,
    "order_amount": Column(F64, accepts=(I64, F64)),  # v2: euros with cents
    "discount_type": Column(STR, required=False),
}

CONTRACTS: dict[str, dict[int, Contract]] = {
    "orders": {
        1: Contract("orders", 1, _ORDERS_V1, strict=True),
        2: Contract("orders", 2, _ORDERS_V2, strict=True),
    },
    "order_lines": {
        1: Contract(
            "order_lines",
            1,
            {
                "order_id": Column(STR),
                "line_no": Column(I64),
                "product_id": Column(I64),
                "quantity": Column(I64),
                "unit_price_cents": Column(I64),
            },
            strict=True,
        )
    },
    "warehouses": {
        1: Contract(
            "warehouses",
            1,
            {
                "warehouse_id": Column(I64),
                "code": Column(STR),
                "name": Column(STR),
                "city": Column(STR),
                "region": Column(STR),
                "capacity_units": Column(I64),
                "updated_at": Column(TS),
            },
        )
    },
    "suppliers": {
        1: Contract(
            "suppliers",
            1,
            {
                "supplier_id": Column(I64),
                "name": Column(STR),
                "country": Column(STR),
                "lead_time_days": Column(I64),
                "is_active": Column(I64),
                "updated_at": Column(TS),
            },
        )
    },
    "categories": {
        1: Contract(
            "categories",
            1,
            {
                "category_id": Column(I64),
                "name": Column(STR),
                "department": Column(STR),
                "updated_at": Column(TS),
            },
        )
    },
    "products": {
        1: Contract(
            "products",
            1,
            {
                "product_id": Column(I64),
                "sku": Column(STR),
                "name": Column(STR),
                "category_id": Column(I64),
                "supplier_id": Column(I64),
                "unit_cost_cents": Column(I64),
                "list_price_cents": Column(I64),
                "updated_at": Column(TS),
            },
        )
    },
    "customers": {
        1: Contract(
            "customers",
            1,
            {
                "customer_id": Column(I64),
                "name": Column(STR),
                "email": Column(STR),
                "city": Column(STR),
                "segment": Column(STR),
                "updated_at": Column(TS),
            },
        )
    },
    "inventory_snapshots": {
        1: Contract(
            "inventory_snapshots",
            1,
            {
                "snapshot_date": Column(DATE),
                "product_id": Column(I64),
                "warehouse_id": Column(I64),
                "on_hand_units": Column(I64),
                "on_order_units": Column(I64),
                "updated_at": Column(TS),
            },
        )
    },
    "purchase_orders": {
        1: Contract(
            "purchase_orders",
            1,
            {
                "po_id": Column(I64),
                "supplier_id": Column(I64),
                "warehouse_id": Column(I64),
                "order_date": Column(DATE),
                "expected_date": Column(DATE),
                "status": Column(STR),
                "updated_at": Column(TS),
            },
        )
    },
    "purchase_order_lines": {
        1: Contract(
            "purchase_order_lines",
            1,
            {
                "po_id": Column(I64),
                "line_no": Column(I64),
                "product_id": Column(I64),
                "qty_ordered": Column(I64),
                "qty_received": Column(I64),
                "unit_cost_cents": Column(I64),
                "updated_at": Column(TS),
            },
        )
    },
    "supplier_prices": {
        1: Contract(
            "supplier_prices",
            1,
            {
                "supplier_id": Column(I64),
                "sku": Column(STR),
                "unit_cost_eur": Column(F64, accepts=(I64, F64)),
                "min_order_qty": Column(I64),
                "valid_from": Column(DATE),
            },
        )
    },
}


def _check_against_registry() -> None:
    """Every table of the registry has a contract, of its starting version, with its keys."""
    if set(CONTRACTS) != set(TABLES.names):
        raise ValueError(
            f"schema contracts: expected one per table of {TABLES.path} "
            f"({sorted(TABLES.names)}); found {sorted(CONTRACTS)}"
        )
    for spec in TABLES:
        if spec.contract not in CONTRACTS[spec.name]:
            raise ValueError(
                f"schema contract of {spec.name!r}: expected version {spec.contract} "
                f"(key 'contract' in {TABLES.path}); found versions {sorted(CONTRACTS[spec.name])}"
            )
        for contract in CONTRACTS[spec.name].values():
            missing = [k for k in spec.keys if k not in contract.columns]
            if missing:
                raise ValueError(
                    f"schema contract {spec.name!r} v{contract.version}: expected the key "
                    f"columns {list(spec.keys)} of {TABLES.path}; found no {missing}"
                )


_check_against_registry()


def contract_for(table: str, version: int) -> Contract:
    """The newest version of `table`'s contract that is <= `version`."""
    versions = CONTRACTS[table]
    usable = [v for v in versions if v <= version]
    return versions[max(usable) if usable else min(versions)]


@dataclass(frozen=True)
class CastStep:
    """How one stored column is made from the batch: the contract compiled against the
    batch's schema, which each engine turns into its own expressions (Polars below,
    Spark in demo_pipeline/spark/silver.py)."""

    name: str
    found: pl.DataType | None
    """The batch's type; None when the column is absent (or forbidden): stored as nulls."""
    stored: pl.DataType

    @property
    def parses(self) -> bool:
        """Text parsed as a date or timestamp (unparseable text is a problem)."""
        return self.found == pl.String and self.stored in (pl.Date, pl.Datetime)


@dataclass(frozen=True)
class SchemaPlan:
    steps: list[CastStep]
    problems: list[str]
    extras: list[str]
    """Columns the batch has and the contract does not (dropped, or drift if strict)."""


# --8<-- [start:plan-schema]
def plan_schema(found: Mapping[str, pl.DataType], empty: bool, contract: Contract) -> SchemaPlan:
    """Check a batch's schema against its contract (types only, no rows read): the
    problems (expected vs found per column) or the cast of every stored column."""
    problems: list[str] = []
    steps: list[CastStep] = []
    for name, col in contract.columns.items():
        if name not in found:
            if col.required and not empty:
                problems.append(
                    f"column {name!r}: expected {_types(col.accepted())}; found missing"
                )
            steps.append(CastStep(name, None, col.stored))
            continue
        dtype = found[name]
        if col.forbidden:
            if not empty:
                problems.append(
                    f"column {name!r}: expected absent (contract v{contract.version}); "
                    f"found {dtype}"
                )
            steps.append(CastStep(name, None, col.stored))
            continue
        if empty or dtype == pl.Null or _matches(dtype, col.accepted()):
            steps.append(CastStep(name, dtype, col.stored))
        else:
            problems.append(f"column {name!r}: expected {_types(col.accepted())}; found {dtype}")
    extras = [c for c in found if c not in contract.columns]
    if extras and contract.strict and not empty:
        problems.extend(
            f"column {c!r}: expected absent (contract v{contract.version}); found {found[c]}"
            for c in extras
        )
    return SchemaPlan(steps, problems, extras)
    # --8<-- [end:plan-schema]


def validate_schema(frame: pl.DataFrame, contract: Contract) -> ContractOutcome:
    """Check a bronze batch against its contract; on success, cast it to silver types."""
    plan = plan_schema(frame.schema, frame.height == 0, contract)
    if plan.problems:
        return ContractOutcome(contract.table, contract.version, None, plan.problems, [])
    typed = frame.select([_cast(step) for step in plan.steps])
    problems = _unparsed_values(frame, typed, contract)
    if problems:
        return ContractOutcome(contract.table, contract.version, None, problems, [])
    return ContractOutcome(contract.table, contract.version, typed, [], plan.extras)


def unparsed_problem(name: str, stored: pl.DataType, count: int, example: object) -> str:
    """The problem text for text that did not parse as the declared date or timestamp."""
    fmt = OPEN_TEXT_FORMATS[pl.Date if stored == pl.Date else pl.Datetime]
    return (
        f"column {name!r}: expected {stored} text like '{fmt}'; "
        f"found {count} unparseable value(s), e.g. {example!r}"
    )


def _matches(dtype: pl.DataType, accepted: tuple[pl.DataType, ...]) -> bool:
    return any(
        dtype == a or (isinstance(a, pl.Datetime) and dtype == pl.Datetime) for a in accepted
    )


def _types(types: tuple[pl.DataType, ...]) -> str:
    return " or ".join(str(t) for t in types) if types else "absent"


def _cast(step: CastStep) -> pl.Expr:
    name, found, stored = step.name, step.found, step.stored
    if found is None:
        return pl.lit(None, dtype=stored).alias(name)
    col = pl.col(name)
    if found == pl.String and stored == pl.Date:
        return col.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias(name)
    if found == pl.String and stored == pl.Datetime:
        return (
            col.str.slice(0, 19)
            .str.to_datetime(OPEN_TEXT_FORMATS[pl.Datetime], time_unit="us", strict=False)
            .alias(name)
        )
    return col.cast(stored).alias(name)


def _unparsed_values(raw: pl.DataFrame, typed: pl.DataFrame, contract: Contract) -> list[str]:
    """Text that did not parse as the declared date or timestamp is a type change too."""
    problems = []
    for name, col in contract.columns.items():
        if col.stored not in (pl.Date, pl.Datetime) or name not in raw.columns:
            continue
        if raw.schema[name] != pl.String:
            continue
        bad = raw[name].is_not_null() & typed[name].is_null()
        count = int(bad.sum())
        if count:
            example = raw.filter(bad)[name][0]
            problems.append(unparsed_problem(name, col.stored, count, example))
    return problems


def describe_problems(table: str, version: int, origin: str, problems: list[str]) -> str:
    """The schema-contract halt message (tier 1 halts the table's batch; the run goes
    on): table, contract version, where from, expected vs found."""
    lines = "; ".join(problems)
    return f"table {table!r} (contract v{version}) from {origin}: {lines}"
