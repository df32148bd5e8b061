"""The CV: one template (`generators/templates/cv/`) rendered from the owner's data as a
page of the site and as a PDF.

The page (`docs/generated/cv.md`) embeds the CV's HTML with its stylesheet, whose
`@media print` rules make it one to two A4 pages without the site's chrome. The PDF
(`docs/assets/generated/cv/cv.pdf`, published with the site) is the same HTML laid out
by WeasyPrint, in a font installed on this machine (DejaVu Sans, else Liberation Sans)
and with every fetch of a remote resource refused, so it builds offline.

WeasyPrint needs the Pango system library. Where it is missing, the build says so,
names the package to install, and still makes the HTML page (without the PDF link).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from demo_pipeline.atomic import write_text_atomic
from generators import templating
from generators.escape import text
from generators.project import Project

PAGE = "generated/cv.md"
PDF_DIR = "assets/generated/cv"  # under docs/
PDF_NAME = "cv.pdf"
PDF_FROM_PAGE = f"../{PDF_DIR}/{PDF_NAME}"  # the PDF's link target from the page
PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"
MAX_PAGES = 2


@dataclass(frozen=True)
class CvResult:
    """What the CV step made: the PDF's path and page count, or why there is none."""

    pdf: Path | None
    pages: int = 0
    skipped: str = ""


def render_body(owner: dict) -> Markup:
    """The CV as one HTML block, every value from the data escaped."""
    html = templating.render(
        "cv/cv.html.j2",
        cv=owner,
        figures=owner["figures"],
        example=bool(owner["profile"].get("placeholder")),
    )
    # One HTML block for Markdown: a blank line would end it and let Markdown parse the rest.
    return Markup(re.sub(r"\n\s*\n", "\n", html).strip())


def render_page(owner: dict, *, pdf: bool) -> str:
    profile = owner["profile"]
    description = text(f"CV of {profile['name']}, {profile['role']}.")
    return templating.render(
        "cv/page.md.j2",
        description=Markup(json.dumps(str(description), ensure_ascii=False)),
        css=templating.source("cv/cv.css"),
        pdf=Markup(PDF_FROM_PAGE) if pdf else None,
        body=render_body(owner),
    )


def render_document(owner: dict) -> str:
    """The standalone HTML WeasyPrint lays out."""
    return templating.render(
        "cv/document.html.j2",
        cv=owner,
        css=templating.source("cv/cv.css"),
        body=render_body(owner),
    )


def _offline_fetcher(url: str, *args, **kwargs):
    """Refuse every fetch of a remote resource: the CV uses local fonts only."""
    raise ValueError(f"the CV fetches nothing from the network; refused {url!r}")


def weasyprint_or_reason():
    """The weasyprint module, or the reason it cannot load (its system libraries)."""
    try:
        import weasyprint
    except OSError as exc:  # cffi could not open libpango / libgobject
        return None, (
            f"WeasyPrint cannot load its system libraries ({exc}); install them with "
            f"`sudo apt-get install -y {PANGO_PACKAGES}` (or run `make system-deps`)"
        )
    except ImportError as exc:
        return None, f"WeasyPrint is not installed ({exc}); run `make install`"
    return weasyprint, ""


def render_pdf(owner: dict, dest: Path) -> CvResult:
    """Lay out the CV and write it to `dest`; without WeasyPrint, say why and write none."""
    weasyprint, reason = weasyprint_or_reason()
    if weasyprint is None:
        return CvResult(pdf=None, skipped=reason)
    html = weasyprint.HTML(string=render_document(owner), url_fetcher=_offline_fetcher)
    document = html.render()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    document.write_pdf(tmp)
    tmp.replace(dest)
    return CvResult(pdf=dest, pages=len(document.pages))


def build(project: Project, owner: dict, *, log=print) -> CvResult:
    """The PDF, then the page that links to it (only when it was made)."""
    pdf_dir = project.docs / PDF_DIR
    if pdf_dir.exists():
        shutil.rmtree(pdf_dir)
    # The folder exists even without a PDF, so the build's record of the step's outputs
    # stays the same from one build to the next.
    pdf_dir.mkdir(parents=True)
    result = render_pdf(owner, pdf_dir / PDF_NAME)
    if result.skipped:
        log(f"[note] CV: HTML page only, no PDF: {result.skipped}")
    elif result.pages > MAX_PAGES:
        log(
            f"[note] CV: the PDF runs to {result.pages} pages; one or two read best "
            "(shorten the outcomes in data/owner.yaml, or the stylesheet in "
            "generators/templates/cv/cv.css)"
        )
    page = project.docs / PAGE
    page.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(page, render_page(owner, pdf=result.pdf is not None))
    return result
