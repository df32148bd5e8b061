"""Diagram and chart text a reader can read on a phone.

At 390 x 844 CSS pixels (the survey's phone), every page that shows a diagram or a chart is
opened and the text of each one measured as displayed: for an `<img>`, the SVG it shows (its
`currentSrc`, so a `<picture>`'s phone variant counts when the phone gets it) is parsed into
the page off screen at the size the image is drawn, and each `<text>` element's font size is
multiplied by the scale of its screen transform; an inline `<svg>` is measured in place. The
smallest size on every figure must be at least 11 CSS pixels.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.site.findings import grouped

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
MIN_CSS_PX = 11.0
# Pages with a figure: an image of a generated diagram or chart, or an inline SVG with text.
FIGURE = re.compile(
    r'src="[^"]*assets/generated/(?:diagrams|charts)/[^"]+\.svg|<svg\b[^>]*>\s*<text'
)

# For each shown figure of the page: its smallest text as displayed, in CSS pixels.
MEASURE_JS = r"""async () => {
  const FIGURE = /\/assets\/generated\/(diagrams|charts)\/[^/]+\.svg/;
  const smallest = (svg) => {
    let min = Infinity, sample = '', texts = 0;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const m = t.getScreenCTM();
      if (!m) continue;
      texts += 1;
      const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
      if (size < min) { min = size; sample = t.textContent.trim().slice(0, 40); }
    }
    return {min, sample, texts};
  };
  const out = [];
  const images = [...document.querySelectorAll('.md-content img')]
    .filter((img) => FIGURE.test(img.getAttribute('src') || ''));
  for (const img of images) {
    if (img.getBoundingClientRect().width === 0) continue;  // the other colour scheme's copy
    img.loading = 'eager';
    img.scrollIntoView();
    await img.decode().catch(() => null);
    const box = img.getBoundingClientRect();
    const text = await (await fetch(img.currentSrc)).text();
    const parsed = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    const svg = document.importNode(parsed, true);
    svg.setAttribute('width', box.width);
    svg.setAttribute('height', box.height);
    const holder = document.createElement('div');
    holder.style.cssText = 'position:absolute;left:-20000px;top:0';
    holder.appendChild(svg);
    document.body.appendChild(holder);
    out.push({figure: img.currentSrc.split('/').pop(), width: box.width, ...smallest(svg)});
    holder.remove();
  }
  for (const svg of document.querySelectorAll('.md-content svg')) {
    if (svg.getBoundingClientRect().width === 0 || !svg.querySelector('text')) continue;
    out.push({figure: 'inline svg', width: svg.getBoundingClientRect().width, ...smallest(svg)});
  }
  return out;
}"""


@pytest.fixture(scope="module")
def phone(browser, site_server):
    """A 390 x 844 phone context; requests leaving the local server are aborted."""
    context = browser.new_context(color_scheme="light", **PHONE)
    local = site_server.origin + "/"
    context.route(lambda url: not url.startswith(local), lambda route: route.abort())
    yield context
    context.close()


def test_diagram_and_chart_text_is_readable_on_a_phone(phone, site_server, built_site):
    """At 390 px wide, the smallest text of every diagram and chart, as displayed, is at
    least 11 CSS pixels."""
    pages = [
        built_site.url_path(path)
        for path in built_site.html_files()
        if FIGURE.search(path.read_text(encoding="utf-8"))
    ]
    if not pages and os.environ.get("SITE_TESTS_SAMPLE") == "1":
        pytest.skip("the sample site has no generated diagram or chart")
    assert pages, "no page shows a diagram or a chart"
    findings, measured = [], []
    for path in pages:
        page = phone.new_page()
        page.goto(site_server.url(path))
        page.wait_for_load_state("load")
        for figure in page.evaluate(MEASURE_JS):
            measured.append(figure)
            if figure["texts"] == 0:
                findings.append((f"{figure['figure']}: no text found to measure", path))
            elif figure["min"] < MIN_CSS_PX:
                findings.append(
                    (
                        f"{figure['figure']} shown {figure['width']:.0f} px wide: smallest text "
                        f"{figure['min']:.1f} px ({figure['sample']!r}), expected >= {MIN_CSS_PX}",
                        path,
                    )
                )
        page.close()
    assert measured, f"no diagram or chart shown on {pages}"
    assert not findings, grouped(findings, unit="page(s)")
