"""The mkdocs-macros module: what pages may call inside `{{ ... }}`.

- `metric("key")` renders a measured value and its unit, linked to the key's row on
  the catalogue page, with its provenance as a tooltip. A key the catalogue does not
  hold fails the build, naming the page and the key.
- `metric_value("key")` gives the raw number, for arithmetic on a page.
- `reported("key")` renders one of the owner's self-reported production figures from
  `data/owner.yaml`, labelled as such.
- `owner` is the owner's data file; `case_studies` the case-study files; `claims`
  the claim verdicts of the latest run (empty when none were evaluated).

The catalogue is read from the copy the site build publishes under
`docs/assets/generated/data/metrics.json`, so `mkdocs serve` sees what the build saw.
"""

from __future__ import annotations

import json
import posixpath
import sys
from pathlib import Path

# mkdocs-macros loads this file by path; the project runs from the checkout (it is not
# installed), so `mkdocs serve` needs the repository root on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generators.catalogue import Catalogue, catalogue_page_for
from generators.owner_data import load_case_studies, load_owner, reported_figure

PUBLISHED_DATA = Path("assets/generated/data")
FIGURES_PAGE = "about.md"
FIGURES_ANCHOR = "self-reported-figures"


def relative_link(from_page: str, target: str) -> str:
    """A Markdown link target from one page source to another (both docs-relative)."""
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".")


def render_metric(catalogue: Catalogue, key: str, page: str, *, unit: bool = True) -> str:
    entry = catalogue.get(key, where=f"page {page}")
    text = entry.text if unit else entry.number_text()
    href = relative_link(page, catalogue_page_for(key)) + "#" + entry.anchor
    title = f"{entry.description} ({entry.provenance_line()})".replace('"', "'")
    return f'[{text}]({href} "{title}"){{ .metric }}'


def speed_words(catalogue: Catalogue, key: str, page: str) -> str:
    """A speed-up in words that stay true whichever way the measurement went:
    "3.2× faster", "no faster (1.01×)" or "slower (0.69× the speed)"; each reads on
    with "than ..."."""
    value = catalogue.value(key, where=f"page {page}")
    link = render_metric(catalogue, key, page)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return f"{link} (not measured)" if value is None else link
    if value >= 1.05:
        return f"{link} faster"
    if value > 0.95:
        return f"no faster ({link})"
    return f"slower ({link} the speed)"


def render_reported(owner: dict, key: str, page: str, *, label: bool = True) -> str:
    fig = reported_figure(owner, key, where=f"page {page}")
    href = relative_link(page, FIGURES_PAGE) + "#" + FIGURES_ANCHOR
    title = f"Self-reported by the owner: {fig.label}. {fig.context}".strip().replace('"', "'")
    suffix = " (self-reported)" if label else ""
    return f'[{fig.text}]({href} "{title}"){{ .reported }}{suffix}'


def define_env(env) -> None:
    docs_dir = Path(env.conf["docs_dir"])
    project_root = docs_dir.parent
    data_dir = docs_dir / PUBLISHED_DATA
    catalogue = Catalogue.load(data_dir / "metrics.json")
    owner = load_owner(project_root)
    claims_path = data_dir / "claims.json"
    claims = json.loads(claims_path.read_text(encoding="utf-8")) if claims_path.exists() else []

    env.variables["owner"] = owner
    env.variables["case_studies"] = load_case_studies(project_root)
    env.variables["claims"] = claims

    def current_page() -> str:
        page = getattr(env, "page", None)
        return page.file.src_uri if page is not None else "<unknown page>"

    @env.macro
    def metric(key: str, unit: bool = True) -> str:
        """A measured value with its unit, linked to its provenance. `unit=False` drops a
        counting unit ("rows", "runs") when the sentence names the noun itself."""
        return render_metric(catalogue, key, current_page(), unit=unit)

    @env.macro
    def faster(key: str) -> str:
        """A speed-up metric as "N× faster", "no faster (N×)" or "slower (N× the
        speed)", so a sentence stays true when a measurement goes the other way."""
        return speed_words(catalogue, key, current_page())

    @env.macro
    def metric_value(key: str):
        """The raw value of a metric, for arithmetic on a page."""
        return catalogue.value(key, where=f"page {current_page()}")

    @env.macro
    def reported(key: str, label: bool = True) -> str:
        """One of the owner's self-reported production figures, labelled as such."""
        return render_reported(owner, key, current_page(), label=label)

    @env.macro
    def page_link(target: str) -> str:
        """A relative link target from the current page to a docs-relative page."""
        return relative_link(current_page(), target)
