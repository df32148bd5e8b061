"""The silver stage of one day on Spark: the same declarations as the Polars engine
(demo_pipeline/silver/stage.py), compiled for Spark.

Per table, as in stage.py: the bronze partition -> schema contract (the contract's
`plan_schema`, cast with Spark functions) -> business rules (the declared SQL
predicates through `F.expr`, reference rules as joins; demo_pipeline/spark/rules.py)
-> quarantine -> de-duplication by the registry's keys (first row in arrival order)
-> the silver partition, written in the lake's layout (demo_pipeline/spark/io.py).

What stays on the driver, and why:
- the per-rule counts, the contract's unparsed-value counts and row counts: one small
  aggregate row each, never rows of a fact table;
- dimensions' SCD1/SCD2 merge: a dimension is small (10,247 products at scale 1), and
  its history logic is the shared pure function (silver/scd1.py, silver/scd2.py), run
  on the dimension's rows handed over as Parquet. The fact tables never leave Spark.

The outcome is the Polars engine's `SilverOutcome`, so the runner, the conservation
check and the quality hooks read it unchanged.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow.parquet as pq

from demo_pipeline.bronze import PartitionWrite, remove_partition
from demo_pipeline.core.context import DayContext
from demo_pipeline.core.results import CheckResult
from demo_pipeline.errors import SourceError
from demo_pipeline.silver.conservation import Conservation
from demo_pipeline.silver.contracts import (
    CastStep,
    contract_for,
    describe_problems,
    plan_schema,
    unparsed_problem,
)
from demo_pipeline.silver.rules import RULES_COLUMN, RUN_ID_COLUMN, References, rules_for
from demo_pipeline.silver.stage import (
    DimensionState,
    SilverOutcome,
    TableOutcome,
    apply_dimension,
    fact_files,
    keep_previous_references,
    quarantine_partition,
    rule_checks,
    silver_partition,
)
from demo_pipeline.spark.io import write_file, write_partition
from demo_pipeline.spark.rules import evaluate_rules
from demo_pipeline.spark.types import spark_type
from demo_pipeline.tables import TABLES

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ROW = "__row"
"""Arrival order within the day's batch (a single bronze file keeps its order)."""


def build_silver_spark(
    ctx: DayContext, spark: SparkSession, unavailable: dict[str, str] | None = None
) -> SilverOutcome:
    """stage.build_silver, on Spark. Never raises for one bad table."""
    unavailable = unavailable or {}
    out = SilverOutcome()
    refs: dict[str, pl.Series] = {}
    state = DimensionState(ctx.workdir)
    day_orders: DataFrame | None = None
    for table in TABLES.names:
        if table == TABLES.facts[0]:
            keep_previous_references(ctx, state, refs)
        if table in unavailable:
            out.tables[table] = TableOutcome(table, "failed", detail=unavailable[table])
            continue
        upstream = TABLES[table].depends_on
        if upstream and out.tables[upstream].status != "ok":
            out.tables[table] = _hold_for_upstream(
                ctx, spark, table, out.tables[upstream], out.checks
            )
            continue
        try:
            bronze = _read_bronze(ctx, spark, table)
        except FileNotFoundError:
            out.tables[table] = TableOutcome(table, "missing", detail="no bronze partition today")
            continue
        except SourceError as exc:
            out.tables[table] = TableOutcome(table, "failed", detail=str(exc))
            ctx.log.event("silver.table_failed", level="error", table=table, error=str(exc))
            continue
        references = References(
            product_ids=_keys(spark, refs.get("products")),
            warehouse_ids=_keys(spark, refs.get("warehouses")),
            customer_ids=_keys(spark, refs.get("customers")),
            supplier_ids=_keys(spark, refs.get("suppliers")),
            order_ids=day_orders if table == "order_lines" else None,
        )
        cleaned, kept, valid = _clean(ctx, spark, table, bronze, references, out.checks)
        if isinstance(cleaned, TableOutcome):  # halted
            out.tables[table] = cleaned
            continue
        assert kept is not None
        if TABLES[table].kind == "dimension":
            rows = _to_polars(kept)
            outcome = out.tables[table] = _finish(ctx, cleaned, rows.height, out.checks)
            refs[table] = apply_dimension(ctx, table, rows, state, outcome)
        else:
            if table == "orders":
                day_orders = valid
            partition = silver_partition(ctx.workdir.silver, table, ctx.business_date)
            written = write_partition(kept, partition, order=ROW)
            outcome = out.tables[table] = _finish(ctx, cleaned, written.rows, out.checks)
            outcome.silver_write = written
        if table == "order_lines" and day_orders is not None:
            day_orders.unpersist()
    return out


def _keys(spark: SparkSession, ids: pl.Series | None) -> DataFrame | None:
    """A dimension's known keys (small) as a one-column Spark frame `key`."""
    if ids is None:
        return None
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType([StructField("key", LongType())])
    # Handed over as Arrow (the session enables it), so the frame lives in the JVM: a
    # list of Python tuples would become a Python RDD, run again by Python workers in
    # every job that joins with it.
    keys = ids.drop_nulls().cast(pl.Int64).rename("key").to_frame().to_pandas()
    return spark.createDataFrame(keys, schema)


def _read_bronze(ctx: DayContext, spark: SparkSession, table: str) -> Bronze:
    file = ctx.workdir.bronze_file(TABLES[table].source, table, ctx.business_date)
    if not file.exists():
        raise FileNotFoundError(file)
    try:
        # The footer gives the row count and the types as Polars reads them (a column
        # of nulls only is Null, where Spark would say bigint): metadata, no rows.
        footer = pq.ParquetFile(file)
        schema = pl.from_arrow(footer.schema_arrow.empty_table()).schema
        return Bronze(spark.read.parquet(str(file)), dict(schema), footer.metadata.num_rows)
    except Exception as exc:
        raise SourceError(f"bronze file {file} for table {table!r} is unreadable ({exc})") from exc


@dataclass(frozen=True)
class Bronze:
    frame: DataFrame
    schema: dict[str, pl.DataType]
    rows: int


def _cast(step: CastStep, empty: bool):
    """One contract step as a Spark column (the Polars twin is contracts._cast)."""
    from pyspark.sql import functions as F

    stored = spark_type(step.stored)
    if step.found is None or step.found == pl.Null or empty:
        return F.lit(None).cast(stored).alias(step.name)
    col = F.col(f"`{step.name}`")
    if step.found == pl.String and step.stored == pl.Date:
        return F.to_date(F.substring(col, 1, 10), "yyyy-MM-dd").alias(step.name)
    if step.found == pl.String and step.stored == pl.Datetime:
        text = F.substring(col, 1, 19)
        return F.to_timestamp_ntz(text, F.lit("yyyy-MM-dd'T'HH:mm:ss")).alias(step.name)
    return col.cast(stored).alias(step.name)


def _clean(
    ctx: DayContext,
    spark: SparkSession,
    table: str,
    bronze: Bronze,
    refs: References,
    checks: list[CheckResult],
) -> tuple[TableOutcome | _Cleaned, DataFrame | None, DataFrame | None]:
    """stage._clean on Spark. Returns the halted outcome, or the cleaned batch and the
    rows to keep (with ROW) and, for orders, the keys that passed the rules."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    version = ctx.contract_versions.get(table, TABLES[table].contract)
    contract = contract_for(table, version)
    origin = str(ctx.workdir.bronze_partition(TABLES[table].source, table, ctx.business_date))
    rows_in = bronze.rows
    plan = plan_schema(bronze.schema, rows_in == 0, contract)
    problems = list(plan.problems)
    staged = None
    if not problems:
        parsing = [s for s in plan.steps if s.parses]
        staged = bronze.frame.select(
            F.monotonically_increasing_id().alias(ROW),
            *[_cast(s, rows_in == 0) for s in plan.steps],
            *[F.col(f"`{s.name}`").alias(f"__raw_{s.name}") for s in parsing],
        )
        if parsing and rows_in:
            problems += _unparsed(staged, parsing)
    if problems:
        message = describe_problems(table, contract.version, origin, problems)
        checks.append(
            ctx.check(
                1, table, "schema_contract", rows_checked=rows_in, rows_failed=rows_in,
                severity="halt", action="halted", detail=message,
            )
        )  # fmt: skip
        ctx.log.event("silver.schema_halt", level="error", table=table, error=message)
        held = Conservation(table, rows_in, 0, 0, 0, rows_in)
        return TableOutcome(table, "halted", held, detail=message, halt="schema"), None, None
    note = f"contract v{contract.version}"
    if plan.extras:
        note += f"; columns not in the contract dropped: {plan.extras}"
    checks.append(ctx.check(1, table, "schema_contract", rows_checked=rows_in, detail=note))

    assert staged is not None
    columns = list(contract.columns)
    typed = staged.select(ROW, *[F.col(f"`{c}`") for c in columns]).cache()
    ruled = evaluate_rules(typed, rules_for(table, refs), ctx.cfg.quality, rows_in)
    checks += rule_checks(ctx, table, ruled.counts)
    failed = [c for c in ruled.counts if c.severity == "fail"]
    if ctx.cfg.quality.halt_on_rule_failure and failed:
        typed.unpersist()
        names = ", ".join(f"{c.rule.name} {c.pct:.1f}%" for c in failed)
        message = f"table {table!r}: rules above their fail threshold ({names}); batch held"
        ctx.log.event("silver.rule_halt", level="error", table=table, error=message)
        held = Conservation(table, rows_in, 0, 0, 0, rows_in)
        return TableOutcome(table, "halted", held, detail=message, halt="rules"), None, None

    quarantine = quarantine_partition(ctx.workdir.quarantine, table, ctx.business_date)
    quarantine_write = None
    if ruled.quarantined_rows:
        bad = ruled.labelled.filter(F.col(RULES_COLUMN) != "").select(
            ROW, *[F.col(f"`{c}`") for c in columns], RULES_COLUMN,
            F.lit(ctx.run_id).alias(RUN_ID_COLUMN),
        )  # fmt: skip
        quarantine_write = write_partition(bad, quarantine, ruled.quarantined_rows, order=ROW)
    else:
        remove_partition(quarantine)  # a re-run with nothing to quarantine leaves nothing
    passed = ruled.labelled.filter(F.col(RULES_COLUMN) == "").select(ROW, *columns)
    passed_rows = rows_in - ruled.quarantined_rows

    keys = list(contract.keys)
    kept = passed
    if keys and passed_rows:
        first = Window.partitionBy(*keys).orderBy(ROW)
        any_null = F.lit(False)
        for k in keys:
            any_null = any_null | F.col(k).isNull()
        kept = (
            passed.withColumn("__n", F.row_number().over(first))
            .filter((F.col("__n") == 1) | any_null)
            .drop("__n")
        )
        seen = _seen_keys(ctx, spark, table)
        if seen is not None:
            kept = kept.join(seen, on=seen.columns, how="left_anti")
    typed.unpersist()
    return (
        _Cleaned(table, rows_in, passed_rows, ruled.quarantined_rows, keys, note, quarantine_write),
        kept,
        (passed.select(*keys).cache() if table == "orders" else None),
    )


def _finish(
    ctx: DayContext, cleaned: _Cleaned, kept_rows: int, checks: list[CheckResult]
) -> TableOutcome:
    """Duplicates and conservation, once the kept rows are written (and so counted)."""
    table, passed_rows, keys = cleaned.table, cleaned.passed_rows, cleaned.keys
    duplicates = passed_rows - kept_rows
    if duplicates:
        checks.append(
            ctx.check(
                2,
                table,
                "duplicates_dropped",
                rows_checked=passed_rows,
                rows_failed=duplicates,
                severity="info",
                action="logged",
                detail=f"{duplicates} duplicate row(s) by key {keys}",
            )
        )
    conservation = Conservation(table, cleaned.rows_in, kept_rows, cleaned.quarantined, duplicates)
    return TableOutcome(
        table, "ok", conservation, detail=cleaned.note, quarantine_write=cleaned.quarantine_write
    )


@dataclass(frozen=True)
class _Cleaned:
    """A batch that passed its contract and rules, before its kept rows are counted."""

    table: str
    rows_in: int
    passed_rows: int
    quarantined: int
    keys: list[str]
    note: str
    quarantine_write: PartitionWrite | None


def _unparsed(staged: DataFrame, parsing: list[CastStep]) -> list[str]:
    """contracts._unparsed_values on Spark: one aggregate row, not the rows."""
    from pyspark.sql import functions as F

    aggs = []
    for s in parsing:
        bad = F.col(f"__raw_{s.name}").isNotNull() & F.col(f"`{s.name}`").isNull()
        aggs.append(F.sum(F.when(bad, 1).otherwise(0)).alias(f"n{len(aggs)}"))
        aggs.append(
            F.min_by(F.col(f"__raw_{s.name}"), F.when(bad, F.col(ROW))).alias(f"e{len(aggs)}")
        )
    row = staged.agg(*aggs).first()  # driver: one row of counts and examples
    problems = []
    for i, s in enumerate(parsing):
        count = int(row[2 * i] or 0)
        if count:
            problems.append(unparsed_problem(s.name, s.stored, count, row[2 * i + 1]))
    return problems


def _seen_keys(ctx: DayContext, spark: SparkSession, table: str) -> DataFrame | None:
    """stage._seen_keys: order ids loaded on earlier days (orders and their lines)."""
    if table not in ("orders", "order_lines"):
        return None
    files = fact_files(ctx.workdir.silver, "orders", before=ctx.business_date)
    if not files:
        return None
    return spark.read.parquet(*[str(f) for f in files]).select("order_id").distinct()


def _to_polars(frame: DataFrame) -> pl.DataFrame:
    """A dimension's day rows (small), handed to the shared SCD code as Parquet, in
    arrival order (the SCD merge's tie-breaks follow it, as in the Polars engine)."""
    with tempfile.TemporaryDirectory(prefix=".spark-dim-") as tmp:
        path = Path(tmp) / "rows.parquet"
        write_file(frame, path, order=ROW)
        return pl.read_parquet(path)


def _hold_for_upstream(
    ctx: DayContext,
    spark: SparkSession,
    table: str,
    upstream: TableOutcome,
    checks: list[CheckResult],
) -> TableOutcome:
    """stage._hold_for_upstream: the rows are counted by Spark, not read here."""
    try:
        rows = _read_bronze(ctx, spark, table).rows
    except (FileNotFoundError, SourceError):
        return TableOutcome(table, upstream.status, detail=f"{upstream.table} {upstream.status}")
    detail = f"held because {upstream.table!r} is {upstream.status} today"
    checks.append(
        ctx.check(
            1, table, "upstream_halted", rows_checked=rows, rows_failed=rows,
            severity="halt", action="halted", detail=detail,
        )
    )  # fmt: skip
    return TableOutcome(
        table, "halted", Conservation(table, rows, 0, 0, 0, rows), detail=detail, halt="upstream"
    )
