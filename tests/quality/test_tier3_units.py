"""Tier 3 edge cases on tiny daily metrics frames: a constant baseline, a zero spread,
too few usable baseline days, a series seen for the first time, a missing value, and
an expected peak with nothing to annotate. (test_anomaly.py covers the ordinary cases.)
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from demo_pipeline.config import AnomalyConfig, QualityConfig
from demo_pipeline.quality.anomaly import (
    FLAGGED_SCHEMA,
    METRICS_SCHEMA,
    MeasureSpec,
    assess_day,
    check_day,
    measures_from_stats,
    score_day,
)

START = dt.date(2026, 11, 2)  # a Monday
ALL_METHODS = (MeasureSpec("m", "orders", ("zscore", "iqr", "volatility"), "a measure"),)


def days(n: int) -> list[dt.date]:
    return [START + dt.timedelta(days=i) for i in range(n)]


def frame(
    values: list[float | None], se: list[float | None] | None = None, series: str = "all"
) -> pl.DataFrame:
    """One series of measure "m", a value per day from START; se given or all null."""
    return pl.DataFrame(
        {
            "measure": "m",
            "series": series,
            "business_date": days(len(values)),
            "value": values,
            "se": se if se is not None else [None] * len(values),
        },
        schema=METRICS_SCHEMA,
    )


def actions(results) -> dict[str, str]:
    return {r.rule: r.action for r in results}


# --- a constant baseline ----------------------------------------------------------------


def test_constant_baseline_same_value_is_clean_and_a_jump_is_flagged():
    """Two weeks at exactly 100 (Poisson se 10): 100 again is clean for every method;
    400 is flagged by all three (the spread is floored at the sampling error, not 0)."""
    se = [10.0] * 15
    same = check_day(
        frame([100.0] * 15, se), days(15)[-1], QualityConfig(), "r", measures=ALL_METHODS
    )
    assert actions(same) == {"m.zscore": "none", "m.iqr": "none", "m.volatility": "none"}
    assert all(r.rows_checked == 1 for r in same)
    jump = check_day(
        frame([100.0] * 14 + [400.0], se), days(15)[-1], QualityConfig(), "r", measures=ALL_METHODS
    )
    assert set(actions(jump).values()) == {"flagged"}


def test_zero_spread_leaves_the_zscore_undefined_but_volatility_and_iqr_still_fire():
    """A constant baseline with no standard error has a zero spread: the z-score is
    undefined (null) and never fires, without an error; a fourfold jump is still flagged
    by volatility and IQR, and the unchanged value by nothing."""
    constant = [100.0] * 14
    scored = score_day(frame([*constant, 400.0]), "m", days(15)[-1], AnomalyConfig())
    assert scored["z"].to_list() == [None]
    assert scored.select("zscore_hit", "iqr_hit", "volatility_hit").row(0) == (False, True, True)
    same = check_day(
        frame([*constant, 100.0]), days(15)[-1], QualityConfig(), "r", measures=ALL_METHODS
    )
    assert set(actions(same).values()) == {"none"}


def test_silent_series_that_resumes_is_caught_only_by_iqr():
    """A series at zero for two weeks (se 0) that jumps to 100: the z-score has no
    spread and volatility no base to take a percentage of, so neither fires; only the
    raw-scale IQR fences (the baseline has a zero, so not the log scale) catch it. The
    order-count measure watches with z-score and volatility only: this is a blind spot,
    pinned here so that changing it is a decision."""
    values = [0.0] * 14 + [100.0]
    se = [0.0] * 14 + [10.0]
    scored = score_day(frame(values, se), "m", days(15)[-1], AnomalyConfig())
    row = scored.row(0, named=True)
    assert (row["z"], row["change_pct"]) == (None, None)
    assert not row["log_scale"]
    assert (row["iqr_low"], row["iqr_high"]) == (0.0, 0.0)
    assert (row["zscore_hit"], row["volatility_hit"], row["iqr_hit"]) == (False, False, True)


# --- too few baseline days --------------------------------------------------------------


@pytest.mark.parametrize("baseline_days", [3, 7])
def test_a_series_is_judged_from_exactly_baseline_days_usable_days(baseline_days: int):
    """With anomaly.baseline_days = k, a day with k - 1 earlier days is not judged and a
    day with k earlier days is, whatever its value."""
    quality = QualityConfig.model_validate({"anomaly": {"baseline_days": baseline_days}})
    values = [100.0] * baseline_days + [1000.0]
    se = [10.0] * len(values)
    too_few_values = [100.0] * (baseline_days - 1) + [1000.0]
    too_few = check_day(
        frame(too_few_values, [10.0] * baseline_days),
        days(baseline_days)[-1],
        quality,
        "r",
        measures=ALL_METHODS,
    )
    assert all(r.rows_checked == 0 and r.action == "none" for r in too_few)
    assert all(f"needs {baseline_days} usable earlier days" in r.detail for r in too_few)
    enough = check_day(frame(values, se), days(len(values))[-1], quality, "r", measures=ALL_METHODS)
    assert all(r.rows_checked == 1 for r in enough)
    assert actions(enough)["m.zscore"] == "flagged"


def test_excluded_and_expected_peak_days_do_not_count_towards_the_baseline():
    """Seven earlier days, but one served from a fallback (excluded) or an expected peak:
    six usable days are too few, so the day is not judged."""
    values = [100.0] * 7 + [1000.0]
    metrics = frame(values, [10.0] * 8)
    day = days(8)[-1]
    excluded = check_day(
        metrics, day, QualityConfig(), "r", excluded=[days(8)[2]], measures=ALL_METHODS
    )
    assert all(r.rows_checked == 0 for r in excluded)
    peak = QualityConfig(expected_peaks=[days(8)[2]])
    with_peak = check_day(metrics, day, peak, "r", measures=ALL_METHODS)
    assert all(r.rows_checked == 0 for r in with_peak)
    plain = check_day(metrics, day, QualityConfig(), "r", measures=ALL_METHODS)
    assert all(r.rows_checked == 1 for r in plain)


def test_a_new_series_is_reported_as_not_judged_next_to_the_judged_ones():
    """A warehouse seen for the first time today is not judged; the result counts only
    the judged series and says how many were not."""
    old = frame([100.0] * 15, [10.0] * 15, series="warehouse_id=1")
    new = frame([100.0], [10.0], series="warehouse_id=2").with_columns(
        pl.lit(days(15)[-1]).alias("business_date")
    )
    results = check_day(
        pl.concat([old, new]), days(15)[-1], QualityConfig(), "r", measures=ALL_METHODS
    )
    for result in results:
        assert (result.rows_checked, result.rows_failed, result.action) == (1, 0, "none")
        assert "1 series not judged" in result.detail


def test_a_missing_value_today_is_not_a_hit():
    """A null value on the judged day (no priced orders) raises nothing and no error."""
    values: list[float | None] = [100.0] * 14 + [None]
    results = check_day(
        frame(values, [10.0] * 15), days(15)[-1], QualityConfig(), "r", measures=ALL_METHODS
    )
    assert set(actions(results).values()) == {"none"}


def test_null_values_in_history_are_not_usable_baseline_days():
    """Days whose value is null (e.g. an average over no priced orders) are left out of
    the baseline: seven earlier days with one null are too few to judge."""
    values: list[float | None] = [100.0] * 7 + [1000.0]
    values[3] = None
    results = check_day(
        frame(values, [10.0] * 8), days(8)[-1], QualityConfig(), "r", measures=ALL_METHODS
    )
    assert all(r.rows_checked == 0 for r in results)


def test_measures_of_a_day_without_priced_orders_are_null_not_zero():
    """Orders with no amount (lines held back) still count, but revenue and the average
    order value of that day are null rather than a misleading zero."""
    stats = pl.DataFrame(
        {
            "business_date": [START],
            "warehouse_id": [1],
            "orders": [4],
            "priced": [0],
            "amount_sum": [0.0],
            "amount_sq_sum": [0.0],
        }
    )
    measures = measures_from_stats(stats)
    value = dict(zip(measures["measure"], measures["value"], strict=True))
    assert value == {"avg_order_value": None, "orders_per_warehouse": 4.0, "revenue_per_day": None}


# --- expected peaks and flagged points --------------------------------------------------


def test_expected_peak_without_a_hit_is_plain_none():
    """An expected peak whose value is ordinary is neither annotated nor flagged."""
    values = [100.0] * 15
    quality = QualityConfig(expected_peaks=[days(15)[-1]])
    results = check_day(
        frame(values, [10.0] * 15), days(15)[-1], quality, "r", measures=ALL_METHODS
    )
    assert set(actions(results).values()) == {"none"}
    assert not any("expected peak" in r.detail for r in results)


def test_an_expected_peak_yields_no_flagged_points():
    """A hit on an expected peak is annotated, so it is not returned as a flagged point
    (later baselines skip it as a peak instead)."""
    values = [100.0] * 14 + [400.0]
    quality = QualityConfig(expected_peaks=[days(15)[-1]])
    results, points = assess_day(
        frame(values, [10.0] * 15), days(15)[-1], quality, "r", measures=ALL_METHODS
    )
    assert set(actions(results).values()) == {"annotated"}
    assert points.height == 0 and points.schema == pl.Schema(FLAGGED_SCHEMA)


def test_points_flagged_in_another_measure_do_not_touch_this_baseline():
    """Flagged points are kept out of their own measure's baseline only."""
    metrics = frame([100.0, 104.0, 98.0, 101.0, 99.0, 103.0, 97.0, 100.0], [10.0] * 8)
    day = days(8)[-1]
    other = pl.DataFrame(
        {"measure": ["other"], "series": ["all"], "business_date": [days(8)[0]], "rule": ["x"]},
        schema=FLAGGED_SCHEMA,
    )
    same = other.with_columns(pl.lit("m").alias("measure"))
    plain = score_day(metrics, "m", day, AnomalyConfig())
    assert score_day(metrics, "m", day, AnomalyConfig(), flagged=other).equals(plain)
    assert score_day(metrics, "m", day, AnomalyConfig(), flagged=same)["n_rolling"].to_list() == [6]
