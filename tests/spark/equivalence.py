"""Equal outputs, table by table: the order-independent digests of
scripts/table_digests.py (row count and sum of row hashes, doubles to 6 places, run
ids and timings left out) for everything both engines write.

Left out of the comparison, and why:
- `gold/spark/...`: Spark's own gold Parquet, which only the Spark engine has (its
  content is compared through the gold DuckDB tables loaded from it);
- the gold database's `gold_loads`: the DuckDB build's bookkeeping of which silver
  files each dimension was built from (file fingerprints, not data);
- logs and run manifests are JSON, not tables, and hold timings.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl

from demo_pipeline.workdir import Workdir
from tests.spark.conftest import REPO_ROOT

_spec = importlib.util.spec_from_file_location(
    "table_digests", REPO_ROOT / "scripts" / "table_digests.py"
)
assert _spec and _spec.loader
table_digests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(table_digests)

ENGINE_OWN = ("gold/spark/",)
BOOKKEEPING = ("gold_loads",)


def comparable(workdir: Path) -> dict[str, dict]:
    return {
        name: digest
        for name, digest in table_digests.digests(workdir).items()
        if not name.startswith(ENGINE_OWN) and not name.endswith(BOOKKEEPING)
    }


def assert_equivalent(reference: Path, candidate: Path) -> None:
    """Every table the reference run wrote exists in the candidate with the same digest."""
    left, right = comparable(reference), comparable(candidate)
    assert sorted(left) == sorted(right), (
        f"tables only in the reference: {sorted(set(left) - set(right))}; "
        f"only in the candidate: {sorted(set(right) - set(left))}"
    )
    # The quality results hold the latency check's outcome, a wall-clock measurement that
    # may cross its threshold in one run and not the other: compared apart, without it.
    quality = "quality/results.parquet"
    left.pop(quality, None)
    right.pop(quality, None)
    assert_same_quality_results(candidate, reference)
    differing = [name for name in left if left[name] != right[name]]
    assert not differing, "tables whose content differs: " + ", ".join(
        f"{n} (rows {left[n]['rows']} vs {right[n]['rows']})" for n in differing
    )


def assert_same_quality_results(candidate: Path, reference: Path) -> None:
    """The same checks with the same verdicts and details, except the latency check's
    outcome (wall-clock request times: never the same twice) and each run's own work
    directory where a detail names a file."""

    def comparable(workdir: Path) -> pl.DataFrame:
        results = pl.read_parquet(Workdir(workdir).quality_results).drop("run_id")
        timed = pl.col("rule") == "source.latency"
        measured = ("detail", "rows_failed", "severity", "action")
        return results.with_columns(
            pl.col("detail").str.replace_all(str(workdir), "<workdir>", literal=True)
        ).with_columns(pl.when(timed).then(None).otherwise(pl.col(c)).alias(c) for c in measured)

    got, expected = comparable(candidate), comparable(reference)
    assert got.height == expected.height > 0
    missing = expected.join(got, how="anti", on=got.columns, nulls_equal=True)
    assert missing.is_empty(), f"quality results of the reference not in the candidate: {missing}"
