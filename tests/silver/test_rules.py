"""Silver's pure parts on tiny inline frames: contracts (tier 1), rules and quarantine
(tier 2), de-duplication, SCD1 and row conservation."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from demo_pipeline.config import QualityConfig, RuleThreshold
from demo_pipeline.errors import QualityError
from demo_pipeline.silver.conservation import Conservation, assert_conserved, conservation_checks
from demo_pipeline.silver.contracts import contract_for, validate_schema
from demo_pipeline.silver.rules import References, apply_rules, drop_duplicates, rules_for
from demo_pipeline.silver.scd1 import apply_scd1

ORDER = {
    "order_id": "O-1",
    "order_ts": "2026-11-18T10:00:00",
    "business_date": "2026-11-18",
    "customer_id": 1,
    "warehouse_id": 1,
    "channel": "web",
    "status": "placed",
    "currency": "EUR",
    "order_amount": 25,
}


def orders(**changes) -> pl.DataFrame:
    return pl.DataFrame([{**ORDER, **changes}])


def test_contract_casts_text_dates_and_widens_amount():
    """v1 accepts whole-euro amounts and stores them as Float64; text dates become dates."""
    out = validate_schema(orders(), contract_for("orders", 1))
    assert out.passed
    assert out.frame.schema["business_date"] == pl.Date
    assert out.frame.schema["order_amount"] == pl.Float64
    assert out.frame["discount_type"].to_list() == [None]


def test_contract_v1_halts_on_the_drifted_batch_with_expected_vs_found():
    """Decimal amounts and a new column break v1; the message says expected vs found."""
    out = validate_schema(
        orders(order_amount=25.5, discount_type="promo"), contract_for("orders", 1)
    )
    assert not out.passed and out.frame is None
    text = "; ".join(out.problems)
    assert "'order_amount': expected Int64; found Float64" in text
    assert "'discount_type': expected absent (contract v1); found String" in text


def test_contract_v2_accepts_the_drift_and_old_batches_alike():
    """v2 accepts the new shape, and a v1-shaped batch gives the same stored schema."""
    new = validate_schema(
        orders(order_amount=25.5, discount_type="promo"), contract_for("orders", 2)
    )
    old = validate_schema(orders(), contract_for("orders", 2))
    assert new.passed and old.passed
    assert new.frame.schema == old.frame.schema


def test_missing_column_and_bad_date_halt():
    """A missing column or a date that does not parse is a tier-1 problem."""
    out = validate_schema(orders().drop("channel"), contract_for("orders", 2))
    assert "'channel': expected String; found missing" in out.problems[0]
    out = validate_schema(orders(business_date="18/11/2026"), contract_for("orders", 2))
    assert "unparseable" in out.problems[0] and "18/11/2026" in out.problems[0]


def test_empty_batch_passes_with_the_stored_schema():
    """A day with no rows (types unknown) is not drift: it passes, typed as stored."""
    empty = pl.DataFrame({"order_id": pl.Series([], dtype=pl.Int64)})
    out = validate_schema(empty, contract_for("orders", 1))
    assert out.passed and out.frame.height == 0
    assert out.frame.schema == contract_for("orders", 1).stored_schema()


def lines() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "order_id": ["O-1", "O-1", None, "O-2", "O-3"],
            "line_no": [1, 2, 1, 1, 1],
            "product_id": [10, 99, 10, 10, 10],
            "quantity": [1, 2, 1, -3, 1],
            "unit_price_cents": [100, 100, 100, 100, 100],
        }
    )


def test_rules_quarantine_rows_with_every_rule_they_broke():
    """Each broken row is quarantined once, listing all its rules and the run id."""
    refs = References(product_ids=pl.Series([10]), order_ids=pl.Series(["O-1", "O-2", "O-3"]))
    out = apply_rules(lines(), rules_for("order_lines", refs), QualityConfig(), "run-1")
    assert out.passed["order_id"].to_list() == ["O-1", "O-3"]
    broken = dict(zip(out.quarantined["line_no"], out.quarantined["_rules_broken"], strict=False))
    assert sorted(out.quarantined["_rules_broken"]) == [
        "order_id_not_null",
        "product_id_known",
        "quantity_positive",
    ]
    assert set(out.quarantined["_run_id"]) == {"run-1"}
    assert broken
    assert out.passed.height + out.quarantined.height == lines().height


def test_a_clean_batch_passes_whole_with_an_empty_quarantine_of_the_same_columns():
    """No rule broken, no duplicate: every row passes, counted per rule, and the
    quarantine is empty but shaped like one that has rows (so it can be compared or
    concatenated with another day's)."""
    refs = References(product_ids=pl.Series([10]), order_ids=pl.Series(["O-1", "O-3"]))
    clean = lines().filter(pl.col("product_id") == 10, pl.col("quantity") > 0).drop_nulls()
    out = apply_rules(clean, rules_for("order_lines", refs), QualityConfig(), "run-1")
    assert out.passed.equals(clean)
    assert [c.rows_failed for c in out.counts] == [0] * len(out.counts)
    assert out.quarantined.height == 0
    assert out.quarantined.columns == [*clean.columns, "_rules_broken", "_run_id"]
    deduped = drop_duplicates(out.passed, ["order_id", "line_no"])
    assert deduped.kept.equals(clean) and deduped.duplicates == 0


def test_rule_thresholds_grade_warn_and_fail():
    """One bad row in five is 20%: above a 10% fail threshold, between 0% and 50% a warning."""
    refs = References(product_ids=pl.Series([10]))
    strict = QualityConfig(
        rules={"order_lines.quantity_positive": RuleThreshold(warn_above_pct=0, fail_above_pct=10)}
    )
    lenient = QualityConfig(default_rule=RuleThreshold(warn_above_pct=0, fail_above_pct=50))
    grade = {
        c.rule.name: c.severity
        for c in apply_rules(lines(), rules_for("order_lines", refs), strict, "r").counts
    }
    assert grade["quantity_positive"] == "fail"
    grade = {
        c.rule.name: c.severity
        for c in apply_rules(lines(), rules_for("order_lines", refs), lenient, "r").counts
    }
    assert grade["quantity_positive"] == "warn"


def test_duplicates_dropped_within_batch_and_against_earlier_batches():
    """The first row per key stays; keys seen on earlier days are dropped and counted;
    rows without a key are not duplicates of each other (the rules judge them)."""
    frame = pl.DataFrame({"order_id": ["A", "B", "A", "C", None, None]})
    out = drop_duplicates(frame, ["order_id"], seen=pl.DataFrame({"order_id": ["C"]}))
    assert out.kept["order_id"].to_list() == ["A", "B", None, None]
    assert out.duplicates == 2


def test_scd1_upserts_and_removes_deleted_keys():
    """SCD1 keeps the latest row per key and drops keys missing from the key list."""
    ts = dt.datetime(2026, 11, 1)
    current = pl.DataFrame({"k": [1, 2], "v": ["a", "b"], "updated_at": [ts, ts]})
    changes = pl.DataFrame({"k": [2, 3], "v": ["b2", "c"], "updated_at": [ts, ts]})
    out = apply_scd1(
        current, changes, key="k", columns=["k", "v", "updated_at"], current_keys=pl.Series([2, 3])
    )
    assert out.rows() == [(2, "b2", ts), (3, "c", ts)]


def test_conservation_failure_fails_the_run_naming_the_table():
    """Rows that vanish make conservation fail with in vs accounted, by table."""
    day = dt.date(2026, 11, 1)
    ok = Conservation("orders", 10, 7, 2, 1)
    lost = Conservation("order_lines", 10, 7, 2, 0)
    checks = conservation_checks([ok, lost], "run", day)
    assert [c.severity for c in checks] == ["info", "fail"]
    with pytest.raises(QualityError, match="order_lines: in 10 = silver 7"):
        assert_conserved([ok, lost], day)
