"""The home page and the CV in headless Chromium: the home page's sections appear in a
recruiter's order on desktop and phone, the first screen on a laptop holds the name, the
three self-reported outcomes and the buttons; both pages pass axe (colour contrast of the
new buttons included) in both themes without sideways scrolling; the CV prints on one or
two A4 pages without the site's chrome, and its PDF download answers."""

from __future__ import annotations

import re

import pytest

from tests.site.page_survey import visit

pytestmark = pytest.mark.browser

CV_PATH = "generated/cv/"
# The home page's landmarks, in the order a reader meets them.
ORDER = (
    ".home-hero h1",
    ".home-outcomes",
    ".home-actions",
    "#featured-case-study",
    "#proof-you-can-rerun",
    "#experience",
    ".timeline",
    "#two-kinds-of-numbers",
)
TOPS_JS = """(selectors) => selectors.map((s) => {
  const el = document.querySelector(s);
  return el ? el.getBoundingClientRect().top + window.scrollY : null;
})"""


@pytest.fixture(scope="module")
def home_url(site_server, built_site) -> str:
    return site_server.url(built_site.base_path)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_home_sections_come_in_a_recruiters_order(new_context, home_url, viewport):
    page = new_context("light", viewport).new_page()
    page.goto(home_url, wait_until="load")
    tops = page.evaluate(TOPS_JS, list(ORDER))
    missing = [s for s, top in zip(ORDER, tops, strict=True) if top is None]
    assert not missing, f"missing on the home page: {missing}"
    assert tops == sorted(tops), list(zip(ORDER, tops, strict=True))
    assert page.locator(".home-outcomes a.reported").count() == 3
    assert page.locator(".home-outcomes").inner_text().count("self-reported") == 3
    entries = page.locator(".timeline__entry").count()
    assert entries >= 1
    if viewport == "desktop":
        # A laptop's first screen: name, outcomes and the buttons, without scrolling.
        height = page.viewport_size["height"]
        bottom = page.evaluate(
            "() => document.querySelector('.home-actions').getBoundingClientRect().bottom"
        )
        assert bottom <= height, f"the buttons end at {bottom}px, below the {height}px screen"


def test_home_buttons_lead_to_the_cv_github_and_email(new_context, home_url, site_server):
    page = new_context("light", "desktop").new_page()
    page.goto(home_url, wait_until="load")
    hrefs = page.eval_on_selector_all(
        ".home-actions a.md-button", "(links) => links.map((a) => a.href)"
    )
    assert any(h.endswith(CV_PATH) for h in hrefs), hrefs
    assert any(h.startswith("mailto:") for h in hrefs), hrefs
    assert any("github.com" in h for h in hrefs), hrefs
    pdf = next((h for h in hrefs if h.endswith(".pdf")), None)
    if pdf is not None:  # made wherever WeasyPrint's libraries are installed
        response = page.request.get(pdf)
        assert response.status == 200 and response.body().startswith(b"%PDF-")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("path", ["", CV_PATH])
def test_home_and_cv_pass_axe_and_fit_the_screen(
    new_context, site_server, built_site, axe_source, path, theme, viewport
):
    page = new_context(theme, viewport).new_page()
    url = site_server.url(built_site.base_path + path)
    record = visit(page, url, theme, viewport, site_server.origin, axe_source, None)
    assert record.navigation_error is None and record.status == 200, record.navigation_error
    assert not record.console_errors, record.console_errors
    blocking = [
        (v["id"], [n["target"] for n in v["nodes"]][:5]) for v in record.blocking_violations()
    ]
    assert not blocking, blocking
    overflow = record.overflow
    assert overflow["scroll_width"] <= overflow["client_width"], overflow


def test_cv_prints_on_one_or_two_a4_pages_without_the_site_chrome(
    new_context, site_server, built_site
):
    page = new_context("light", "desktop").new_page()
    page.goto(site_server.url(built_site.base_path + CV_PATH), wait_until="load")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.md-header', '.md-tabs', '.md-sidebar--primary', '.md-footer']
             .map((s) => document.querySelector(s))
             .filter((el) => el && getComputedStyle(el).display !== 'none')
             .map((el) => el.className)"""
    )
    assert hidden == [], f"site chrome still shown in print: {hidden}"
    assert page.locator(".cv h2").first.is_visible()
    pdf = page.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert 1 <= pages <= 2, f"the CV prints on {pages} A4 pages"
