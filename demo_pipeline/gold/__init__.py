"""Gold: the DuckDB star schema, its aggregates and views, and the Parquet exports."""
