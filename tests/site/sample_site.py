"""A tiny Material for MkDocs site with the features the real site has (tabs, search, a light/dark
toggle, a blog with an archive, a chart image), built into a temporary directory.

It exists so the browser suite can be checked against a known-good site: run the suite with
SITE_TESTS_SAMPLE=1 and every test must pass. It is never used for the real site.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MKDOCS_YML = """\
site_name: Sample pipeline portfolio
site_url: https://example.github.io/sample/
site_description: A sample site for the browser test suite.
theme:
  name: material
  custom_dir: overrides
  font: false
  features: [navigation.tabs, navigation.sections, search.suggest]
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle: {icon: material/weather-night, name: Switch to dark mode}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle: {icon: material/weather-sunny, name: Switch to light mode}
plugins:
  - search
  - blog:
      blog_dir: blog
extra_css: [stylesheets/extra.css]
extra_javascript: [javascripts/extra.js]
markdown_extensions: [attr_list, toc, tables, pymdownx.highlight, pymdownx.superfences]
nav:
  - Home: index.md
  - Results:
      - results/index.md
      - Benchmarks: results/benchmarks.md
  - Blog:
      - blog/index.md
"""

PAGES = {
    "index.md": """\
# Sample pipeline portfolio

A medallion pipeline over a synthetic retail estate. See the
[benchmarks](results/benchmarks.md#method) and the [results overview](results/index.md).
""",
    "results/index.md": """\
# Results

Measured figures from the latest run. Read the [method](benchmarks.md#method).

![Daily revenue per warehouse, line chart](../assets/chart.png){ width="600" height="300" }
""",
    "results/benchmarks.md": """\
# Benchmarks

## Method

Polars against pandas on the same frames. Upstream: <https://pola.rs/>.

## Results

![Speedup per engine, bar chart](../assets/chart.svg)

| engine | dataset | rows | wall time (s) | peak memory (MiB) | speedup | notes |
|---|---|---|---|---|---|---|
| polars_lazy_streaming | fact_sales_by_day | 1000000 | 1.23 | 456 | 4.5 | default profile |

```python
def speedup(baseline_seconds: float, candidate_seconds: float) -> float:  # a long line to scroll
    # How many times faster the candidate is than the baseline.
    return baseline_seconds / candidate_seconds
```
""",
    "blog/index.md": "# Blog\n",
    "blog/posts/first.md": """\
---
date: 2026-11-02
---

# Building the estate

How the synthetic estate is generated.

<!-- more -->

The rest of the story, with a [link home](../../index.md).
""",
    "blog/posts/second.md": """\
---
date: 2026-10-20
---

# Choosing Polars

Why the silver layer runs on Polars.

<!-- more -->

More detail.
""",
}


# What stock Material needs to pass axe-core's serious rules (the same fixes the real site needs).
EXTRA_CSS = """\
/* color-contrast: tab labels are drawn at 70% opacity on the primary colour (4.3:1). */
.md-tabs__link { opacity: 1; }
/* color-contrast: the footer's copyright line is too faint on the phone. */
.md-copyright { color: var(--md-footer-fg-color--light); }
/* link-in-text-block: links inside prose must not rely on colour alone. */
.md-typeset a:not(.md-button):not(.headerlink) { text-decoration: underline; }
/* color-contrast in code: Material's highlight colours sit at 4.47:1 (light) and 4.44-4.48:1
   (dark), just under 4.5:1. */
[data-md-color-scheme="default"] {
  --md-code-hl-comment-color: #616161;
  --md-code-hl-variable-color: #616161;
  --md-code-hl-generic-color: #616161;
  --md-code-hl-operator-color: #616161;
  --md-code-hl-punctuation-color: #616161;
}
[data-md-color-scheme="slate"] {
  --md-code-hl-constant-color: #a89bea;
  --md-code-hl-number-color: #ec7f73;
}
/* color-contrast: links inside code (mkdocstrings' cross-references) on slate, 4.1:1. */
[data-md-color-scheme="slate"] .md-typeset code a { color: #7aa2ee; }
/* color-contrast: an outlined button is drawn in the primary indigo, 2.3:1 on slate. */
[data-md-color-scheme="slate"] .md-typeset .md-button:not(.md-button--primary) {
  color: var(--md-typeset-a-color);
}
/* Phones: wrap code instead of scrolling it sideways. Material makes an overflowing code block
   focusable only on devices that can hover, so on a touch screen a scrolling block is out of a
   keyboard's reach (scrollable-region-focusable); wrapped, nothing needs scrolling. */
@media screen and (max-width: 44.9375em) {
  .md-typeset pre > code { white-space: pre-wrap; overflow-wrap: anywhere; }
}
"""

# scrollable-region-focusable: a table wider than the screen scrolls inside a wrapper Material
# adds at run time; a keyboard user can scroll it only once the wrapper can take focus.
EXTRA_JS = """\
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
    wrap.setAttribute("tabindex", "0");
  });
});
"""


def _search_partial() -> str:
    """Material's own search partial with a name on its dialog (aria-dialog-name)."""
    import material

    stock = Path(material.__file__).parent / "templates" / "partials" / "search.html"
    text = stock.read_text(encoding="utf-8")
    return text.replace('role="dialog"', 'role="dialog" aria-label="Search"', 1)


def _write_chart(assets: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([1, 2, 3, 4], [3, 1, 4, 2])
    ax.set_title("Daily revenue")
    fig.savefig(assets / "chart.png", dpi=80)
    fig.savefig(assets / "chart.svg", metadata={"Date": None})
    plt.close(fig)


def build_sample_site(root: Path) -> Path:
    """Write the sample project under `root` and build it with `mkdocs build --strict`; return
    the built site directory."""
    docs = root / "docs"
    for relative, text in PAGES.items():
        target = docs / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    assets = docs / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    _write_chart(assets)
    (docs / "stylesheets").mkdir(exist_ok=True)
    (docs / "stylesheets" / "extra.css").write_text(EXTRA_CSS, encoding="utf-8")
    (docs / "javascripts").mkdir(exist_ok=True)
    (docs / "javascripts" / "extra.js").write_text(EXTRA_JS, encoding="utf-8")
    partials = root / "overrides" / "partials"
    partials.mkdir(parents=True, exist_ok=True)
    (partials / "search.html").write_text(_search_partial(), encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    site = root / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=root,
        check=True,
    )
    return site
