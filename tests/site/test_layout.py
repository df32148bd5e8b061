"""Layout faults a reader met on the built site, each checked in headless Chromium:

- a decision record's evidence panel showed its caveat sentence as table rows of its own;
- metric keys (`bench.polars_vs_pandas.speedup`) in tables broke in the middle of a word;
- on a phone, the evidence panel's verdict column sat off screen.

The phone here is 360 x 740 CSS pixels, the narrowest common Android screen, narrower than the
survey's 390 px phone.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.site.findings import grouped

pytestmark = pytest.mark.browser

NARROW_PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
EVIDENCE_TITLE = re.compile(r'class="admonition-title">\s*Evidence\b')
# A metric key in a table cell, with or without <wbr> after its dots.
KEY_IN_TABLE = re.compile(r"<t[dh][^>]*>(?:<a\b[^>]*>)?<code[^>]*>[a-z][a-z0-9_]*\.(?:<wbr>)?[a-z]")

# The evidence panels of a page: admonitions titled "Evidence".
PANELS_JS = """() => [...document.querySelectorAll('.md-typeset .admonition')].filter(
  (a) => (a.querySelector('.admonition-title')?.textContent || '').trim().startsWith('Evidence'))"""

# Rows of each panel's table with a cell left empty: text that is not a claim (a sentence that
# leaked into the table) fills the first cell and leaves the others empty.
FAKE_ROWS_JS = f"""() => ({PANELS_JS})().flatMap((panel) =>
  [...panel.querySelectorAll('table tbody tr')]
    .filter((tr) => [...tr.cells].some((td) => td.textContent.trim() === ''))
    .map((tr) => tr.textContent.replace(/\\s+/g, ' ').trim()))"""

# Every cell of the last column (the verdict) of each panel's table, and where it sits.
VERDICT_CELLS_JS = f"""() => {{
  const width = document.documentElement.clientWidth;
  return ({PANELS_JS})().flatMap((panel) =>
    [...panel.querySelectorAll('table tbody tr')].map((tr) => {{
      const cell = tr.cells[tr.cells.length - 1];
      const box = cell.getBoundingClientRect();
      return {{text: cell.textContent.replace(/\\s+/g, ' ').trim().slice(0, 60),
               left: box.left, right: box.right, width: box.width, viewport: width,
               shown: box.width > 0 && box.height > 0 &&
                      getComputedStyle(cell).visibility !== 'hidden'}};
    }}));
}}"""

# For every metric key shown in a table: the characters after which its text wraps to a new
# line, measured with a Range over each character of its text nodes.
KEY_BREAKS_JS = r"""() => {
  const KEY = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
  const out = [];
  for (const code of document.querySelectorAll('.md-typeset td code, .md-typeset th code')) {
    const key = code.textContent.trim();
    if (!KEY.test(key)) continue;
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    const chars = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 || r.height > 0);
        if (rects.length) chars.push({ch: node.data[i], top: rects[0].top, h: rects[0].height});
      }
    }
    const breaksAfter = [];
    for (let i = 1; i < chars.length; i++) {
      if (chars[i].top - chars[i - 1].top > chars[i - 1].h / 2) breaksAfter.push(i - 1);
    }
    const bad = breaksAfter.filter((i) => chars[i].ch !== '.');
    if (bad.length) {
      const text = chars.map((c) => c.ch).join('');
      out.push({key, broken: bad.map((i) => text.slice(0, i + 1) + ' | ' + text.slice(i + 1))});
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def narrow_phone(browser, site_server):
    """A 360 x 740 phone context; requests leaving the local server are aborted."""
    context = browser.new_context(color_scheme="light", **NARROW_PHONE)
    local = site_server.origin + "/"
    context.route(lambda url: not url.startswith(local), lambda route: route.abort())
    yield context
    context.close()


def _pages_matching(built_site, pattern: re.Pattern, what: str) -> list[str]:
    """URL paths of the pages whose HTML matches pattern; none is a failure on the real site
    (the check would pass vacuously) and a skip on the sample site, which has no such page."""
    pages = [
        built_site.url_path(path)
        for path in built_site.html_files()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    if not pages and os.environ.get("SITE_TESTS_SAMPLE") == "1":
        pytest.skip(f"the sample site has no page with {what}")
    assert pages, f"no page with {what}"
    return pages


@pytest.fixture(scope="module")
def evidence_pages(built_site) -> list[str]:
    return _pages_matching(built_site, EVIDENCE_TITLE, "an evidence panel (admonition 'Evidence')")


def _open(context, site_server, path: str):
    page = context.new_page()
    page.goto(site_server.url(path))
    # Material's bundle and the site's scripts load once the page is painted, which can be
    # after the load event (generators/site_hooks.py): wait until the network is quiet.
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


def test_evidence_caveat_is_a_paragraph_not_table_rows(new_context, site_server, evidence_pages):
    """In every evidence panel, each row of the table is a claim with every cell filled; the
    caveat sentence below it is not spread over rows of empty cells."""
    context = new_context("light", "desktop")
    findings = []
    for path in evidence_pages:
        page = _open(context, site_server, path)
        findings += [
            (f"table row that is not a claim: {row!r}", path) for row in page.evaluate(FAKE_ROWS_JS)
        ]
        page.close()
    assert not findings, grouped(findings, unit="page(s)")


def test_evidence_verdicts_are_on_screen_on_a_phone(narrow_phone, site_server, evidence_pages):
    """At 360 px, every verdict cell (the last column) of every evidence panel lies within the
    viewport's width: a reader sees it without scrolling sideways."""
    findings, cells = [], 0
    for path in evidence_pages:
        page = _open(narrow_phone, site_server, path)
        for cell in page.evaluate(VERDICT_CELLS_JS):
            cells += 1
            if not cell["shown"]:
                findings.append((f"verdict cell not shown: {cell['text']!r}", path))
            elif cell["left"] < 0 or cell["right"] > cell["viewport"] + 0.5:
                findings.append(
                    (
                        f"verdict cell spans x={cell['left']:.0f}..{cell['right']:.0f} in a "
                        f"{cell['viewport']} px viewport: {cell['text']!r}",
                        path,
                    )
                )
        page.close()
    assert cells > 0, f"no verdict cell found on {evidence_pages}"
    assert not findings, grouped(findings, unit="page(s)")


def test_metric_keys_in_tables_wrap_only_at_their_dots_on_a_phone(
    narrow_phone, site_server, built_site
):
    """At 360 px, a metric key in any table wraps, if at all, right after one of its dots,
    never inside one of its parts."""
    pages = _pages_matching(built_site, KEY_IN_TABLE, "a metric key in a table")
    findings = []
    for path in pages:
        page = _open(narrow_phone, site_server, path)
        for key in page.evaluate(KEY_BREAKS_JS):
            findings.append((f"{key['key']} breaks mid-part: {'; '.join(key['broken'])}", path))
        page.close()
    assert not findings, grouped(findings, unit="page(s)")
