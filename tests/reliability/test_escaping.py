"""Issue 15, item 1: everything that comes from data is escaped.

The site is built (real MkDocs, fixture results, on a copy of the project) from hostile
owner data, a hostile case study and hostile post front matter; then EVERY file under
site/ is checked: no markup from the data survives unescaped in HTML, XML or JSON, the
text itself is shown (escaped), and the RSS feeds and every JSON file still parse."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.generators.fixture import write_fixture_results, write_fixture_workdir
from tests.generators.project_copy import GENERATE_ONLY, build, copy_project

NAME = 'Eve <script>alert(1)</script> "Q" & Co'
HEADLINE = 'I write <b>bold-headline</b> and "quoted" & <i>more</i>'
LABEL = 'daily <b>bold-label</b> "quoted" time & effort'
STUDY_TITLE = 'Lakehouse <img src=x onerror=alert(1)> "fast" & cheap'
POST_DESCRIPTION = 'A post <b>bold-description</b> with "quotes" & <script>alert(2)</script>'
LOCATION = '<a href="javascript:alert(3)">Town</a>'
STACK_ITEM = "Python <svg onload=alert(4)>"

# Raw markup from the data that must not appear in any output file.
FORBIDDEN = (
    "<script>alert(",
    "<img src=x onerror",
    "<b>bold-",
    "<i>more</i>",
    '<a href="javascript:alert(3)',
    "<svg onload",
    'href="javascript:alert(6)',
)


def hostile_project(root: Path) -> Path:
    project = copy_project(root)
    owner_path = project / "data" / "owner.yaml"
    owner = yaml.safe_load(owner_path.read_text(encoding="utf-8"))
    owner["profile"]["name"] = NAME
    owner["profile"]["headline"] = HEADLINE
    owner["profile"]["location"] = LOCATION
    owner["profile"]["summary"] = f"Summary by {NAME}."
    owner["profile"]["stack"] = [*owner["profile"].get("stack", []), STACK_ITEM]
    owner["profile"]["links"]["github"] = 'https://example.com/"onmouseover="alert(5)'
    first_figure = next(iter(owner["figures"]))
    owner["figures"][first_figure]["label"] = LABEL
    owner_path.write_text(yaml.safe_dump(owner, allow_unicode=True), encoding="utf-8")

    study_path = project / "data" / "case_studies" / "medallion-lakehouse.yaml"
    study = yaml.safe_load(study_path.read_text(encoding="utf-8"))
    study["title"] = STUDY_TITLE
    # Markdown, not HTML: escaping leaves it alone and MkDocs makes it a link.
    study["summary"] = f"{study['summary']} See [my notes](javascript:alert(6))."
    study["featured"] = True
    study_path.write_text(yaml.safe_dump(study, allow_unicode=True), encoding="utf-8")

    post = project / "docs" / "blog" / "posts" / "config-driven-etl.md"
    text = post.read_text(encoding="utf-8")
    start = text.index("description:")
    end = text.index("\n", start)
    post.write_text(
        text[:start] + f"description: {json.dumps(POST_DESCRIPTION)}" + text[end:],
        encoding="utf-8",
    )
    return project


class Elements(HTMLParser):
    """Script bodies, and every element with an event-handler attribute or a
    javascript: link."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        for name, value in attrs:
            if name.startswith("on") and "alert(" in (value or ""):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and "onerror" in dict(attrs):
            self.handlers.append(f"<img onerror={dict(attrs)['onerror']!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


@pytest.mark.slow
def test_hostile_owner_data_leaves_no_markup_in_any_output_file(tmp_path):
    project = hostile_project(tmp_path / "project")
    workdir = write_fixture_workdir(tmp_path / "wd")
    write_fixture_results(workdir)
    result = build(project, workdir, *GENERATE_ONLY)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    site = project / "site"

    problems: list[str] = []
    files = sorted(p for p in site.rglob("*") if p.suffix in (".html", ".xml", ".json"))
    assert len(files) > 20
    for path in files:
        rel = path.relative_to(site)
        text = path.read_text(encoding="utf-8")
        for raw in FORBIDDEN:
            if raw in text:
                at = text.index(raw)
                problems.append(f"{rel}: raw {raw!r} in …{text[max(0, at - 80) : at + 60]!r}")
        if path.suffix == ".html":
            parser = Elements()
            parser.feed(text)
            problems += [
                f"{rel}: a script runs alert(): {s[:80]!r}" for s in parser.scripts if "alert(" in s
            ]
            problems += [f"{rel}: {h}" for h in parser.handlers]
        elif path.suffix == ".json":
            try:
                json.loads(text)
            except ValueError as exc:
                problems.append(f"{rel}: not valid JSON ({exc})")
    for feed in ("feed_rss_created.xml", "feed_rss_updated.xml"):
        try:
            ET.parse(site / feed)
        except ET.ParseError as exc:
            problems.append(f"{feed}: not valid XML ({exc})")
    assert not problems, "\n".join(problems[:60]) + f"\n({len(problems)} in all)"

    # The text itself is shown, escaped, where the data puts it.
    home = (site / "index.html").read_text(encoding="utf-8")
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    escaped_name = "Eve &lt;script&gt;alert(1)&lt;/script&gt;"
    assert escaped_name in home and escaped_name in about
    assert "&lt;b&gt;bold-headline&lt;/b&gt;" in home
    assert "&lt;b&gt;bold-label&lt;/b&gt;" in about
    assert "&lt;svg onload=alert(4)&gt;" in about
    study = (site / "generated" / "case-studies" / "medallion-lakehouse" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "Lakehouse &lt;img src=x onerror=alert(1)&gt;" in study
    assert "Lakehouse &lt;img src=x onerror=alert(1)&gt;" in home
    # In the feeds, an item's <description> is HTML once the XML is decoded: the data's
    # markup must still be escaped there, and the text present. <author> is plain text:
    # decoded, it is the name as written.
    for feed in ("feed_rss_created.xml", "feed_rss_updated.xml"):
        items = ET.parse(site / feed).getroot().iter("item")
        descriptions = " ".join(item.findtext("description", "") for item in items)
        for raw in FORBIDDEN:
            assert raw not in descriptions, f"{feed}: {raw!r} in a decoded description"
        assert "&lt;b&gt;bold-description&lt;/b&gt;" in descriptions, feed
        authors = {a.text for a in ET.parse(site / feed).getroot().iter("author")}
        assert authors == {NAME}, (feed, authors)
