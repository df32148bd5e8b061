"""The mkdocs-macros module: what pages may call inside `{{ ... }}`.

- `metric("key")` renders a measured value and its unit, linked to the key's row on
  the catalogue page, with its provenance as a tooltip. A key the catalogue does not
  hold fails the build, naming the page and the key.
- `metric_value("key")` gives the raw number, for arithmetic on a page.
- `reported("key")` renders one of the owner's self-reported production figures from
  `data/owner.yaml`, labelled as such.
- `claim("id")` renders a registered claim (data/claims.yaml) in the words its current
  verdict calls for, with claimed, measured and verdict side by side; `claim_badge("id")`
  renders the badge alone; `verdict("id")` gives the verdict, for `{% if %}`. Any
  sentence about the outcome of a claim goes through these (generators/claim_check.py
  fails the build otherwise).
- `faster("key")` and `change("key", "smaller", "larger")` put a measured figure that
  is not a registered claim into words that follow its sign.
- `owner` is the owner's data file; `case_studies` the case-study files; `claims`
  the claim verdicts of the latest benchmark run (empty when none were judged).

The catalogue is read from the copy the site build publishes under
`docs/assets/generated/data/metrics.json`, so `mkdocs serve` sees what the build saw.
"""

from __future__ import annotations

import posixpath
import sys
from pathlib import Path

# mkdocs-macros loads this file by path; the project runs from the checkout (it is not
# installed), so `mkdocs serve` needs the repository root on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generators.catalogue import Catalogue, catalogue_page_for, format_value
from generators.claims import Claims, render_badge, render_claim
from generators.escape import escaped, prose, text
from generators.owner_data import load_case_studies, load_owner, reported_figure
from generators.project import Project

FIGURES_PAGE = "about.md"
FIGURES_ANCHOR = "self-reported-figures"


def relative_link(from_page: str, target: str) -> str:
    """A Markdown link target from one page source to another (both docs-relative)."""
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".")


def render_metric(catalogue: Catalogue, key: str, page: str, *, unit: bool = True) -> str:
    entry = catalogue.get(key, where=f"page {page}")
    shown = text(entry.text if unit else entry.number_text())
    href = relative_link(page, catalogue_page_for(key)) + "#" + entry.anchor
    title = text(f"{entry.description} ({entry.provenance_line()})")
    return f'[{shown}]({href} "{title}"){{ .metric }}'


def speed_words(catalogue: Catalogue, key: str, page: str) -> str:
    """A speed-up in words that stay true whichever way the measurement went:
    "3.2× faster", "no faster (1.01×)" or "slower (0.69× the speed)"; each reads on
    with "than ..."."""
    value = catalogue.value(key, where=f"page {page}")
    link = render_metric(catalogue, key, page)
    if not isinstance(value, int | float) or isinstance(value, bool):
        words = f"{link} (not measured)" if value is None else link
    elif value >= 1.05:
        words = f"{link} faster"
    elif value > 0.95:
        words = f"no faster ({link})"
    else:
        words = f"slower ({link} the speed)"
    return measured_words(words)


def measured_words(markdown: str) -> str:
    """Mark words whose direction follows a measurement, so the site check knows that
    "faster" or "smaller" next to a measured figure came from the figure, not from prose."""
    return f'<span class="measured-words">{markdown}</span>'


def change_words(catalogue: Catalogue, key: str, page: str, more: str, less: str) -> str:
    """A percentage reduction in words that follow its sign: "85.9 % smaller" or
    "4.1 % larger" (`more` is the word for a positive reduction, `less` for a negative)."""
    entry = catalogue.get(key, where=f"page {page}")
    if not isinstance(entry.value, int | float) or isinstance(entry.value, bool):
        return measured_words(f"{render_metric(catalogue, key, page)} (not measured)")
    link = render_metric(catalogue, key, page)
    if entry.value >= 0:
        return measured_words(f"{link} {more}")
    href = relative_link(page, catalogue_page_for(key)) + "#" + entry.anchor
    size = format_value(-entry.value, entry.unit)
    return measured_words(f'[{text(size)}]({href} "{text(entry.description)}"){{ .metric }} {less}')


def render_reported(owner: dict, key: str, page: str, *, label: bool = True) -> str:
    fig = reported_figure(owner, key, where=f"page {page}")
    href = relative_link(page, FIGURES_PAGE) + "#" + FIGURES_ANCHOR
    title = text(f"Self-reported: {fig.label}. {fig.context}".strip())
    suffix = " (self-reported)" if label else ""
    return f'[{text(fig.text)}]({href} "{title}"){{ .reported }}{suffix}'


def define_env(env) -> None:
    docs_dir = Path(env.conf["docs_dir"])
    project_root = docs_dir.parent
    project = Project(project_root)
    catalogue = Catalogue.load(project.published_metrics)
    owner = load_owner(project_root)
    claims = Claims.load(project.published_claims)
    reported_claims = claims.by_reported()

    # Pages see the owner's data and the case studies escaped (generators/escape.py):
    # mkdocs-macros does not autoescape, and escaping the data once, here, covers every
    # `{{ owner.… }}` on every page, present and future, where an `|e` filter would have
    # to be remembered at each. The values are Markup, so an `|e` a page adds is a no-op.
    # The macros below read the raw `owner` and escape what they render themselves.
    env.variables["owner"] = escaped(owner)
    env.variables["case_studies"] = [
        {**escaped(study), "summary": prose(study["summary"])}
        for study in load_case_studies(project_root)
    ]
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
    def change(key: str, more: str = "smaller", less: str = "larger") -> str:
        """A measured percentage reduction as "N % smaller" or, when negative, "N % larger"."""
        return change_words(catalogue, key, current_page(), more, less)

    def evidence_link(record) -> str:
        return relative_link(current_page(), catalogue_page_for(record.metric))

    @env.macro
    def claim(claim_id: str) -> str:
        """A registered claim in the words its verdict calls for, with its badge."""
        record = claims.get(claim_id, where=f"page {current_page()}")
        return render_claim(record, catalogue, link_to=evidence_link(record))

    @env.macro
    def claim_badge(claim_id: str) -> str:
        """Claimed, measured and verdict of a registered claim, side by side."""
        record = claims.get(claim_id, where=f"page {current_page()}")
        return render_badge(record, catalogue, link_to=evidence_link(record))

    @env.macro
    def verdict(claim_id: str) -> str:
        """A claim's verdict ("supported", "not supported at this scale", "unmeasured",
        "not judged"), for pages that choose what to show by it."""
        return claims.get(claim_id, where=f"page {current_page()}").verdict

    @env.macro
    def judged_claims(measured_by: str = "bench") -> list[str]:
        """The ids of the benchmark (or, with "pipeline", pipeline) claims that have a
        verdict: not a smoke test, not unmeasured."""
        return [r.id for r in claims if r.judged and r.data.get("measured_by") == measured_by]

    @env.macro
    def metric_value(key: str):
        """The raw value of a metric, for arithmetic on a page."""
        return catalogue.value(key, where=f"page {current_page()}")

    @env.macro
    def reported(key: str, label: bool = True) -> str:
        """One of the owner's self-reported production figures, labelled as such; a figure
        that states a registered claim carries that claim's badge from the demo."""
        shown = render_reported(owner, key, current_page(), label=label)
        if key in reported_claims:
            record = reported_claims[key]
            badge = render_badge(record, catalogue, link_to=evidence_link(record))
            shown += f" (the demo: {badge})"
        return shown

    @env.macro
    def demo_verdict(key: str) -> str:
        """For a self-reported figure that states a registered claim: the demo's badge for
        that claim (prefixed with a separator); nothing for other figures."""
        record = reported_claims.get(key)
        if record is None:
            return ""
        return " · the demo: " + render_badge(record, catalogue, link_to=evidence_link(record))

    @env.macro
    def page_link(target: str) -> str:
        """A relative link target from the current page to a docs-relative page."""
        return relative_link(current_page(), target)
