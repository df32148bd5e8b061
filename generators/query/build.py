"""The `query` step of the site build: everything the "Query the data" page needs.

1. DuckDB-WASM's files from web/ into `docs/assets/generated/duckdb/` (vendor.py);
2. the gold tables and two quality tables as Parquet into
   `docs/assets/generated/query/data/`, at most 30 MB in all, with the stored answer of
   every example query (`answers.json`) and the manifest (`manifest.json`: tables, columns,
   types, row counts, joins, provenance, engine) beside them (data.py);
3. the page's generated part, `docs/generated/partials/query/page.md` (page.py), which
   docs/query.md includes.

It fails, naming what is missing, when the gold layer or the quality results are not in
the work directory or when `npm ci --prefix web` has not run.
"""

from __future__ import annotations

import json

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.workdir import Workdir
from generators.project import Project
from generators.query.data import build_data
from generators.query.page import partial
from generators.query.vendor import copy_engine


def build(project: Project, workdir: Workdir) -> dict:
    """Run the step; return the manifest."""
    engine = copy_engine(project.web, project.duckdb_assets)
    manifest, answers = build_data(workdir, project.query_data)
    manifest["engine"] = engine
    write_text_atomic(project.query_data / "manifest.json", json.dumps(manifest, indent=1) + "\n")
    write_text_atomic(project.partials / "query" / "page.md", partial(manifest, answers))
    return manifest
