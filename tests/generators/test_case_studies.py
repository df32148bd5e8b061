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
    "solution": {
        "architecture": "Layers.",
        "decisions": [{"adr": 1, "title": "X", "why": "y"}],
        "options": [
            {"option": "Layers", "chosen": True, "why": "replayable."},
            {"option": "One job", "why": "reruns everything."},
        ],
        "code": [
            {"path": "demo_pipeline/atomic.py", "section": "atomic-path", "caption": "Atomic."}
        ],
    },
    "impact": {
        "reported": ["p.speed"],
        "measured": [{"label": "Runs", "metric": "pipeline.runs.total"}],
    },
    "feedback": [
        {"quote": "It helped.", "who": "A lead", "role": "planning", "example": True},
        {"quote": "Real words.", "who": "An analyst"},
    ],
    "skills": ["Layering"],
    "learnings": {"failed": [{"what": "Spark.", "lesson": "Too big."}]},
    "next": ["More."],
}


def render(study: dict) -> str:
    return render_all([study], OWNER, {"0001": "0001-x.md"})["generated/case-studies/a-project.md"]


def test_case_study_page_follows_the_full_template_in_order():
    """A case study renders the full template in order (context, problem, options, solution
    with code, impact, feedback, skills, what did not work), figures as macro calls, ADRs
    as links."""
    page = render(STUDY)
    order = [
        "## Executive summary",
        "## Context",
        "## The problem",
        "## Options considered",
        "## The solution",
        "### In the code",
        "## Results and impact",
        "### In production (self-reported)",
        "### Measured in the demo",
        "## Stakeholder feedback",
        "## Skills developed",
        "## Failures and learnings",
        "### What did not work",
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


def test_code_excerpts_are_snippet_includes_of_existing_sections():
    """A code excerpt becomes a fenced pymdownx.snippets include titled with its file."""
    page = render(STUDY)
    fence = '```python title="demo_pipeline/atomic.py"\n'
    assert fence + '--8<-- "demo_pipeline/atomic.py:atomic-path"\n```' in page
    whole = {"path": "config/demo.yaml", "caption": "All of it."}
    page = render({**STUDY, "solution": {**STUDY["solution"], "code": [whole]}})
    assert '```yaml title="config/demo.yaml"\n--8<-- "config/demo.yaml"\n```' in page


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ({"path": "demo_pipeline/nope.py", "section": "x"}, "is not a repository file"),
        ({"path": "../etc/passwd", "section": "x"}, "is not a repository file"),
        (
            {"path": "demo_pipeline/atomic.py", "section": "no-such"},
            r"no `--8<-- \[start:no-such\]`",
        ),
    ],
)
def test_a_code_excerpt_that_does_not_exist_is_an_error(code, message):
    """A missing file or section stops the generator, naming the study."""
    bad = {**STUDY, "solution": {**STUDY["solution"], "code": [code]}}
    with pytest.raises(SourceFileError, match=f"case study a-project: .*{message}"):
        render(bad)


def test_options_say_which_was_chosen_and_feedback_examples_are_marked():
    page = render(STUDY)
    assert "- **Layers** (chosen): replayable." in page
    assert "- **One job** (not chosen): reruns everything." in page
    example, real = page.split("Real words.")[0], page.split("It helped.")[1]
    assert '!!! example "Example entry, to be replaced with real feedback"' in example
    assert "> — A lead, planning" in example
    assert "> Real words." in page and "!!! example" not in real.split("## Skills")[0]
    assert "not verified by" in page


def test_demo_backed_only_where_the_repository_implements_it():
    """A study is backed by the demo only where the repository has what it describes: the
    framework study needs the toolkit's interfaces."""
    studies = {s["slug"]: s for s in load_case_studies(REPO_ROOT)}
    toolkit = REPO_ROOT / "demo_pipeline" / "toolkit"
    framework = studies["config-driven-etl-framework"]
    assert bool(framework.get("demo_backed")) == toolkit.is_dir(), (
        "config-driven-etl-framework.yaml: demo_backed must be true exactly when "
        "demo_pipeline/toolkit/ exists (the toolkit the study describes)"
    )
    for slug in ("medallion-lakehouse", "three-tier-data-quality"):
        assert studies[slug].get("demo_backed") is True
    page = render({**STUDY, "demo_backed": False})
    assert '!!! note "Production work, described"' in page and "Backed by the demo" not in page
