"""Whole-site builds with real MkDocs, on a copy of the project (the repository's docs/
and site/ are never touched). The whole chain at a tiny scale (estate, pipeline, quick
benchmarks, generators, mkdocs) is tests/generators/test_whole_chain.py."""

from __future__ import annotations

import pytest

from tests.generators.project_copy import GENERATE_ONLY, build
from tests.generators.site_checks import assert_site_is_sound
from tests.site.findings import grouped
from tests.site.prose_check import brief_mentions, broken_internal_links, unlinked_cross_references
from tests.site.site_pages import BuiltSite


@pytest.mark.slow
def test_site_builds_strict_from_fixture_results(fixture_site, tmp_path):
    """With fixture results the whole site builds with --strict: no leftover Jinja, every
    image has alt text, the RSS feed exists; a second build skips every step (run on a
    copy, so a step that did run again could not touch what other tests read)."""
    assert_site_is_sound(fixture_site.site)
    copy = fixture_site.copy_to(tmp_path)
    second = build(copy.project, copy.workdir, *GENERATE_ONLY)
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
def test_page_asking_for_a_missing_metric_fails_the_build(fixture_site, tmp_path):
    """A page calling metric() with a key no run produced fails, naming page and key."""
    copy = fixture_site.copy_to(tmp_path)  # built: only the mkdocs step runs again
    project, workdir = copy.project, copy.workdir
    (project / "docs" / "extra.md").write_text('# Extra\n\n{{ metric("bench.not_a_key.x") }}\n')
    result = build(project, workdir, *GENERATE_ONLY)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "page extra.md: metric 'bench.not_a_key.x' is not in the catalogue" in output
