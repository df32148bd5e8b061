"""Gold built day by day, as the data arrived, equals gold rebuilt from scratch.

The daily build touches only what a day brings: its fact partitions, the aggregates
of the dates they touch (late orders recompute their own earlier dates), dimensions
whose silver changed, facts re-pointed when a product's history changed. The
rebuild starts from an empty database after the 30-day run (every scenario of
config/demo.yaml at a tiny scale: late orders, a halted and backfilled week, an
outage caught up, product changes) and builds every day again from the final silver
layer, so nothing incremental is carried over. Both are compared table by table with
demo_pipeline/digests.py (row count and an order-independent hash of the rows).
"""

from __future__ import annotations

import duckdb

from demo_pipeline.core.context import DayContext, contract_versions_on, run_id_for
from demo_pipeline.digests import _digest
from demo_pipeline.gold.build import build_gold, catalogue, open_warehouse
from demo_pipeline.runlog import RunLog
from demo_pipeline.workdir import Workdir
from tests.pipeline.conftest import month  # noqa: F401  (the shared 30-day run)


def gold_digests(db) -> dict[str, dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: _digest(con, t, db.parent) for t in sorted(catalogue(con))}
    finally:
        con.close()


def test_incremental_gold_equals_a_full_rebuild(month, tmp_path):  # noqa: F811
    cfg, done = month.cfg, month.workdir
    rebuilt = Workdir(tmp_path / "rebuilt")
    rebuilt.root.mkdir()
    (rebuilt.root / "lake").symlink_to(done.lake)
    with open_warehouse(rebuilt.gold_db) as con, RunLog(rebuilt.logs, "rebuild") as log:
        for day in cfg.estate.business_days():
            versions = contract_versions_on(cfg, cfg.estate.end_date)
            ctx = DayContext(cfg, rebuilt, day, run_id_for(day, cfg), log, versions)
            build_gold(ctx, con)
    incremental, full = gold_digests(done.gold_db), gold_digests(rebuilt.gold_db)
    assert set(incremental) == set(full)
    differ = {t for t in full if incremental[t] != full[t]}
    assert not differ, f"incremental gold differs from a full rebuild in {sorted(differ)}"
    assert incremental["fact_sales"]["rows"] > 0 and incremental["agg_daily_sales"]["rows"] > 0
    assert incremental["agg_stock_cover"]["rows"] > 0  # a view: compared by its rows too
