"""The Jinja2 templates generated pages are made from (`generators/templates/`).

The owner restyles a generated page by editing its template, never Python. Every value
a template prints is escaped by `generators.escape.text` (the project's one escaping:
HTML, and the `{ } [ ] |` that would make a value more than text in Markdown or in a
page the macros render), unless the generator handed it over already rendered, as
`markupsafe.Markup`: a Markdown fragment, a link another module built, a stylesheet.
Undefined names fail loudly, so a renamed field cannot vanish from a page unnoticed.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from generators.escape import text

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _escape(value: object) -> object:
    # `finalize` runs on every `{{ ... }}` before autoescape; Markup passes unchanged.
    return "" if value is None else text(value)


def month(value: str | None) -> str:
    """`2021-03` as `Mar 2021`, `2021` as it is."""
    if not value:
        return ""
    year, _, mm = str(value).partition("-")
    return f"{MONTHS[int(mm) - 1]} {year}" if mm else year


def period(start: str | None, end: str | None, current: bool = False) -> str:
    """`Mar 2021 – Feb 2022`, `Mar 2022 – present`, or one end when only one is known."""
    last = "present" if current else month(end)
    first = month(start)
    return f"{first} – {last}" if first and last else first or last


def macro_call(name: str, *args: str, **flags: bool) -> Markup:
    """`{{ name("arg", flag=False) }}` for a mkdocs-macros call a generated page makes
    (the macros render it later, on the page). The arguments are JSON strings, so a key
    cannot end the call early; flags are true or false."""
    parts = [json.dumps(str(a), ensure_ascii=False) for a in args]
    parts += [f"{key}={bool(value)}" for key, value in flags.items() if key.isidentifier()]
    return Markup(f"{{{{ {name}({', '.join(parts)}) }}}}")


def join(items, separator: str = "") -> Markup:
    """Jinja's `join`, escaping each item the project's way (its own escapes HTML only).
    The separator is the template's own text, so it is kept as written (a table's `|`)."""
    return Markup(separator).join(text(item) for item in items)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        finalize=_escape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["month"] = month
    env.filters["join"] = join
    env.globals["period"] = period
    env.globals["macro_call"] = macro_call
    return env


def render(name: str, **context: object) -> str:
    """The template `name` (a path under generators/templates/) rendered with `context`."""
    return environment().get_template(name).render(**context)


def source(name: str) -> Markup:
    """A template file's text as it is (a stylesheet shared by a page and the PDF)."""
    return Markup((TEMPLATE_DIR / name).read_text(encoding="utf-8"))
