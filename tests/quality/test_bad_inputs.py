"""Bad inputs on purpose: each gives a clear outcome, and no row is lost.

Every case goes through the real parts: the file reader, a real bronze partition and
the real silver stage (contracts, rules, quarantine, de-duplication). "No row lost"
is checked on disk: rows in = rows in silver + quarantined + counted duplicates +
held (a halted batch stays in bronze for a backfill).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from demo_pipeline.bronze import bronze_partition, write_bronze
from demo_pipeline.config import QualityConfig, load_config
from demo_pipeline.core.context import DayContext
from demo_pipeline.errors import SourceError
from demo_pipeline.extract.file import read_table_file
from demo_pipeline.quality.anomaly import (
    MEASURES,
    check_history,
    order_measures,
    orders_from_silver,
)
from demo_pipeline.quality.freshness import future_dated_result
from demo_pipeline.runlog import RunLog
from demo_pipeline.silver.stage import (
    SilverOutcome,
    build_silver,
    dimension_path,
    quarantine_partition,
    silver_partition,
)
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir

DAY = dt.date(2026, 11, 3)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[DayContext]:
    workdir = Workdir(tmp_path / "build")
    with RunLog(workdir.logs, "bad-input") as log:
        yield DayContext(load_config(), workdir, DAY, "bad-input", log)


def orders(n: int, **overrides) -> pl.DataFrame:
    """A clean contract-v1 orders batch of n rows, as bronze holds it."""
    frame = pl.DataFrame(
        {
            "order_id": [f"O-20261103-{i:06d}" for i in range(1, n + 1)],
            "order_ts": ["2026-11-03T10:00:00"] * n,
            "business_date": ["2026-11-03"] * n,
            "customer_id": list(range(1, n + 1)),
            "warehouse_id": [1 + i % 2 for i in range(n)],
            "channel": ["web"] * n,
            "status": ["placed"] * n,
            "currency": ["EUR"] * n,
            "order_amount": [10 + i for i in range(n)],
        }
    )
    return frame.with_columns(**{k: pl.Series(k, v) for k, v in overrides.items()})


def land(ctx: DayContext, table: str, frame: pl.DataFrame) -> None:
    write_bronze(ctx.workdir.bronze, TABLES[table].source, table, DAY, frame)


def rows_at(path: Path) -> int:
    file = path / "part-0.parquet"
    return pl.read_parquet(file).height if file.exists() else 0


def assert_no_row_lost(ctx: DayContext, out: SilverOutcome, table: str, rows_in: int) -> None:
    """Conservation as recorded, and as found on disk (a dimension: its current file)."""
    c = out.tables[table].conservation
    assert c is not None and c.holds, c
    assert c.rows_in == rows_in
    if TABLES[table].kind == "dimension":
        in_silver = pl.read_parquet(dimension_path(ctx.workdir.silver, table)).height
    else:
        in_silver = rows_at(silver_partition(ctx.workdir.silver, table, DAY))
    in_quarantine = rows_at(quarantine_partition(ctx.workdir.quarantine, table, DAY))
    assert in_silver == c.silver and in_quarantine == c.quarantined
    assert in_silver + in_quarantine + c.duplicates + c.held == rows_in


def check(out: SilverOutcome, table: str, rule: str):
    return next(c for c in out.checks if c.table == table and c.rule == rule)


# --- files that cannot be read: a clear error naming the file, never "empty" ----------


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "empty CSV"),
        ("empty.parquet", b"", "parquet"),
        ("latin1.csv", "customer_id,name\n1,Zoë Müller\n".encode("latin-1"), "utf-8"),
    ],
)
def test_unreadable_source_file_is_a_source_error_naming_it(tmp_path, name, content, reason):
    """An empty file or a CSV in the wrong encoding is a SourceError naming the file."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError) as err:
        read_table_file(path)
    assert str(path) in str(err.value) and reason in str(err.value)


def test_truncated_bronze_parquet_fails_the_table_and_keeps_earlier_silver(ctx):
    """A truncated Parquet in bronze fails its table with the file named; earlier data stays."""
    yesterday = DAY - dt.timedelta(days=1)
    earlier = silver_partition(ctx.workdir.silver, "orders", yesterday)
    earlier.mkdir(parents=True)
    orders(3).write_parquet(earlier / "part-0.parquet")
    land(ctx, "orders", orders(50))
    file = bronze_partition(ctx.workdir.bronze, "api", "orders", DAY) / "part-0.parquet"
    file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    out = build_silver(ctx)
    assert out.tables["orders"].status == "failed"
    assert str(file) in out.tables["orders"].detail
    assert rows_at(earlier) == 3  # yesterday's silver untouched
    assert not silver_partition(ctx.workdir.silver, "orders", DAY).exists()
    assert file.exists()  # the input stays, to be re-run once repaired


def test_empty_batch_loads_nothing_and_loses_nothing(ctx):
    """A batch with the right columns and no rows passes its contract with zero rows."""
    land(ctx, "orders", orders(0))
    out = build_silver(ctx)
    assert out.tables["orders"].status == "ok"
    assert_no_row_lost(ctx, out, "orders", 0)


# --- columns that do not match the contract: tier 1 halts, rows held ------------------


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (
            orders(20).with_columns(pl.lit("SAVE10").alias("coupon_code")),
            "'coupon_code': expected absent",
        ),
        (orders(20).drop("channel"), "'channel': expected String; found missing"),
        (
            orders(20).rename({"warehouse_id": "warehouse"}),
            "'warehouse_id': expected Int64; found missing",
        ),
        (
            orders(20).with_columns(pl.col("customer_id").cast(pl.String) + "x"),
            "'customer_id': expected Int64; found String",
        ),
        (orders(20, business_date=["2026-13-45"] * 20), "'business_date'"),
    ],
    ids=["extra", "missing", "renamed", "wrong-type", "unparseable-date"],
)
def test_schema_mismatch_halts_with_expected_vs_found_and_holds_rows(ctx, frame, expected):
    """Extra, missing, renamed or mistyped columns halt the table (tier 1); rows are held."""
    land(ctx, "orders", frame)
    out = build_silver(ctx)
    outcome = out.tables["orders"]
    assert outcome.status == "halted"
    assert expected in outcome.detail
    result = check(out, "orders", "schema_contract")
    assert (result.tier, result.action, result.rows_failed) == (1, "halted", frame.height)
    assert_no_row_lost(ctx, out, "orders", frame.height)
    assert outcome.conservation.held == frame.height


# --- values: tier 2 quarantines or counts them --------------------------------------


def test_all_null_key_column_never_reaches_silver(ctx):
    """An all-null order_id column breaks the nullability rule on every row; none reach silver."""
    frame = orders(30).with_columns(pl.lit(None, dtype=pl.String).alias("order_id"))
    land(ctx, "orders", frame)
    out = build_silver(ctx)
    result = check(out, "orders", "order_id_not_null")
    assert (result.tier, result.rows_failed) == (2, 30)
    assert rows_at(silver_partition(ctx.workdir.silver, "orders", DAY)) == 0
    assert_no_row_lost(ctx, out, "orders", 30)


def test_all_null_optional_column_is_stored_as_nulls(ctx):
    """An all-null value column that the contract allows is stored as typed nulls, not dropped."""
    frame = orders(10).with_columns(pl.lit(None).alias("channel"))
    land(ctx, "orders", frame)
    out = build_silver(ctx)
    assert out.tables["orders"].status == "ok"
    silver = pl.read_parquet(silver_partition(ctx.workdir.silver, "orders", DAY) / "part-0.parquet")
    assert silver.schema["channel"] == pl.String and silver["channel"].null_count() == 10
    assert_no_row_lost(ctx, out, "orders", 10)


def test_duplicate_keys_are_counted_not_lost(ctx):
    """Repeated order ids keep their first row; the others are counted as duplicates."""
    base = orders(20)
    frame = pl.concat([base, base.head(5), base.head(2)])
    land(ctx, "orders", frame)
    out = build_silver(ctx)
    assert out.tables["orders"].conservation.duplicates == 7
    assert check(out, "orders", "duplicates_dropped").rows_failed == 7
    silver = pl.read_parquet(silver_partition(ctx.workdir.silver, "orders", DAY) / "part-0.parquet")
    assert silver["order_id"].is_unique().all()
    assert_no_row_lost(ctx, out, "orders", 27)


def test_negative_and_zero_quantities_are_quarantined_with_the_rule(ctx):
    """Order lines with quantity <= 0 go to quarantine naming the rule; the rest to silver."""
    land(ctx, "orders", orders(40))
    lines = pl.DataFrame(
        {
            "order_id": [f"O-20261103-{i:06d}" for i in range(1, 41)],
            "line_no": [1] * 40,
            "product_id": [7] * 40,
            "quantity": [-1, 0] + [2] * 38,
            "unit_price_cents": [999] * 40,
        }
    )
    land(ctx, "order_lines", lines)
    out = build_silver(ctx)
    assert check(out, "order_lines", "quantity_positive").rows_failed == 2
    q = pl.read_parquet(
        quarantine_partition(ctx.workdir.quarantine, "order_lines", DAY) / "part-0.parquet"
    )
    assert q["_rules_broken"].to_list() == ["quantity_positive", "quantity_positive"]
    assert_no_row_lost(ctx, out, "order_lines", 40)


def bad_quantities(bad: int) -> pl.DataFrame:
    """40 order lines, the first `bad` of them with a negative quantity."""
    return pl.DataFrame(
        {
            "order_id": [f"O-20261103-{i:06d}" for i in range(1, 41)],
            "line_no": [1] * 40,
            "product_id": [7] * 40,
            "quantity": [-1] * bad + [2] * (40 - bad),
            "unit_price_cents": [999] * 40,
        }
    )


def test_rule_failure_quarantines_by_default(ctx):
    """`quality.halt_on_rule_failure` is false by default: a rule failing above its fail
    threshold (10 % > 5 %) quarantines the broken rows and loads the good ones."""
    assert ctx.cfg.quality.halt_on_rule_failure is False
    land(ctx, "orders", orders(40))
    land(ctx, "order_lines", bad_quantities(4))
    out = build_silver(ctx)
    assert out.tables["order_lines"].status == "ok"
    assert check(out, "order_lines", "quantity_positive").severity == "fail"
    assert_no_row_lost(ctx, out, "order_lines", 40)


def test_rule_failure_halts_the_batch_when_configured(ctx):
    """With `quality.halt_on_rule_failure: true` the same batch halts whole: nothing of it
    reaches silver or the quarantine, and every row is counted as held."""
    quality = ctx.cfg.quality.model_copy(update={"halt_on_rule_failure": True})
    halting = dataclasses.replace(ctx, cfg=ctx.cfg.model_copy(update={"quality": quality}))
    land(halting, "orders", orders(40))
    land(halting, "order_lines", bad_quantities(4))
    out = build_silver(halting)
    table = out.tables["order_lines"]
    assert (table.status, table.halt) == ("halted", "rules")
    assert "quantity_positive" in table.detail
    assert table.conservation is not None and table.conservation.held == 40
    assert rows_at(silver_partition(ctx.workdir.silver, "order_lines", DAY)) == 0
    assert rows_at(quarantine_partition(ctx.workdir.quarantine, "order_lines", DAY)) == 0


def test_huge_values_are_kept_exactly_and_flagged_by_tier3(ctx):
    """An order worth 10^13 EUR passes the rules unchanged and tier 3 flags that day's revenue."""
    huge = 10**13
    frame = orders(10, order_amount=[huge] + [10 + i for i in range(9)])
    land(ctx, "orders", frame)
    out = build_silver(ctx)
    silver = pl.read_parquet(silver_partition(ctx.workdir.silver, "orders", DAY) / "part-0.parquet")
    assert silver["order_amount"].max() == float(huge)  # no overflow, no rounding
    assert_no_row_lost(ctx, out, "orders", 10)
    # The same order in a normal fortnight: its revenue day is flagged, not silently summed.
    days = [DAY + dt.timedelta(days=i) for i in range(15)]
    history = pl.DataFrame(
        {
            "order_id": [f"{d}-{i}" for d in days for i in range(40)],
            "business_date": [d for d in days for _ in range(40)],
            "warehouse_id": [1 + i % 2 for _ in days for i in range(40)],
        }
    )
    lines = pl.DataFrame(
        {
            "order_id": history["order_id"],
            "quantity": [1] * history.height,
            "unit_price_cents": [
                huge * 100 if (d == days[-1] and i == 0) else 2_000 + 37 * (i % 9)
                for d in days
                for i in range(40)
            ],
        }
    )
    metrics = order_measures(orders_from_silver(history, lines))
    results = check_history(metrics, days, QualityConfig(), "r", measures=MEASURES)
    flagged = {(r.business_date, r.rule) for r in results if r.action == "flagged"}
    assert (days[-1], "revenue_per_day.zscore") in flagged
    assert {d for d, _ in flagged} == {days[-1]}


def test_non_ascii_names_survive_byte_for_byte(ctx, tmp_path):
    """Names in other scripts and with diacritics are read from UTF-8 and stored unchanged."""
    names = ["Zoë Ørsted", "Łukasz Żółć", "山田 太郎", "Ñandú São João", "Ærøskøbing Ltd."]
    csv = tmp_path / "customers.csv"
    pl.DataFrame(
        {
            "customer_id": list(range(1, 6)),
            "name": names,
            "email": [f"c{i}@example.test" for i in range(1, 6)],
            "city": ["Zürich", "Łódź", "東京", "São Paulo", "Århus"],
            "segment": ["retail"] * 5,
            "updated_at": ["2026-11-03T08:00:00"] * 5,
        }
    ).write_csv(csv)
    land(ctx, "customers", read_table_file(csv))
    out = build_silver(ctx)
    assert out.tables["customers"].status == "ok"
    stored = pl.read_parquet(dimension_path(ctx.workdir.silver, "customers")).sort("customer_id")
    assert stored["name"].to_list() == names
    assert stored["city"].to_list() == ["Zürich", "Łódź", "東京", "São Paulo", "Århus"]
    assert_no_row_lost(ctx, out, "customers", 5)


def test_dates_in_the_future_are_reported_on_arrival(ctx):
    """Orders dated after their publication day are counted and named by a tier-2 check."""
    frame = orders(12, business_date=["2099-01-01"] * 2 + ["2026-11-03"] * 10)
    land(ctx, "orders", frame)
    out = build_silver(ctx)
    assert_no_row_lost(ctx, out, "orders", 12)
    silver = pl.read_parquet(silver_partition(ctx.workdir.silver, "orders", DAY) / "part-0.parquet")
    result = future_dated_result("r", DAY, silver)
    assert (result.tier, result.rows_failed, result.severity) == (2, 2, "warn")
    assert "2099-01-01" in result.detail
