"""Whole-site builds with real MkDocs, on a copy of the project (the repository's docs/
and site/ are never touched)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.generators.fixture import write_fixture_workdir
from tests.generators.project_copy import GENERATE_ONLY, build, copy_project
from tests.site.findings import grouped
from tests.site.prose_check import brief_mentions, broken_internal_links, unlinked_cross_references
from tests.site.site_pages import BuiltSite


class ImageAlts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.missing: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img" and not (attributes.get("alt") or "").strip():
            self.missing.append(attributes.get("src", "?"))


def assert_site_is_sound(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert (site / "index.html").exists() and len(pages) > 20
    for page in pages:
        html = page.read_text(encoding="utf-8")
        prose = re.sub(r"<(script|code|pre)\b.*?</\1>", "", html, flags=re.DOTALL)
        assert "{{" not in prose and "{%" not in prose, page
        parser = ImageAlts()
        parser.feed(html)
        assert parser.missing == [], f"{page}: images without alt text {parser.missing}"
    assert (site / "feed_rss_created.xml").exists()


@pytest.mark.slow
def test_site_builds_strict_from_fixture_results(fixture_site):
    """With fixture results the whole site builds with --strict: no leftover Jinja, every
    image has alt text, the RSS feed exists; a second build skips every step."""
    project, workdir = fixture_site.project, fixture_site.workdir
    assert_site_is_sound(fixture_site.site)
    second = build(project, workdir, *GENERATE_ONLY)
    assert second.returncode == 0, second.stderr
    assert "[run]" not in second.stdout


@pytest.mark.slow
def test_site_speaks_as_its_owner_and_its_cross_references_are_links(fixture_site):
    """On a site built from fixture results, no page's visible text (outside <code>/<pre>)
    says "the brief" or "brief's"; every sentence pointing to another page ("see ADR 0004",
    "the quality page") is a link; every internal link reaches its page and #anchor."""
    site = BuiltSite.at(fixture_site.site)
    problems = {
        "mentions of the brief": brief_mentions(site),
        "cross-references that are not links": unlinked_cross_references(site),
        "broken internal links or anchors": broken_internal_links(site),
    }
    report = "\n\n".join(
        f"{name}:\n{grouped(found, unit='place(s)')}" for name, found in problems.items() if found
    )
    assert not report, report


@pytest.mark.slow
def test_page_asking_for_a_missing_metric_fails_the_build(tmp_path):
    """A page calling metric() with a key no run produced fails, naming page and key."""
    project = copy_project(tmp_path / "project")
    workdir = write_fixture_workdir(tmp_path / "wd")
    (project / "docs" / "extra.md").write_text('# Extra\n\n{{ metric("bench.not_a_key.x") }}\n')
    result = build(project, workdir, *GENERATE_ONLY)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "page extra.md: metric 'bench.not_a_key.x' is not in the catalogue" in output


@pytest.mark.slow
def test_whole_chain_at_tiny_scale(tmp_path):
    """`build_site` at scale 0.01 runs estate, pipeline, quick benchmarks, generators and
    mkdocs --strict, every page uses only keys real runs produce, and a second build with
    nothing changed skips every step."""
    project = copy_project(tmp_path / "project")
    result = build(project, tmp_path / "wd", "--scale", "0.01")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    for step in ("estate", "pipeline", "bench", "publish", "charts", "pages", "mkdocs"):
        assert f"[done] {step}" in result.stdout
    assert_site_is_sound(project / "site")
    again = build(project, tmp_path / "wd", "--scale", "0.01")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "[run]" not in again.stdout, again.stdout
