"""Tests for rendering case studies from their data files."""

from __future__ import annotations

import pytest

from generators.case_studies import render_all
from generators.errors import SourceFileError
from generators.owner_data import load_case_studies, load_owner
from generators.project import REPO_ROOT

OWNER = {"figures": {"p.speed": {"text": "4 h → 30 min", "label": "processing time"}}}
STUDY = {
    "title": "A project",
    "slug": "a-project",
    "summary": "Built a thing.",
    "problem": {"context": ["Slow."], "baseline": ["p.speed"]},
    "solution": {"architecture": "Layers.", "decisions": [{"adr": 1, "title": "X", "why": "y"}]},
    "impact": {
        "reported": ["p.speed"],
        "measured": [{"label": "Runs", "metric": "pipeline.runs.total"}],
    },
    "learnings": {"failed": [{"what": "Spark.", "lesson": "Too big."}]},
    "next": ["More."],
}


def test_case_study_page_in_problem_solution_impact_order():
    """A case study renders its sections in order, figures as macro calls, ADRs as links."""
    page = render_all([STUDY], OWNER, {"0001": "0001-x.md"})["generated/case-studies/a-project.md"]
    order = [
        "## Executive summary",
        "## The problem",
        "## The solution",
        "## Results and impact",
        "## Failures and learnings",
        "## What's next",
    ]
    positions = [page.index(h) for h in order]
    assert positions == sorted(positions)
    assert '- Processing time: {{ reported("p.speed") }}' in page
    assert '- Runs: {{ metric("pipeline.runs.total") }}' in page
    assert "**[X](../decisions/0001-x.md)** — y" in page


def test_unknown_reported_figure_is_an_error():
    """A case study citing a figure the owner file lacks is rejected."""
    bad = {**STUDY, "impact": {"reported": ["p.nope"]}}
    with pytest.raises(SourceFileError, match=r"figure 'p\.nope' not in the owner file"):
        render_all([bad], OWNER, {"0001": "0001-x.md"})


def test_unknown_adr_is_an_error():
    """A case study citing an ADR that does not exist is rejected."""
    with pytest.raises(SourceFileError, match="refers to ADR 0001"):
        render_all([STUDY], OWNER, {})


def test_repository_case_studies_render():
    """The shipped case studies (at least three, one featured) render against the owner file."""
    studies = load_case_studies(REPO_ROOT)
    owner = load_owner(REPO_ROOT)
    adr_files = {p.name[:4]: p.name for p in (REPO_ROOT / "adr").glob("[0-9]*.md")}
    pages = render_all(studies, owner, adr_files)
    assert len(studies) >= 3
    assert sum(1 for s in studies if s.get("featured")) == 1
    assert len(pages) == len(studies) + 1
