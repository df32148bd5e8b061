"""The upsert loader: tables into a DuckDB file, a row per key, inserted or updated.

Each table is created on first load with a primary key on its key columns, then loaded
with `INSERT ... ON CONFLICT (key) DO UPDATE`: a row whose key is new is added, a row
whose key is there already replaces the stored values. Loading the same batch twice
leaves the same table, so a failed day can simply be run again. A batch loads in one
transaction: a failure leaves the file as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from demo_pipeline.errors import ConfigError
from demo_pipeline.tables import TABLES
from demo_pipeline.toolkit.protocols import Tables


def _ident(name: str) -> str:
    """A quoted SQL identifier (table names such as `quarantine.orders` have a dot)."""
    return '"' + name.replace('"', '""') + '"'


class DuckDBUpsertLoader:
    """Upserts every table of the batch into the DuckDB file `database`, by its key:
    `keys[table]` if given, else the table's keys in the table registry. A table with
    neither is an error naming it, as is a batch with two rows for one key."""

    def __init__(self, database: Path, keys: dict[str, list[str]] | None = None) -> None:
        self.database = database
        self.keys = keys or {}

    def key_of(self, table: str) -> list[str]:
        if table in self.keys:
            return self.keys[table]
        if table in TABLES.names:
            return list(TABLES[table].keys)
        raise ConfigError(
            f"upsert loader: keys: expected the key columns of table {table!r} (it is not in "
            f"the table registry); found none"
        )

    def load(self, tables: Tables, business_date: dt.date) -> dict[str, int]:
        self.database.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.database))
        try:
            con.execute("BEGIN TRANSACTION")
            written = {table: self._upsert(con, table, frame) for table, frame in tables.items()}
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.close()
        return written

    def _upsert(self, con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
        keys = self.key_of(table)
        missing = [k for k in keys if k not in frame.columns]
        if missing:
            raise ConfigError(
                f"upsert loader: table {table!r}: expected key columns {keys}; "
                f"{missing} not among {frame.columns}"
            )
        repeated = frame.height - frame.select(keys).unique().height
        if repeated:
            raise ConfigError(
                f"upsert loader: table {table!r}: expected one row per key {keys}; found "
                f"{repeated} repeated key(s) (de-duplicate first, e.g. with the silver step)"
            )
        con.register("batch", frame)
        try:
            columns = ", ".join(_ident(c) for c in frame.columns)
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {_ident(table)} AS SELECT {columns} FROM batch LIMIT 0"
            )
            # ON CONFLICT needs a unique index on the key (a primary key cannot be added to
            # a table created with CREATE TABLE ... AS).
            index = _ident(f"{table}__key")
            key_list = ", ".join(_ident(k) for k in keys)
            con.execute(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {index} ON {_ident(table)} ({key_list})"
            )
            updates = ", ".join(
                f"{_ident(c)} = excluded.{_ident(c)}" for c in frame.columns if c not in keys
            )
            action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
            con.execute(
                f"INSERT INTO {_ident(table)} ({columns}) SELECT {columns} FROM batch "
                f"ON CONFLICT ({key_list}) {action}"
            )
        finally:
            con.unregister("batch")
        return frame.height
