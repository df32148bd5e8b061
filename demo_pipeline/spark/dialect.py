"""The gold model's SQL (demo_pipeline/gold/sql/*.sql, written for DuckDB) compiled
to Spark SQL with sqlglot, so the model is written once.

`sqlglot.transpile(read="duckdb", write="spark")` does most of it (strftime,
QUALIFY, min_by, GROUP BY ALL...). Five DuckDB constructs have no Spark twin or are
translated wrongly by sqlglot 30, and are rewritten here on the parsed tree, each in
one function with the reason:
- `ASOF [LEFT] JOIN t ON a.k = t.k AND a.ts >= t.from`: Spark has no as-of join. The
  row it picks is the version of `t` whose `from` is the latest at or before `a.ts`,
  which is the version with `from <= a.ts < next from` (per key, ordered by `from`;
  the SCD2 check guarantees distinct `from` per key). So `t` gets its next `from`
  with `lead()` and the join becomes a plain range join.
- `isodow(d)`: sqlglot writes `(dayofweek(d) % 7) + 1`, which is not ISO (Monday is
  3); Spark's `extract(DAYOFWEEK_ISO FROM d)` is.
- `dayname(d)`: Spark 3.5 has none; `date_format(d, 'EEEE')` is the same English name.
- `x / y`: DuckDB's `/` is floating-point division for every numeric type; Spark keeps
  decimals as decimals (`sum(n) / 14.0` is a DECIMAL there, and rounds differently),
  so both operands are cast to DOUBLE.
- `range(a, b, step) AS t(d)` as a table: the caller provides the calendar as a view
  (`CALENDAR_VIEW`, one column `d`) and the FROM clause reads it.

Placeholders `read_parquet({name})` become the Spark view `{name}`, and the other
`{name}` placeholders are formatted as in the DuckDB build.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from demo_pipeline.gold.build import sql_template

CALENDAR_VIEW = "calendar_days"
NEXT_FROM = "__asof_next"


def statements(name: str, **params: str) -> list[exp.Expression]:
    """The file's statements, parsed as DuckDB, with placeholders bound: a
    `read_parquet({x})` reads the Spark view named by `params[x]`."""
    text = re.sub(r"read_parquet\(\{(\w+)\}\)", r"{\1}", sql_template(name))
    return sqlglot.parse(text.format(**params), read="duckdb")


def select_of(statement: exp.Expression) -> exp.Expression:
    """The query of an INSERT ... SELECT or CREATE ... AS SELECT."""
    if isinstance(statement, exp.Insert | exp.Create):
        return statement.expression
    return statement


def to_spark(query: exp.Expression) -> str:
    """A DuckDB query as Spark SQL (the rewrites of the module docstring applied)."""
    tree = query.copy()
    for join in list(tree.find_all(exp.Join)):
        if (join.args.get("method") or "").upper() == "ASOF":
            _asof_to_range_join(join)
    tree = tree.transform(_functions)
    for table in list(tree.find_all(exp.Table)):
        if (
            isinstance(table.this, exp.Anonymous | exp.Func)
            and "RANGE" in table.sql("duckdb")[:6].upper()
        ):
            table.replace(exp.to_table(CALENDAR_VIEW))
    return tree.sql(dialect="spark")


def _functions(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Div):
        node.set("this", exp.cast(node.this, exp.DataType.Type.DOUBLE))
        node.set("expression", exp.cast(node.expression, exp.DataType.Type.DOUBLE))
        return node
    if isinstance(node, exp.DayOfWeekIso):
        return exp.Extract(this=exp.var("DAYOFWEEK_ISO"), expression=node.this)
    if isinstance(node, exp.Dayname):
        return exp.func("date_format", node.this, exp.Literal.string("EEEE"))
    return node


def _asof_to_range_join(join: exp.Join) -> None:
    table = join.this
    alias = table.alias_or_name
    condition = join.args["on"]
    keys = [e for e in condition.find_all(exp.EQ)]
    [bound] = [e for e in condition.find_all(exp.GTE)]
    if not isinstance(bound.expression, exp.Column) or bound.expression.table != alias:
        raise ValueError(
            f"ASOF join on {alias!r}: expected `x >= {alias}.<column>`; found {bound.sql()}"
        )
    order = bound.expression.name
    partition = [k.expression.name if k.expression.table == alias else k.this.name for k in keys]
    source = table.copy()
    source.set("alias", None)
    lead = f"LEAD({order}) OVER (PARTITION BY {', '.join(partition)} ORDER BY {order})"
    inner = sqlglot.parse_one(
        f"(SELECT *, {lead} AS {NEXT_FROM} FROM {source.sql('spark')}) AS {alias}", read="spark"
    )
    table.replace(inner)
    upper = f"({alias}.{NEXT_FROM} IS NULL OR {bound.this.sql('spark')} < {alias}.{NEXT_FROM})"
    join.set("on", exp.and_(condition, sqlglot.parse_one(upper, read="spark")))
    join.set("method", None)
