"""The claims registry (`data/claims.yaml`) and the verdict on each claim.

A claim names the metric that tests it, the comparison and threshold, how its words
are read into that number, and the sentences a page uses for each verdict. Verdicts
are never typed anywhere: `evaluate_claims` computes them from the last benchmark
results in the work directory, and `write_claims` records them, with the registry's
fields, in `<workdir>/bench/claims.json`, the one file the site reads them from.

* supported                      measured, and the comparison holds
* not supported at this scale    measured, and it does not hold on this data
* unmeasured                     no result (benchmark failed, engine unavailable, no run)
* not judged                     measured by the quick profile: a smoke test of the
                                 machinery on two days of data, not evidence either way
* extrapolated                   a claim about volumes the demo cannot reach
                                 (`basis: extrapolated`): its figure comes from a trend
                                 fitted through measured scales, and the reason says
                                 whether the comparison holds on that extrapolation

Small data can reverse a result, so every verdict carries what it was measured on:
profile, scale, days, rows, bytes, repetitions and machine.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rich.console import Console
from rich.table import Table

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.bench.results import load_results
from demo_pipeline.core.verdicts import (
    EXTRAPOLATED,
    NOT_JUDGED,
    NOT_SUPPORTED,
    SAYS_KEY,
    SMOKE_TEST_PROFILES,
    SUPPORTED,
    UNMEASURED,
    Verdict,
)
from demo_pipeline.errors import BenchmarkError
from demo_pipeline.provenance import describe_machine
from demo_pipeline.workdir import Workdir

REGISTRY_FILE = Path(__file__).resolve().parents[2] / "data" / "claims.yaml"

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


class ClaimSource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    page: str
    label: str


class Claim(BaseModel):
    """One claim of the registry (the `id` is its key in the file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    text: str
    claimed: str
    source: ClaimSource
    benchmark: str
    metric: str
    # Where the figure comes from: a benchmark run (bench/results.json) or the pipeline
    # and quality runs (the metric catalogue, metrics.json).
    measured_by: Literal["bench", "pipeline"] = "bench"
    # measured: the figure is a measurement; extrapolated: a fitted trend carried past
    # what the demo can run, which earns the verdict "extrapolated", never "supported".
    basis: Literal["measured", "extrapolated"] = "measured"
    comparison: Literal[">=", ">", "<=", "<"]
    threshold: float
    unit: str
    reading: str
    says: dict[str, str] = Field(default_factory=dict)
    asserts: tuple[str, ...] = ()
    reported: tuple[str, ...] = ()

    @field_validator("says")
    @classmethod
    def _known_verdicts(cls, says: dict[str, str]) -> dict[str, str]:
        unknown = set(says) - set(SAYS_KEY.values())
        if unknown:
            raise ValueError(
                f"says: unknown verdict {sorted(unknown)}; expected {sorted(SAYS_KEY.values())}"
            )
        return says

    @field_validator("asserts")
    @classmethod
    def _valid_patterns(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"asserts: {pattern!r} is not a regular expression ({exc})"
                ) from None
        return patterns

    def threshold_text(self) -> str:
        """'>= 5×', '< 3 s': the comparison a measurement must pass."""
        symbol = {">=": "≥", "<=": "≤"}.get(self.comparison, self.comparison)
        if self.unit == "s" and self.threshold >= 3600:
            return f"{symbol} {self.threshold / 3600:g}\u00a0h"
        number = f"{self.threshold:g}"
        unit = {"x": "×", "%": "\u00a0%", "s": "\u00a0s"}.get(self.unit, f" {self.unit}")
        return f"{symbol} {number}{unit}"


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    claimed_at: str
    claims: tuple[Claim, ...]


def load_registry(path: Path = REGISTRY_FILE) -> Registry:
    """The registry file, validated; errors name the file, the claim and the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BenchmarkError(f"{path}: the claims registry is missing") from None
    except yaml.YAMLError as exc:
        raise BenchmarkError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("claims"), dict):
        raise BenchmarkError(f"{path}: expected a mapping with a 'claims' mapping of claim ids")
    claims = []
    for claim_id, fields in raw["claims"].items():
        try:
            claims.append(Claim(id=str(claim_id), **(fields or {})))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']} (found {e.get('input')!r})"
                for e in exc.errors()
            )
            raise BenchmarkError(f"{path}: claim {claim_id!r}: {problems}") from None
        except TypeError as exc:
            raise BenchmarkError(f"{path}: claim {claim_id!r}: {exc}") from None
    try:
        return Registry(claimed_at=raw.get("claimed_at", ""), claims=tuple(claims))
    except ValidationError as exc:
        raise BenchmarkError(f"{path}: {exc}") from None


def format_number(value: float, unit: str) -> str:
    """'7.3×', '53.5 %', '0.0086 s': the short text of a claim figure."""
    if unit == "%":
        number = f"{value:.1f}"  # one decimal: 69.96 % must not print as "70"
    elif abs(value) >= 1000:
        number = f"{value:,.0f}"
    else:
        number = f"{value:.3g}"
    if unit == "x":
        return f"{number}×"
    if unit in {"%", "s"}:
        return f"{number}\u00a0{unit}"
    return f"{number} {unit}".strip()


@dataclass(frozen=True)
class ClaimVerdict:
    claim: Claim
    verdict: Verdict
    measured: float | None
    reason: str
    measured_on: dict[str, Any] = field(default_factory=dict)
    claimed_at: str = ""
    agrees: bool = False
    """For an extrapolated claim: the comparison holds on the extrapolated figure."""

    @property
    def supported(self) -> bool:
        return self.verdict == SUPPORTED

    @property
    def holds(self) -> bool:
        """Supported, or extrapolated with the comparison holding (what --strict asks)."""
        return self.supported or (self.verdict == EXTRAPOLATED and self.agrees)

    def scale_text(self) -> str:
        """'scale 1, default profile: 30 days, 1,203,332 sales lines, 5 repetitions'."""
        on = self.measured_on
        if on.get("scale") is None:
            return "-"
        text = f"scale {on['scale']:g}, " + (
            f"{on['profile']} profile" if on.get("profile") else "pipeline run"
        )
        parts = []
        if on.get("days"):
            parts.append(f"{on['days']} days")
        if on.get("rows") is not None:
            parts.append(f"{on['rows']:,} sales lines")
        if on.get("repetitions"):
            parts.append(f"{on['repetitions']} repetition" + ("s" if on["repetitions"] > 1 else ""))
        return text + (": " + ", ".join(parts) if parts else "")

    def to_dict(self) -> dict[str, Any]:
        c = self.claim
        return {
            "id": c.id,
            "text": c.text,
            "claimed": c.claimed,
            "source": c.source.model_dump(),
            "benchmark": c.benchmark,
            "measured_by": c.measured_by,
            "basis": c.basis,
            "script": f"demo_pipeline/bench/{c.benchmark}.py"
            if c.measured_by == "bench"
            else f"demo_pipeline/{c.benchmark}",
            "metric_key": c.metric,
            "comparison": c.comparison,
            "threshold": c.threshold,
            "threshold_text": c.threshold_text(),
            "unit": c.unit,
            "reading": c.reading,
            "says": c.says,
            "asserts": list(c.asserts),
            "reported": list(c.reported),
            "claimed_at": self.claimed_at,
            "verdict": self.verdict,
            "measured": self.measured,
            "measured_text": format_number(self.measured, c.unit)
            if self.measured is not None
            else None,
            "reason": self.reason,
            "measured_on": self.measured_on,
        }


def measured_on(results: dict[str, Any], benchmark: str | None = None) -> dict[str, Any]:
    """What made a result: run, profile, data size, repetitions and machine. A benchmark
    that measures on data of its own (scale_out builds its own estates, each run once)
    says so in its summary's `measured_on`, which overrides the bench's shared dataset
    for its claims: a verdict must not be shown as resting on data it never saw."""
    settings = results.get("profile_settings") or {}
    data = results.get("data") or {}
    facts = (data.get("tables") or {}).get("fact_sales") or {}
    machine = describe_machine(results.get("environment") or {})
    own = (((results.get("benchmarks") or {}).get(benchmark or "") or {}).get("summary") or {}).get(
        "measured_on"
    ) or {}
    return {
        "run_id": results.get("run_id"),
        "measured_at": results.get("measured_at"),
        "profile": results.get("profile"),
        "scale": results.get("scale"),
        "seed": results.get("seed"),
        "days": data.get("days") or data.get("days_kept"),
        "rows": facts.get("rows"),
        "bytes": facts.get("bytes"),
        "warmups": settings.get("warmups"),
        "repetitions": settings.get("repetitions"),
        "threads": results.get("threads"),
        "machine": machine or None,
    } | own


def judge(claim: Claim, results: dict[str, Any] | None, claimed_at: str = "") -> ClaimVerdict:
    """The verdict on one claim from one results document (pure: no files)."""
    if results is None:
        return ClaimVerdict(
            claim,
            UNMEASURED,
            None,
            "no benchmark results: run make bench",
            claimed_at=claimed_at,
        )
    on = measured_on(results, claim.benchmark)
    figure = results.get("figures", {}).get(claim.metric)
    if figure is None:
        failed = [
            f"{name}: {b.get('error', '')}".strip()
            for name, b in results.get("benchmarks", {}).items()
            if b.get("status") == "failed"
        ]
        reason = f"{claim.metric} not in the results"
        if failed:
            reason += "; failed benchmarks: " + " | ".join(failed)
        return ClaimVerdict(claim, UNMEASURED, None, reason[:500], on, claimed_at)
    value = figure.get("value")
    if value is None:
        why = figure.get("why") or "not measured"
        return ClaimVerdict(claim, UNMEASURED, None, why, on, claimed_at)
    measured = float(value)
    if on.get("profile") in SMOKE_TEST_PROFILES:
        reason = (
            f"{on['profile']} profile: a smoke test on {on.get('days') or '?'} days of data "
            f"with {on.get('repetitions') or '?'} repetitions; make bench measures it"
        )
        return ClaimVerdict(claim, NOT_JUDGED, measured, reason, on, claimed_at)
    holds = COMPARISONS[claim.comparison](measured, claim.threshold)
    if claim.basis == "extrapolated":
        reason = (
            f"extrapolated {format_number(measured, claim.unit)} from the measured scales, "
            f"claimed {claim.threshold_text()}: the extrapolation "
            + ("agrees" if holds else "does not agree")
        )
        return ClaimVerdict(claim, EXTRAPOLATED, measured, reason, on, claimed_at, holds)
    verdict = SUPPORTED if holds else NOT_SUPPORTED
    reason = f"measured {format_number(measured, claim.unit)}, claimed {claim.threshold_text()}"
    return ClaimVerdict(claim, verdict, measured, reason, on, claimed_at)


def pipeline_results(workdir: Workdir) -> dict[str, Any] | None:
    """The pipeline and quality figures of the metric catalogue, shaped like benchmark
    results so that `judge` reads both the same way (no profile: nothing is a smoke test)."""
    if not workdir.metrics.exists():
        return None
    catalogue = json.loads(workdir.metrics.read_text(encoding="utf-8"))
    figures = {
        key: {"value": entry.get("value"), "unit": entry.get("unit")}
        for key, entry in catalogue.items()
        if not key.startswith("bench.")
    }
    runs = [e.get("provenance") or {} for e in catalogue.values()]
    latest = max(runs, key=lambda p: str(p.get("measured_at", "")), default={})
    days = (catalogue.get("estate.days") or {}).get("value")
    return {
        "run_id": latest.get("run_id"),
        "measured_at": latest.get("measured_at"),
        "profile": None,  # a pipeline run has no benchmark profile
        "scale": latest.get("scale"),
        "seed": latest.get("seed"),
        "data": {"days": days},
        "figures": figures,
    }


def evaluate_claims(workdir: Workdir, registry: Registry | None = None) -> list[ClaimVerdict]:
    """Every claim's verdict from the latest results (computed now): benchmark claims from
    `<workdir>/bench/results.json`, pipeline claims from the metric catalogue."""
    registry = registry or load_registry()
    results = {"bench": load_results(workdir), "pipeline": pipeline_results(workdir)}
    return [
        judge(claim, results[claim.measured_by], registry.claimed_at) for claim in registry.claims
    ]


def write_claims(workdir: Workdir, registry: Registry | None = None) -> list[ClaimVerdict]:
    """Judge every claim and record the verdicts in `<workdir>/bench/claims.json`."""
    verdicts = evaluate_claims(workdir, registry)
    workdir.claims.parent.mkdir(parents=True, exist_ok=True)
    document = [v.to_dict() for v in verdicts]
    write_text_atomic(workdir.claims, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return verdicts


def busy_machine_note(results: dict[str, Any] | None) -> str | None:
    """A warning when other work kept the CPUs busier than they have cores during the run."""
    if not results:
        return None
    loads = [
        b["load_average_at_start"][0]
        for b in results.get("benchmarks", {}).values()
        if b.get("load_average_at_start")
    ]
    cores = results.get("environment", {}).get("cores_logical")
    if not loads or not isinstance(cores, int) or max(loads) <= cores:
        return None
    return (
        f"The machine was busy during this run (1-minute load average up to {max(loads):.1f} "
        f"on {cores} cores): wall-clock timings are noisy, multi-threaded engines suffer most."
    )


STYLE = {
    SUPPORTED: "green",
    NOT_SUPPORTED: "yellow",
    UNMEASURED: "red",
    NOT_JUDGED: "dim",
    EXTRAPOLATED: "cyan",
}


def print_claims(
    workdir: Workdir, *, console: Console | None = None, registry_file: Path = REGISTRY_FILE
) -> bool:
    """Judge, record and print claimed vs measured; True when every claim holds (supported,
    or, for an extrapolated claim, its extrapolation agrees)."""
    console = console or Console()
    registry = load_registry(registry_file)
    verdicts = write_claims(workdir, registry)
    table = Table(title="Claims: claimed vs measured")
    for column in ("#", "claim", "claimed", "measured", "verdict", "measured on"):
        table.add_column(column, overflow="fold")
    for number, v in enumerate(verdicts, start=1):
        verdict = f"[{STYLE[v.verdict]}]{v.verdict}[/]"
        if v.verdict in (UNMEASURED, NOT_JUDGED, EXTRAPOLATED):
            verdict += f": {v.reason}"
        measured = "-" if v.measured is None else format_number(v.measured, v.claim.unit)
        table.add_row(
            str(number), v.claim.text, v.claim.threshold_text(), measured, verdict, v.scale_text()
        )
    console.print(table)
    console.print("How each claim is read into a number:")
    for number, v in enumerate(verdicts, start=1):
        console.print(
            f"  {number}. {v.claim.reading} [dim]({v.claim.source.label})[/]", highlight=False
        )
    console.print(
        f"Claimed at: {registry.claimed_at}. Small data can reverse a result; each verdict "
        f"holds only at the scale shown. Verdicts: {workdir.claims}",
        highlight=False,
    )
    note = busy_machine_note(load_results(workdir))
    if note:
        console.print(f"[yellow]{note}[/]", highlight=False)
    return all(v.holds for v in verdicts)
