"""The 30-day run at scale 0.02: run records, row conservation, golden answers, and
analyst questions answered from gold (DuckDB SQL) and from silver (Polars) alike."""

from __future__ import annotations

import datetime as dt
import json
import os

import duckdb
import polars as pl
import pytest

from demo_pipeline.bronze import bronze_partition
from demo_pipeline.core.manifest import read_manifests
from demo_pipeline.silver.stage import (
    quarantine_partition,
    silver_partition,
)
from demo_pipeline.tables import TABLES
from tests.pipeline.conftest import REPO_ROOT

pytestmark = pytest.mark.slow
GOLDEN = REPO_ROOT / "tests" / "pipeline" / "golden" / "month_scale0.02.json"


def silver_scan(month, table: str) -> pl.LazyFrame:
    files = sorted((month.workdir.silver / table).glob("ingest_date=*/part-0.parquet"))
    return pl.scan_parquet(files)


def gold_sql(month, query: str) -> pl.DataFrame:
    con = duckdb.connect(str(month.workdir.gold_db), read_only=True)
    try:
        return pl.from_arrow(con.sql(query).to_arrow_table())
    finally:
        con.close()


# --- run records ------------------------------------------------------------------------


def test_one_manifest_per_day_with_the_promised_fields(month):
    """Every business day has a manifest naming run, config, code, seed, stages and status."""
    manifests = read_manifests(month.workdir.runs)
    assert [m.business_date.isoformat() for m in manifests] == [
        d.isoformat() for d in month.cfg.estate.business_days()
    ]
    for m in manifests:
        assert m.run_id == f"{m.business_date:%Y%m%d}-{month.cfg.sha256[:8]}"
        assert m.config_sha256 == month.cfg.sha256 and m.seed == 42
        assert set(m.durations_s) >= {"extract", "bronze", "silver", "gold", "total"}
        assert m.status in ("succeeded", "partial")
        assert m.bytes["bronze"] > 0 and m.files["bronze"] > 0


def test_outage_day_marks_orders_failed_and_next_day_catches_up(month):
    """The API outage day records orders as failed; the next day fetches the missed feed."""
    by_day = {m.business_date.isoformat(): m for m in read_manifests(month.workdir.runs)}
    outage = by_day["2026-11-15"]
    assert outage.status == "partial"
    assert outage.tables["orders"].status == "failed"
    assert "unavailable after 3 retries" in outage.sources["api"]["error"]
    # Named by its path, not the API's random port, so quality results are byte-stable.
    assert "127.0.0.1" not in outage.sources["api"]["error"]
    details = pl.read_parquet(month.workdir.quality_results)["detail"]
    assert details.str.contains("/v1/orders").any()
    assert not details.str.contains("127.0.0.1").any()
    assert by_day["2026-11-16"].sources["api"]["caught_up"] == ["2026-11-15"]
    sales_days = gold_sql(month, "SELECT DISTINCT business_date FROM fact_sales")
    assert dt.date(2026, 11, 15) in sales_days["business_date"].to_list()


def test_schema_drift_halts_then_backfills_on_contract_update(month):
    """Days 18-20 halt under orders contract v1 and are backfilled on day 21 under v2."""
    by_day = {m.business_date.isoformat(): m for m in read_manifests(month.workdir.runs)}
    for day in ("2026-11-18", "2026-11-19", "2026-11-20"):
        assert by_day[day].backfilled_on == dt.date(2026, 11, 21)
        assert by_day[day].contract_versions == {"orders": 2}
        assert by_day[day].tables["orders"].status == "ok"
    assert by_day["2026-11-17"].contract_versions == {}
    results = pl.read_parquet(month.workdir.quality_results)
    halts = results.filter((pl.col("rule") == "schema_contract") & (pl.col("action") == "halted"))
    assert sorted(halts["business_date"].unique().to_list()) == [
        dt.date(2026, 11, d) for d in (18, 19, 20)
    ]
    assert "expected Int64; found Float64" in halts["detail"][0]


# --- row conservation -------------------------------------------------------------------


def test_row_conservation_holds_for_every_table_every_day(month):
    """Per table per day: rows in = silver + quarantined + duplicates + held."""
    for m in read_manifests(month.workdir.runs):
        loaded = {c["table"] for c in m.conservation}
        expected = {t for t in TABLES.names if m.tables[t].status in ("ok", "halted")}
        assert loaded == expected, m.business_date
        for c in m.conservation:
            assert c["holds"], (m.business_date, c)
            assert c["rows_in"] == c["silver"] + c["quarantined"] + c["duplicates"] + c["held"]


def test_conservation_recounted_from_the_files(month):
    """Recount from the lake itself: bronze rows = silver + quarantine + dropped + held."""
    for m in read_manifests(month.workdir.runs):
        day = m.business_date
        for table in TABLES.facts:
            if m.tables[table].status not in ("ok", "halted"):
                continue
            bronze = bronze_partition(month.workdir.bronze, TABLES[table].source, table, day)
            rows_in = pl.read_parquet(bronze / "part-0.parquet").height
            silver = silver_partition(month.workdir.silver, table, day) / "part-0.parquet"
            quarantine = quarantine_partition(month.workdir.quarantine, table, day)
            written = pl.read_parquet(silver).height if m.tables[table].status == "ok" else 0
            quarantined = (
                pl.read_parquet(quarantine / "part-0.parquet").height if quarantine.exists() else 0
            )
            dropped = m.rows.duplicates_dropped[table]
            held = m.rows.held[table]
            assert rows_in == written + quarantined + dropped + held, (table, day)


def test_quarantine_rows_carry_rules_and_run_id(month):
    """Quarantined rows name every rule they broke and the run that sent them there."""
    part = quarantine_partition(month.workdir.quarantine, "order_lines", dt.date(2026, 11, 10))
    rows = pl.read_parquet(part / "part-0.parquet")
    assert rows.height == 30
    assert set(rows["_rules_broken"]) == {"quantity_positive"}
    assert set(rows["_run_id"]) == {f"20261110-{month.cfg.sha256[:8]}"}


# --- golden answers ---------------------------------------------------------------------


def golden_answers(month) -> dict:
    """Small, stable facts about gold that a change in the pipeline would move."""
    gold = {t: pl.read_parquet(month.workdir.gold_export(t)) for t in TABLES.gold_names}
    daily = (
        gold["agg_daily_sales"]
        .group_by("business_date")
        .agg(pl.col("orders").sum(), pl.col("units").sum(), pl.col("revenue").sum().round(2))
        .sort("business_date")
    )
    products = gold["dim_product"]
    return {
        "rows": {t: f.height for t, f in gold.items()},
        "daily_sales": [
            [str(r["business_date"]), r["orders"], int(r["units"]), r["revenue"]]
            for r in daily.iter_rows(named=True)
        ],
        "dim_product": {
            "versions": products.height,
            "current": int(products["is_current"].sum()),
            "products": products["product_id"].n_unique(),
        },
        "fill_rate_pct": {
            str(r["supplier_id"]): r["fill_rate_pct"]
            for r in gold["agg_supplier_fill_rate"].iter_rows(named=True)
        },
        "stockout_risk": dict(
            sorted(gold["agg_stock_cover"]["stockout_risk"].value_counts().iter_rows())
        ),
    }


def test_gold_matches_the_committed_golden_answers(month):
    """Gold at scale 0.02 equals tests/pipeline/golden (UPDATE_GOLDEN=1 rewrites it)."""
    answers = golden_answers(month)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(answers, indent=1) + "\n", encoding="utf-8")
    assert answers == json.loads(GOLDEN.read_text(encoding="utf-8"))


# --- analyst questions, two independent ways --------------------------------------------


def test_revenue_per_day_from_gold_sql_equals_polars_on_silver(month):
    """Revenue per business date: DuckDB over gold agrees with Polars over silver."""
    sql = gold_sql(
        month,
        "SELECT business_date, sum(revenue) AS revenue, sum(units) AS units "
        "FROM agg_daily_sales GROUP BY 1 ORDER BY 1",
    )
    orders = silver_scan(month, "orders").select("order_id", "business_date")
    lines = silver_scan(month, "order_lines")
    pol = (
        lines.join(orders, on="order_id")
        .group_by("business_date")
        .agg(
            (pl.col("quantity") * pl.col("unit_price_cents")).sum().alias("cents"),
            pl.col("quantity").sum().alias("units"),
        )
        .sort("business_date")
        .collect()
    )
    assert sql["business_date"].to_list() == pol["business_date"].to_list()
    assert sql["units"].cast(pl.Int64).to_list() == pol["units"].to_list()
    for revenue, cents in zip(sql["revenue"], pol["cents"], strict=True):
        assert abs(revenue - cents / 100) < 0.05  # the aggregate rounds per group


def test_top_products_by_units_agree(month):
    """The five best sellers by units are the same from gold SQL and from silver in Polars."""
    sql = gold_sql(
        month,
        "SELECT product_id, sum(quantity) AS units FROM fact_sales "
        "GROUP BY 1 ORDER BY units DESC, product_id LIMIT 5",
    )
    pol = (
        silver_scan(month, "order_lines")
        .group_by("product_id")
        .agg(pl.col("quantity").sum().alias("units"))
        .sort(["units", "product_id"], descending=[True, False])
        .head(5)
        .collect()
    )
    assert sql.rows() == [(p, int(u)) for p, u in pol.rows()]


def test_price_in_force_at_order_time_agrees(month):
    """Point in time: the list price an order saw, via gold's SCD2 join and via join_asof."""
    sql = gold_sql(
        month,
        "SELECT order_id, line_no, list_price_at_sale FROM v_sales ORDER BY order_id, line_no",
    )
    history = pl.read_parquet(month.workdir.silver / "products" / "products.parquet")
    orders = silver_scan(month, "orders").select("order_id", "order_ts")
    lines = silver_scan(month, "order_lines").select("order_id", "line_no", "product_id")
    sales = lines.join(orders, on="order_id").collect().sort("order_ts")
    versions = history.select("product_id", "valid_from", "list_price_cents").sort("valid_from")
    pit = sales.join_asof(
        versions,
        left_on="order_ts",
        right_on="valid_from",
        by="product_id",
        strategy="backward",
        check_sortedness=False,  # sorted by valid_from; groups by key
    )
    first = versions.group_by("product_id").agg(pl.col("list_price_cents").first().alias("first"))
    pol = (
        pit.join(first, on="product_id", how="left")
        .with_columns((pl.coalesce("list_price_cents", "first") / 100).alias("list_price_at_sale"))
        .select("order_id", "line_no", "list_price_at_sale")
        .sort("order_id", "line_no")
    )
    assert sql.select("order_id", "line_no").equals(pol.select("order_id", "line_no"))
    # Polars may divide by multiplying with 0.01: compare to a tolerance, not bits.
    gap = (sql["list_price_at_sale"] - pol["list_price_at_sale"]).abs()
    assert gap.null_count() == 0 and gap.max() < 1e-9


def test_stockouts_at_latest_snapshot_agree(month):
    """Stocked-out SKU x warehouse cells on the last snapshot: gold aggregate vs silver."""
    sql = gold_sql(
        month,
        "SELECT warehouse_id, count(*) AS n FROM agg_stock_cover "
        "WHERE stockout_risk = 'stocked_out' GROUP BY 1 ORDER BY 1",
    )
    inventory = silver_scan(month, "inventory_snapshots")
    last = inventory.select(pl.col("snapshot_date").max()).collect().item()
    pol = (
        inventory.filter((pl.col("snapshot_date") == last) & (pl.col("on_hand_units") <= 0))
        .group_by("warehouse_id")
        .len("n")
        .sort("warehouse_id")
        .collect()
    )
    assert sql.rows() == [(w, n) for w, n in pol.rows()]


def test_supplier_fill_rate_agrees(month):
    """Units received / ordered per supplier (due, not cancelled): gold vs silver."""
    sql = gold_sql(
        month,
        "SELECT supplier_id, units_ordered, units_received FROM agg_supplier_fill_rate ORDER BY 1",
    )
    latest = pl.col("updated_at") == pl.col("updated_at").max()
    headers = silver_scan(month, "purchase_orders").filter(latest.over("po_id")).collect()
    lines = (
        silver_scan(month, "purchase_order_lines").filter(latest.over("po_id", "line_no")).collect()
    )
    last_sale = gold_sql(month, "SELECT max(business_date) AS d FROM fact_sales")["d"][0]
    pol = (
        lines.join(headers, on="po_id", suffix="_po")
        .filter((pl.col("status") != "cancelled") & (pl.col("expected_date") <= last_sale))
        .group_by("supplier_id")
        .agg(pl.col("qty_ordered").sum(), pl.col("qty_received").sum())
        .sort("supplier_id")
    )
    assert sql.rows() == [(s, int(o), int(r)) for s, o, r in pol.rows()]


def test_rerunning_drift_days_later_uses_the_new_contract_and_changes_nothing(month, tmp_path):
    """Re-running a halted-then-backfilled day (and the landing day) after the month is
    done runs under contract v2 and leaves lake and gold exactly as they were."""
    from demo_pipeline.pipeline.runner import run_pipeline
    from tests.pipeline.conftest import assert_same_gold, copy_workdir

    wd = copy_workdir(month.workdir, tmp_path / "wd")
    lake = {p: p.read_bytes() for p in sorted(wd.lake.rglob("*")) if p.is_file()}
    for day in ("2026-11-18", "2026-11-21"):
        manifest = run_pipeline(month.cfg, wd, day=day)[-1]
        assert manifest.contract_versions == {"orders": 2}
        assert manifest.tables["orders"].status == "ok"
    assert {p: p.read_bytes() for p in sorted(wd.lake.rglob("*")) if p.is_file()} == lake
    assert_same_gold(wd, month.workdir)
