"""The claims registry: every performance claim of the brief, as data, and its verdict.

A claim names the metric that tests it, the comparison and threshold, how we read the
brief's words into that number, and the scale at which the brief made it. Verdicts are
never stored: `evaluate_claims` computes them from the last benchmark results in the
work directory, every time:

* supported                      - measured, and the threshold holds
* not supported at this scale    - measured, and it does not hold on this data
* unmeasured                     - no result (benchmark failed, engine unavailable, no run)

Small data can reverse a result, so every verdict carries the scale, profile and row
counts it was measured on; the table prints them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from rich.console import Console
from rich.table import Table

from demo_pipeline.bench.results import load_results, results_path
from demo_pipeline.workdir import Workdir

Verdict = Literal["supported", "not supported at this scale", "unmeasured"]
SUPPORTED: Verdict = "supported"
NOT_SUPPORTED: Verdict = "not supported at this scale"
UNMEASURED: Verdict = "unmeasured"
BRIEF_SCALE = "production: 10,247 SKUs, 12 warehouses, 2-5 GB a day, 200 GB history"
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    source: str  # where the brief makes it
    metric_key: str
    comparison: str  # measured <comparison> threshold
    threshold: float
    unit: str
    reading: str  # how the brief's words become the comparison
    claimed_scale: str = BRIEF_SCALE

    def claimed(self) -> str:
        return f"{self.comparison} {self.threshold:g}{' ' if self.unit == 's' else ''}{self.unit}"


CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="polars_vs_pandas_speed",
        text="Polars is 5-10x faster than pandas for aggregations",
        source="ADR 'Why Polars over Pandas?'",
        metric_key="bench.polars_vs_pandas.speedup",
        comparison=">=",
        threshold=5,
        unit="x",
        reading="geometric-mean speed-up of Polars (lazy) over pandas (default dtypes) "
        "on the pipeline's aggregations and joins is at least 5",
    ),
    Claim(
        id="polars_lazy_memory",
        text="Lazy evaluation cuts the memory footprint by 60 %",
        source="ADR 'Why Polars over Pandas?'",
        metric_key="bench.polars_lazy_vs_pandas.memory_reduction_pct",
        comparison=">=",
        threshold=60,
        unit="%",
        reading="peak RSS of the whole job with Polars lazy is at least 60 % below pandas",
    ),
    Claim(
        id="duckdb_vs_postgres",
        text="DuckDB aggregates 20x faster than row-based PostgreSQL",
        source="ADR 'Why DuckDB over PostgreSQL for Analytics?'",
        metric_key="bench.duckdb_vs_postgres.speedup",
        comparison=">=",
        threshold=20,
        unit="x",
        reading="geometric-mean speed-up of DuckDB over an indexed PostgreSQL on the "
        "analytical questions is at least 20",
    ),
    Claim(
        id="parquet_scan_time",
        text="Zero-copy Parquet reads cut query time by 70 %",
        source="ADR 'Why DuckDB over PostgreSQL for Analytics?'",
        metric_key="bench.parquet_vs_csv.scan_time_reduction_pct",
        comparison=">=",
        threshold=70,
        unit="%",
        reading="the same query read from Parquet takes at least 70 % less time than from CSV",
    ),
    Claim(
        id="parquet_size",
        text="Parquet (Snappy) is 70 % smaller than CSV",
        source="Production metrics and cost section",
        metric_key="bench.parquet_vs_csv.size_reduction_pct",
        comparison=">=",
        threshold=70,
        unit="%",
        reading="fact_sales as Snappy Parquet takes at least 70 % fewer bytes than as CSV",
    ),
    Claim(
        id="hive_partitioning",
        text="Parquet with Hive partitioning gives 80 % faster reads",
        source="Case study 'Why Parquet + Hive partitioning?'",
        metric_key="bench.partition_pruning.time_reduction_pct",
        comparison=">=",
        threshold=80,
        unit="%",
        reading="'80 % faster' read as 80 % less time (5x): a one-day query on the "
        "partitioned lake vs one unpartitioned file",
    ),
    Claim(
        id="preaggregation",
        text="Pre-aggregation takes the average query from 2 minutes to 3 seconds (40x)",
        source="Cost optimisation section",
        metric_key="bench.preagg_vs_facts.speedup",
        comparison=">=",
        threshold=40,
        unit="x",
        reading="the dashboard question from the pre-aggregated gold table is at least 40x "
        "faster than from the facts",
    ),
    Claim(
        id="dimensional_p95",
        text="P95 below 3 seconds for dimensional queries",
        source="Production metrics",
        metric_key="bench.dimensional_queries.p95_s",
        comparison="<",
        threshold=3,
        unit="s",
        reading="95th percentile latency of the dimensional query set (one user) is below 3 s",
    ),
)


@dataclass(frozen=True)
class ClaimVerdict:
    claim: Claim
    verdict: Verdict
    measured: float | None
    reason: str
    scale: float | None
    profile: str | None
    data_rows: dict[str, int]
    run_id: str | None
    measured_at: str | None
    benchmark: str | None = None  # the module that measured it: demo_pipeline/bench/<name>.py

    @property
    def supported(self) -> bool:
        return self.verdict == SUPPORTED

    def scale_text(self) -> str:
        if self.scale is None:
            return "-"
        text = f"scale {self.scale:g}"
        facts = self.data_rows.get("fact_sales")
        if facts is not None:
            text += f", {facts:,} sales lines"
        if self.profile and self.profile != "default":
            text += f" ({self.profile} profile)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.claim.id,
            "text": self.claim.text,
            "source": self.claim.source,
            "metric_key": self.claim.metric_key,
            "comparison": self.claim.comparison,
            "threshold": self.claim.threshold,
            "unit": self.claim.unit,
            "reading": self.claim.reading,
            "claimed_scale": self.claim.claimed_scale,
            "verdict": self.verdict,
            "measured": self.measured,
            "reason": self.reason,
            "scale": self.scale,
            "profile": self.profile,
            "data_rows": self.data_rows,
            "run_id": self.run_id,
            "measured_at": self.measured_at,
            "script": f"demo_pipeline/bench/{self.benchmark}.py" if self.benchmark else None,
            "results_files": ["bench/results.json", "bench/raw.json", "bench/environment.json"],
        }


def judge(claim: Claim, results: dict[str, Any] | None) -> ClaimVerdict:
    """The verdict on one claim from one results document (pure: no files)."""
    context: dict[str, Any] = {
        "scale": None,
        "profile": None,
        "data_rows": {},
        "run_id": None,
        "measured_at": None,
    }
    if results is None:
        return ClaimVerdict(
            claim,
            UNMEASURED,
            None,
            "no benchmark results: run `python -m demo_pipeline bench`",
            **context,
        )
    context = {
        "scale": results.get("scale"),
        "profile": results.get("profile"),
        "data_rows": {
            t: info["rows"] for t, info in results.get("data", {}).get("tables", {}).items()
        },
        "run_id": results.get("run_id"),
        "measured_at": results.get("measured_at"),
    }
    figure = results.get("figures", {}).get(claim.metric_key)
    if figure is None:
        failed = [
            f"{name}: {b.get('error', '')}".strip()
            for name, b in results.get("benchmarks", {}).items()
            if b.get("status") == "failed"
        ]
        reason = f"{claim.metric_key} not in the results"
        if failed:
            reason += "; failed benchmarks: " + " | ".join(failed)
        return ClaimVerdict(claim, UNMEASURED, None, reason[:500], **context)
    context["benchmark"] = figure.get("benchmark")
    value = figure.get("value")
    if value is None:
        return ClaimVerdict(claim, UNMEASURED, None, figure.get("why") or "not measured", **context)
    holds = COMPARISONS[claim.comparison](float(value), claim.threshold)
    verdict = SUPPORTED if holds else NOT_SUPPORTED
    reason = f"measured {value:.4g}{claim.unit}, claimed {claim.claimed()}"
    return ClaimVerdict(claim, verdict, float(value), reason, **context)


def evaluate_claims(workdir: Workdir) -> list[ClaimVerdict]:
    """Every claim's verdict from `<workdir>/bench/results.json` (computed now)."""
    results = load_results(workdir)
    return [judge(claim, results) for claim in CLAIMS]


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


def _measured_text(v: ClaimVerdict) -> str:
    if v.measured is None:
        return "-"
    if v.claim.unit == "%":
        number = f"{v.measured:.1f}"  # one decimal: 69.96 % must not print as "70"
    elif abs(v.measured) < 1000:
        number = f"{v.measured:.3g}"
    else:
        number = f"{v.measured:,.0f}"
    return f"{number} {v.claim.unit}" if v.claim.unit == "s" else f"{number}{v.claim.unit}"


STYLE = {SUPPORTED: "green", NOT_SUPPORTED: "yellow", UNMEASURED: "red"}


def print_claims(workdir: Workdir, *, console: Console | None = None) -> bool:
    """Print claimed vs measured for every claim; True when every claim is supported."""
    console = console or Console()
    verdicts = evaluate_claims(workdir)
    table = Table(title="The brief's performance claims: claimed vs measured")
    for column in ("#", "claim", "claimed", "measured", "verdict", "measured on"):
        table.add_column(column, overflow="fold")
    for number, v in enumerate(verdicts, start=1):
        verdict = f"[{STYLE[v.verdict]}]{v.verdict}[/]"
        if v.verdict == UNMEASURED:
            verdict += f": {v.reason}"
        table.add_row(
            str(number),
            v.claim.text,
            v.claim.claimed(),
            _measured_text(v),
            verdict,
            v.scale_text(),
        )
    console.print(table)
    console.print("How each claim is read into a number:")
    for number, v in enumerate(verdicts, start=1):
        console.print(f"  {number}. {v.claim.reading} [dim]({v.claim.source})[/]", highlight=False)
    console.print(
        f"Claimed at: {BRIEF_SCALE}. Small data can reverse a result; each verdict holds "
        f"only at the scale shown. Results: {results_path(workdir)}",
        highlight=False,
    )
    note = busy_machine_note(load_results(workdir))
    if note:
        console.print(f"[yellow]{note}[/]", highlight=False)
    return all(v.supported for v in verdicts)
