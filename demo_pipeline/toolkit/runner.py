"""Run a pipeline file: build its parts, extract, transform in order, load.

`run_pipeline_file` is the whole toolkit in one call. The parts are plain objects
(`build_parts`), so a test or a notebook can also run them one by one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from demo_pipeline.errors import ConfigError
from demo_pipeline.toolkit.extractors import ErpExtractor, WorkbookExtractor, orders_api
from demo_pipeline.toolkit.loaders import DuckDBUpsertLoader
from demo_pipeline.toolkit.protocols import Extractor, Loader, Tables, Transformer
from demo_pipeline.toolkit.spec import (
    ApiSource,
    DatabaseSource,
    GoldStep,
    PipelineSpec,
    SilverStep,
    load_spec,
)
from demo_pipeline.toolkit.transformers import GoldTransformer, SilverTransformer


@dataclass
class Parts:
    """The objects a pipeline file describes, ready to run."""

    extractor: Extractor
    transformers: list[Transformer]
    loader: Loader
    tables: list[str] | None = None
    """The tables the loader gets (None: every table of the batch)."""


@dataclass
class PipelineRun:
    """What one run did: rows per table after each stage."""

    name: str
    business_date: dt.date
    extracted: dict[str, int] = field(default_factory=dict)
    transformed: dict[str, int] = field(default_factory=dict)
    loaded: dict[str, int] = field(default_factory=dict)


def build_parts(spec: PipelineSpec, workdir: Path, *, base_url: str | None = None) -> Parts:
    """The extractor, transformers and loader of `spec`; paths resolved under `workdir`,
    `base_url` (if given) replacing the API extractor's."""
    source = spec.extractor
    extractor: Extractor
    if isinstance(source, DatabaseSource):
        extractor = ErpExtractor(
            workdir / source.database, workdir / source.state, tuple(source.tables)
        )
    elif isinstance(source, ApiSource):
        extractor = orders_api(
            base_url or source.base_url, page_size=source.page_size, retries=source.retries
        )
    else:
        extractor = WorkbookExtractor(workdir / source.root)
    transformers: list[Transformer] = []
    for step in spec.transformers:
        if isinstance(step, SilverStep):
            transformers.append(SilverTransformer(contracts=dict(step.contracts)))
        elif isinstance(step, GoldStep):
            transformers.append(GoldTransformer(step.query, dict(step.inputs), step.output))
    target = spec.loader
    loader = DuckDBUpsertLoader(workdir / target.database, dict(target.keys))
    return Parts(extractor, transformers, loader, target.tables)


def run_parts(parts: Parts, name: str, business_date: dt.date) -> PipelineRun:
    """Extract, transform in order, load; rows counted after each stage."""
    run = PipelineRun(name, business_date)
    tables: Tables = {e.table: e.frame for e in parts.extractor.extract(business_date)}
    run.extracted = {t: f.height for t, f in tables.items()}
    for step in parts.transformers:
        tables = step.transform(tables, business_date)
    run.transformed = {t: f.height for t, f in tables.items()}
    if parts.tables is not None:
        missing = [t for t in parts.tables if t not in tables]
        if missing:
            raise ConfigError(
                f"pipeline {name}: loader.tables: expected tables of the batch "
                f"({sorted(tables)}); found {missing}"
            )
        tables = {t: tables[t] for t in parts.tables}
    run.loaded = parts.loader.load(tables, business_date)
    return run


def run_pipeline_file(
    path: Path, business_date: dt.date, workdir: Path, *, base_url: str | None = None
) -> PipelineRun:
    """Validate the pipeline file at `path` and run it for `business_date` in `workdir`."""
    spec = load_spec(path)
    return run_parts(build_parts(spec, workdir, base_url=base_url), spec.name, business_date)
