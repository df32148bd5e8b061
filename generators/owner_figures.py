"""Self-reported figures that add up: base inputs, computed figures, and the
consistency check every site build runs.

`data/owner.yaml` holds each production figure once, as a base input with its unit
(`downtime: 6 days`, `redshift_quote: $2,500 per month`). Percentages, reductions,
speed-ups and savings are computed here from those inputs, never typed in. A figure's
`text`, `label` and `context` are templates: `{downtime}` or `{uptime}` stands for an
input or a computed value, so no number is written twice.

The consistency check reports every disagreement with both places and both values:

- a number typed into a figure's text, label or context instead of a `{name}`
  (it duplicates an input, contradicts one, or is simply not an input);
- inputs that cannot all be true together (downtime longer than the period, the
  Parquet bytes costing more than the whole platform, ...);
- a dollar amount, or a figure the check recognises by its words (uptime, downtime,
  processing time, ...), typed by hand into a page, ADR, post or case study instead of
  quoted with `{{ reported("key") }}`.

A disagreement the owner means to keep goes under `exceptions:` in the data file with a
reason; the check accepts it, and reports an exception that no longer matches anything.

Display rule: computed percentages, speed-ups and reductions are truncated (floored) to
the precision shown, never rounded up, so a figure never claims more than its inputs
give: 4 h → 30 min is an 87.5 % reduction and shows as "87 %".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from generators.errors import SiteError, SourceFileError

OWNER_FILE = Path("data/owner.yaml")

# ---------------------------------------------------------------------------------------
# Quantities: a number (or a range) with a unit, parsed from the owner's own words.
# ---------------------------------------------------------------------------------------

NUM = r"\d[\d,]*(?:\.\d+)?"
RANGE_SEP = r"\s*(?:–|-|to)\s*"

SECONDS = {
    "s": 1,
    "min": 60,
    "h": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": Fraction(365 * 86400, 12),
    "year": 365 * 86400,
}
UNIT_WORDS = {
    "s": "s",
    "sec": "s",
    "second": "s",
    "seconds": "s",
    "min": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "year": "year",
    "years": "year",
}
DURATION_UNITS = "|".join(sorted(UNIT_WORDS, key=len, reverse=True))
MONEY_PERIODS = {
    "per month": "per month",
    "a month": "per month",
    "/month": "per month",
    "/mo": "per month",
    "monthly": "per month",
    "per year": "a year",
    "a year": "a year",
    "/year": "a year",
    "/yr": "a year",
    "annually": "a year",
    "per gb per month": "per GB and month",
    "per gb and month": "per GB and month",
    "/gb/month": "per GB and month",
}
PERIODS = "|".join(re.escape(p) for p in sorted(MONEY_PERIODS, key=len, reverse=True))


def _num(text: str) -> Fraction:
    return Fraction(text.replace(",", ""))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@dataclass(frozen=True)
class Quantity:
    """A value or range with a unit. `kind` is one of money, pct, duration, size, rate,
    times, count; `unit` refines it (the money period, the duration's unit)."""

    kind: str
    lo: Fraction
    hi: Fraction
    unit: str = ""
    decimals: int = 0
    plus: bool = False

    @property
    def is_range(self) -> bool:
        return self.lo != self.hi

    def base(self, value: Fraction) -> Fraction:
        """The value in a unit-independent base (seconds for durations)."""
        return value * SECONDS[self.unit] if self.kind == "duration" else value

    def same_kind(self, other: Quantity) -> bool:
        if self.kind != other.kind:
            return False
        return self.kind != "money" or self.unit == other.unit

    def agrees_with(self, exact: Quantity) -> bool:
        """True when this (typed) quantity states `exact` at its own precision, rounded
        or truncated: "98.4 %" and "98.3 %" both state 98.356 %."""
        if not self.same_kind(exact):
            return False
        step = Fraction(1, 10**self.decimals)

        def in_my_unit(q: Quantity, value: Fraction) -> Fraction:
            return q.base(value) / SECONDS[self.unit] if self.kind == "duration" else value

        return all(
            abs(typed - in_my_unit(exact, true)) < step
            for typed, true in ((self.lo, exact.lo), (self.hi, exact.hi))
        )

    def text(self) -> str:
        return format_quantity(self)


def _fmt_number(value: Fraction, decimals: int, *, grouping: bool = True) -> str:
    if decimals == 0 and value.denominator != 1:
        decimals = 2 if value < 100 else 0
    if decimals == 0:
        n = round(value)
        return f"{n:,}" if grouping else str(n)
    return f"{float(value):,.{decimals}f}" if grouping else f"{float(value):.{decimals}f}"


def _fmt_range(q: Quantity, *, grouping: bool = True) -> str:
    lo = _fmt_number(q.lo, q.decimals, grouping=grouping)
    if not q.is_range:
        return lo
    return f"{lo}–{_fmt_number(q.hi, q.decimals, grouping=grouping)}"


def format_quantity(q: Quantity) -> str:
    if q.kind == "money":
        lo = "$" + _fmt_number(q.lo, q.decimals)
        value = lo if not q.is_range else f"{lo}–${_fmt_number(q.hi, q.decimals)}"
        return f"{value} {q.unit}" if q.unit else value
    if q.kind == "pct":
        return f"{_fmt_range(q)} %"
    if q.kind == "times":
        return f"{_fmt_range(q)}×"
    if q.kind == "duration":
        unit = q.unit
        if unit in ("day", "week", "month", "year"):
            unit = unit if (q.hi == 1 and not q.is_range) else unit + "s"
        return f"{_fmt_range(q)} {unit}"
    if q.kind == "size":
        return f"{_fmt_range(q)} {q.unit}"
    if q.kind == "rate":
        return f"{_fmt_range(q)} GB a day"
    return _fmt_range(q) + ("+" if q.plus else "")


# One pattern per kind, for a whole input value (anchored) and for tokens in prose.
TOKEN_PATTERNS: list[tuple[str, str]] = [
    ("money", rf"\$\s?(?P<lo>{NUM})(?:{RANGE_SEP}\$?(?P<hi>{NUM}))?(?:\s*(?P<unit>{PERIODS}))?"),
    ("rate", rf"(?P<lo>{NUM})(?:{RANGE_SEP}(?P<hi>{NUM}))?\s*GB\s*(?:a|per|/)\s*day\b"),
    ("size", rf"(?P<lo>{NUM})(?:{RANGE_SEP}(?P<hi>{NUM}))?\s*(?P<unit>GB|TB|MB)\b"),
    ("pct", rf"(?P<lo>{NUM})(?:{RANGE_SEP}(?P<hi>{NUM}))?\s*%"),
    ("times", rf"(?P<lo>{NUM})(?:{RANGE_SEP}(?P<hi>{NUM}))?\s*(?:×|x\b)"),
    (
        "duration",
        rf"(?P<lo>{NUM})(?:{RANGE_SEP}(?P<hi>{NUM}))?[\s-]*(?P<unit>{DURATION_UNITS})\b",
    ),
    ("count", rf"(?P<lo>{NUM})(?P<plus>\+)?"),
]
TOKEN_RES = [
    (kind, re.compile(rf"(?<![\w.$]){pat}", re.IGNORECASE)) for kind, pat in TOKEN_PATTERNS
]


def _quantity(kind: str, m: re.Match) -> Quantity:
    lo_text = m.group("lo")
    hi_text = m.groupdict().get("hi") or lo_text
    unit = (m.groupdict().get("unit") or "").lower()
    if kind == "money":
        unit = MONEY_PERIODS.get(unit, "")
    elif kind == "duration":
        unit = UNIT_WORDS[unit]
    elif kind == "size":
        unit = unit.upper()
    return Quantity(
        kind=kind,
        lo=_num(lo_text),
        hi=_num(hi_text),
        unit=unit,
        decimals=max(_decimals(lo_text), _decimals(hi_text)),
        plus=bool(m.groupdict().get("plus")),
    )


def parse_quantity(value: Any) -> Quantity:
    """A whole input value: `6 days`, `$2,500 per month`, `2–4 h`, `95 %`, `500+`, 12."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number with a unit, found {value!r}")
    if isinstance(value, int | float):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError(f"expected a number with a unit, found {type(value).__name__}")
    for kind, regex in TOKEN_RES:
        m = regex.fullmatch(text)
        if m:
            return _quantity(kind, m)
    raise ValueError(
        "expected a number with a unit, such as '6 days', '30 min', '$2,500 per month', "
        f"'$0.10 per GB per month', '200 GB', '2–5 GB a day', '95 %' or '500+', found {text!r}"
    )


@dataclass(frozen=True)
class Token:
    """A figure-like number found in prose."""

    quantity: Quantity
    text: str
    start: int


def find_tokens(text: str) -> list[Token]:
    """Every figure-like number in `text`, longest reading first, without overlaps."""
    taken: list[tuple[int, int]] = []
    found: list[Token] = []
    for kind, regex in TOKEN_RES:
        for m in regex.finditer(text):
            a, b = m.span()
            if any(a < y and x < b for x, y in taken):
                continue
            # "95th", "v2", "3.11" as versions and ordinals are not figures.
            if kind == "count" and (re.match(r"[A-Za-z_]", text[b : b + 1] or " ")):
                continue
            taken.append((a, b))
            found.append(Token(_quantity(kind, m), m.group(0).strip(), a))
    return sorted(found, key=lambda t: t.start)


# ---------------------------------------------------------------------------------------
# Computed figures
# ---------------------------------------------------------------------------------------


def _floor(value: Fraction, decimals: int) -> Fraction:
    scale = 10**decimals
    return Fraction(math.floor(value * scale), scale)


def _pct(lo: Fraction, hi: Fraction, decimals: int) -> Quantity:
    return Quantity("pct", lo * 100, hi * 100, decimals=decimals)


def _reduction(before: Quantity, after: Quantity, decimals: int = 0) -> Quantity:
    """How much smaller `after` is than `before`, as a range when `after` is one."""
    b = before.base(before.hi)
    return _pct(1 - after.base(after.hi) / b, 1 - after.base(after.lo) / b, decimals)


@dataclass(frozen=True)
class Computed:
    """A value computed from inputs: what it is, from which inputs, how it is shown."""

    name: str
    inputs: tuple[str, ...]
    kinds: tuple[str, ...]
    fn: Callable[..., Quantity]
    description: str
    cues: tuple[str, ...] = ()


def _money(value: Fraction, unit: str) -> Quantity:
    decimals = 0 if value.denominator == 1 else 2
    return Quantity("money", value, value, unit=unit, decimals=decimals)


def _uptime(period: Quantity, downtime: Quantity) -> Quantity:
    return _pct(
        1 - downtime.base(downtime.hi) / period.base(period.lo),
        1 - downtime.base(downtime.lo) / period.base(period.lo),
        1,
    )


def _speedup(before: Quantity, after: Quantity) -> Quantity:
    return Quantity(
        "times",
        before.base(before.lo) / after.base(after.hi),
        before.base(before.hi) / after.base(after.lo),
    )


def _storage(size: Quantity, price: Quantity) -> Quantity:
    return _money(size.hi * price.lo, "per month")


def _storage_savings(csv, parquet, price, csv_transfer, parquet_transfer) -> Quantity:
    before = csv.hi * price.lo + csv_transfer.lo
    after = parquet.hi * price.lo + parquet_transfer.lo
    return _money(before - after, "per month")


def _yearly(*args) -> Quantity:
    monthly = _storage_savings(*args)
    return _money(monthly.lo * 12, "a year")


def _warehouse_savings(quote: Quantity, current: Quantity) -> Quantity:
    return _money((quote.lo - current.lo) * 12, "a year")


STORAGE_INPUTS = (
    "history_csv",
    "history_parquet",
    "storage_price",
    "csv_network_transfer",
    "parquet_network_transfer",
)
STORAGE_KINDS = ("size", "size", "money", "money", "money")

COMPUTED: tuple[Computed, ...] = (
    Computed(
        "uptime",
        ("reporting_period", "downtime"),
        ("duration", "duration"),
        _uptime,
        "1 − downtime ÷ reporting period",
        ("uptime", "available"),
    ),
    Computed(
        "processing_reduction",
        ("processing_before", "processing_after"),
        ("duration", "duration"),
        _reduction,
        "1 − after ÷ before",
        ("processing", "batch"),
    ),
    Computed(
        "data_age_reduction",
        ("data_age_before", "data_age_after"),
        ("duration", "duration"),
        _reduction,
        "1 − after ÷ before",
        ("fresh", "fresher", "age"),
    ),
    Computed(
        "query_speedup",
        ("query_before", "query_after"),
        ("duration", "duration"),
        _speedup,
        "before ÷ after",
        ("quer", "speed"),
    ),
    Computed(
        "storage_reduction",
        ("history_csv", "history_parquet"),
        ("size", "size"),
        _reduction,
        "1 − Parquet size ÷ CSV size",
        ("storage", "compression", "smaller", "reduction"),
    ),
    Computed(
        "csv_storage_cost",
        ("history_csv", "storage_price"),
        ("size", "money"),
        _storage,
        "CSV history size × storage price",
        ("csv", "storage"),
    ),
    Computed(
        "parquet_storage_cost",
        ("history_parquet", "storage_price"),
        ("size", "money"),
        _storage,
        "Parquet history size × storage price",
        ("parquet", "storage"),
    ),
    Computed(
        "storage_savings",
        STORAGE_INPUTS,
        STORAGE_KINDS,
        _storage_savings,
        "(CSV storage + network transfer) − (Parquet storage + network transfer)",
        ("sav", "storage", "transfer"),
    ),
    Computed(
        "storage_savings_year",
        STORAGE_INPUTS,
        STORAGE_KINDS,
        _yearly,
        "monthly storage savings × 12",
        ("sav", "storage", "transfer"),
    ),
    Computed(
        "warehouse_savings_year",
        ("redshift_quote", "platform_cost"),
        ("money", "money"),
        _warehouse_savings,
        "(Redshift quote − current running cost) × 12",
        ("sav", "redshift", "warehouse", "annual", "avoided"),
    ),
)
COMPUTED_BY_NAME = {c.name: c for c in COMPUTED}

# Words that tie a sentence to an input, beyond the words of the input's own name.
INPUT_CUES: dict[str, tuple[str, ...]] = {
    "downtime": ("downtime", "down"),
    "platform_cost": ("running", "platform", "setup", "storage"),
    "redshift_quote": ("redshift", "quote", "warehouse"),
    "analytics_db": ("analytics database",),
    "storage_price": ("price", "per gb"),
    "csv_network_transfer": ("network", "transfer"),
    "parquet_network_transfer": ("network", "transfer"),
    "history_csv": ("history", "csv"),
    "history_parquet": ("history", "parquet"),
    "query_before": ("quer",),
    "query_after": ("quer",),
    "query_p95": ("quer", "p95", "percentile", "latency"),
    "reporting_period": ("period", "uptime", "anomal"),
    "data_age_before": ("old", "fresh", "age"),
    "data_age_after": ("old", "fresh", "age"),
}
GENERIC_WORDS = {"before", "after", "per", "cost", "the", "share", "within", "high", "low", "time"}


@dataclass(frozen=True)
class Relation:
    """Inputs or computed values that must agree with each other."""

    description: str
    names: tuple[str, ...]
    holds: Callable[..., bool]


RELATIONS: tuple[Relation, ...] = (
    Relation(
        "the downtime fits inside the reporting period",
        ("downtime", "reporting_period"),
        lambda d, p: d.base(d.hi) <= p.base(p.lo),
    ),
    Relation(
        "the Parquet history is no larger than the CSV history",
        ("history_parquet", "history_csv"),
        lambda a, b: a.hi <= b.lo,
    ),
    Relation(
        "storing the Parquet history costs no more than the whole platform's running cost",
        ("parquet_storage_cost", "platform_cost"),
        lambda a, b: a.hi <= b.lo,
    ),
    Relation(
        "the data's age after the lakehouse stays within the maximum lag allowed",
        ("data_age_after", "max_lag"),
        lambda a, b: a.base(a.hi) <= b.base(b.lo),
    ),
    Relation(
        "the daily processing time after the lakehouse fits the batch window",
        ("processing_after", "batch_window"),
        lambda a, b: a.base(a.hi) <= b.base(b.lo),
    ),
    Relation(
        "the Redshift quote is above the current running cost (else nothing is saved)",
        ("redshift_quote", "platform_cost"),
        lambda a, b: a.lo > b.hi,
    ),
    Relation(
        "the daily volume is below the volume that would call for a cloud platform",
        ("daily_volume", "cloud_trigger"),
        lambda a, b: a.hi < b.lo,
    ),
)


# ---------------------------------------------------------------------------------------
# The data file's model
# ---------------------------------------------------------------------------------------


class InputSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Any
    note: str = ""


class FigureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    label: str
    context: str = ""
    note: str = ""


class ExceptionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    where: str
    found: str
    reason: str

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("expected a reason for the exception, found an empty one")
        return value


class FiguresFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    inputs: dict[str, InputSpec | str | int | float]
    figures: dict[str, FigureSpec]
    exceptions: list[ExceptionSpec] = []


def _loc(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("InputSpec", "str", "int", "float")]
    return ".".join(parts)


def _validation_message(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        # An input may be a plain value or {value, note}; report the union once.
        if err["loc"] and err["loc"][0] == "inputs" and len(err["loc"]) > 2:
            where = f"inputs.{err['loc'][1]}"
            msg = "expected a value with a unit, or a mapping with 'value' and 'note'"
        else:
            where = _loc(err["loc"])
            msg = err["msg"]
        found = err.get("input")
        found_text = "nothing" if err["type"] == "missing" else repr(found)
        lines.append(f"{path}: {where}: {msg}, found {found_text}")
    return "\n".join(dict.fromkeys(lines))


# ---------------------------------------------------------------------------------------
# Resolving the figures
# ---------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Disagreement:
    """Two places that state the same figure differently (or one place that types a
    figure the data file should hold)."""

    where: str
    found: str
    other: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class OwnerFigures:
    """The owner's inputs and the values computed from them, formatted for pages."""

    path: Path
    inputs: dict[str, Quantity]
    computed: dict[str, Quantity]
    figures: dict[str, dict[str, str]]
    exceptions: list[ExceptionSpec]
    raw_figures: dict[str, FigureSpec]
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def values(self) -> dict[str, Quantity]:
        return {**self.inputs, **self.computed}

    def source(self, name: str) -> str:
        """Where a value comes from, for messages."""
        if name in self.inputs:
            return f"{self.path} inputs.{name} ({self.inputs[name].text()})"
        c = COMPUTED_BY_NAME[name]
        used = ", ".join(f"{n} = {self.inputs[n].text()}" for n in dict.fromkeys(c.inputs))
        return f"{name} computed from {self.path} inputs ({used}): {self.shown(name)}"

    def shown(self, name: str) -> str:
        return display(self.values[name])

    def figures_quoting(self, name: str) -> list[str]:
        """Figure keys that show a value, those showing it as their text first."""
        mark = "{" + name + "}"
        in_text = [k for k, f in self.raw_figures.items() if mark in f.text]
        in_context = [k for k, f in self.raw_figures.items() if mark in f.context]
        return in_text + [k for k in in_context if k not in in_text]

    def cues(self, name: str) -> set[str]:
        words = {w for w in name.split("_") if w not in GENERIC_WORDS and len(w) > 2}
        words |= set(INPUT_CUES.get(name, ()))
        if name in COMPUTED_BY_NAME:
            words |= set(COMPUTED_BY_NAME[name].cues)
        return words


def display(q: Quantity) -> str:
    """How a value is shown: computed percentages and ratios truncated to the shown
    precision (never rounded up), money as exact dollars."""
    if q.kind in ("pct", "times"):
        shown = Quantity(
            q.kind, _floor(q.lo, q.decimals), _floor(q.hi, q.decimals), q.unit, q.decimals
        )
        return format_quantity(shown)
    return format_quantity(q)


def _parse_inputs(path: Path, raw: dict) -> dict[str, Quantity]:
    inputs: dict[str, Quantity] = {}
    errors = []
    for name, spec in raw.items():
        value = spec.value if isinstance(spec, InputSpec) else spec
        try:
            inputs[name] = parse_quantity(value)
        except ValueError as exc:
            errors.append(f"{path}: inputs.{name}: {exc}")
        if name in COMPUTED_BY_NAME:
            errors.append(
                f"{path}: inputs.{name}: '{name}' is computed from other inputs "
                f"({COMPUTED_BY_NAME[name].description}); expected it not to be typed in, "
                "found it under inputs"
            )
    if errors:
        raise SourceFileError("\n".join(errors))
    return inputs


def _compute(path: Path, inputs: dict[str, Quantity], used: set[str]) -> dict[str, Quantity]:
    """Every computed value whose inputs are present; one the figures use but whose
    inputs are missing or of the wrong kind is an error naming the input."""
    computed: dict[str, Quantity] = {}
    errors = []
    for c in COMPUTED:
        problems = []
        for name, kind in zip(c.inputs, c.kinds, strict=True):
            q = inputs.get(name)
            if q is None:
                problems.append(
                    f"{path}: inputs.{name}: expected a {kind} (needed to compute "
                    f"{{{c.name}}} = {c.description}), found none"
                )
            elif q.kind != kind:
                problems.append(
                    f"{path}: inputs.{name}: expected a {kind} (needed to compute "
                    f"{{{c.name}}}), found {q.text()!r}, a {q.kind}"
                )
        if not problems:
            computed[c.name] = c.fn(*(inputs[n] for n in c.inputs))
        elif c.name in used:
            errors += problems
    if errors:
        raise SourceFileError("\n".join(dict.fromkeys(errors)))
    return computed


def _render(path: Path, key: str, part: str, template: str, shown: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in shown:
            raise SourceFileError(
                f"{path}: figures.{key}.{part}: {{{name}}} is neither an input nor a computed "
                f"value; expected one of {', '.join(sorted(shown))}"
            )
        return shown[name]

    return PLACEHOLDER.sub(sub, template)


def resolve(path: Path, data: dict) -> OwnerFigures:
    """The owner's figures with every `{name}` filled in; structural problems raise
    SourceFileError, disagreements are collected on the result."""
    try:
        model = FiguresFile.model_validate(data)
    except ValidationError as exc:
        raise SourceFileError(_validation_message(path, exc)) from exc
    inputs = _parse_inputs(path, model.inputs)
    used: set[str] = set()
    for spec in model.figures.values():
        for part in (spec.text, spec.label, spec.context):
            used |= set(PLACEHOLDER.findall(part))
    computed = _compute(path, inputs, used)
    shown = {name: display(q) for name, q in {**inputs, **computed}.items()}
    figures = {}
    for key, spec in model.figures.items():
        figures[key] = {
            part: _render(path, key, part, getattr(spec, part), shown)
            for part in ("text", "label", "context")
        }
    owner = OwnerFigures(path, inputs, computed, figures, model.exceptions, model.figures)
    owner.disagreements += _check_relations(owner)
    owner.disagreements += _check_figure_templates(owner)
    return owner


def _check_relations(owner: OwnerFigures) -> list[Disagreement]:
    found = []
    values = owner.values
    for rel in RELATIONS:
        if not all(n in values for n in rel.names):
            continue
        if rel.holds(*(values[n] for n in rel.names)):
            continue
        first, second = rel.names[0], rel.names[1]
        found.append(
            Disagreement(
                where=f"{owner.path} inputs.{first}" if first in owner.inputs else f"{owner.path}",
                found=owner.shown(first),
                other=owner.source(second),
                message=(
                    f"expected that {rel.description}; found {owner.source(first)} "
                    f"against {owner.source(second)}"
                ),
            )
        )
    return found


def _masked_placeholders(text: str) -> str:
    return PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)


def _check_figure_templates(owner: OwnerFigures) -> list[Disagreement]:
    """A number typed into a figure's text, label or context instead of a `{name}`."""
    found = []
    for key, spec in owner.raw_figures.items():
        for part in ("text", "label", "context"):
            template = getattr(spec, part)
            masked = _masked_placeholders(template)
            for token in find_tokens(masked):
                where = f"{owner.path} figures.{key}.{part}"
                words = _words(template) | _words(key.replace(".", " ").replace("_", " "))
                found.append(_judge_token(owner, token, where, words, in_data=True))
    return [d for d in found if d is not None]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z][a-z-]*", text.lower()))


def _cue_score(cues: set[str], words: set[str], sentence: str) -> int:
    """How many distinct words of the sentence tie it to a value (a word counts once,
    however many of the value's cues it starts with)."""
    low = sentence.lower()
    phrases = sum(1 for cue in cues if " " in cue and cue in low)
    matched = {w for w in words if any(" " not in c and w.startswith(c) for c in cues)}
    return phrases + len(matched)


def _judge_token(
    owner: OwnerFigures,
    token: Token,
    where: str,
    words: set[str],
    *,
    in_data: bool,
    sentence: str = "",
) -> Disagreement | None:
    """What a typed number is: a copy of an owner value, a contradiction of one, or
    (for dollar amounts and numbers in the data file) a figure with no input behind it.
    None when it is prose the check cannot tie to an owner figure."""
    q = token.quantity
    if not in_data and q.kind == "count":
        return None  # bare counts in prose are too often about the demo to judge
    same_kind = [n for n, v in owner.values.items() if q.same_kind(v)]
    scores = {n: _cue_score(owner.cues(n), words, sentence or " ".join(words)) for n in same_kind}
    best = max(scores.values(), default=0)
    cued = [n for n in same_kind if best and scores[n] == best]
    if not cued and not in_data and q.kind != "money":
        return None  # a number the check cannot tie to an owner figure
    equal = [n for n in cued if q.agrees_with(owner.values[n])]
    if not equal and not cued and (in_data or q.kind == "money"):
        equal = [n for n in same_kind if q.agrees_with(owner.values[n])]
    if in_data:
        fix = "write the matching {name} instead"
    else:
        fix = 'quote it with {{ reported("key") }} instead'

    def quote_hint(name: str) -> str:
        if in_data:
            return f"{{{name}}}"
        keys = owner.figures_quoting(name)
        return f'{{{{ reported("{keys[0]}") }}}}' if keys else "a figure quoted with reported()"

    if equal:
        name = min(equal, key=lambda n: len(owner.figures_quoting(n)) == 0)
        hint = quote_hint(name)
        return Disagreement(
            where,
            token.text,
            owner.source(name),
            f"'{token.text}' is typed by hand and duplicates {owner.source(name)}; "
            f"use {hint} instead",
        )
    if cued:
        others = "; ".join(owner.source(n) for n in cued[:3])
        return Disagreement(
            where,
            token.text,
            others,
            f"'{token.text}' contradicts {others}",
        )
    if in_data or q.kind == "money":
        return Disagreement(
            where,
            token.text,
            str(owner.path),
            f"'{token.text}' is typed by hand and matches no input in {owner.path}; "
            f"enter it once under inputs and {fix}",
        )
    return None


# ---------------------------------------------------------------------------------------
# Hand-typed owner figures in pages, ADRs, posts and case studies
# ---------------------------------------------------------------------------------------

MASKS = [
    re.compile(r"\{\{.*?\}\}", re.DOTALL),
    re.compile(r"\{%.*?%\}", re.DOTALL),
    re.compile(r"\{#.*?#\}", re.DOTALL),
    re.compile(r"<!--.*?-->", re.DOTALL),
    re.compile(r"^(```|~~~).*?^\1", re.DOTALL | re.MULTILINE),
    re.compile(r"`[^`\n]*`"),
    re.compile(r"\]\([^)]*\)"),
    re.compile(r"https?://\S+"),
]
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
YAML_COMMENT = re.compile(r"^\s*#.*$", re.MULTILINE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n\s*[-*|#]")


def _blank(m: re.Match) -> str:
    return re.sub(r"[^\n]", " ", m.group(0))


def mask_source(text: str, *, yaml_file: bool = False) -> str:
    """The prose of a source with expressions, code, links and front matter blanked
    out (same length, same line breaks, so offsets still give line numbers)."""
    text = (YAML_COMMENT if yaml_file else FRONT_MATTER).sub(_blank, text)
    for regex in MASKS:
        text = regex.sub(_blank, text)
    return text


def source_files(root: Path) -> list[Path]:
    """Hand-written sources whose prose may quote owner figures."""
    files = [
        p
        for p in sorted((root / "docs").rglob("*.md"))
        if not {"generated", "assets"} & set(p.relative_to(root / "docs").parts)
    ]
    files += sorted((root / "adr").glob("*.md"))
    files += sorted((root / "data" / "case_studies").glob("*.yaml"))
    return files


def _sentences(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        out.append((start, text[start : m.start()]))
        start = m.start()
    out.append((start, text[start:]))
    return out


def scan_sources(owner: OwnerFigures, root: Path) -> list[Disagreement]:
    found = []
    for path in source_files(root):
        rel = path.relative_to(root)
        masked = mask_source(path.read_text(encoding="utf-8"), yaml_file=path.suffix == ".yaml")
        for start, sentence in _sentences(masked):
            tokens = find_tokens(sentence)
            if not tokens:
                continue
            words = _words(sentence)
            for token in tokens:
                line = masked.count("\n", 0, start + token.start) + 1
                d = _judge_token(
                    owner, token, f"{rel}:{line}", words, in_data=False, sentence=sentence
                )
                if d is not None:
                    found.append(d)
    return found


# ---------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------


def _excepted(d: Disagreement, exc: ExceptionSpec) -> bool:
    where = exc.where.strip()
    return exc.found.strip() == d.found and (d.where == where or d.where.startswith(where))


def consistency_problems(owner: OwnerFigures, root: Path, *, scan: bool = True) -> list[str]:
    """Every disagreement not accepted by an exception, and every exception that no
    longer matches anything."""
    disagreements = list(owner.disagreements)
    if scan:
        disagreements += scan_sources(owner, root)
    used: set[int] = set()
    problems = []
    for d in disagreements:
        match = next((i for i, e in enumerate(owner.exceptions) if _excepted(d, e)), None)
        if match is None:
            problems.append(str(d))
        else:
            used.add(match)
    for i, exc in enumerate(owner.exceptions):
        if i not in used:
            problems.append(
                f"{owner.path}: exceptions[{i}] (where {exc.where!r}, found {exc.found!r}) "
                "matches no disagreement; expected it to accept one, found none (remove it)"
            )
    return problems


def check(owner: OwnerFigures, root: Path, *, scan: bool = True) -> None:
    """Raise SiteError listing every disagreement between the owner's figures."""
    problems = consistency_problems(owner, root, scan=scan)
    if problems:
        raise SiteError(
            f"owner figures disagree ({len(problems)}); fix them, or mark a deliberate one "
            f"under 'exceptions:' in {owner.path} with a reason:\n"
            + "\n".join(f"- {p}" for p in problems)
        )


@dataclass
class OwnerNumbers:
    """What pages may compute with: the computed values as numbers, and the storage
    projection for a measured compression ratio."""

    owner: OwnerFigures

    @property
    def storage_reduction_pct(self) -> float:
        return float(self.owner.computed["storage_reduction"].lo)

    def projected(self, reduction_pct: float | None) -> dict[str, str]:
        """The production CSV history shrunk by a measured reduction: size and monthly
        storage cost at the owner's storage price."""
        if reduction_pct is None:
            return {"size": "not measured", "cost": "not measured"}
        csv = self.owner.inputs["history_csv"]
        price = self.owner.inputs["storage_price"]
        size = csv.hi * (1 - Fraction(str(reduction_pct)) / 100)
        cost = size * price.lo
        return {
            "size": f"{round(size):,} {csv.unit}",
            "cost": f"${float(cost):,.2f} per month",
        }
