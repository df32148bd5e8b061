"""Where every output of a run lives. All paths hang off one work directory, so two
runs (say, two scales) can sit side by side and be compared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Workdir:
    """The layout of one work directory (default `build/`)."""

    root: Path

    @property
    def sources(self) -> Path:
        """The synthetic source estate: ERP database, orders data, workbooks."""
        return self.root / "sources"

    @property
    def erp_db(self) -> Path:
        return self.sources / "erp.sqlite"

    @property
    def orders_store(self) -> Path:
        """What the orders API serves from (written by the generator)."""
        return self.sources / "orders"

    @property
    def workbooks(self) -> Path:
        return self.sources / "workbooks"

    @property
    def ground_truth(self) -> Path:
        return self.sources / "ground_truth.json"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def bronze(self) -> Path:
        return self.lake / "bronze"

    @property
    def silver(self) -> Path:
        return self.lake / "silver"

    @property
    def quarantine(self) -> Path:
        return self.silver / "quarantine"

    @property
    def gold(self) -> Path:
        return self.root / "gold"

    @property
    def gold_db(self) -> Path:
        return self.gold / "warehouse.duckdb"

    @property
    def gold_parquet(self) -> Path:
        return self.gold / "parquet"

    @property
    def state(self) -> Path:
        """Pipeline state kept between runs (watermarks, SCD2 bookkeeping)."""
        return self.root / "state"

    @property
    def runs(self) -> Path:
        """One manifest per daily run."""
        return self.root / "runs"

    @property
    def quality(self) -> Path:
        return self.root / "quality"

    @property
    def alerts(self) -> Path:
        return self.root / "alerts.jsonl"

    @property
    def bench(self) -> Path:
        return self.root / "bench"

    @property
    def bench_results(self) -> Path:
        """The last benchmark run's summary: figures, settings, data and environment."""
        return self.bench / "results.json"

    @property
    def claims(self) -> Path:
        """The verdict on every registered claim, judged from `bench_results`."""
        return self.bench / "claims.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def metrics(self) -> Path:
        """The metric catalogue: the one place the site takes numbers from."""
        return self.root / "metrics.json"
