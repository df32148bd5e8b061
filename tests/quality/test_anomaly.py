"""Tier 3 on tiny inline daily metrics frames: spikes, expected peaks, seasonality."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from demo_pipeline.config import QualityConfig
from demo_pipeline.quality.anomaly import (
    MEASURES,
    MeasureSpec,
    assess_day,
    check_day,
    check_history,
    measures_from_stats,
    order_measures,
    order_stats,
    orders_from_fact_sales,
    orders_from_silver,
    score_day,
)

START = dt.date(2026, 11, 2)  # a Monday
ORDERS = (MeasureSpec("orders", "fact_sales", ("zscore", "volatility"), "orders per day"),)
AOV = (MeasureSpec("aov", "fact_sales", ("iqr",), "average order value"),)

# A retailer's weekly shape (busy Friday and Saturday), plus a small wobble so the
# spread is not zero; and a strongly seasonal one (weekends at half volume).
WEEKLY = [92, 88, 90, 97, 112, 122, 103]
STRONG_WEEKLY = [100, 104, 98, 102, 110, 55, 45]
WOBBLE = [0, 3, -2, 4, -3, 2, -1, 1, -4, 2, 3, -2, 0, 1, -3, 2, 4, -1, -2, 3, 0]


def days(n: int) -> list[dt.date]:
    return [START + dt.timedelta(days=i) for i in range(n)]


def frame(measure: str, values: list[float], series: str = "all") -> pl.DataFrame:
    """A daily metrics frame for one series; se is the Poisson error of a count."""
    return pl.DataFrame(
        {
            "measure": measure,
            "series": series,
            "business_date": days(len(values)),
            "value": [float(v) for v in values],
            "se": [float(v) ** 0.5 for v in values],
        }
    )


def seasonal_values(n: int, weekly: list[int] = WEEKLY) -> list[float]:
    return [weekly[i % 7] + WOBBLE[i % len(WOBBLE)] for i in range(n)]


def by_rule(results):
    return {r.rule: r for r in results}


def test_spike_is_flagged_by_zscore_and_volatility():
    """A day at four times its usual volume is flagged by the z-score and volatility rules."""
    values = seasonal_values(15)
    values[10] = values[10] * 4  # a Thursday
    results = by_rule(
        check_day(frame("orders", values), days(15)[10], QualityConfig(), "r", measures=ORDERS)
    )
    assert results["orders.zscore"].action == "flagged"
    assert results["orders.zscore"].severity == "warn"
    assert results["orders.zscore"].tier == 3
    assert results["orders.zscore"].rows_failed == 1
    assert "z=+" in results["orders.zscore"].detail
    assert results["orders.volatility"].action == "flagged"
    assert "on 2026-11-05" in results["orders.volatility"].detail  # the same weekday a week earlier


def test_drop_to_zero_is_flagged():
    """A series that goes silent (zero) is an anomaly too, not a missing row."""
    values = seasonal_values(15)
    values[9] = 0
    results = by_rule(
        check_day(frame("orders", values), days(15)[9], QualityConfig(), "r", measures=ORDERS)
    )
    assert results["orders.zscore"].action == "flagged"
    assert "z=-" in results["orders.zscore"].detail


def test_expected_peak_is_annotated_not_flagged():
    """A known peak (quality.expected_peaks) is recorded as 'annotated', severity info."""
    values = seasonal_values(15)
    values[11] = values[11] * 3
    peak = days(15)[11]
    quality = QualityConfig(expected_peaks=[peak])
    results = by_rule(check_day(frame("orders", values), peak, quality, "r", measures=ORDERS))
    for rule in ("orders.zscore", "orders.volatility"):
        assert results[rule].action == "annotated"
        assert results[rule].severity == "info"
        assert results[rule].rows_failed == 1
        assert "expected peak" in results[rule].detail


def test_clean_seasonal_weeks_raise_no_flag():
    """Three weeks with quiet weekends (half the weekday volume) raise no tier-3 flag."""
    values = seasonal_values(21, STRONG_WEEKLY)
    results = check_history(
        frame("orders", values), days(21), QualityConfig(), "r", measures=ORDERS
    )
    assert [r for r in results if r.action != "none"] == []
    judged = [r for r in results if r.rows_checked]
    assert len(judged) == 2 * (21 - 7)  # judged once a whole week of history exists


def test_days_after_a_peak_and_a_spike_are_clean():
    """Peaks and flagged days stay out of later baselines, so the days after are not flagged."""
    values = seasonal_values(28)
    values[10] *= 4
    values[18] *= 3
    quality = QualityConfig(expected_peaks=[days(28)[18]])
    results = check_history(frame("orders", values), days(28), quality, "r", measures=ORDERS)
    noisy = {(r.business_date, r.action) for r in results if r.action != "none"}
    assert noisy == {(days(28)[10], "flagged"), (days(28)[18], "annotated")}


def test_excluded_day_is_not_judged_and_not_a_baseline():
    """A fallback day is not judged, and its zero is kept out of the next days' baselines."""
    values = seasonal_values(15)
    values[7] = 0  # an outage: no data of its own
    outage = days(15)[7]
    results = check_history(
        frame("orders", values), days(15), QualityConfig(), "r", excluded=[outage], measures=ORDERS
    )
    assert [r for r in results if r.action != "none"] == []
    on_outage = [r for r in results if r.business_date == outage]
    assert all(r.rows_checked == 0 and "not judged" in r.detail for r in on_outage)


def test_early_days_are_not_judged():
    """With fewer than three usable earlier days a series is reported as not judged."""
    values = [100, 100, 400]
    results = by_rule(
        check_day(frame("orders", values), days(3)[2], QualityConfig(), "r", measures=ORDERS)
    )
    assert results["orders.zscore"].action == "none"
    assert results["orders.zscore"].rows_checked == 0
    assert "not judged" in results["orders.zscore"].detail


def test_iqr_flags_a_skewed_outlier_but_not_ordinary_skew():
    """IQR fences catch a far outlier of a right-skewed measure, not its usual long tail."""
    skewed = [40, 42, 41, 55, 43, 40, 61, 44, 42, 45, 41, 58, 43, 42]
    clean = check_history(frame("aov", skewed), days(14), QualityConfig(), "r", measures=AOV)
    assert [r for r in clean if r.action != "none"] == []
    spiked = [*skewed[:-1], 400]
    result = check_day(frame("aov", spiked), days(14)[-1], QualityConfig(), "r", measures=AOV)[0]
    assert result.rule == "aov.iqr"
    assert result.action == "flagged"
    assert "outside [" in result.detail


def test_thresholds_come_from_config():
    """A looser z threshold (config) lets the same rise pass."""
    values = seasonal_values(15)
    values[10] = values[10] * 2
    metrics = frame("orders", values)
    strict = score_day(metrics, "orders", days(15)[10], QualityConfig().anomaly)
    loose_cfg = QualityConfig.model_validate({"anomaly": {"zscore": 50}}).anomaly
    loose = score_day(metrics, "orders", days(15)[10], loose_cfg)
    assert strict["zscore_hit"].to_list() == [True]
    assert loose["zscore_hit"].to_list() == [False]


def test_one_series_spike_flags_only_that_series():
    """Per-warehouse series are judged separately: only the spiking warehouse is named."""
    base = seasonal_values(15)
    spiking = list(base)
    spiking[12] *= 4
    metrics = pl.concat(
        [frame("orders", base, "warehouse_id=1"), frame("orders", spiking, "warehouse_id=2")]
    )
    result = by_rule(check_day(metrics, days(15)[12], QualityConfig(), "r", measures=ORDERS))[
        "orders.zscore"
    ]
    assert (result.rows_checked, result.rows_failed) == (2, 1)
    assert result.detail.startswith("warehouse_id=2:")


def test_flagged_points_are_per_series_and_kept_out_of_later_baselines():
    """assess_day returns the flagged series; passing them on keeps that point out later."""
    base = seasonal_values(22)
    spiking = list(base)
    spiking[14] *= 4
    metrics = pl.concat(
        [frame("orders", base, "warehouse_id=1"), frame("orders", spiking, "warehouse_id=2")]
    )
    _, points = assess_day(metrics, days(22)[14], QualityConfig(), "r", measures=ORDERS)
    assert points.select("series", "business_date").rows() == [
        ("warehouse_id=2", days(22)[14]),
        ("warehouse_id=2", days(22)[14]),
    ]
    assert set(points["rule"]) == {"orders.zscore", "orders.volatility"}
    # A week later the spike would be the same-weekday reference; remembered, it is not.
    week_later = days(22)[21]
    remembered = score_day(metrics, "orders", week_later, QualityConfig().anomaly, (), points)
    forgotten = score_day(metrics, "orders", week_later, QualityConfig().anomaly)
    spike = spiking[14]
    wh2 = "warehouse_id=2"
    assert forgotten.filter(pl.col("series") == wh2)["ref_value"].to_list() == [spike]
    assert remembered.filter(pl.col("series") == wh2)["ref_value"].to_list() != [spike]
    assert remembered.filter(pl.col("series") == wh2)["mean"][0] < spike / 2
    # The other warehouse's baseline still has that day.
    assert remembered.filter(pl.col("series") == "warehouse_id=1")["ref_date"].to_list() == [
        days(22)[14]
    ]
    assert not remembered["zscore_hit"].any() and not remembered["volatility_hit"].any()


def test_order_measures_from_fact_lines():
    """Order lines become orders per warehouse (zero-filled), revenue and order value."""
    d1, d2 = days(2)
    lines = pl.DataFrame(
        {
            "order_id": ["a", "a", "b", "c"],
            "line_no": [1, 2, 1, 1],
            "business_date": [d1, d1, d1, d2],
            "warehouse_id": [1, 1, 2, 1],
            "net_amount": [10.0, 5.0, 30.0, 20.0],
        }
    )
    m = order_measures(orders_from_fact_sales(lines))
    per_wh = m.filter(pl.col("measure") == "orders_per_warehouse").sort("business_date", "series")
    assert per_wh.select("series", "value").rows() == [
        ("warehouse_id=1", 1.0),
        ("warehouse_id=2", 1.0),
        ("warehouse_id=1", 1.0),
        ("warehouse_id=2", 0.0),
    ]
    revenue = m.filter(pl.col("measure") == "revenue_per_day").sort("business_date")
    assert revenue["value"].to_list() == [45.0, 20.0]
    assert revenue["se"][0] == pytest.approx((15.0**2 + 30.0**2) ** 0.5)
    aov = m.filter(pl.col("measure") == "avg_order_value").sort("business_date")
    assert aov["value"].to_list() == [22.5, 20.0]
    assert {s.name for s in MEASURES} == set(m["measure"].unique())


def test_silver_orders_and_lines_give_the_same_measures_as_gold_lines():
    """Silver orders + lines and gold fact_sales lines give the same daily measures."""
    d1 = days(1)[0]
    orders = pl.DataFrame(
        {"order_id": ["a", "b"], "business_date": [d1, d1], "warehouse_id": [1, 2]}
    )
    lines = pl.DataFrame(
        {"order_id": ["a", "a", "b"], "quantity": [1, 2, 1], "unit_price_cents": [500, 250, 3000]}
    )
    facts = pl.DataFrame(
        {
            "order_id": ["a", "a", "b"],
            "business_date": [d1] * 3,
            "warehouse_id": [1, 1, 2],
            "net_amount": [5.0, 5.0, 30.0],
        }
    )
    from_silver = order_measures(orders_from_silver(orders, lines))
    from_gold = order_measures(orders_from_fact_sales(facts))
    assert from_silver.equals(from_gold)


def test_stats_of_batches_add_up_to_the_stats_of_the_whole():
    """Measures from per-partition stats, summed, equal the measures of all orders at once."""
    d1, d2 = days(2)
    orders = pl.DataFrame(
        {
            "business_date": [d1, d1, d1, d2, d2, d1],
            "order_id": ["a", "b", "c", "d", "e", "late"],
            "warehouse_id": [1, 2, 1, 1, 2, 2],
            "amount": [10.0, 30.0, None, 12.5, 7.25, 99.0],
        }
    )
    first, second = orders.head(4), orders.tail(2)  # the late order lands in a later batch
    summed = measures_from_stats(pl.concat([order_stats(first), order_stats(second)]))
    whole = order_measures(orders)
    assert summed.select("measure", "series", "business_date").equals(
        whole.select("measure", "series", "business_date")
    )
    assert summed["value"].to_list() == pytest.approx(whole["value"].to_list())
    assert summed["se"].to_list() == pytest.approx(whole["se"].to_list())
    aov = whole.filter(pl.col("measure") == "avg_order_value").sort("business_date")
    assert aov["value"].to_list() == pytest.approx([(10 + 30 + 99) / 3, (12.5 + 7.25) / 2])
