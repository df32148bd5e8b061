"""Fixtures for the browser suite: the built site, a real HTTP server for it on 127.0.0.1, one
headless Debian Chromium for the whole session (driven by Playwright), and a survey that visits
every page once per theme and viewport.

Every test under tests/site is marked `browser`, so `make test` (-m "not browser") deselects them
all and never builds the site or starts Chromium; nothing here imports Playwright at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.site.page_survey import VIEWPORTS, PageVisit, screenshot_path, visit
from tests.site.site_build import REPO, locate_site
from tests.site.site_pages import BuiltSite
from tests.site.site_server import SiteServer

CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# closed network refuses; the rest make a root, display-less, GPU-less container work.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SESSION_TIMEOUT_S = 2400
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# Which pages each theme x viewport visit covers: every page in light and dark on the desktop and
# in light on the phone; the dark phone only for the key pages' screenshots.
SURVEY_PLAN = (
    ("light", "desktop", "all"),
    ("dark", "desktop", "all"),
    ("light", "phone", "all"),
    ("dark", "phone", "key"),
)


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder `browser`, even one that forgets its pytestmark."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            # The first test also pays for the session fixtures: a site build when site/ is
            # stale and the survey of every page (about 7 minutes together on 2 busy cores).
            item.add_marker(pytest.mark.timeout(SESSION_TIMEOUT_S))


@pytest.fixture(scope="session")
def workdir() -> Path:
    """Where reports and screenshots go: WORKDIR, as in the Makefile (default build)."""
    path = Path(os.environ.get("WORKDIR", "build"))
    path = path if path.is_absolute() else REPO / path
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def reports_dir(workdir: Path) -> Path:
    path = workdir / "site-checks"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def built_site(workdir: Path) -> BuiltSite:
    # A work directory of its own: a small test build must not overwrite `make site`'s estate,
    # and keeping it lets build_site skip the steps whose inputs did not change.
    return locate_site(workdir / "site-tests-build")


@pytest.fixture(scope="session")
def site_server(built_site: BuiltSite):
    with SiteServer(built_site) as server:
        yield server


@pytest.fixture(scope="session")
def key_pages(built_site: BuiltSite) -> list[str]:
    return built_site.key_pages()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"{AXE_SCRIPT} missing: run `npm ci --prefix tests/site` (or `make test-site`)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session: the machine is small and shared."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} missing: run `scripts/ensure-system-deps.sh chromium:chromium`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def new_context(browser, site_server):
    """Factory for browser contexts (fresh profiles) in a theme and viewport. Requests that
    leave the local server are aborted and so show up as failed requests: the site must not
    depend on third-party hosts (and CI has no internet)."""
    opened = []

    def make(theme: str, viewport: str):
        context = browser.new_context(
            color_scheme="dark" if theme == "dark" else "light", **VIEWPORTS[viewport]
        )
        local = site_server.origin + "/"
        context.route(lambda url: not url.startswith(local), lambda route: route.abort())
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture(scope="session")
def survey(new_context, site_server, built_site, key_pages, axe_source, workdir):
    """Every page visited per SURVEY_PLAN: {(url_path, theme, viewport): PageVisit}. Key pages
    are screenshotted in every theme and viewport into <workdir>/screenshots."""
    screenshots = workdir / "screenshots"
    visits: dict[tuple[str, str, str], PageVisit] = {}
    for theme, viewport, scope in SURVEY_PLAN:
        context = new_context(theme, viewport)
        page = context.new_page()
        paths = built_site.page_paths() if scope == "all" else key_pages
        for path in paths:
            shot = (
                screenshot_path(screenshots, path, built_site.base_path, theme, viewport)
                if path in key_pages
                else None
            )
            visits[(path, theme, viewport)] = visit(
                page, site_server.url(path), theme, viewport, site_server.origin, axe_source, shot
            )
        page.close()
        context.close()
    return visits
