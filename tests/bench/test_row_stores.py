"""Row stores: a real PostgreSQL when one starts, and an honest 'unmeasured' when not."""

from __future__ import annotations

import dataclasses

import psycopg
import pytest

from demo_pipeline.bench import row_stores
from demo_pipeline.bench.claims import UNMEASURED, judge, load_registry
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.dataset import prepare_dataset
from demo_pipeline.bench.postgres_server import (
    PostgresUnavailable,
    find_bin_dir,
    temporary_postgres,
)
from demo_pipeline.bench.profiles import PROFILES


def test_missing_server_binaries_are_reported_not_passed(tmp_path):
    """No initdb where the binaries should be: PostgresUnavailable names the place."""
    with (
        pytest.raises(PostgresUnavailable, match=str(tmp_path)),
        temporary_postgres(1, bin_dir=tmp_path),
    ):
        pass


@pytest.mark.skipif(find_bin_dir() is None, reason="no PostgreSQL server binaries installed")
def test_the_temporary_server_starts_with_the_stated_settings_and_stops():
    """The server answers on its private socket with the analyst settings, then is gone."""
    with temporary_postgres(2) as server:
        with psycopg.connect(server.conninfo) as con:
            shown = con.execute("SHOW max_parallel_workers_per_gather").fetchone()[0]
        assert shown == server.settings["max_parallel_workers_per_gather"] == "2"
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.conninfo, connect_timeout=2)


def test_without_postgres_the_claim_is_unmeasured_and_sqlite_still_measured(gold_workdir, tmp_path):
    """A profile that does not start PostgreSQL: DuckDB vs SQLite is measured, DuckDB vs
    PostgreSQL is None with the reason, and its claim's verdict is 'unmeasured'."""
    profile = dataclasses.replace(PROFILES["quick"], postgres=False)
    ctx = BenchContext(
        dataset=prepare_dataset(gold_workdir, tmp_path, None),
        profile=profile,
        threads=1,
        scratch=tmp_path,
    )
    result = row_stores.run(ctx)
    figures = {f.key: f for f in result.figures}
    assert figures["bench.duckdb_vs_sqlite.speedup"].value > 0
    postgres = figures["bench.duckdb_vs_postgres.speedup"]
    assert postgres.value is None and "does not start PostgreSQL" in postgres.why
    claim = next(c for c in load_registry().claims if c.metric == postgres.key)
    verdict = judge(
        claim,
        {"figures": {f.key: {**f.to_dict(), "benchmark": result.name} for f in result.figures}},
    )
    assert verdict.verdict == UNMEASURED and "does not start PostgreSQL" in verdict.reason
