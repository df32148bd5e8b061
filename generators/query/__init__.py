"""The "Query the data" page: the gold star schema published as Parquet and queried with
SQL in the visitor's browser by DuckDB-WASM, served from the site's own origin.

`build` (build.py) is the site build's `query` step; `hooks.py` is the MkDocs hook that
gives the page its Content-Security-Policy; `examples.py` holds the example queries.
"""
