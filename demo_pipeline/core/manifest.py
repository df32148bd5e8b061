"""The run record: one JSON manifest per business day in `<workdir>/runs/<date>.json`.

It says what ran (run id, business date, config hash, code version, seed, scale),
how long each stage took, how many rows went in and out of each layer and table,
which files and bytes were written, what the quality checks found, and the status:

  succeeded  every table loaded
  partial    the run completed but a table was halted, missing or failed, or a
             source was unavailable (earlier good data untouched)
  failed     the run stopped (an error, or rows went missing)

`RunManifest` is the one definition of that record: the runner builds it, and the
pipeline's metrics, the API catch-up, the latency check and the site's dashboards read
it through `read_manifests`, by attribute. `to_json` writes the file's exact bytes;
`from_json` reads it back (leniently: a key a record lacks takes its default).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.core.results import CheckResult
from demo_pipeline.workdir import FileStamp, file_stamp, run_manifest_file, run_manifest_files

RunStatus = Literal["succeeded", "partial", "failed"]


@dataclass(frozen=True)
class TableRecord:
    """How one silver table fared on the day."""

    status: str
    """ok | halted | missing | failed"""
    detail: str = ""
    halt: str | None = None
    """What halted it ("schema" for a contract failure), when it halted."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "detail": self.detail}
        if self.halt:
            data["halt"] = self.halt
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TableRecord:
        return cls(str(data["status"]), str(data.get("detail", "")), data.get("halt"))


@dataclass(frozen=True)
class RowCounts:
    """Rows per layer, per table."""

    extracted: Mapping[str, int] = field(default_factory=dict)
    bronze: Mapping[str, int] = field(default_factory=dict)
    silver: Mapping[str, int] = field(default_factory=dict)
    quarantined: Mapping[str, int] = field(default_factory=dict)
    duplicates_dropped: Mapping[str, int] = field(default_factory=dict)
    held: Mapping[str, int] = field(default_factory=dict)
    gold: Mapping[str, int] = field(default_factory=dict)

    def layer(self, name: str) -> Mapping[str, int]:
        return getattr(self, name)

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {f.name: dict(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RowCounts:
        return cls(**{f.name: dict(data.get(f.name, {})) for f in fields(cls)})


@dataclass(frozen=True)
class GoldRecord:
    """What the day's gold build refreshed, skipped, and how long each step took."""

    loaded: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    timings_s: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "loaded": list(self.loaded),
            "skipped": list(self.skipped),
            "timings_s": dict(self.timings_s),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GoldRecord:
        return cls(
            tuple(data.get("loaded", ())),
            tuple(data.get("skipped", ())),
            dict(data.get("timings_s", {})),
        )


@dataclass(frozen=True)
class QualityRecord:
    """The day's checks in brief: counts, and every finding that is not info."""

    checks: int = 0
    by_severity: Mapping[str, int] = field(default_factory=dict)
    halts: int = 0
    quarantined_rows: int = 0
    findings: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def of(cls, checks: Iterable[CheckResult]) -> QualityRecord:
        checks = list(checks)
        severities = Counter(c.severity for c in checks)
        return cls(
            checks=len(checks),
            by_severity=dict(sorted(severities.items())),
            halts=sum(c.action == "halted" for c in checks),
            quarantined_rows=sum(c.rows_failed for c in checks if c.action == "quarantined"),
            findings=tuple(
                {
                    "tier": c.tier,
                    "table": c.table,
                    "rule": c.rule,
                    "severity": c.severity,
                    "action": c.action,
                    "rows_failed": c.rows_failed,
                    "detail": c.detail,
                }
                for c in checks
                if c.severity != "info"
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "checks": self.checks,
            "by_severity": dict(self.by_severity),
            "halts": self.halts,
            "quarantined_rows": self.quarantined_rows,
            "findings": [dict(f) for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QualityRecord:
        return cls(
            int(data.get("checks", 0)),
            dict(data.get("by_severity", {})),
            int(data.get("halts", 0)),
            int(data.get("quarantined_rows", 0)),
            tuple(data.get("findings", ())),
        )


def _files() -> dict[str, int]:
    return {"bronze": 0, "silver": 0, "quarantine": 0}


def _bytes() -> dict[str, int]:
    return {"bronze": 0, "silver": 0, "quarantine": 0, "gold": 0}


@dataclass(frozen=True)
class RunManifest:
    """One business day's run record (see the module docstring)."""

    run_id: str
    business_date: dt.date
    run_day: dt.date
    """The day whose contracts the run used (later than business_date in a backfill)."""
    config_sha256: str
    code_version: str
    seed: int
    scale: float
    contract_versions: Mapping[str, int] = field(default_factory=dict)
    status: RunStatus = "failed"
    durations_s: Mapping[str, float] = field(default_factory=dict)
    """Seconds per stage (extract, bronze, silver, gold) and in total."""
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """What each extractor reported (status, seconds, requests, retries, ...)."""
    tables: Mapping[str, TableRecord] = field(default_factory=dict)
    rows: RowCounts = field(default_factory=RowCounts)
    files: Mapping[str, int] = field(default_factory=_files)
    bytes: Mapping[str, int] = field(default_factory=_bytes)
    conservation: tuple[Mapping[str, Any], ...] = ()
    quality: QualityRecord | None = None
    gold: GoldRecord | None = None
    error: str | None = None
    memory_rss_mb: float | None = None
    """Resident memory when the day ended."""
    memory_peak_mb: float | None = None
    """The day's peak resident memory, sampled every few ms (Linux; None elsewhere)."""
    backfilled_on: dt.date | None = None
    backfill_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "run_id": self.run_id,
            "business_date": self.business_date.isoformat(),
            "run_day": self.run_day.isoformat(),
            "config_sha256": self.config_sha256,
            "code_version": self.code_version,
            "seed": self.seed,
            "scale": self.scale,
            "contract_versions": dict(self.contract_versions),
            "status": self.status,
            "durations_s": dict(self.durations_s),
            "sources": {k: dict(v) for k, v in self.sources.items()},
            "tables": {k: v.to_dict() for k, v in self.tables.items()},
            "rows": self.rows.to_dict(),
            "files": dict(self.files),
            "bytes": dict(self.bytes),
            "conservation": [dict(c) for c in self.conservation],
            "quality": self.quality.to_dict() if self.quality else {},
            "gold": self.gold.to_dict() if self.gold else {},
            "error": self.error,
            "memory_rss_mb": self.memory_rss_mb,
            "memory_peak_mb": self.memory_peak_mb,
        }
        if self.backfilled_on is not None:
            data["backfilled_on"] = self.backfilled_on.isoformat()
            data["backfill_reason"] = self.backfill_reason
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunManifest:
        day = dt.date.fromisoformat(data["business_date"])
        backfilled = data.get("backfilled_on")
        return cls(
            run_id=str(data.get("run_id", "")),
            business_date=day,
            run_day=dt.date.fromisoformat(data["run_day"]) if data.get("run_day") else day,
            config_sha256=str(data.get("config_sha256", "")),
            code_version=str(data.get("code_version", "unknown")),
            seed=data.get("seed", 0),
            scale=data.get("scale", 0.0),
            contract_versions=dict(data.get("contract_versions", {})),
            status=data.get("status", "failed"),
            durations_s=dict(data.get("durations_s", {})),
            sources={k: dict(v) for k, v in data.get("sources", {}).items()},
            tables={k: TableRecord.from_dict(v) for k, v in data.get("tables", {}).items()},
            rows=RowCounts.from_dict(data.get("rows", {})),
            files={**_files(), **data.get("files", {})},
            bytes={**_bytes(), **data.get("bytes", {})},
            conservation=tuple(data.get("conservation", ())),
            quality=QualityRecord.from_dict(data["quality"]) if data.get("quality") else None,
            gold=GoldRecord.from_dict(data["gold"]) if data.get("gold") else None,
            error=data.get("error"),
            memory_rss_mb=data.get("memory_rss_mb"),
            memory_peak_mb=data.get("memory_peak_mb"),
            backfilled_on=dt.date.fromisoformat(backfilled) if backfilled else None,
            backfill_reason=data.get("backfill_reason"),
        )

    @classmethod
    def from_json(cls, text: str) -> RunManifest:
        return cls.from_dict(json.loads(text))


def manifest_path(runs: Path, day: dt.date) -> Path:
    return run_manifest_file(runs, day)


def read_manifest(runs: Path, day: dt.date) -> RunManifest | None:
    path = manifest_path(runs, day)
    return RunManifest.from_json(path.read_text(encoding="utf-8")) if path.exists() else None


# Parsed manifests by file and stamp: a run reads the run records several times
# a day (latency baseline, API catch-up, backfills), and re-parsing every earlier day's
# JSON each time made the cost of a day grow with the history. A file rewritten since
# (a re-run of its day, written by a rename) has another inode, mtime or size and is
# parsed again.
_PARSED: dict[Path, tuple[FileStamp, RunManifest]] = {}


def _read_cached(path: Path) -> RunManifest:
    stamp = file_stamp(path)
    cached = _PARSED.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    manifest = RunManifest.from_json(path.read_text(encoding="utf-8"))
    _PARSED[path] = (stamp, manifest)
    return manifest


def read_manifests(runs: Path) -> list[RunManifest]:
    """Every manifest in `runs`, in business-date order ([] when there is none)."""
    return [_read_cached(p) for p in run_manifest_files(runs)]


def write_manifest(runs: Path, manifest: RunManifest) -> Path:
    path = manifest_path(runs, manifest.business_date)
    write_text_atomic(path, manifest.to_json())
    return path
