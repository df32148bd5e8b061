"""The toolkit page's example, kept here so the code on the page is the code a test runs
(tests/toolkit/test_toolkit.py). It runs the warehouses pipeline file for two days and
reads what the upsert loader left in DuckDB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def warehouses_example(workdir: Path, first_day: dt.date) -> list[tuple]:
    """Run `config/pipelines/warehouses.yaml` (paths relative to the repository) on two
    consecutive days over the estate in `workdir`; the rows of `dim_warehouse`."""
    # --8<-- [start:example]
    import duckdb

    from demo_pipeline.toolkit import run_pipeline_file

    pipeline = Path("config/pipelines/warehouses.yaml")
    for day in (first_day, first_day + dt.timedelta(days=1)):
        run = run_pipeline_file(pipeline, day, workdir)
        print(day, "extracted", run.extracted, "loaded", run.loaded)
    # Day 1 loads every warehouse; day 2 extracts only rows changed since day 1's
    # watermark, and loading any day again upserts the same rows: no duplicates.
    with duckdb.connect(str(workdir / "toolkit" / "warehouses.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT warehouse_id, code, name FROM dim_warehouse ORDER BY 1")
        return rows.fetchall()
    # --8<-- [end:example]
