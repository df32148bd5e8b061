"""The silver and gold steps of the daily pipeline as Transformers.

`SilverTransformer` runs the silver stage's checks on a batch, table by table, with the
stage's own code: the schema contract (tier 1, `demo_pipeline.silver.contracts`), the
business rules with their quarantine (tier 2, `demo_pipeline.silver.rules`) and the
de-duplication by key. What the daily stage adds around them (reading bronze, history
for slowly changing dimensions, writing partitions) stays in the stage.

`GoldTransformer` runs one of the gold step's SQL files (`demo_pipeline/gold/sql/*.sql`)
in DuckDB over the batch: the tables it reads are handed over as Parquet files, as the
gold step reads silver, and the table the SQL creates joins the batch.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import duckdb

from demo_pipeline.config import QualityConfig
from demo_pipeline.errors import ConfigError, QualityError
from demo_pipeline.gold.build import quote, sql
from demo_pipeline.silver.contracts import contract_for, describe_problems, validate_schema
from demo_pipeline.silver.rules import References, apply_rules, drop_duplicates, rules_for
from demo_pipeline.tables import TABLES
from demo_pipeline.toolkit.protocols import Tables

QUARANTINE_PREFIX = "quarantine."
"""Rows a rule rejected come out as a table of their own: `quarantine.<table>`."""

# Reference checks: a table in the batch whose keys other tables' rules check against.
_REFERENCES = {
    "products": ("product_ids", "product_id"),
    "warehouses": ("warehouse_ids", "warehouse_id"),
    "customers": ("customer_ids", "customer_id"),
    "suppliers": ("supplier_ids", "supplier_id"),
    "orders": ("order_ids", "order_id"),
}


class SilverTransformer:
    """Tier 1 and tier 2 checks and de-duplication for every registry table in the batch.

    A batch that breaks its schema contract stops the run (QualityError naming the table,
    the contract and every problem). Rows breaking a rule leave the table for
    `quarantine.<table>`; the first row per key is kept. Tables the registry does not know
    pass through unchanged."""

    name = "silver"

    def __init__(
        self,
        quality: QualityConfig | None = None,
        contracts: dict[str, int] | None = None,
        run_id: str = "toolkit",
    ) -> None:
        self.quality = quality or QualityConfig()
        self.contracts = contracts or {}
        self.run_id = run_id

    def transform(self, tables: Tables, business_date: dt.date) -> Tables:
        out: Tables = {}
        references = References(
            **{
                field: tables[table][column]
                for table, (field, column) in _REFERENCES.items()
                if table in tables and column in tables[table].columns
            }
        )
        for table, frame in tables.items():
            if table not in TABLES.names:
                out[table] = frame
                continue
            contract = contract_for(table, self.contracts.get(table, TABLES[table].contract))
            verdict = validate_schema(frame, contract)
            if not verdict.passed or verdict.frame is None:
                raise QualityError(
                    describe_problems(
                        table, contract.version, f"batch of {business_date}", verdict.problems
                    )
                )
            ruled = apply_rules(
                verdict.frame, rules_for(table, references), self.quality, self.run_id
            )
            out[table] = drop_duplicates(ruled.passed, contract.keys).kept
            if ruled.quarantined.height:
                out[QUARANTINE_PREFIX + table] = ruled.quarantined
        return out


class GoldTransformer:
    """One gold SQL file run over the batch: `query` names the file (`dim_warehouse`),
    `inputs` maps each of its placeholders to a table of the batch, and the table the
    SQL creates, `output`, is added to the batch."""

    def __init__(self, query: str, inputs: dict[str, str], output: str | None = None) -> None:
        try:
            self.text = sql(query, **{name: "{" + name + "}" for name in inputs})
        except FileNotFoundError as exc:
            raise ConfigError(
                f"gold transformer: query: expected a file in demo_pipeline/gold/sql; "
                f"found no {query}.sql"
            ) from exc
        except KeyError as exc:
            raise ConfigError(
                f"gold transformer {query}: inputs: expected every placeholder of {query}.sql; "
                f"{exc.args[0]!r} is missing"
            ) from exc
        self.name = f"gold:{query}"
        self.query = query
        self.inputs = inputs
        self.output = output or query

    def transform(self, tables: Tables, business_date: dt.date) -> Tables:
        missing = [t for t in self.inputs.values() if t not in tables]
        if missing:
            raise ConfigError(
                f"gold transformer {self.query}: inputs: expected tables {missing} in the "
                f"batch; found {sorted(tables)}"
            )
        with tempfile.TemporaryDirectory(prefix="toolkit-gold-") as tmp:
            files = {}
            for placeholder, table in self.inputs.items():
                files[placeholder] = Path(tmp) / f"{table}.parquet"
                tables[table].write_parquet(files[placeholder])
            con = duckdb.connect()
            try:
                con.execute(self.text.format(**{p: quote(f) for p, f in files.items()}))
                result = con.sql(f"SELECT * FROM {self.output}").pl()
            finally:
                con.close()
        return {**tables, self.output: result}
