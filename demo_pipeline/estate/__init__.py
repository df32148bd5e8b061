"""The synthetic source estate: ERP database, orders API data, Excel workbooks and the
ground truth of every injected fault. `build_estate` writes it; `set_source_clock`
moves the ERP to the end of a business day.

The names are loaded on first use: `run` imports the API server and the estate record
from this package, and must not pay for the generators it never calls."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "build_estate": "demo_pipeline.estate.build",
    "set_source_clock": "demo_pipeline.estate.erp",
    "source_clock": "demo_pipeline.estate.erp",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
