"""Extractors: one interface (`Extractor`), three real sources (database, REST API, files)."""

from demo_pipeline.extract.base import Extracted, Extractor

__all__ = ["Extracted", "Extractor"]
