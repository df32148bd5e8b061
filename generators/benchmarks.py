"""Benchmark page parts: what the figures were measured on (profile, data, repetitions,
machine and library versions), the results table (every `bench.*` metric, with the
verdict beside each figure a claim is judged on) and the claims table."""

from __future__ import annotations

import html
import posixpath
from typing import Any

from demo_pipeline.core.verdicts import SMOKE_TEST_PROFILES
from demo_pipeline.provenance import describe_machine
from generators.catalogue import Catalogue, catalogue_page_for, format_value, key_code
from generators.claims import Claims, evidence_cells, verdict_cell
from generators.escape import text as escape_text

PAGE = "benchmarks.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _data_line(results: dict[str, Any]) -> str:
    data = results.get("data") or {}
    tables = data.get("tables") or {}
    facts = tables.get("fact_sales") or {}
    days = data.get("days") or data.get("days_kept")
    parts = []
    if days:
        parts.append(f"{days} business days")
    if facts.get("rows") is not None:
        parts.append(
            f"{facts['rows']:,} sales lines ({format_value(facts.get('bytes', 0), 'bytes')})"
        )
    inventory = tables.get("fact_inventory_daily") or {}
    if inventory.get("rows") is not None:
        parts.append(f"{inventory['rows']:,} inventory snapshot rows")
    return ", ".join(parts) or "unknown"


def render_environment(results: dict[str, Any]) -> str:
    """What every figure on the page was measured on, said once, with the versions."""
    if not results:
        return "No benchmark has run yet: run `make bench`.\n"
    env = results.get("environment") or {}
    settings = results.get("profile_settings") or {}
    profile = str(results.get("profile", "?"))
    machine = describe_machine(env, kernel=True)
    lines = []
    if profile in SMOKE_TEST_PROFILES:
        days = html.escape(str(settings.get("max_days", "?")))
        runs = html.escape(str(settings.get("repetitions", "?")))
        pipeline_days = settings.get("pipeline_days")
        pipeline = (
            f" (the pipeline benchmark: a {html.escape(str(pipeline_days))}-day estate)"
            if pipeline_days
            else ""
        )
        lines += [
            '!!! warning "Smoke test only"',
            "",
            f"    These figures come from the *{html.escape(profile)}* profile: {days} days",
            f"    of data{pipeline} and {runs} timed runs, to prove the machinery works.",
            "    They are not evidence either way, so no claim is judged on them.",
            "    `make bench` runs the default profile on the whole month.",
            "",
        ]
    lines += [
        f"- **Profile:** {_cell(profile)}: {settings.get('warmups', '?')} warm-up and "
        f"{settings.get('repetitions', '?')} timed runs per case; peak memory from "
        f"{settings.get('memory_repetitions', '?')} fresh processes per engine",
        f"- **Data:** scale {_cell(results.get('scale', '?'))}, seed "
        f"{_cell(results.get('seed', '?'))}: {_cell(_data_line(results))}",
        f"- **Threads:** {_cell(results.get('threads', '?'))} per engine",
        f"- **Machine:** {_cell(machine or '?')}",
        f"- **Python:** {_cell(env.get('python', '?'))} "
        f"({_cell(env.get('python_implementation', '?'))})",
        f"- **Run:** `{_cell(results.get('run_id', '?'))}` at "
        f"{_cell(results.get('measured_at', '?'))}, "
        f"commit `{_cell(str(env.get('git_commit', '?'))[:12])}`",
        "",
    ]
    engines = env.get("engines") or {}
    if engines:
        lines += ["| Library or engine | Version |", "|---|---|"]
        lines += [
            f"| {_cell(name)} | {_cell(version)} |" for name, version in sorted(engines.items())
        ]
        lines.append("")
    return "\n".join(lines)


def render_results(catalogue: Catalogue, claims: Claims) -> str:
    entries = catalogue.with_prefix("bench")
    if not entries:
        return "No benchmark results yet.\n"
    judged_on = claims.by_metric()
    lines = ["| Benchmark | Result | Verdict | What it measures |", "|---|---|---|---|"]
    for entry in entries:
        record = judged_on.get(entry.key)
        verdict = verdict_cell(record) if record is not None else "—"
        lines.append(
            f'| {key_code(entry.key)} | {{{{ metric("{entry.key}") }}}} | {_cell(verdict)} | '
            f"{escape_text(entry.description)} |"
        )
    lines += [
        "",
        "A verdict appears where a figure tests one of my claims; the other figures are",
        "context. Hover over a figure for the profile, data size, repetitions and machine.",
        "",
    ]
    return "\n".join(lines)


def render_claims(claims: Claims, catalogue: Catalogue, claimed_at: str = "") -> str:
    if not len(claims):
        return (
            '!!! note "Claims not judged"\n\n'
            "    No benchmark results were judged for this build. Run `make bench`.\n"
        )
    lines = [
        "| Claim | Claimed | Measured | Verdict |",
        "|---|---|---|---|",
    ]
    for record in claims:
        link_to = _relative(catalogue_page_for(record.metric))
        cells = evidence_cells(record, catalogue, link_to=link_to)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "How each claim is read into a number, and where I make it:", ""]
    for record in claims:
        source = record.data.get("source") or {}
        link = f"[{_cell(source.get('label', ''))}]({_relative(str(source.get('page', '')))})"
        # The whole item is the claim's own words, not a statement of its outcome.
        lines.append(
            f'- <span data-claim="{html.escape(record.id)}">{_cell(record.data.get("text", ""))}'
            f" ({link}): {_cell(record.data.get('reading', ''))}; measured by "
            f"`{_cell(record.data.get('script', ''))}`.</span>"
        )
    first = next(iter(claims))
    claimed_at = claimed_at or str(first.data.get("claimed_at", ""))
    lines += [
        "",
        f"I made these claims about {_cell(claimed_at)} "
        '({{ reported("lakehouse.volume", label=False) }} for '
        '{{ reported("lakehouse.coverage", label=False) }}, self-reported); the demo '
        "measures them on its own, much smaller data, and every verdict names the scale it "
        "holds for. A claim that does not hold here is reported as such, not hidden: small "
        "data can change which tool wins.",
        "",
    ]
    return "\n".join(lines)


def _relative(target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(PAGE) or ".")


SCALE_OUT_ENGINES = {"polars": "Polars + DuckDB", "spark": "Spark, local mode"}
# The extrapolation's assumptions (config `bench.scale_out`), as catalogue keys and words.
SCALE_OUT_ASSUMED = (
    ("assumed_memory_gb", "memory"),
    ("assumed_cores", "cores"),
    ("assumed_batch_window_h", "batch window"),
    ("assumed_disk_tb", "disk for the lake"),
    ("assumed_retention_days", "retention"),
)


def render_scale_out(results: dict[str, Any], catalogue: Catalogue) -> str:
    """The `scale_out` benchmark's measurements per scale and engine, then the
    extrapolation with its assumptions; every figure a catalogue metric."""
    bench = (results.get("benchmarks") or {}).get("scale_out") or {}
    if bench.get("status") != "ok":
        why = bench.get("error") or "run `make bench`"
        return f"*The scale-out benchmark has no result yet: {escape_text(why)}.*\n"
    summary = bench.get("summary") or {}
    prefix = "bench.scale_out"

    def figure(key: str) -> str:
        return f'{{{{ metric("{key}") }}}}' if key in catalogue else "not measured"

    lines = [
        "| Scale | Fact rows per day | Engine | Silver + gold | Whole run | Peak memory "
        "| Rows per second per core |",
        "|---|---|---|---|---|---|---|",
    ]
    for measured in summary.get("scales", []):
        scale = measured["scale"]
        at = f"{prefix}.scale_{f'{scale:g}'.replace('.', '_')}"
        for engine, run in measured.get("engines", {}).items():
            key = f"{at}.{engine}"
            label = SCALE_OUT_ENGINES.get(engine, engine)
            if run.get("tuning"):  # Spark at the faster of its tunings for this volume
                label += f", {run['tuning'].replace('_', ' ')} tuning"
            lines.append(
                f"| {scale:g} | {round(measured['rows_per_day']):,} "
                f"| {_cell(escape_text(label))} "
                f"| {figure(key + '.build_s')} | {figure(key + '.wall_s')} "
                f"| {figure(key + '.peak_mb')} | {figure(key + '.rows_per_s_per_core')} |"
            )
    days = {m.get("days") for m in summary.get("scales", [])}
    lines += [
        "",
        f"Each scale is an estate of {', '.join(str(d) for d in sorted(days))} business days "
        "(an initial load, then a day of changes). *Silver + gold* is summed over the days; "
        "*whole run* adds extract, bronze and, for Spark, starting its JVM. Peak memory is "
        "the process tree's, sampled from outside: the Python driver and, for Spark, the JVM "
        "that holds its driver and executors in local mode. Spark runs with each of its "
        "two tunings (`spark.tuning`: *small batches*, the JVM's quick compiler and no "
        "whole-stage code generation; *throughput*, Spark's defaults), and the table keeps "
        "the faster one at each scale.",
        "",
    ]
    unavailable = summary.get("unavailable") or {}
    if "spark" in unavailable:
        lines += [f"Spark did not run: {escape_text(unavailable['spark'])}.", ""]
    assumed = ", ".join(f"{words} {figure(f'{prefix}.{key}')}" for key, words in SCALE_OUT_ASSUMED)
    lines += [
        '!!! note "An extrapolation, labelled as one"',
        "",
        "    A straight line through the measured scales gives each engine a fixed cost "
        f"per day (Polars + DuckDB {figure(prefix + '.polars_fixed_s_per_day')}, Spark "
        f"{figure(prefix + '.spark_fixed_s_per_day')}) and a cost per row. Carried past what "
        f"this machine can run, to one machine with {assumed}:",
        "",
        f"    - the batch window fills at {figure(prefix + '.limit_window_gb_per_day')},",
        f"    - memory at {figure(prefix + '.limit_memory_gb_per_day')},",
        f"    - disk at {figure(prefix + '.limit_disk_gb_per_day')};",
        f"    - at the first of these, Spark would need {figure(prefix + '.spark_nodes_at_limit')}"
        " of the same size to build a day within the same window;",
        "    - on the same cores, Spark would overtake the embedded build at "
        f"{figure(prefix + '.crossover_gb_per_day')}.",
        "",
        "    Volumes are uncompressed (in-memory) bytes of the day's bronze data. Throughput "
        "is assumed to grow in proportion to cores, which flatters both engines equally; a "
        "straight line through three scales says nothing about effects that appear only at "
        "volumes the demo never ran.",
        "",
    ]
    return "\n".join(lines)
