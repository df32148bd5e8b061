"""Claim: Polars' lazy evaluation cuts memory by 60 % (against pandas) for the same job.

The job: read the gold Parquet files and answer every question (questions.py; each
engine runs its own file under queries/), from start to finish, in one fresh process
per measurement. Peak memory is the kernel's maximum resident set size of that process
(`ru_maxrss`, read with `os.wait4` by a minimal launcher process, launcher.py), so it
includes the interpreter and the engine's own libraries. To make that visible, a
second process per engine only imports the engine: its peak is the floor, reported
beside the job's peak. Answers are validated across engines here too.

Configurations: pandas (default and pyarrow dtypes) and Polars eager read only the
needed columns; Polars lazy scans the files and lets the optimiser push projections and
predicates down; Polars streaming is the same plan run by the streaming engine;
DuckDB queries the files directly. Readers may memory-map the Parquet files (Polars
does for local files); mapped pages they touch are resident and counted in the peak.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from demo_pipeline.bench.answers import AnswerFingerprint, fingerprint, validate_all
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.engines_polars_pandas import load_frames
from demo_pipeline.bench.queries import answer_rows, frame_query, sql
from demo_pipeline.bench.questions import BY_NAME, QUESTIONS, columns_needed, sql_literal
from demo_pipeline.bench.ratios import reduction_pct
from demo_pipeline.bench.results import BenchmarkResult, Figure

NAME = "memory"
JOB = f"demo_pipeline.bench.{NAME}:whole_job"
BASELINE_JOB = f"demo_pipeline.bench.{NAME}:import_only"
ENGINES = (
    "duckdb",
    "polars_lazy",
    "polars_streaming",
    "polars_eager",
    "pandas_arrow",
    "pandas_numpy",
)


def import_only(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Child job: import the engine and nothing else (the memory floor)."""
    engine = params["engine"]
    if engine.startswith("pandas"):
        import pandas  # noqa: F401
    elif engine.startswith("polars"):
        import polars  # noqa: F401
    else:
        import duckdb  # noqa: F401
    return {"engine": engine}


def whole_job(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Child job: from Parquet files to every answer, once."""
    engine = params["engine"]
    paths = params["paths"]
    questions = [BY_NAME[n] for n in params["questions"]]
    start = time.perf_counter()
    answers: dict[str, list[tuple]] = {}
    if engine in ("polars_lazy", "polars_streaming"):
        import polars as pl

        # --8<-- [start:lazy-scan]
        scans = {t: pl.scan_parquet(paths[t]) for t in columns_needed(questions)}
        run_engine = "streaming" if engine == "polars_streaming" else "auto"
        for q in questions:
            frame = frame_query(engine, q.name)(scans).collect(engine=run_engine)
            answers[q.name] = answer_rows("polars", frame, q.output)
        # --8<-- [end:lazy-scan]
    elif engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")
        for table in columns_needed(questions):
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM {sql_literal(paths[table])}")
        for q in questions:
            answers[q.name] = con.execute(sql(engine, q.name)).fetchall()
    else:
        frames = load_frames(engine, paths, columns_needed(questions), threads)
        for q in questions:
            answers[q.name] = answer_rows(engine, frame_query(engine, q.name)(frames), q.output)
    elapsed = time.perf_counter() - start
    return {
        "engine": engine,
        "elapsed_s": elapsed,
        "answers": {q.name: fingerprint(q.output, answers[q.name]).to_dict() for q in questions},
    }


def run(ctx: BenchContext) -> BenchmarkResult:
    paths = {t: str(p) for t, p in ctx.dataset.paths.items()}
    names = [q.name for q in QUESTIONS]
    raw: dict[str, Any] = {}
    peaks: dict[str, list[int]] = {}
    floors: dict[str, int] = {}
    answers: dict[str, dict[str, Any]] = {}
    for engine in ENGINES:
        floor = ctx.job(BASELINE_JOB, {"engine": engine})
        floors[engine] = floor.peak_rss_bytes
        runs = [
            ctx.job(JOB, {"engine": engine, "paths": paths, "questions": names})
            for _ in range(ctx.profile.memory_repetitions)
        ]
        peaks[engine] = [r.peak_rss_bytes for r in runs]
        answers[engine] = runs[-1].payload["answers"]
        raw[engine] = {"import_only": floor.to_dict(), "runs": [r.to_dict() for r in runs]}

    for name in names:
        validate_all(name, {e: AnswerFingerprint.from_dict(answers[e][name]) for e in ENGINES})

    median_peak = {e: statistics.median(v) for e, v in peaks.items()}

    def cut(baseline: str, candidate: str) -> float:
        return reduction_pct(median_peak[baseline], median_peak[candidate])

    figures = [
        Figure(
            "bench.polars_lazy_vs_pandas.memory_reduction_pct",
            cut("pandas_numpy", "polars_lazy"),
            "%",
            "Peak RSS of Polars lazy vs pandas (default dtypes), same job, fresh processes",
        ),
        Figure(
            "bench.polars_lazy_vs_pandas.memory_above_floor_reduction_pct",
            reduction_pct(
                median_peak["pandas_numpy"] - floors["pandas_numpy"],
                median_peak["polars_lazy"] - floors["polars_lazy"],
            ),
            "%",
            "Peak RSS above each engine's import-only floor: Polars lazy vs pandas",
        ),
        Figure(
            "bench.polars_lazy_vs_eager.memory_reduction_pct",
            cut("polars_eager", "polars_lazy"),
            "%",
            "Peak RSS of Polars lazy vs Polars eager, same job, fresh processes",
        ),
        Figure(
            "bench.polars_streaming_vs_pandas.memory_reduction_pct",
            cut("pandas_numpy", "polars_streaming"),
            "%",
            "Peak RSS of Polars streaming vs pandas (default dtypes), same job",
        ),
        Figure(
            "bench.pandas_arrow_vs_pandas.memory_reduction_pct",
            cut("pandas_numpy", "pandas_arrow"),
            "%",
            "Peak RSS of pandas with pyarrow dtypes vs default dtypes, same job",
        ),
    ]
    return BenchmarkResult(
        name=NAME,
        status="ok",
        summary={
            "engines": list(ENGINES),
            "job": "read the gold Parquet files and answer: " + ", ".join(names),
            "peak_rss_bytes_median": median_peak,
            "peak_rss_bytes_runs": peaks,
            "import_only_peak_rss_bytes": floors,
            "above_import_floor_bytes": {e: median_peak[e] - floors[e] for e in ENGINES},
            "processes_per_engine": ctx.profile.memory_repetitions,
        },
        raw=raw,
        figures=figures,
        notes=[
            "Peak RSS = kernel ru_maxrss of a fresh process per run, read by a minimal "
            "launcher with wait4; it includes the interpreter and the engine's libraries.",
            "import_only = the same engine imported in a fresh process, nothing else done.",
        ],
    )
