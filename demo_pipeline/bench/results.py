"""What a benchmark hands back, and where the results files live.

A `BenchmarkResult` carries a status (ok / failed / unmeasured), a summary, every raw
run, the summary figures destined for the metric catalogue, and notes that say what the
timer covers and which settings were used. The runner writes them all to
`<workdir>/bench/results.json` (summary) and `<workdir>/bench/raw.json` (raw runs).

results.json, the file the claims registry and the site read:
    run_id, measured_at, profile, profile_settings, seed, scale, threads,
    duration_s (benchmarks only),
    data: {tables: {name: {path, rows, bytes, format}}, days_kept},
    environment: see environment.REQUIRED_FIELDS,
    figures: {metric key: {value (None = unmeasured), unit, description, why, benchmark}},
    benchmarks: {name: {status, error, duration_s, load_average_at_start, notes, figures,
                        summary}}
raw.json: {run_id, benchmarks: {name: {engine or step: {job, peak_rss_bytes,
    process_wall_s, payload (every timing's runs_s and warmup_s, answer fingerprints)}}}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from demo_pipeline.errors import BenchmarkError
from demo_pipeline.workdir import Workdir

Status = Literal["ok", "failed", "unmeasured"]


@dataclass(frozen=True)
class Figure:
    """One summary figure; `value` None means it could not be measured (see `why`)."""

    key: str
    value: float | None
    unit: str
    description: str
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "description": self.description,
            "why": self.why,
        }


@dataclass
class BenchmarkResult:
    name: str
    status: Status
    summary: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    duration_s: float = 0.0
    load_average_at_start: list[float] = field(default_factory=list)  # 1, 5, 15 min

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "error": self.error,
            "duration_s": self.duration_s,
            "load_average_at_start": self.load_average_at_start,
            "notes": self.notes,
            "figures": {f.key: f.to_dict() for f in self.figures},
            "summary": self.summary,
        }


def results_path(workdir: Workdir) -> Path:
    return workdir.bench_results


def load_results(workdir: Workdir) -> dict[str, Any] | None:
    """The last run's results.json, or None when the suite has not run in this workdir."""
    path = results_path(workdir)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BenchmarkError(f"{path}: expected JSON results; found invalid JSON ({exc})") from None
