"""Answer validation: a fast wrong answer is not a result.

Every engine's answer to a question is reduced, in the engine's own process, to an
engine-neutral fingerprint: the row count and one checksum per column. Numbers are
summed as floats (compared within a relative tolerance, since engines add in different
orders); text and dates are hashed with CRC-32 after a canonical rendering (a date is
'YYYY-MM-DD' whether the engine returns a date, a timestamp at midnight or SQLite's text),
so the checksums are exact. The parent compares all engines against a reference and
raises BenchmarkError on the first disagreement, naming question, engine and column.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from demo_pipeline.errors import BenchmarkError

DEFAULT_REL_TOL = 1e-6


@dataclass(frozen=True)
class ColumnChecksum:
    kind: str  # "number" or "text"
    total: float
    nulls: int

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "total": self.total, "nulls": self.nulls}


@dataclass(frozen=True)
class AnswerFingerprint:
    rows: int
    columns: dict[str, ColumnChecksum]

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": {k: v.to_dict() for k, v in self.columns.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnswerFingerprint:
        return cls(
            rows=int(data["rows"]),
            columns={k: ColumnChecksum(**v) for k, v in data["columns"].items()},
        )


def _canonical(value: Any) -> float | str | None:
    """One rendering per value, whatever engine produced it."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy / pandas scalars
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def fingerprint(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> AnswerFingerprint:
    """Fingerprint an answer given as column names and row tuples (any engine)."""
    totals = [0.0] * len(columns)
    nulls = [0] * len(columns)
    kinds: list[str | None] = [None] * len(columns)
    count = 0
    for row in rows:
        count += 1
        for i, raw in enumerate(row):
            value = _canonical(raw)
            if value is None:
                nulls[i] += 1
            elif isinstance(value, float):
                kinds[i] = kinds[i] or "number"
                totals[i] += value
            else:
                kinds[i] = kinds[i] or "text"
                totals[i] += zlib.crc32(value.encode("utf-8"))
    return AnswerFingerprint(
        rows=count,
        columns={
            name: ColumnChecksum(kind=kinds[i] or "null", total=totals[i], nulls=nulls[i])
            for i, name in enumerate(columns)
        },
    )


def compare(
    question: str,
    reference_engine: str,
    reference: AnswerFingerprint,
    engine: str,
    answer: AnswerFingerprint,
    *,
    rel_tol: float = DEFAULT_REL_TOL,
) -> None:
    """Raise BenchmarkError unless `answer` matches `reference` (rows, columns, checksums)."""
    where = f"question {question!r}: engine {engine!r} disagrees with {reference_engine!r}"
    if answer.rows != reference.rows:
        raise BenchmarkError(f"{where}: expected {reference.rows} rows; found {answer.rows}")
    if list(answer.columns) != list(reference.columns):
        raise BenchmarkError(
            f"{where}: expected columns {list(reference.columns)}; found {list(answer.columns)}"
        )
    for name, expected in reference.columns.items():
        found = answer.columns[name]
        if found.nulls != expected.nulls or found.kind != expected.kind:
            raise BenchmarkError(
                f"{where}: column {name!r} expected {expected.kind} with {expected.nulls} "
                f"nulls; found {found.kind} with {found.nulls} nulls"
            )
        if not math.isclose(found.total, expected.total, rel_tol=rel_tol, abs_tol=1e-9):
            raise BenchmarkError(
                f"{where}: column {name!r} checksum expected {expected.total!r}; "
                f"found {found.total!r} (relative tolerance {rel_tol})"
            )


def validate_all(
    question: str, answers: dict[str, AnswerFingerprint], *, rel_tol: float = DEFAULT_REL_TOL
) -> str:
    """Check every engine's answer against the first one; return the reference's name."""
    if not answers:
        raise BenchmarkError(f"question {question!r}: expected at least one answer; found none")
    reference_engine, reference = next(iter(answers.items()))
    for engine, answer in answers.items():
        compare(question, reference_engine, reference, engine, answer, rel_tol=rel_tol)
    return reference_engine
