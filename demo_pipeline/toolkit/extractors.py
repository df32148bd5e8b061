"""The repository's three real extractors, built from a pipeline file's settings.

`DatabaseExtractor`, `OrdersApiExtractor` and `WorkbookExtractor` already satisfy the
`Extractor` protocol; they differ only in what their constructors need. The one adapter
here, `ErpExtractor`, opens the demo ERP as of each business date (its source clock), the
way the daily pipeline does, which `DatabaseExtractor` leaves to its connection factory.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from demo_pipeline.config import RetryConfig
from demo_pipeline.errors import ConfigError
from demo_pipeline.extract.api import OrdersApiExtractor
from demo_pipeline.extract.base import Extracted
from demo_pipeline.extract.database import ERP_TABLES, DatabaseExtractor, sqlite_connector
from demo_pipeline.extract.file import WorkbookExtractor

__all__ = ["ErpExtractor", "OrdersApiExtractor", "WorkbookExtractor", "orders_api"]


class ErpExtractor:
    """The SQLite ERP's relations named in `tables`, read incrementally by watermark
    (kept under `state`), with the ERP replayed as of each business date."""

    source = "erp"

    def __init__(self, database: Path, state: Path, tables: tuple[str, ...]) -> None:
        known = {spec.name: spec for spec in ERP_TABLES}
        unknown = [t for t in tables if t not in known]
        if unknown:
            raise ConfigError(
                f"ERP extractor: tables: expected ERP relations ({', '.join(known)}); "
                f"found {unknown}"
            )
        self.database = database
        self.state = state
        self.specs = tuple(known[t] for t in tables)

    def extract(self, business_date: dt.date) -> list[Extracted]:
        connect = sqlite_connector(self.database, as_of=business_date)
        return DatabaseExtractor(
            connect, self.state, origin=f"sqlite:{self.database.name}", tables=self.specs
        ).extract(business_date)


def orders_api(base_url: str, *, page_size: int, retries: int) -> OrdersApiExtractor:
    """The orders API extractor with the production retry schedule, without waiting (a
    pipeline file sets how many retries)."""
    return OrdersApiExtractor(base_url, RetryConfig(attempts=retries), page_size=page_size)
