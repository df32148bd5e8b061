"""What the built site says, read from its HTML without a browser: every internal link reaches a
page and an element with its #anchor, every sentence that points to another page ("see ADR
0004", "the quality page", "the case study") is a link to it, and no page mentions "the brief".

No Chromium here, but the tests need the site under test (built_site may build it), so the
conftest marks them `browser` like the rest of tests/site; `make test` runs the same checks
on a fixture build in tests/generators/test_site_build.py.
"""

from __future__ import annotations

from tests.site.findings import grouped
from tests.site.prose_check import brief_mentions, broken_internal_links, unlinked_cross_references


def test_every_internal_link_reaches_a_page_and_its_anchor(built_site):
    """Every internal link's target page exists and, with a #fragment, has that element id."""
    findings = broken_internal_links(built_site)
    assert not findings, grouped(findings, unit="link(s)")


def test_every_cross_reference_is_a_link(built_site):
    """'see …', 'the X page', 'the case study' and 'ADR 0004' in a page's content are links,
    and an 'ADR NNNN' link goes to that record."""
    findings = unlinked_cross_references(built_site)
    assert not findings, grouped(findings, unit="reference(s)")


def test_no_page_mentions_the_brief(built_site):
    """No page's visible text (outside code) says 'the brief' or 'brief's'."""
    findings = brief_mentions(built_site)
    assert not findings, grouped(findings, unit="mention(s)")
