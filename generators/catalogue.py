"""Read the metric catalogue (`metrics.json`) and format its values for pages.

The catalogue is written by the pipeline, quality and benchmark steps. This module
only reads it: `Catalogue.get(key)` returns one entry or raises
`MissingMetricError`, and `format_value` turns a value and unit into the short text
a reader sees ("5.3×", "71.2 %", "48.1 MiB", "12,345 rows").
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from demo_pipeline.metrics import Metric
from generators.errors import MissingMetricError, SourceFileError
from generators.escape import text as escape_text

if TYPE_CHECKING:
    from generators.claims import Claims


@dataclass(frozen=True)
class Entry(Metric):
    """One catalogue entry, as the pipeline's `demo_pipeline.metrics.Metric` defines it
    (key, value, unit, description, provenance), with the formatting a page needs.
    Read from `metrics.json`, its provenance is the stored mapping."""

    @property
    def text(self) -> str:
        return format_value(self.value, self.unit)

    def number_text(self) -> str:
        """The value without a counting unit ('rows', 'runs', 'days'), for prose that
        names the noun itself; units that are part of the number (×, %, s, bytes) stay."""
        if self.unit.strip() in COUNTING_UNITS:
            return format_value(self.value, "")
        return self.text

    @property
    def anchor(self) -> str:
        """The id of this entry's row on the catalogue page."""
        return metric_anchor(self.key)

    def provenance_line(self) -> str:
        """One line for a tooltip: when, which run, seed, scale and commit."""
        p = self.provenance or {}
        commit = str(p.get("git_commit", "unknown"))[:12]
        line = (
            f"measured {p.get('measured_at', '?')}, run {p.get('run_id', '?')}, "
            f"seed {p.get('seed', '?')}, scale {p.get('scale', '?')}, commit {commit}"
        )
        on = p.get("measured_on")
        if on:  # a benchmark figure: what made it, so a smoke test reads as one
            size = []
            if on.get("days"):
                size.append(f"{on['days']} days")
            if on.get("rows") is not None:
                size.append(f"{on['rows']:,} sales lines")
            if on.get("bytes") is not None:
                size.append(format_bytes(on["bytes"]))
            line += (
                f"; {on.get('profile', '?')} profile: {', '.join(size) or 'data size unknown'}, "
                f"{on.get('warmups', '?')} warm-up + {on.get('repetitions', '?')} timed runs; "
                f"machine: {p.get('machine', '?')}"
            )
        return line


def metric_anchor(key: str) -> str:
    return "metric-" + key.replace(".", "-").replace("_", "-")


class Catalogue:
    """The metric catalogue as read from one `metrics.json`."""

    def __init__(self, entries: dict[str, dict], *, source: str = "metrics.json") -> None:
        self._entries = entries
        self.source = source

    @classmethod
    def load(cls, path: Path | str) -> Catalogue:
        path = Path(path)
        if not path.exists():
            return cls({}, source=str(path))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SourceFileError(f"{path}: expected a JSON object of metrics ({exc})") from exc
        if not isinstance(data, dict):
            raise SourceFileError(f"{path}: expected a JSON object of metrics, found {type(data)}")
        return cls(data, source=str(path))

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def keys(self) -> list[str]:
        return sorted(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def get(self, key: str, *, where: str = "") -> Entry:
        """The entry for `key`; `where` (a page or generator) goes into the error."""
        if key not in self._entries:
            place = f"{where}: " if where else ""
            near = [k for k in self.keys() if k.split(".")[0] == key.split(".")[0]][:8]
            hint = f"; keys with the same prefix: {', '.join(near)}" if near else ""
            raise MissingMetricError(
                f"{place}metric {key!r} is not in the catalogue {self.source}{hint}"
            )
        return Entry.from_dict(key, self._entries[key])

    def value(self, key: str, *, where: str = "") -> float | int | str | bool | None:
        return self.get(key, where=where).value

    def with_prefix(self, prefix: str) -> list[Entry]:
        """Every entry under `prefix` (e.g. "bench"), sorted by key."""
        return [self.get(k) for k in self.keys() if k == prefix or k.startswith(prefix + ".")]


_BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"]
COUNTING_UNITS = {
    "rows",
    "runs",
    "days",
    "count",
    "checks",
    "tables",
    "faults",
    "anomalies",
    "files",
    "items",
    "table-days",
    "rule failures",
}


def _number(value: float, digits: int = 3) -> str:
    """Round to `digits` significant figures, with thousands separators."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    if float(value).is_integer() and abs(value) >= 1:
        return f"{int(value):,}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def format_bytes(value: float) -> str:
    size = float(value)
    for unit in _BYTE_UNITS:
        if abs(size) < 1024 or unit == _BYTE_UNITS[-1]:
            return f"{_number(size)}\u00a0{unit}" if unit != "B" else f"{int(size):,}\u00a0B"
        size /= 1024
    raise AssertionError("unreachable")


NBSP = "\u00a0"  # keeps a number and its unit on one line


def format_value(value: float | int | str | bool | None, unit: str) -> str:
    """The text a reader sees for one value and unit (joined by a no-break space)."""
    if value is None:
        return "not measured"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f"{value}{NBSP}{unit}".strip()
    unit = unit.strip()
    if unit in ("x", "×", "times"):
        return f"{_number(value)}×"
    if unit in ("%", "pct", "percent"):
        return f"{value:,.1f}{NBSP}%"
    if unit in ("bytes", "B", "byte"):
        return format_bytes(value)
    if unit in ("s", "seconds"):
        if abs(value) < 1:
            return f"{_number(value * 1000)}{NBSP}ms"
        if abs(value) >= 120:
            return f"{_number(value / 60)}{NBSP}min"
        return f"{_number(value)}{NBSP}s"
    if unit in ("ms",):
        return f"{_number(value)}{NBSP}ms"
    if unit in ("", "count", "1"):
        return _number(value)
    return f"{_number(value)}{NBSP}{unit}"


_FAMILY_TITLES = {
    "estate": "Synthetic source estate",
    "pipeline": "Pipeline runs",
    "quality": "Data quality",
    "bench": "Benchmarks",
}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def run_anchor(run_id: str) -> str:
    """The id of a run's row in the 'Runs' table of the catalogue's index page."""
    return "run-" + "".join(c if c.isalnum() else "-" for c in run_id.lower())


def _run_id(entry: Entry) -> str:
    return str((entry.provenance or {}).get("run_id", "unknown"))


def _when(timestamp: str) -> str:
    """An ISO timestamp as a reader scans it ('2026-11-25 21:40 UTC'); other text as is."""
    try:
        moment = dt.datetime.fromisoformat(timestamp)
    except ValueError:
        return timestamp
    if moment.utcoffset() == dt.timedelta(0):
        return f"{moment:%Y-%m-%d %H:%M} UTC"
    return moment.isoformat(sep=" ", timespec="minutes")


def _runs_table(entries: list[Entry]) -> list[str]:
    """One row per run (when it last measured, its seed, scale and commit), then the
    machines the runs were measured on.

    Metric pages link here instead of repeating the same provenance on every row; a run
    that (unexpectedly) mixes seeds or commits shows every value it used."""
    by_run: dict[str, list[dict]] = {}
    for entry in entries:
        by_run.setdefault(_run_id(entry), []).append(entry.provenance or {})

    def values(provenances: list[dict], field: str, shorten: int | None = None) -> str:
        found = sorted({str(p.get(field, "?"))[:shorten] for p in provenances})
        return _cell(", ".join(found))

    lines = [
        "| Run | Last measured | Seed | Scale | Commit | Metrics |",
        "|---|---|---|---|---|---|",
    ]
    machines: dict[str, list[str]] = {}
    for run_id, provenances in sorted(by_run.items()):
        measured = max(str(p.get("measured_at", "?")) for p in provenances)
        lines.append(
            f"| `{_cell(run_id)}`{{ #{run_anchor(run_id)} }} | {_cell(_when(measured))} | "
            f"{values(provenances, 'seed')} | {values(provenances, 'scale')} | "
            f"{values(provenances, 'git_commit', 12)} | {len(provenances)} |"
        )
        for machine in {str(p.get("machine", "unknown")) for p in provenances}:
            machines.setdefault(machine, []).append(run_id)
    lines.append("")
    if len(machines) == 1:
        lines.append(f"Every run was measured on one machine: {escape_text(next(iter(machines)))}.")
    else:
        lines.append("The runs were measured on these machines:")
        lines.append("")
        for machine, runs in sorted(machines.items()):
            lines.append(f"- {escape_text(machine)}: " + ", ".join(f"`{r}`" for r in runs))
    return lines


CATALOGUE_DIR = "generated/metrics"
"""Where the evidence pages go (docs-relative): index.md, then one page per family."""


def family_of(key: str) -> str:
    return key.split(".")[0]


def family_page(family: str) -> str:
    """The docs-relative evidence page of one family of metrics."""
    return f"{CATALOGUE_DIR}/{family}.md"


def catalogue_page_for(key: str) -> str:
    """The docs-relative page holding a metric's row (the `metric()` macro links there)."""
    return family_page(family_of(key))


def _families(keys: list[str]) -> list[str]:
    order = list(_FAMILY_TITLES)
    return sorted(
        {family_of(k) for k in keys},
        key=lambda f: (order.index(f) if f in order else len(order), f),
    )


def _family_title(family: str) -> str:
    return _FAMILY_TITLES.get(family, family.title())


def key_code(key: str, *, anchor: str | None = None) -> str:
    """A metric key as inline HTML code, breakable after each dot: on a phone
    'pipeline.duration.extract_s' wraps between its parts, not in the middle of a word."""
    parts = [html.escape(part) for part in key.split(".")]
    ident = f' id="{anchor}"' if anchor else ""
    return f"<code{ident}>" + ".<wbr>".join(parts) + "</code>"


def _key_code(entry: Entry) -> str:
    """The key carrying its anchor, the target of the `metric()` macro's links."""
    return key_code(entry.key, anchor=entry.anchor)


def render_family_page(catalogue: Catalogue, family: str, claims: Claims | None = None) -> str:
    """One family's metrics: value, meaning and the run each came from (linked to the runs
    table on the index page). Each row carries the anchor the `metric()` macro links to."""
    from generators.claims import verdict_cell  # claims builds on this module

    entries = catalogue.with_prefix(family)
    judged_on = claims.by_metric() if claims is not None else {}
    runs = list(dict.fromkeys(_run_id(e) for e in entries))
    lines = [f"# Evidence: {_family_title(family).lower()}", ""]
    # A family measured by one run says so once; a mixed family names the run per row.
    # (Fewer elements per row also keeps these long pages quick to lay out on a phone.)
    if len(runs) == 1:
        run_link = f"[`{runs[0]}`](index.md#{run_anchor(runs[0])})"
        lines += [
            f"{len(entries)} metrics, measured by run {run_link}.",
            "",
            "| Metric | Value | Meaning |",
            "|---|---|---|",
        ]
    else:
        lines += [
            f"{len(entries)} metrics, from {len(runs)} runs (see [runs](index.md#runs)).",
            "",
            "| Metric | Value | Meaning | Run |",
            "|---|---|---|---|",
        ]
    for entry in entries:
        # The id sits on the key itself: the anchor the metric() macro links to.
        # From the results: escaped as text (generators/escape.py); verdict_cell is HTML
        # that generators/claims.py escapes itself.
        value = escape_text(entry.text)
        record = judged_on.get(entry.key)
        if record is not None:  # a claim is judged on this figure: its verdict sits beside it
            value += "<br>" + _cell(verdict_cell(record))
        row = f"| {_key_code(entry)} | {value} | {escape_text(entry.description)} |"
        if len(runs) > 1:
            run_id = _run_id(entry)
            row += f" [{escape_text(run_id)}](index.md#{run_anchor(run_id)}) |"
        lines.append(row)
    lines.append("")
    return "\n".join(lines)


def render_catalogue_index(catalogue: Catalogue) -> str:
    """The 'Evidence' landing page: what the catalogue is, its families, and the runs
    (time, seed, scale, commit, machine) every metric row links to."""
    lines = [
        "# Evidence: the metric catalogue",
        "",
        "Every measured figure on this site links to its row in this catalogue, written by the",
        "last pipeline, quality and benchmark runs: the value, what it measures, and the run it",
        "came from. The runs below give each run's time, seed, scale, commit and machine. The",
        "raw file is published as [metrics.json](../../assets/generated/data/metrics.json).",
        "",
    ]
    keys = catalogue.keys()
    if not keys:
        lines += ['!!! warning "No measurements yet"', "", "    The catalogue is empty.", ""]
        return "\n".join(lines)
    lines += ["| Family | Metrics |", "|---|---|"]
    for family in _families(keys):
        count = len(catalogue.with_prefix(family))
        lines.append(f"| [{_family_title(family)}]({family}.md) | {count} |")
    lines += ["", "## Runs", ""]
    lines += _runs_table([catalogue.get(k) for k in keys])
    lines.append("")
    return "\n".join(lines)


def render_catalogue_pages(catalogue: Catalogue, claims: Claims | None = None) -> dict[str, str]:
    """Every evidence page by docs-relative path: the index, then one page per family."""
    pages = {f"{CATALOGUE_DIR}/index.md": render_catalogue_index(catalogue)}
    for family in _families(catalogue.keys()):
        pages[family_page(family)] = render_family_page(catalogue, family, claims)
    return pages


def catalogue_nav(catalogue: Catalogue) -> list[dict[str, str]]:
    """The family pages as nav entries below the index (see generators/site_hooks.py)."""
    return [{_family_title(family): family_page(family)} for family in _families(catalogue.keys())]
