"""One way to put a value from a data file on a page: escaped.

Values from `data/owner.yaml`, the case-study files, front matter and the metric
catalogue reach the site through Markdown that mkdocs-macros renders (it does not
autoescape), through MkDocs' and Material's templates (which do not autoescape either:
page titles, `meta` descriptions, blog authors), and through the RSS and JSON feeds. So
the value is escaped once, where it leaves the data, by `text`, and carried from there
as `markupsafe.Markup`: Jinja's `|e` and markupsafe leave a Markup value as it is, so a
value can never be escaped twice by a later step that escapes too.

`text` escapes what HTML needs (`& < > " '`) and what would make a value more than text
on the way through: `{` and `}` (Jinja, when a generated page is rendered by the macros,
and attr_list's `{: onclick=... }`), `[` and `]` (a Markdown link) and `|` (a table
cell). As numeric character references each still reads as itself in HTML.

`prose` is for the owner's Markdown prose (case-study paragraphs and bullets), which may
use Markdown and call the macros: it escapes every `<` outside code spans, so no tag
from the data reaches a page, and leaves the rest to Markdown.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markupsafe import Markup

_MORE = str.maketrans({"{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;", "|": "&#124;"})
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def text(value: object) -> Markup:
    """A value from a data file as HTML text (safe in element text, in a quoted attribute,
    in Markdown and in a page the macros render). Markup passes through unchanged."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True).translate(_MORE))


def prose(value: object) -> Markup:
    """Markdown prose from a data file with every `<` outside code spans escaped: Markdown
    and macro calls stay, raw HTML does not."""
    if isinstance(value, Markup):
        return value
    source = str(value)
    out, last = [], 0
    for match in _CODE_SPAN.finditer(source):
        out.append(source[last : match.start()].replace("<", "&lt;"))
        out.append(match.group(0))
        last = match.end()
    out.append(source[last:].replace("<", "&lt;"))
    return Markup("".join(out))


def is_safe_link(value: object) -> bool:
    """A link from a data file may be http(s), mailto or relative, never `javascript:`."""
    link = str(value).strip()
    scheme = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link)
    return scheme is None or link.lower().startswith(_SAFE_SCHEMES)


def escaped(data: Any) -> Any:
    """A copy of `data` (dicts, lists) with every string escaped by `text`: what the
    macros give pages as `owner` and `case_studies`, so `{{ owner.profile.name }}` is
    text without `|e` on every page. Other values (numbers, booleans, objects such as
    `owner.numbers`) are kept as they are."""
    if isinstance(data, str):
        return text(data)
    if isinstance(data, dict):
        return {key: escaped(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [escaped(value) for value in data]
    return data
