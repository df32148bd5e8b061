"""One visit of one page in a real browser, recording everything the tests judge: console
errors, failed requests, bytes and requests on a cold load, images, horizontal overflow, the
colour scheme, and (optionally) axe-core's accessibility violations.

A whole-site survey visits each page once per theme and viewport and keeps the records, so the
tests only read them and Chromium loads every page as few times as possible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.site.site_pages import slug

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# Material names its palettes' colour schemes 'default' (light) and 'slate' (dark).
SCHEMES = {"light": "default", "dark": "slate"}
BLOCKING_IMPACTS = ("serious", "critical")
PALETTE_TOGGLE = "form[data-md-component=palette] label:not([hidden])"

IMAGES_JS = """
async () => {
  const imgs = [...document.querySelectorAll('img')];
  const settle = (img) => {
    img.loading = 'eager';  // a visitor scrolling down would load them all
    return Promise.race([img.decode().catch(() => null),
                         new Promise((resolve) => setTimeout(resolve, 10000))]);
  };
  await Promise.all(imgs.map(settle));
  return imgs.map((img) => ({
    src: img.getAttribute('src'),
    alt: img.getAttribute('alt'),
    loaded: img.complete && img.naturalWidth > 0,
    in_content: img.closest('.md-content') !== null,
  }));
}
"""

OVERFLOW_JS = """
() => {
  const doc = document.scrollingElement || document.documentElement;
  const width = doc.clientWidth;
  const result = {scroll_width: doc.scrollWidth, client_width: width, offenders: []};
  if (doc.scrollWidth <= width) return result;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1 && !clipped(el)) {
      const parentBox = el.parentElement.getBoundingClientRect();
      if (parentBox.right <= width + 1) {
        result.offenders.push(describe(el) + ' (right edge ' + Math.round(box.right) + 'px)');
      }
    }
    if (result.offenders.length >= 5) break;
  }
  return result;
}
"""

AXE_RUN_JS = """
async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, help_url: v.helpUrl,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    summary: v.nodes.length ? v.nodes[0].failureSummary : '',
    nodes: v.nodes.slice(0, 25).map((n) => ({target: n.target.join(' '),
                                             summary: n.failureSummary || ''})),
    count: v.nodes.length,
  }));
}
"""


@dataclass
class PageVisit:
    """What one page did in one theme and viewport."""

    url: str
    theme: str
    viewport: str
    status: int | None = None
    navigation_error: str | None = None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    request_count: int = 0
    bytes_transferred: int = 0
    scheme: str | None = None
    images: list[dict] = field(default_factory=list)
    overflow: dict = field(default_factory=dict)
    axe_violations: list[dict] = field(default_factory=list)
    screenshot: Path | None = None

    @property
    def label(self) -> str:
        return f"{self.url} [{self.theme}, {self.viewport}]"

    def blocking_violations(self) -> list[dict]:
        return [v for v in self.axe_violations if v["impact"] in BLOCKING_IMPACTS]


def ensure_scheme(page, theme: str) -> str | None:
    """Click Material's palette toggle until the page shows the wanted scheme (Material keeps the
    choice in localStorage, so later pages in the same context open in it). Returns the scheme."""
    wanted = SCHEMES[theme]
    for _ in range(3):
        scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        if scheme == wanted:
            return scheme
        toggle = page.locator(PALETTE_TOGGLE)
        if toggle.count() == 0:
            return scheme
        toggle.first.click()
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def visit(
    page,
    url: str,
    theme: str,
    viewport: str,
    site_origin: str,
    axe_source: str | None,
    screenshot: Path | None = None,
) -> PageVisit:
    """Load `url` cold in `page` and record it (see PageVisit)."""
    record = PageVisit(url=url, theme=theme, viewport=viewport)
    requests = []
    loaded: list = []

    def on_console(message) -> None:
        if message.type == "error":
            record.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(error) -> None:
        record.console_errors.append(f"uncaught: {error}")

    def on_request_failed(request) -> None:
        if switched_picture_source(request):
            return
        record.failed_requests.append(f"{request.url}: {request.failure}")

    def on_response(response) -> None:
        if response.status >= 400:
            record.failed_requests.append(f"{response.url}: HTTP {response.status}")

    def on_request(request) -> None:
        requests.append(request)

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("request", on_request)
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    try:
        response = page.goto(url, wait_until="load")
        record.status = response.status if response else None
        page.wait_for_load_state("networkidle")
        # The budget counts what the page itself loaded; the image check below forces lazy
        # images (e.g. the other theme's variant of a diagram) to load, which a visitor's
        # browser would not.
        loaded = list(requests)
        record.scheme = ensure_scheme(page, theme)
        record.images = page.evaluate(IMAGES_JS)
        record.overflow = page.evaluate(OVERFLOW_JS)
        if axe_source is not None:
            page.evaluate(axe_source)
            record.axe_violations = page.evaluate(AXE_RUN_JS)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
            record.screenshot = screenshot
    except Exception as error:  # recorded and asserted on by the tests, never swallowed
        record.navigation_error = f"{type(error).__name__}: {error}"
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_page_error)
        page.remove_listener("request", on_request)
        page.remove_listener("requestfailed", on_request_failed)
        page.remove_listener("response", on_response)
    record.request_count = len(loaded)
    for request in loaded:
        if not request.url.startswith(site_origin) or switched_picture_source(request):
            continue
        try:
            sizes = request.sizes()
        except Exception as error:  # a request that never completed has no sizes
            record.failed_requests.append(f"{request.url}: no response ({error})")
            continue
        record.bytes_transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return record


def switched_picture_source(request) -> bool:
    """An image fetch the browser itself cancelled: a `<picture>` whose media query
    changed (the phone and wide variants of a diagram swap when the viewport does, and a
    full-page screenshot resizes it for a moment) drops the fetch of the source it no
    longer shows. That is not a broken image; a broken one answers 4xx or fails to
    decode, which the response and image checks still catch."""
    return request.resource_type == "image" and request.failure == "net::ERR_ABORTED"


def screenshot_path(
    screenshot_dir: Path, url_path: str, base_path: str, theme: str, viewport: str
) -> Path:
    return screenshot_dir / f"{slug(url_path, base_path)}-{theme}-{viewport}.png"
