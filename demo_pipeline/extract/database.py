"""The ERP extractor: incremental by an `updated_at` watermark, plus a key list for
small dimension tables so that hard deletes (a row that is simply gone) are seen.

Watermarks are kept per business date in `<state>/watermarks/<date>.json`. Day D
reads the watermark left by the latest earlier day, so re-running day D (a backfill)
extracts exactly what the first run of day D extracted: re-runs are idempotent.

SQL is plain ANSI (`SELECT ... WHERE updated_at > '<iso>'`) and the connection is any
DB-API/ADBC connection Polars can read from, so the same code runs on SQLite (the
generated ERP) or PostgreSQL. The watermark is inlined as a literal rather than a
bound parameter because placeholder styles differ between drivers (`?`, `$1`, `%s`);
it is validated as an ISO timestamp first, so nothing user-typed reaches the SQL.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.errors import SourceError
from demo_pipeline.extract.base import Extracted, Extractor
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import dated_file, dated_files

ISO_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
KEYS_SUFFIX = "__keys"


@dataclass(frozen=True)
class TableSpec:
    """How one ERP relation is extracted."""

    name: str
    keys: tuple[str, ...]
    track_deletes: bool = False
    """Also read the full key list (`<name>__keys`), for small dimension tables."""
    watermark_column: str = "updated_at"
    indexed_date_column: str | None = None
    """A date column with `updated_at` >= it (an inventory snapshot is stamped on its own
    day): also filtering on it lets the database use its primary-key index instead of
    scanning every snapshot ever taken."""


# The ERP tables, from the table registry (an ERP relation carries its table's name).
ERP_TABLES: tuple[TableSpec, ...] = tuple(
    TableSpec(
        t.name,
        t.keys,
        track_deletes=t.track_deletes,
        indexed_date_column=t.indexed_date_column,
    )
    for t in TABLES
    if t.source == "erp"
)


def connector_for(url: str | None, sqlite_path: Path) -> tuple[Callable[[], Any], str]:
    """A connection factory and a printable origin: the generated SQLite file by
    default, or a PostgreSQL URL (`postgresql://...`, via psycopg) from the config."""
    if url is None:
        return sqlite_connector(sqlite_path), f"sqlite:{sqlite_path}"
    if url.startswith(("postgresql://", "postgres://")):

        def connect() -> Any:
            import psycopg

            try:
                return psycopg.connect(url)
            except psycopg.Error as exc:
                raise SourceError(f"ERP {_redact(url)}: cannot connect ({exc})") from exc

        return connect, _redact(url)
    raise SourceError(f"sources.erp.url: expected postgresql://... or null; found {_redact(url)}")


def _redact(url: str) -> str:
    """The URL without its password, for messages and manifests."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def sqlite_connector(path: Path) -> Callable[[], Any]:
    """A connection factory for the generated SQLite ERP (ADBC: Arrow end to end)."""

    def connect() -> Any:
        from adbc_driver_sqlite import dbapi

        if not path.is_file():
            raise SourceError(f"ERP database {path} not found (expected a SQLite file)")
        return dbapi.connect(str(path))

    return connect


class WatermarkStore:
    """Watermarks per business date: `<dir>/<YYYY-MM-DD>.json` -> {table: iso timestamp}."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def before(self, business_date: dt.date) -> dict[str, str]:
        """The watermarks left by the latest day before `business_date` ({} if none)."""
        earlier = sorted(
            p for p in dated_files(self.directory, ".json") if p.stem < business_date.isoformat()
        )
        if not earlier:
            return {}
        return json.loads(earlier[-1].read_text(encoding="utf-8"))

    def save(self, business_date: dt.date, watermarks: dict[str, str]) -> None:
        text = json.dumps(dict(sorted(watermarks.items())), indent=2)
        write_text_atomic(dated_file(self.directory, business_date, ".json"), text + "\n")


class DatabaseExtractor(Extractor):
    """Incremental extraction of the ERP relations in `tables`."""

    source = "erp"

    def __init__(
        self,
        connect: Callable[[], Any],
        watermarks_dir: Path,
        *,
        origin: str,
        tables: tuple[TableSpec, ...] = ERP_TABLES,
        prepare: Callable[[dt.date], None] | None = None,
    ) -> None:
        self.connect = connect
        self.prepare = prepare
        """Called before reading a day (the demo ERP moves its source clock there)."""
        self.watermarks = WatermarkStore(watermarks_dir)
        self.origin = origin
        self.tables = tables

    def extract(self, business_date: dt.date) -> list[Extracted]:
        if self.prepare is not None:
            self.prepare(business_date)
        previous = self.watermarks.before(business_date)
        new_marks: dict[str, str] = {}
        out: list[Extracted] = []
        try:
            conn = self.connect()
        except SourceError:
            raise
        except Exception as exc:
            raise SourceError(f"ERP {self.origin}: cannot connect ({exc})") from exc
        try:
            for spec in self.tables:
                mark = previous.get(spec.name)
                frame = self._read(conn, _changed_rows_sql(spec, mark), spec.name)
                new_marks[spec.name] = _next_watermark(frame, spec, mark)
                out.append(
                    Extracted(
                        self.source,
                        spec.name,
                        frame,
                        f"{self.origin}#{spec.name}",
                        notes={"watermark_from": mark, "watermark_to": new_marks[spec.name]},
                    )
                )
                if spec.track_deletes:
                    keys = self._read(conn, _key_list_sql(spec), spec.name)
                    out.append(
                        Extracted(
                            self.source,
                            spec.name + KEYS_SUFFIX,
                            keys,
                            f"{self.origin}#{spec.name}",
                        )
                    )
        finally:
            conn.close()
        self.watermarks.save(business_date, new_marks)
        return out

    def _read(self, conn: Any, sql: str, table: str) -> pl.DataFrame:
        try:
            return pl.read_database(sql, conn)
        except Exception as exc:
            raise SourceError(f"ERP {self.origin}: reading table {table!r} failed ({exc})") from exc


def _changed_rows_sql(spec: TableSpec, watermark: str | None) -> str:
    order = ", ".join(spec.keys)
    if watermark is None:
        return f"SELECT * FROM {spec.name} ORDER BY {order}"
    if not ISO_TS.match(watermark):
        raise SourceError(
            f"watermark for {spec.name!r}: expected 'YYYY-MM-DDTHH:MM:SS'; found {watermark!r}"
        )
    where = f"{spec.watermark_column} > '{watermark}'"
    if spec.indexed_date_column:
        where = f"{spec.indexed_date_column} >= '{watermark[:10]}' AND {where}"
    return f"SELECT * FROM {spec.name} WHERE {where} ORDER BY {order}"


def _key_list_sql(spec: TableSpec) -> str:
    cols = ", ".join(spec.keys)
    return f"SELECT {cols} FROM {spec.name} ORDER BY {cols}"


def _next_watermark(frame: pl.DataFrame, spec: TableSpec, previous: str | None) -> str | None:
    """The highest `updated_at` seen so far (never moves backwards)."""
    if frame.height == 0:
        return previous
    latest = frame.get_column(spec.watermark_column).max()
    if previous is None or (latest is not None and str(latest) > previous):
        return str(latest)
    return previous
