"""Claim: Polars is 5-10x faster than pandas for the pipeline's aggregations and joins.

Five configurations answer the same questions (questions.py) over the same gold rows,
each in its own fresh process with the thread count pinned. Each runs its engine's file
for the question (queries/duckdb/<question>.sql, queries/polars/<question>.py,
queries/pandas/<question>.py):

* pandas_numpy  - pandas with its default dtypes (`read_parquet` as documented)
* pandas_arrow  - pandas with pyarrow dtypes (`dtype_backend="pyarrow"`)
* polars_eager  - Polars DataFrame API
* polars_lazy   - Polars LazyFrame API, `.collect()` per question
* duckdb        - DuckDB SQL over tables loaded into an in-memory database

What the timer covers: the question only (group-by/join/sort and materialising the
answer), with the data already in memory; loading is timed separately and reported.
Every reader reads only the columns the questions need (each engine's documented
practice). The headline compares Polars lazy with pandas' default dtypes, as my claim
does; every other pairing is reported beside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from demo_pipeline.bench.answers import AnswerFingerprint, fingerprint, validate_all
from demo_pipeline.bench.context import BenchContext
from demo_pipeline.bench.harness import time_repeated
from demo_pipeline.bench.queries import answer_rows, frame_query, sql
from demo_pipeline.bench.questions import BY_NAME, QUESTIONS, Question, columns_needed
from demo_pipeline.bench.ratios import geometric_mean, speedup
from demo_pipeline.bench.results import BenchmarkResult, Figure

NAME = "engines_polars_pandas"
JOB = f"demo_pipeline.bench.{NAME}:time_engine"
# The first engine is the reference the others' answers are checked against.
ENGINES = ("duckdb", "polars_lazy", "polars_eager", "pandas_arrow", "pandas_numpy")


# --- loading (child process) -----------------------------------------------------------


def load_frames(engine: str, paths: dict[str, str], needed: dict[str, list[str]], threads: int):
    """Read the needed columns of each table into the engine's in-memory form."""
    if engine.startswith("pandas"):
        import pandas as pd

        # pandas_numpy keeps pandas' defaults on purpose: that is what most code runs with.
        kwargs = {"dtype_backend": "pyarrow"} if engine == "pandas_arrow" else {}
        return {t: pd.read_parquet(paths[t], columns=cols, **kwargs) for t, cols in needed.items()}
    if engine.startswith("polars"):
        import polars as pl

        return {t: pl.read_parquet(paths[t], columns=cols) for t, cols in needed.items()}
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")
        for table, cols in needed.items():
            con.execute(
                f"CREATE TABLE {table} AS SELECT {', '.join(cols)} FROM read_parquet(?)",
                [paths[table]],
            )
        return con
    raise KeyError(engine)


def engine_settings(engine: str, frames: Any) -> dict[str, Any]:
    """What the engine was actually configured with, read back from the engine."""
    if engine.startswith("pandas"):
        import pandas as pd

        return {
            "pandas": pd.__version__,
            "dtype_backend": "pyarrow" if engine == "pandas_arrow" else "default (numpy)",
            "threads": "1 (pandas runs group-bys on one thread)",
        }
    if engine.startswith("polars"):
        import polars as pl

        return {"polars": pl.__version__, "threads": pl.thread_pool_size()}
    import duckdb

    threads = frames.execute("SELECT current_setting('threads')").fetchone()[0]
    return {"duckdb": duckdb.__version__, "threads": threads}


def loaded_dtypes(engine: str, frames: Any) -> dict[str, dict[str, str]]:
    """The column types each engine ended up with (pandas 3 defaults differ from 2)."""
    if engine.startswith("pandas"):
        return {t: {c: str(d) for c, d in f.dtypes.items()} for t, f in frames.items()}
    if engine.startswith("polars"):
        return {t: {c: str(d) for c, d in f.schema.items()} for t, f in frames.items()}
    tables = frames.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
    ).fetchall()
    dtypes: dict[str, dict[str, str]] = {}
    for table, column, data_type in tables:
        dtypes.setdefault(table, {})[column] = data_type
    return dtypes


def make_runner(engine: str, question: str, frames: Any) -> Callable[[], Any]:
    if engine == "duckdb":
        text = sql(engine, question)
        return lambda: frames.execute(text).fetchall()
    query = frame_query(engine, question)
    if engine == "polars_lazy":
        lazy = {t: f.lazy() for t, f in frames.items()}
        return lambda: query(lazy).collect()
    return lambda: query(frames)  # polars_eager, pandas_*


def time_engine(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Child job: load once, then time each question with warm-up and repetitions."""
    engine = params["engine"]
    questions = [BY_NAME[n] for n in params["questions"]]
    needed = columns_needed(questions)
    start = time.perf_counter()
    frames = load_frames(engine, params["paths"], needed, threads)
    load_s = time.perf_counter() - start
    result: dict[str, Any] = {
        "engine": engine,
        "load_s": load_s,
        "settings": engine_settings(engine, frames),
        "dtypes": loaded_dtypes(engine, frames),
        "questions": {},
    }
    for q in questions:
        timing, answer = time_repeated(
            make_runner(engine, q.name, frames),
            warmups=params["warmups"],
            repetitions=params["repetitions"],
        )
        rows = answer_rows(engine, answer, q.output)
        result["questions"][q.name] = {
            "timing": timing.to_dict(),
            "answer": fingerprint(q.output, rows).to_dict(),
        }
    return result


# --- the parent side -------------------------------------------------------------------


def run(ctx: BenchContext, questions: tuple[Question, ...] = QUESTIONS) -> BenchmarkResult:
    per_engine: dict[str, dict[str, Any]] = {}
    raw: dict[str, Any] = {}
    for engine in ENGINES:
        outcome = ctx.job(
            JOB,
            {
                "engine": engine,
                "questions": [q.name for q in questions],
                "paths": {t: str(p) for t, p in ctx.dataset.paths.items()},
                **ctx.timing_params(),
            },
        )
        per_engine[engine] = outcome.payload
        raw[engine] = outcome.to_dict()

    for q in questions:
        validate_all(
            q.name,
            {
                e: AnswerFingerprint.from_dict(per_engine[e]["questions"][q.name]["answer"])
                for e in ENGINES
            },
        )

    medians = {
        q.name: {e: per_engine[e]["questions"][q.name]["timing"]["median_s"] for e in ENGINES}
        for q in questions
    }

    def geo_speedup(baseline: str, candidate: str) -> float:
        return geometric_mean(speedup(m[baseline], m[candidate]) for m in medians.values())

    pairs = {
        "bench.polars_vs_pandas.speedup": (
            "pandas_numpy",
            "polars_lazy",
            "Polars lazy vs pandas (default dtypes): geometric mean of median-time ratios",
        ),
        "bench.polars_eager_vs_pandas.speedup": (
            "pandas_numpy",
            "polars_eager",
            "Polars eager vs pandas (default dtypes): geometric mean of median-time ratios",
        ),
        "bench.polars_vs_pandas_arrow.speedup": (
            "pandas_arrow",
            "polars_lazy",
            "Polars lazy vs pandas with pyarrow dtypes: geometric mean of median-time ratios",
        ),
        "bench.duckdb_vs_pandas.speedup": (
            "pandas_numpy",
            "duckdb",
            "DuckDB vs pandas (default dtypes): geometric mean of median-time ratios",
        ),
    }
    figures = [
        Figure(key, geo_speedup(base, cand), "x", text) for key, (base, cand, text) in pairs.items()
    ]
    # The same ratios on the fastest run: least disturbed by other work on the machine.
    fastest = {
        q.name: {e: per_engine[e]["questions"][q.name]["timing"]["min_s"] for e in ENGINES}
        for q in questions
    }
    speedup_on_min = {
        key: geometric_mean(speedup(m[base], m[cand]) for m in fastest.values())
        for key, (base, cand, _) in pairs.items()
    }
    return BenchmarkResult(
        name=NAME,
        status="ok",
        summary={
            "engines": list(ENGINES),
            "questions": {q.name: q.description for q in questions},
            "median_s": medians,
            "min_s": fastest,
            "speedup_on_min_s": speedup_on_min,
            "load_s": {e: per_engine[e]["load_s"] for e in ENGINES},
            "settings": {e: per_engine[e]["settings"] for e in ENGINES},
            "dtypes": {e: per_engine[e]["dtypes"] for e in ENGINES},
            "answers_validated_against": ENGINES[0],
        },
        raw=raw,
        figures=figures,
        notes=[
            "Timer covers the question only (data already in memory); load timed separately.",
            "Each engine runs in its own fresh process with its thread count pinned.",
            "Every reader reads only the columns the questions need.",
            "pandas with default dtypes holds dates as Python objects (read_parquet's "
            "default); the column types every engine loaded are in summary.dtypes.",
            "Polars eager and lazy share one query engine; on data already in memory they "
            "differ little.",
        ],
    )
