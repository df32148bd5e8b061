"""How many heaps the C allocator keeps: set once, when `run` starts (ADR 0015).

glibc's malloc gives a thread that finds the heaps busy a heap (an "arena") of its
own, up to eight per core. A run has a dozen threads that allocate through it: the
source readers (SQLite and its Arrow batches, HTTP), DuckDB's workers, the day's lane.
Memory freed in one arena is reused only by the threads that land on it, so every
arena keeps its own high-water mark, and the run's resident memory tends towards the
sum of the threads' worst moments rather than the worst moment of the run. Two arenas
keep each thread's freed memory in reach of the others. (Polars allocates through
jemalloc, which this does not touch.)

A user's own `MALLOC_ARENA_MAX` wins: glibc read it at start-up, and it is left alone.
"""

from __future__ import annotations

import ctypes
import os
import sys

MALLOC_ARENAS = 2
"""Heaps for the run's threads to share (ADR 0015 has the measurements)."""
_M_ARENA_MAX = -8  # <malloc.h>


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's arenas at `arenas`; True when the cap was set. Call it before the
    threads start: arenas already made are kept. Nothing is done off Linux, on a C
    library without `mallopt` (musl), or when the environment sets the cap."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the process runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return mallopt(_M_ARENA_MAX, arenas) == 1
