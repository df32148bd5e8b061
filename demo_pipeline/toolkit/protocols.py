"""The three interfaces a pipeline is assembled from: extract, transform, load.

They are typing Protocols, not base classes: anything with the right attributes and
methods fits, so the repository's own extractors (`demo_pipeline.extract`) are
Extractors as they are, and a team's own class needs no import from here to be one.
Each is `runtime_checkable`, so the runner can say which part is missing what.

Data moves between the parts as `Tables`: table name -> Polars frame.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

import polars as pl

from demo_pipeline.extract.base import Extracted

Tables = dict[str, pl.DataFrame]
"""Table name -> the rows of that table in this batch."""


# --8<-- [start:protocols]
@runtime_checkable
class Extractor(Protocol):
    """Reads one source system for one business date."""

    source: str
    """The source's name (`erp`, `api`, `workbooks`)."""

    def extract(self, business_date: dt.date) -> list[Extracted]:
        """Every table the source yields for `business_date`; raises SourceError naming
        the source when it cannot be read."""
        ...


@runtime_checkable
class Transformer(Protocol):
    """Turns a batch of tables into another (checks, cleaning, modelling)."""

    name: str

    def transform(self, tables: Tables, business_date: dt.date) -> Tables:
        """The tables after this step. A step may add tables (a quarantine, a dimension)
        and must not change the frames it was given."""
        ...


@runtime_checkable
class Loader(Protocol):
    """Writes a batch of tables to where they are kept."""

    def load(self, tables: Tables, business_date: dt.date) -> dict[str, int]:
        """Rows written per table. Loading the same batch twice leaves the same result."""
        ...
        # --8<-- [end:protocols]
