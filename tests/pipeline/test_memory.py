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
    """A 120 MB allocation held for a moment and freed shows in the window's peak; a
    window opened after it starts at the resident size of its opening, and the
    process's own peak is untouched."""
    with PeakSampler(interval_s=0.002) as sampler:
        before = sampler.window().end()
        day = sampler.window()
        spike = bytearray(b"x") * (120 * MB)  # written, so resident
        time.sleep(0.05)
        del spike
        time.sleep(0.02)
        peak = day.end()
        assert peak - before >= 100, f"peak {peak} MB, window started at {before} MB"
        assert sampler.window().end() < peak - 100
    process_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert process_peak >= peak - 1  # KiB to MiB rounding


def test_windows_open_at_once_each_see_the_peaks_while_they_are_open():
    """A day built while the next is read and cleaned: a spike while both are open
    counts in both; one after the first ended only in the second."""
    with PeakSampler(interval_s=0.002) as sampler:
        first, second = sampler.window(), sampler.window()
        spike = bytearray(b"x") * (60 * MB)
        time.sleep(0.03)
        del spike
        ended_first = first.end()
        spike = bytearray(b"x") * (120 * MB)
        time.sleep(0.03)
        del spike
        ended_second = second.end()
        assert ended_second - ended_first >= 40, (ended_first, ended_second)
        assert first.end() == ended_first  # ended: later samples no longer count
