"""The benchmark questions as files, one per question per engine, and the one loader.

The layout is polars-benchmark's (`queries/<engine>/q1.py`, ...): every engine has a
folder, and a question has the same file name in each, so the engines diff side by side
(`diff queries/duckdb/top_products.sql queries/postgres/top_products.sql`):

    queries/duckdb/<question>.sql     queries/polars/<question>.py   (`query(frames)`)
    queries/sqlite/<question>.sql     queries/pandas/<question>.py   (`query(frames)`)
    queries/postgres/<question>.sql

Which engines answer which question is declared once, in questions.py; a test checks
that the files and the declaration agree. Benchmark configurations map onto these
folders: `polars_lazy`, `polars_eager` and `polars_streaming` run the Polars files,
`pandas_numpy` and `pandas_arrow` the pandas files. README.md in this folder says more.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from string import Template
from typing import Any

from demo_pipeline.errors import BenchmarkError

HERE = Path(__file__).resolve().parent
SQL_ENGINES = ("duckdb", "sqlite", "postgres")
FRAME_ENGINES = ("polars", "pandas")
ENGINES = (*SQL_ENGINES, *FRAME_ENGINES)


def folder_for(engine: str) -> str:
    """The query folder of an engine or engine configuration (polars_lazy -> polars)."""
    for folder in ENGINES:
        if engine == folder or engine.startswith(folder + "_"):
            return folder
    raise BenchmarkError(f"engine {engine!r}: expected one of {', '.join(ENGINES)} (or a variant)")


def query_path(engine: str, question: str) -> Path:
    """The file holding `question` for `engine`; BenchmarkError naming it when absent."""
    folder = folder_for(engine)
    suffix = ".sql" if folder in SQL_ENGINES else ".py"
    path = HERE / folder / f"{question}{suffix}"
    if not path.is_file():
        raise BenchmarkError(
            f"question {question!r} for engine {engine!r}: expected the file {path}; found none"
        )
    return path


def sql(engine: str, question: str, **params: Any) -> str:
    """The question's SQL for a SQL engine, with `${name}` placeholders filled from params."""
    path = query_path(engine, question)
    if folder_for(engine) not in SQL_ENGINES:
        raise BenchmarkError(f"{path}: expected a SQL engine ({', '.join(SQL_ENGINES)})")
    try:
        return Template(path.read_text(encoding="utf-8")).substitute(params)
    except (KeyError, ValueError) as exc:
        raise BenchmarkError(
            f"{path}: expected a value for every ${{placeholder}}; given {sorted(params)} ({exc})"
        ) from None


def frame_query(engine: str, question: str) -> Callable[..., Any]:
    """The question's `query(frames, **params)` function for a DataFrame engine."""
    path = query_path(engine, question)
    folder = folder_for(engine)
    if folder not in FRAME_ENGINES:
        raise BenchmarkError(f"{path}: expected a DataFrame engine ({', '.join(FRAME_ENGINES)})")
    module = importlib.import_module(f"{__name__}.{folder}.{question}")
    return module.query


def answer_rows(engine: str, answer: Any, output: Sequence[str]) -> list[tuple]:
    """The answer as row tuples in the question's column order, whatever the engine."""
    folder = folder_for(engine)
    if folder == "pandas":
        return list(answer[list(output)].itertuples(index=False, name=None))
    if folder == "polars":
        return answer.select(output).rows()
    return answer  # SQL engines: DB-API rows, already tuples in SELECT order
