"""Each day's peak resident memory, sampled from a background thread.

The run manifest records the resident size at a day's end, but a day frees most of what
it allocates: its peak (in gold, some 60-70 MB above the day's baseline at scale 1) is
gone by then. Issue 17 asks that the last day's peak stay within 10 % of day 5's, so
the runner records each day's peak too.

Why sampling, not the kernel's high-water mark: Linux can reset that mark
(/proc/self/clear_refs), but the reset also lowers the process's own peak as
`getrusage` and a parent's `wait4` report it, and those are what the catalogue and the
benchmarks quote as the run's peak memory. Sampling every few milliseconds touches
nothing; a spike shorter than the interval can be missed, which the figure's
description says.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

INTERVAL_S = 0.005
_STATM = Path("/proc/self/statm")


def _resident_pages() -> int | None:
    try:
        return int(_STATM.read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _mib(pages: int) -> float:
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def current_rss_mb() -> float | None:
    """Resident memory of this process now (Linux), to show it does not grow by day."""
    pages = _resident_pages()
    return None if pages is None else _mib(pages)


class PeakSampler:
    """Peak resident sizes, sampled every INTERVAL_S while the sampler is entered (a
    daemon thread), one per open `window` (a day: a day is built while the next one is
    read and cleaned, so two windows can be open at once, and a peak then counts in
    both). Where /proc is missing (not Linux) it samples nothing and a window's peak is
    None."""

    def __init__(self, interval_s: float = INTERVAL_S) -> None:
        self._interval = interval_s
        self._windows: list[PeakWindow] = []
        self._lock = threading.Lock()  # a window opened or ended between two samples
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._available = _resident_pages() is not None

    def __enter__(self) -> PeakSampler:
        if self._available:
            self._thread = threading.Thread(target=self._run, name="peak-memory", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def window(self) -> PeakWindow:
        """A new window, starting at the resident size now."""
        window = PeakWindow(self, _resident_pages() or 0)
        with self._lock:
            self._windows.append(window)
        return window

    def _end(self, window: PeakWindow) -> float | None:
        if not self._available:
            return None
        self._sample()
        with self._lock:
            if window in self._windows:
                self._windows.remove(window)
            return _mib(window.peak_pages)

    def _sample(self) -> None:
        pages = _resident_pages()
        if pages is None:
            return
        with self._lock:
            for window in self._windows:
                window.peak_pages = max(window.peak_pages, pages)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()


class PeakWindow:
    """The largest resident size seen from the window's opening to its `end`."""

    def __init__(self, sampler: PeakSampler, pages: int) -> None:
        self._sampler = sampler
        self.peak_pages = pages

    def end(self) -> float | None:
        """The window's peak in MiB, the resident size now included; later samples no
        longer count."""
        return self._sampler._end(self)
