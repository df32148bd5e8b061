"""The CV and the home page on a real site build (fixture results, a copy of the project,
real MkDocs and WeasyPrint): the home page shows its sections in a recruiter's order,
the experience timeline comes from data/owner.yaml, and the CV exists as a page and as
a PDF of one or two A4 pages in a local font. One build serves the whole module."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest

from generators import cv
from generators.owner_data import load_owner
from generators.project import REPO_ROOT, Project

pytestmark = pytest.mark.slow
# Where WeasyPrint's system libraries are missing the build makes the HTML CV alone.
PDF_REASON = cv.weasyprint_or_reason()[1]


@pytest.fixture(scope="module")
def built(fixture_site) -> Path:
    return fixture_site.project


@pytest.fixture(scope="module")
def owner() -> dict:
    return load_owner(REPO_ROOT, check=False)


def pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with every compressed stream inflated: WeasyPrint packs its page
    and font objects into object streams."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue  # an image or font program, not objects
    return b"\n".join(parts)


def page_count(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf_objects(pdf.read_bytes())))


def content(html: str) -> str:
    """The article of a built page (no nav, header or footer)."""
    start = html.index('<article class="md-content__inner')
    return html[start : html.index("</article>", html.index("md-content__inner"))]


def test_home_page_shows_its_sections_in_a_recruiters_order(built, owner):
    html = (built / "site" / "index.html").read_text(encoding="utf-8")
    main = html[html.index('<article class="md-content__inner') :]
    profile = owner["profile"]
    landmarks = [
        f">{profile['name']}<",  # the name as the page's heading
        f"{profile['role']}</strong>",
        profile["headline"],
        'class="grid cards home-outcomes"',
        'href="generated/cv/"',
        *([] if PDF_REASON else ['href="assets/generated/cv/cv.pdf"']),
        f'href="{profile["links"]["github"]}"',
        f'href="mailto:{profile["links"]["email"]}"',
        'id="featured-case-study"',
        'id="proof-you-can-rerun"',
        'id="experience"',
        'id="two-kinds-of-numbers"',  # the note on method, below the fold
    ]
    positions = [main.find(mark) for mark in landmarks]
    missing = [mark for mark, at in zip(landmarks, positions, strict=True) if at < 0]
    assert not missing, missing
    assert positions == sorted(positions), list(zip(landmarks, positions, strict=True))


def test_headline_outcomes_are_the_three_figures_labelled_self_reported(built, owner):
    html = (built / "site" / "index.html").read_text(encoding="utf-8")
    start = html.index('class="grid cards home-outcomes"')
    cards = html[start : html.index("</div>", start)]
    for key in owner["headline_outcomes"]:
        assert owner["figures"][key]["text"].replace("$", "") in cards.replace("$", "")
    assert cards.count('class="reported"') == 3
    assert cards.count("self-reported") >= 3


def test_timeline_lists_every_job_from_the_data_newest_first(built, owner):
    html = (built / "site" / "index.html").read_text(encoding="utf-8")
    start = html.index('<div class="timeline">')
    timeline = html[start : html.index('id="latest-posts"')]
    assert timeline.count('class="timeline__entry"') == len(owner["experience"])
    # Each job's dates and figures carry their classes: no attribute list left as text.
    assert timeline.count('class="timeline__when"') == len(owner["experience"])
    assert "{:" not in timeline and "{ ." not in timeline
    at = [timeline.find(job["employer"]) for job in owner["experience"]]
    assert -1 not in at and at == sorted(at)
    for job in owner["experience"]:
        for outcome in job["outcomes"]:
            assert outcome.replace("'", "&#x27;") in timeline or outcome in timeline
    figures = timeline.count('class="reported"')
    assert figures == sum(len(job["figures"]) for job in owner["experience"])


def test_cv_page_and_pdf_are_built_from_the_same_data(built, owner):
    page = built / "site" / "generated" / "cv" / "index.html"
    pdf = built / "site" / "assets" / "generated" / "cv" / "cv.pdf"
    article = content(page.read_text(encoding="utf-8"))
    for job in owner["experience"]:
        assert job["role"] in article and job["employer"] in article
    assert "@media print" in article  # the print stylesheet travels with the page
    if PDF_REASON:
        assert not pdf.exists() and "cv.pdf" not in article
        pytest.skip(f"no PDF on this machine: {PDF_REASON}")
    assert 'href="../../assets/generated/cv/cv.pdf"' in article
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert 1 <= page_count(pdf) <= cv.MAX_PAGES
    fonts = set(re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([\w-]+)", pdf_objects(pdf.read_bytes())))
    assert fonts and all(f.startswith((b"DejaVu", b"Liberation")) for f in fonts), fonts


def test_a_cv_longer_than_two_pages_is_built_and_noted(tmp_path, owner):
    """The page count comes from the laid-out document, and the build says when the CV
    runs past two pages (it still builds: the owner decides what to cut)."""
    if PDF_REASON:
        pytest.skip(f"no PDF on this machine: {PDF_REASON}")
    longer = {**owner, "experience": owner["experience"] * 4}
    notes: list[str] = []
    result = cv.build(Project(tmp_path), longer, log=notes.append)
    assert result.pdf is not None
    assert result.pages == page_count(result.pdf) > cv.MAX_PAGES
    assert any(f"runs to {result.pages} pages" in note for note in notes), notes
    assert (tmp_path / "docs" / cv.PAGE).exists()
