"""Tests for the architecture diagrams."""

from __future__ import annotations

import hashlib

from generators import diagrams
from generators.project import Project
from tests.generators.project_copy import copy_project


def test_finish_svg_renumbers_random_ids_and_drops_comments():
    """Random node ids become n1, n2 in order of appearance; graphviz comments go."""
    a, b = "a" * 32, "b" * 32
    svg = f"<!-- gen -->\n<g id='{a}'>{b} {a}</g>"
    assert diagrams.finish_svg(svg) == "<g id='n1'>n2 n1</g>"


def test_partial_shows_light_and_dark_with_alt_text():
    """The partial shows both variants, each with the diagram's alt text."""
    text = diagrams.render_partial("dataflow", (888, 927))
    alt = diagrams.ALT_TEXT["dataflow"]
    assert f"![{alt}](" in text
    assert 'diagrams/dataflow") }}-light.svg#only-light){ width="888" height="927" }' in text
    assert 'diagrams/dataflow") }}-dark.svg#only-dark){ width="888" height="927" }' in text


def test_build_writes_portable_reproducible_svgs(tmp_path):
    """Four SVGs, no file-system paths inside, same bytes on a second build."""
    project = Project(copy_project(tmp_path / "project"))

    def digest() -> dict[str, str]:
        diagrams.build(project)
        out = project.assets / "diagrams"
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}

    first = digest()
    assert sorted(first) == [
        "dataflow-dark.svg",
        "dataflow-light.svg",
        "infrastructure-dark.svg",
        "infrastructure-light.svg",
    ]
    for svg in (project.assets / "diagrams").iterdir():
        text = svg.read_text()
        assert "/site-packages/" not in text and str(tmp_path) not in text
        assert "tier 1: schema" in text or "Orchestration" in text
    assert digest() == first
