"""The silver business rules (declared once in silver/rules.py as SQL predicates)
compiled for Spark: a predicate through `F.expr`, a reference rule as a left join on
the reference keys. Every rule is compiled against its table's contract schema when
the engine starts (`check_rules`), so a rule Spark cannot evaluate stops the run
before anything is written, naming the rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from demo_pipeline.config import QualityConfig
from demo_pipeline.errors import ConfigError
from demo_pipeline.silver.contracts import CONTRACTS
from demo_pipeline.silver.rules import (
    RULES_COLUMN,
    References,
    Rule,
    RuleCount,
    rules_for,
    threshold_for,
)
from demo_pipeline.spark.types import spark_type
from demo_pipeline.tables import TABLES

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


class UntranslatableRule(ConfigError):
    """A declared rule the Spark compiler cannot evaluate (exit 2, nothing run)."""


@dataclass
class RuledBatch:
    labelled: DataFrame
    """The batch with `_rules_broken` (comma-separated names, "" when none broken)."""
    counts: list[RuleCount]
    quarantined_rows: int


def _broken(rule: Rule) -> Any:
    from pyspark.sql import functions as F

    if rule.reference is not None:
        return F.col(rule.column).isNotNull() & F.col(f"__ref_{rule.name}").isNull()
    return F.expr(rule.predicate)


def evaluate_rules(
    frame: DataFrame, rules: Sequence[Rule], quality: QualityConfig, rows: int
) -> RuledBatch:
    """rules.apply_rules on Spark: the labelled batch and the per-rule counts (one
    aggregate row). `rows` is the batch's row count."""
    from pyspark.sql import functions as F

    if not rules or rows == 0:
        counts = [RuleCount(r, rows, 0, threshold_for(quality, r)) for r in rules]
        return RuledBatch(frame.withColumn(RULES_COLUMN, F.lit("")), counts, 0)
    joined = frame
    for rule in rules:
        if rule.reference is not None:
            keys = rule.keys.select(
                F.col(rule.keys.columns[0]).alias(f"__key_{rule.name}"),
                F.lit(True).alias(f"__ref_{rule.name}"),
            ).distinct()
            joined = joined.join(
                F.broadcast(keys) if rule.reference != "order_ids" else keys,
                F.col(rule.column) == F.col(f"__key_{rule.name}"),
                "left",
            ).drop(f"__key_{rule.name}")
    flags = [F.coalesce(_broken(r), F.lit(False)) for r in rules]
    names = F.concat_ws(",", *[F.when(f, F.lit(r.name)) for f, r in zip(flags, rules, strict=True)])
    labelled = joined.withColumn(RULES_COLUMN, names).select(*frame.columns, RULES_COLUMN)
    flagged = joined.select(*[f.alias(f"__rule_{i}") for i, f in enumerate(flags)])
    any_broken = F.lit(False)
    for i in range(len(rules)):
        any_broken = any_broken | F.col(f"__rule_{i}")
    totals = flagged.agg(
        *[F.sum(F.col(f"__rule_{i}").cast("long")).alias(f"r{i}") for i in range(len(rules))],
        F.sum(any_broken.cast("long")).alias("any"),
    )
    sums = totals.first()  # driver: one row of counts
    counts = [
        RuleCount(r, rows, int(sums[i] or 0), threshold_for(quality, r))
        for i, r in enumerate(rules)
    ]
    return RuledBatch(labelled, counts, int(sums["any"] or 0))


def check_rules(spark: SparkSession, declared: dict[str, list[Rule]] | None = None) -> None:
    """Compile every declared rule against its table's stored schema; raise
    UntranslatableRule naming the first one Spark cannot evaluate."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructField, StructType

    if declared is None:
        every = References(**{k: True for k in References.__dataclass_fields__})
        declared = {t: rules_for(t, every) for t in TABLES.names}
    for table, rules in declared.items():
        contract = CONTRACTS[table][max(CONTRACTS[table])]
        schema = StructType(
            [StructField(n, spark_type(c.stored)) for n, c in contract.columns.items()]
        )
        empty = spark.createDataFrame([], schema)
        for rule in rules:
            if rule.reference is not None:
                if rule.column not in contract.columns:
                    raise UntranslatableRule(
                        f"rule {rule.key}: expected column {rule.column!r} in the contract of "
                        f"{table!r}; found {sorted(contract.columns)}"
                    )
                continue
            try:
                empty.select(F.expr(rule.predicate).cast("boolean")).schema  # noqa: B018
            except Exception as exc:
                first = str(exc).strip().splitlines()[0]
                raise UntranslatableRule(
                    f"rule {rule.key}: the Spark engine cannot translate its predicate "
                    f"{rule.predicate!r} ({first}); rewrite it in SQL both Polars and Spark "
                    "accept, or run with --engine polars"
                ) from None
