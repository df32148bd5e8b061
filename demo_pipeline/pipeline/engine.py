"""Which executor computes silver and gold (config key `engine`, `run --engine`).

Both compile the same declarations (contracts, rules, registry keys, the gold SQL)
and write the same lake layout, so the runner, the quality checks and the site do not
know which one ran:
- `polars`: Polars for silver, DuckDB for gold, in this process (the default);
- `spark`: Apache Spark for both (demo_pipeline/spark/), on `spark.master`, with the
  gold DuckDB file loaded from Spark's gold Parquet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from demo_pipeline.config import DemoConfig
from demo_pipeline.core.context import DayContext
from demo_pipeline.gold.build import GoldOutcome, build_gold
from demo_pipeline.silver.stage import SilverOutcome, build_silver


@dataclass(frozen=True)
class Engine:
    name: str
    silver: Callable[[DayContext, dict[str, str]], SilverOutcome]
    gold: Callable[[DayContext, duckdb.DuckDBPyConnection, Callable[[], None]], GoldOutcome]
    """Builds the day's gold; calls its third argument once it has read the silver it
    builds from (the next day's silver may then be written: pipeline/runner.py)."""


@contextmanager
def open_engine(cfg: DemoConfig) -> Iterator[Engine]:
    """The configured engine for one run (a Spark session is started and stopped here;
    every declared rule is compiled for Spark before any day runs)."""
    if cfg.engine == "polars":
        yield Engine("polars", build_silver, build_gold)
        return
    from demo_pipeline.spark.gold import build_gold_spark
    from demo_pipeline.spark.rules import check_rules
    from demo_pipeline.spark.session import spark_session
    from demo_pipeline.spark.silver import build_silver_spark

    with spark_session(
        cfg.spark.master,
        shuffle_partitions=cfg.spark.shuffle_partitions,
        tuning=cfg.spark.tuning,
    ) as spark:
        check_rules(spark)
        yield Engine(
            "spark",
            lambda ctx, unavailable: build_silver_spark(ctx, spark, unavailable),
            # Spark reads silver lazily, as the build's jobs run: it is done with it when
            # the build is.
            lambda ctx, con, silver_read: _then(build_gold_spark(ctx, spark, con), silver_read),
        )


def _then(outcome: GoldOutcome, call: Callable[[], None]) -> GoldOutcome:
    call()
    return outcome
