"""The one interface every extractor implements.

An extractor reads one source system for one business date and hands back plain
Polars frames, one per table, plus what it noticed on the way (retries, header
variants it mapped). It never writes to the lake: the runner does that, so an
extractor can be tested against a real source without a work directory.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import polars as pl


@dataclass
class Extracted:
    """One table read from a source for one business date."""

    source: str
    table: str
    frame: pl.DataFrame
    origin: str
    """Where the rows came from: a file path, a URL or `sqlite:<path>#<table>`."""
    notes: dict[str, object] = field(default_factory=dict)
    """What the extractor noticed: `retries`, `pages`, `header_mapping`, `watermark`..."""

    @property
    def rows(self) -> int:
        return self.frame.height


# --8<-- [start:extractor]
class Extractor(ABC):
    """Read one source for one business date. Raises SourceError naming the source."""

    source: str

    @abstractmethod
    def extract(self, business_date: dt.date) -> list[Extracted]:
        """Every table this source yields for `business_date`."""
        # --8<-- [end:extractor]
