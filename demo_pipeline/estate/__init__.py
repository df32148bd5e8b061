"""The synthetic source estate: ERP database, orders API data, Excel workbooks and the
ground truth of every injected fault. `build_estate` writes it; `set_source_clock`
moves the ERP to the end of a business day."""

from demo_pipeline.estate.build import build_estate
from demo_pipeline.estate.erp import set_source_clock, source_clock

__all__ = ["build_estate", "set_source_clock", "source_clock"]
