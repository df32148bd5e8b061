"""The questions as pandas code: one module per question, each with `query(frames)`.

Group-bys pass dropna=False: NULL group keys are kept, as SQL and Polars keep them.
"""
