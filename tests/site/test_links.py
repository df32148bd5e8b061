"""A link check over the whole built site from its HTML files: internal links and anchors resolve,
the sitemap names only built pages, and external links are listed in a report, not fetched."""

from __future__ import annotations

import re

import pytest

from tests.site.findings import grouped
from tests.site.link_check import LinkReport, check_links, write_external_report

pytestmark = pytest.mark.browser

SITEMAP_LOC = re.compile(r"<loc>([^<]+)</loc>")


@pytest.fixture(scope="module")
def link_report(built_site, reports_dir) -> LinkReport:
    report = check_links(built_site)
    write_external_report(report, reports_dir / "external-links.txt")
    return report


def test_internal_links_resolve_to_built_files(link_report):
    """Every internal href/src in every HTML file points to a file in the built site."""
    assert link_report.pages > 0 and link_report.internal_links > 0
    assert not link_report.broken_links, grouped(link_report.broken_links, unit="link(s)")


def test_internal_anchors_resolve_to_element_ids(link_report):
    """Every internal link with a #fragment points to an element with that id on its page."""
    assert not link_report.broken_anchors, grouped(link_report.broken_anchors, unit="link(s)")


def test_external_links_are_listed_in_a_report(link_report, reports_dir):
    """Every external link appears in <workdir>/site-checks/external-links.txt (never fetched)."""
    listed = (reports_dir / "external-links.txt").read_text(encoding="utf-8")
    missing = [url for url in link_report.external if f"\n{url}\t" not in listed]
    assert not missing, f"external links missing from the report: {missing[:20]}"


def test_sitemap_lists_only_built_pages(built_site):
    """Every URL in sitemap.xml is a page of the built site, under the published base path."""
    sitemap = built_site.root / "sitemap.xml"
    assert sitemap.is_file(), "the built site has no sitemap.xml"
    locs = SITEMAP_LOC.findall(sitemap.read_text(encoding="utf-8"))
    assert locs, "sitemap.xml lists no page"
    pages = set(built_site.page_paths())
    site_url = (built_site.site_url or "").rstrip("/") + "/"
    unknown = [
        loc
        for loc in locs
        if not loc.startswith(site_url) or built_site.base_path + loc[len(site_url) :] not in pages
    ]
    assert not unknown, f"sitemap.xml names pages that were not built: {unknown[:20]}"
