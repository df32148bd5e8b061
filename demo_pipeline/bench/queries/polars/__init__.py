"""The questions as Polars code: one module per question, each with `query(frames)`.

`frames` maps table names to DataFrames or LazyFrames alike (the API is the same); the
caller decides whether to collect.
"""
