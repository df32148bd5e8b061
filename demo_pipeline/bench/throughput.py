"""The demo's own throughput: estate generation rows per second and the pipeline's time
per stage. These are measured by the generator and the pipeline themselves while they
run (they write them to the metric catalogue); this benchmark gathers them beside the
engine results, with each figure's own provenance, and derives the pipeline's fact rows
per second. Nothing is re-timed here. Missing figures are reported as unmeasured.
"""

from __future__ import annotations

from typing import Any

from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.results import BenchmarkResult, Figure
from demo_pipeline.metrics import MetricCatalogue

NAME = "throughput"
SOURCE_KEYS = (
    "estate.generate.rows_per_s",
    "estate.generate.duration_s",
    "estate.rows.total",
    "estate.rows.facts",
    "bench.generate.rows_per_s",
    "pipeline.duration.total_s",
    "pipeline.duration.extract_s",
    "pipeline.duration.bronze_s",
    "pipeline.duration.silver_s",
    "pipeline.duration.gold_s",
    "pipeline.rows.gold.fact_sales",
    "pipeline.runs.total",
)


def gather(catalogue: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The source figures that exist, with value, unit and provenance."""
    return {
        key: {k: catalogue[key].get(k) for k in ("value", "unit", "provenance")}
        for key in SOURCE_KEYS
        if key in catalogue and catalogue[key].get("value") is not None
    }


def run(ctx: BenchContext, catalogue_path) -> BenchmarkResult:
    found = gather(MetricCatalogue(catalogue_path).read())

    def value(key: str) -> float | None:
        return found[key]["value"] if key in found else None

    generate = value("estate.generate.rows_per_s")
    total_s, fact_rows = value("pipeline.duration.total_s"), value("pipeline.rows.gold.fact_sales")
    pipeline_rate = fact_rows / total_s if total_s and fact_rows else None
    missing = [k for k in SOURCE_KEYS if k not in found]
    figures = [
        Figure(
            "bench.throughput.generate_rows_per_s",
            generate,
            "rows/s",
            "Estate generation: fact rows generated per second (from the generator's run)",
            why="" if generate is not None else "estate.generate.rows_per_s not in the catalogue",
        ),
        Figure(
            "bench.throughput.pipeline_fact_rows_per_s",
            pipeline_rate,
            "rows/s",
            "Pipeline: gold fact_sales rows per second of total pipeline time (all days)",
            why=""
            if pipeline_rate is not None
            else "pipeline.duration.total_s or pipeline.rows.gold.fact_sales not in the catalogue",
        ),
    ]
    figures += [
        Figure(
            f"bench.throughput.pipeline_{stage}_s",
            value(f"pipeline.duration.{stage}_s"),
            "s",
            f"Pipeline: time spent in the {stage} stage (all days)",
            why="" if value(f"pipeline.duration.{stage}_s") is not None else "not in the catalogue",
        )
        for stage in ("extract", "bronze", "silver", "gold")
    ]
    return BenchmarkResult(
        name=NAME,
        status="ok",
        summary={"sources": found, "missing": missing},
        figures=figures,
        notes=["Figures measured by the generator and the pipeline during their own runs."],
    )
