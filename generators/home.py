"""The home page's generated sections, from the owner's data: the first screen (name,
role, headline, three self-reported outcomes, the CV, GitHub and contact buttons), the
featured case study, and the experience timeline. Each is a partial that
`docs/index.md` includes where it wants it; each comes from a template under
`generators/templates/home/`, so the owner reorders and restyles the page in Markdown.
"""

from __future__ import annotations

from markupsafe import Markup

from generators import templating
from generators.case_studies import OUT_DIR as CASE_STUDY_DIR
from generators.cv import PAGE as CV_PAGE
from generators.cv import PDF_DIR, PDF_NAME
from generators.escape import prose

PARTIALS = {
    "hero": "home-hero.md",
    "featured": "home-featured.md",
    "timeline": "experience-timeline.md",
}


def render_hero(owner: dict, *, pdf: bool) -> str:
    return templating.render(
        "home/hero.md.j2",
        profile=owner["profile"],
        example=bool(owner["profile"].get("placeholder")),
        outcomes=owner["headline_outcomes"],
        figures=owner["figures"],
        cv_page=Markup(CV_PAGE),
        pdf=Markup(f"{PDF_DIR}/{PDF_NAME}") if pdf else None,
    )


def _study_link(study: dict) -> Markup:
    # The slug is the file name the loader matched, so it is a safe path segment.
    return Markup(f"{CASE_STUDY_DIR}/{study['slug']}.md")


def render_featured(featured: dict | None, studies: list[dict]) -> str:
    if featured is None:
        return ""
    others = [
        {"title": s["title"], "link": _study_link(s)}
        for s in studies
        if s["slug"] != featured["slug"]
    ]
    return templating.render(
        "home/featured.md.j2",
        study=featured,
        link=_study_link(featured),
        summary=prose(str(featured["summary"]).strip()),
        others=others,
    )


def render_timeline(owner: dict) -> str:
    return templating.render(
        "home/timeline.md.j2",
        experience=owner["experience"],
        figures=owner["figures"],
        cv_page=Markup(CV_PAGE),
    )
