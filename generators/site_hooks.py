"""MkDocs hooks for this site.

1. `on_config`: expand nav entries whose pages are generated in families.

`mkdocs.yml` names one index page per generated family (case studies, decisions).
The generators write `docs/generated/nav.json`, mapping each such index to its child
pages; this hook turns the entry into a section holding the index and the children,
so adding a case-study file or an ADR needs no edit to `mkdocs.yml`.

   It also signs the footer with the name in `data/owner.yaml`, escaped, so the page
   credits its author in their own name rather than "the site owner".

2. `on_page_markdown`: escape the front matter's `title` and `description` of every page
   and post (generators/escape.py). MkDocs and Material put them into <title>, the nav,
   `<meta name="description" content="…">` and the search index as they are, and the RSS
   plugin puts the description into the feeds as HTML. Hooks run after the plugins, but
   this event comes before the one the RSS plugin reads pages in (`on_page_content`),
   and before any page is rendered. A value a generator already escaped (a case study's
   title) is unescaped first, so it is escaped once, never twice.

3. `on_post_page`: give Material's search dialog an accessible name (axe-core's
   aria-dialog-name rule); the stock template has `role="dialog"` without a label. And load
   Material's script bundle with `defer`: the stock template loads it as a plain
   parser-blocking script, which Lighthouse counts as render-blocking (on a throttled phone
   it held the first paint back by up to half a second). Deferred scripts still run in order,
   before DOMContentLoaded, which is the event the bundle waits for, so nothing changes
   for it; `extra_javascript` entries are deferred in mkdocs.yml so they keep running after it.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import yaml

# MkDocs loads this file by path; the project runs from the checkout, so `mkdocs serve`
# needs the repository root on the import path (as generators/macros.py does).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generators.escape import text
from generators.project import Project

# Material's bundle, e.g. <script src="../assets/javascripts/bundle.a5f9d56c.min.js">
THEME_BUNDLE = re.compile(r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)">')


def expand(nav: list, families: dict[str, list[dict[str, str]]]) -> list:
    """Return `nav` with each `{title: index}` whose index is a family replaced by a
    section `{title: [index, *children]}`. Pure: no I/O."""
    out = []
    for item in nav:
        if isinstance(item, dict):
            (title, target), *_ = item.items()
            if isinstance(target, list):
                out.append({title: expand(target, families)})
            elif isinstance(target, str) and target in families:
                out.append({title: [target, *families[target]]})
            else:
                out.append(item)
        else:
            out.append(item)
    return out


OWNER_FILE = Path("data/owner.yaml")


def footer_for(name: str) -> str:
    """The footer line, in the author's name (escaped: it comes from a data file)."""
    return f"© {html.escape(name)} · every measured figure links to the run it came from"


def on_config(config):
    path = Project(Path(config["docs_dir"]).parent).nav_families
    if path.exists() and config.get("nav"):
        families = json.loads(path.read_text(encoding="utf-8"))
        config["nav"] = expand(config["nav"], families)
    owner = Path(config["docs_dir"]).parent / OWNER_FILE
    if owner.exists():
        profile = (yaml.safe_load(owner.read_text(encoding="utf-8")) or {}).get("profile") or {}
        if profile.get("name"):
            config["copyright"] = footer_for(str(profile["name"]))
    return config


ESCAPED_META = ("title", "description")


def escape_meta(meta: dict) -> dict:
    """`meta` with its title and description escaped once (pure)."""
    for key in ESCAPED_META:
        if isinstance(meta.get(key), str):
            meta[key] = str(text(html.unescape(meta[key])))
    return meta


def on_page_markdown(markdown, page, config, files):
    escape_meta(page.meta)
    return markdown


def name_search_dialog(html: str) -> str:
    """Add an aria-label to the first unnamed search dialog (pure)."""
    return html.replace('role="dialog"', 'role="dialog" aria-label="Search"', 1)


def defer_theme_bundle(html: str) -> str:
    """Load Material's script bundle with `defer` (pure). A page without it is left as is."""
    return THEME_BUNDLE.sub(r'<script defer src="\1">', html, count=1)


def on_post_page(output, page, config):
    return defer_theme_bundle(name_search_dialog(output))
