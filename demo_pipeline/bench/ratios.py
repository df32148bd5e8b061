"""How timings become the summary figures: ratios of medians, and their geometric mean
across questions (the mean that treats a 2x win and a 2x loss symmetrically)."""

from __future__ import annotations

import math
from collections.abc import Iterable


def speedup(baseline_s: float, candidate_s: float) -> float:
    """How many times faster the candidate is than the baseline (>1 = faster)."""
    return baseline_s / candidate_s


def reduction_pct(baseline: float, candidate: float) -> float:
    """By how many percent the candidate is below the baseline (negative = above)."""
    return 100.0 * (1.0 - candidate / baseline)


def geometric_mean(values: Iterable[float]) -> float:
    values = list(values)
    if not values:
        raise ValueError("geometric mean of no values")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def percentile(values: Iterable[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least pct % at or below it."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[rank - 1]
