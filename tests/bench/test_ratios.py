"""Summary maths: speed-ups, reductions, geometric mean, nearest-rank percentile."""

from __future__ import annotations

import pytest

from demo_pipeline.bench.ratios import geometric_mean, percentile, reduction_pct, speedup


def test_ratios():
    """2 s -> 0.5 s is a 4x speed-up and a 75 % reduction."""
    assert speedup(2.0, 0.5) == 4.0
    assert reduction_pct(2.0, 0.5) == 75.0


def test_geometric_mean_treats_win_and_loss_symmetrically():
    """A 4x win and a 4x loss average to 1x."""
    assert geometric_mean([4.0, 0.25]) == pytest.approx(1.0)


def test_nearest_rank_percentile():
    """P95 of 1..20 is 19; P50 of 1..4 is 2."""
    assert percentile(range(1, 21), 95) == 19
    assert percentile([4, 1, 3, 2], 50) == 2
