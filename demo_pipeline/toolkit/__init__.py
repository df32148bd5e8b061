"""A small ETL toolkit: Extractor, Transformer and Loader interfaces, the repository's
real extractors, its silver and gold steps as transformers, an upsert loader on DuckDB,
and one YAML file per pipeline (`config/pipelines/*.yaml`) run by `run_pipeline_file`."""

from demo_pipeline.toolkit.loaders import DuckDBUpsertLoader
from demo_pipeline.toolkit.protocols import Extractor, Loader, Tables, Transformer
from demo_pipeline.toolkit.runner import PipelineRun, run_pipeline_file
from demo_pipeline.toolkit.transformers import GoldTransformer, SilverTransformer

__all__ = [
    "DuckDBUpsertLoader",
    "Extractor",
    "GoldTransformer",
    "Loader",
    "PipelineRun",
    "SilverTransformer",
    "Tables",
    "Transformer",
    "run_pipeline_file",
]
