"""The built site as a visitor sees it in headless Chromium: every page loads cleanly in both
themes and on desktop and phone, images load and are described, nothing scrolls sideways, and
navigation, search, the light/dark toggle and the blog archive work."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.site.findings import grouped
from tests.site.page_survey import PALETTE_TOGGLE, SCHEMES

pytestmark = pytest.mark.browser

WORD = re.compile(r"[A-Za-z]{5,}")
# A heading's text as a reader sees it, without the permalink anchor (¶) Material appends.
HEADING_TEXT = """(h) => { const c = h.cloneNode(true);
  c.querySelectorAll('.headerlink').forEach((a) => a.remove()); return c.textContent.trim(); }"""


def _scheme(page) -> str | None:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def test_every_page_loads_without_console_errors_or_failed_requests(survey):
    """Every page answers 200 and logs no console error and no failed request, in every visit."""
    assert survey, "the survey visited no page"
    findings = []
    for visit in survey.values():
        if visit.navigation_error:
            findings.append((f"page did not load: {visit.navigation_error}", visit.label))
        elif visit.status != 200:
            findings.append((f"HTTP {visit.status}", visit.label))
        findings += [(f"console error: {e}", visit.label) for e in visit.console_errors]
        findings += [(f"failed request: {r}", visit.label) for r in visit.failed_requests]
    assert not findings, grouped(findings)


def test_every_image_loads_and_content_images_have_alt_text(survey):
    """Every image loads (natural size > 0); every chart or diagram in the content has alt text."""
    findings, content_images = [], 0
    for (_, theme, viewport), visit in survey.items():
        if (theme, viewport) != ("light", "desktop"):
            continue
        for image in visit.images:
            if not image["loaded"]:
                findings.append((f"image does not load: {image['src']}", visit.url))
            if image["in_content"]:
                content_images += 1
                if not (image["alt"] or "").strip():
                    findings.append((f"image without alt text: {image['src']}", visit.url))
    assert not findings, grouped(findings)
    assert content_images > 0, "no chart or diagram image found in any page's content"


def test_no_page_scrolls_horizontally_on_desktop_or_phone(survey):
    """No page is wider than the viewport at 1366x900 or 390x844 (wide tables scroll inside)."""
    findings = [
        (
            f"page is {v.overflow['scroll_width']}px wide in a {v.overflow['client_width']}px "
            f"viewport; sticking out: {', '.join(v.overflow['offenders']) or 'unknown'}",
            v.label,
        )
        for v in survey.values()
        if v.overflow and v.overflow["scroll_width"] > v.overflow["client_width"]
    ]
    assert not findings, grouped(findings)


def test_every_page_shows_the_chosen_theme(survey):
    """After choosing dark (or light) with the toggle, every page renders in that colour scheme."""
    findings = [
        (f"colour scheme is {v.scheme!r}, expected {SCHEMES[v.theme]!r}", v.label)
        for v in survey.values()
        if v.scheme != SCHEMES[v.theme]
    ]
    assert not findings, grouped(findings)


def test_key_pages_are_screenshotted_in_both_themes_and_viewports(survey, key_pages):
    """A full-page PNG of each key page exists for light and dark, desktop and phone."""
    missing = []
    for path in key_pages:
        for theme in ("light", "dark"):
            for viewport in ("desktop", "phone"):
                visit = survey.get((path, theme, viewport))
                shot = visit.screenshot if visit else None
                if shot is None or not shot.is_file() or shot.stat().st_size == 0:
                    missing.append(f"{path} [{theme}, {viewport}]")
    assert not missing, "no screenshot for: " + ", ".join(missing)


def test_top_navigation_opens_every_section(new_context, site_server):
    """On the desktop, each top-level tab (or primary nav link) opens a page with a heading."""
    page = new_context("light", "desktop").new_page()
    page.goto(site_server.base_url)
    links = page.locator("a.md-tabs__link")
    if links.count() == 0:
        links = page.locator("nav.md-nav--primary > ul > li > a.md-nav__link")
    targets = [
        urlsplit(urljoin(page.url, href)).path
        for href in links.evaluate_all("(as) => as.map((a) => a.getAttribute('href'))")
    ]
    assert len(targets) >= 2, f"found {len(targets)} top-level navigation links on the home page"
    for index, target in enumerate(targets):
        page.goto(site_server.base_url)
        links.nth(index).click()
        page.wait_for_url(lambda url, t=target: urlsplit(url).path == t)
        assert page.locator("h1").count() >= 1, f"{target}: no heading after navigating"
        assert page.title(), f"{target}: empty <title>"
    page.close()


def test_phone_menu_opens_and_navigates(new_context, site_server):
    """On a phone, the menu button opens the navigation drawer and a page link in it (inside a
    section if needed, as a visitor would tap it) opens its page."""
    page = new_context("light", "phone").new_page()
    page.goto(site_server.base_url)
    home = urlsplit(page.url).path
    page.locator("label.md-header__button[for=__drawer]").click()
    assert page.locator("#__drawer").is_checked(), "the navigation drawer did not open"
    top = "nav.md-nav--primary > ul > li"
    candidates = page.locator(f"{top} > a.md-nav__link[href]")
    hrefs = candidates.evaluate_all("(as) => as.map((a) => a.getAttribute('href'))")
    others = [i for i, h in enumerate(hrefs) if urlsplit(urljoin(page.url, h)).path != home]
    if others:
        link = candidates.nth(others[0])
    else:  # every section is nested: open the first one, then tap its first page
        section = page.locator(f"{top}.md-nav__item--nested").first
        section.locator("> label.md-nav__link, > div > label.md-nav__link").first.click()
        link = section.locator("nav a.md-nav__link[href]").first
    target = urlsplit(urljoin(page.url, link.get_attribute("href"))).path
    link.click()
    page.wait_for_url(lambda url: urlsplit(url).path == target)
    assert page.locator("h1").count() >= 1, f"{target}: no heading after navigating"
    page.close()


def test_search_finds_a_page_by_its_title_and_opens_it(new_context, site_server, built_site):
    """Typing a word from a page's title into search lists that page, and the result opens it."""
    page = new_context("light", "desktop").new_page()
    candidates = [
        p for p in built_site.page_paths() if p != built_site.base_path and "/archive/" not in p
    ]
    assert candidates, "the site has no page besides home"
    target, term = None, None
    for target in candidates[:10]:  # the first page whose heading has a searchable word
        page.goto(site_server.url(target))
        words = WORD.findall(page.locator("article h1").first.evaluate(HEADING_TEXT))
        if words:
            term = max(words, key=len)
            break
    assert term, f"no heading among {candidates[:10]} has a word of 5 letters or more"
    page.goto(site_server.base_url)
    query = page.locator("input[data-md-component=search-query]")
    query.click()  # on the desktop the search box sits in the header
    query.press_sequentially(term, delay=40)  # typed key by key, as Material listens for keys
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    paths = [
        urlsplit(urljoin(page.url, h)).path
        for h in results.evaluate_all("(as) => as.map((a) => a.getAttribute('href'))")
    ]
    assert target in paths, f"searching {term!r} listed {paths}, not {target}"
    results.nth(paths.index(target)).click()
    page.wait_for_url(lambda url: urlsplit(url).path == target)
    assert term in page.locator("article h1").first.inner_text()
    page.close()


def test_palette_toggle_switches_theme_and_the_choice_persists(
    new_context, site_server, built_site
):
    """The header toggle switches light to dark and back; the choice carries to the next page."""
    page = new_context("light", "desktop").new_page()
    page.goto(site_server.base_url)
    # Material shows the toggle once its bundle has run, which the site loads after the first
    # paint (generators/site_hooks.py), possibly after the load event.
    page.wait_for_load_state("networkidle")
    assert _scheme(page) == SCHEMES["light"], "the site does not open in the light scheme"
    assert page.locator(PALETTE_TOGGLE).count() == 1, "no light/dark toggle in the header"
    page.locator(PALETTE_TOGGLE).click()
    assert _scheme(page) == SCHEMES["dark"], "the toggle did not switch to the dark scheme"
    other = next(p for p in built_site.page_paths() if p != built_site.base_path)
    page.goto(site_server.url(other))
    page.wait_for_load_state("networkidle")
    assert _scheme(page) == SCHEMES["dark"], f"{other} forgot the dark choice"
    page.locator(PALETTE_TOGGLE).click()
    assert _scheme(page) == SCHEMES["light"], "the toggle did not switch back to light"
    page.close()


def test_a_code_blocks_copy_button_copies_the_block(new_context, site_server, built_site):
    """The copy button the build writes before each code block (generators/site_hooks.py)
    copies that block's text through Material's bundle, and says so. The markup is a copy
    of Material's own, so a Material upgrade that changes it shows up here."""
    context = new_context("light", "desktop")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_server.origin)
    page = context.new_page()
    page.goto(site_server.url(built_site.base_path + "toolkit/"))
    page.wait_for_load_state("networkidle")  # the bundle runs after the first paint
    button = page.locator("article .md-code__button[data-md-type=copy]").first
    assert button.count() == 1, "the toolkit page has no code block with a copy button"
    target = button.get_attribute("data-clipboard-target")
    code = page.locator(target)
    assert code.count() == 1, f"the copy button names {target}, which is not on the page"
    button.click()
    page.locator(".md-dialog").get_by_text("Copied").wait_for(timeout=5_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() and copied.strip() == code.inner_text().strip()
    page.close()


def test_blog_archive_lists_posts_that_open(new_context, site_server, built_site):
    """The blog index links to its archive, the archive lists posts, and a listed post opens."""
    archives = [p for p in built_site.page_paths() if "/archive/" in p]
    assert archives, "the site has no blog archive page (…/archive/<year>/)"
    blog_index = archives[0].split("archive/")[0]
    page = new_context("light", "desktop").new_page()
    page.goto(site_server.url(blog_index))
    archive_links = page.locator("a[href*='archive/']:visible")
    assert archive_links.count() >= 1, f"{blog_index}: no visible link to the archive"
    archive_links.first.click()
    page.wait_for_url(lambda url: "/archive/" in url)
    posts = page.locator("article.md-post h2 a, .md-post__content h2 a")
    assert posts.count() >= 1, f"{page.url}: the archive lists no post"
    post_title = posts.first.evaluate(HEADING_TEXT)
    posts.first.click()
    page.wait_for_url(lambda url: "/archive/" not in url)
    assert page.locator("article h1").first.evaluate(HEADING_TEXT) == post_title
    page.close()


def test_a_missing_page_shows_the_sites_own_404_page(new_context, site_server):
    """A URL that does not exist answers 404 with the site's styled 404 page, all assets loading."""
    page = new_context("light", "desktop").new_page()
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on(
        "response",
        lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None,
    )
    missing = site_server.base_url + "no-such-page/"
    response = page.goto(missing)
    page.wait_for_load_state("networkidle")
    assert response is not None and response.status == 404
    assert page.locator("header.md-header").count() == 1, "the 404 page is not the site's own"
    assert [url for url in failed if not url.startswith(missing)] == [], failed
    page.close()
