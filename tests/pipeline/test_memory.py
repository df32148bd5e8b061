"""The day's peak memory is sampled, not read from the kernel's resettable high-water mark,
so the process's own peak (getrusage, a parent's wait4) still covers the whole run."""

from __future__ import annotations

import resource
import sys
import time

import pytest

from demo_pipeline.pipeline.memory import PeakSampler

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/statm")

MB = 2**20


def test_a_spike_freed_before_the_day_ends_is_the_days_peak():
    """A 120 MB allocation held for a moment and freed shows in the window's peak; the
    next window starts at the resident size of its start, and the process's own peak is
    untouched."""
    with PeakSampler(interval_s=0.002) as sampler:
        sampler.reset()
        before = sampler.peak_mb()
        spike = bytearray(b"x") * (120 * MB)  # written, so resident
        time.sleep(0.05)
        del spike
        time.sleep(0.02)
        peak = sampler.peak_mb()
        assert peak - before >= 100, f"peak {peak} MB, window started at {before} MB"
        sampler.reset()
        assert sampler.peak_mb() < peak - 100
    process_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert process_peak >= peak - 1  # KiB to MiB rounding
