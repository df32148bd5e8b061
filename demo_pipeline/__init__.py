"""demo_pipeline: a synthetic retail source estate and the medallion pipeline that
turns it into a DuckDB star schema, with data quality, run records and benchmarks.

Every figure on the portfolio site comes from a run of this package, through the
metric catalogue (`demo_pipeline.metrics`).
"""

__version__ = "0.1.0"
