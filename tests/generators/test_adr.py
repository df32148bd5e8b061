"""Tests for rendering Architecture Decision Records."""

from __future__ import annotations

import pytest

from generators.adr import load_adrs, parse_adr, render_all, verdict_text
from generators.errors import SourceFileError
from generators.project import REPO_ROOT

SOURCE = """---
status: accepted
date: 2026-11-25
supersedes: 1
evidence:
  - claim: Fast
    claimed: 5x
    metric: bench.a.speedup
  - claim: Small
    claimed: 70 %
    metric: bench.b.size_reduction_pct
---

# Pick B

## Context and Problem Statement

Why.

## Decision Outcome

B.
"""

OLD = """---
status: superseded
date: 2026-01-01
superseded-by: 2
---

# Pick A

## Context and Problem Statement

Why.

## Decision Outcome

A.
"""


def write_adrs(folder):
    folder.mkdir()
    (folder / "0001-pick-a.md").write_text(OLD)
    (folder / "0002-pick-b.md").write_text(SOURCE)
    return load_adrs(folder)


def test_render_adr_with_evidence_panel(tmp_path):
    """An ADR page has its title, status, supersedes link and one evidence row per claim."""
    adrs = write_adrs(tmp_path / "adr")
    claims = [
        {
            "id": "a",
            "metric_key": "bench.a.speedup",
            "verdict": "supported",
            "reason": "ok",
            "scale": 0.05,
            "profile": "quick",
        },
        {
            "id": "b",
            "metric_key": "bench.b.size_reduction_pct",
            "verdict": "unmeasured",
            "reason": "no server",
            "scale": None,
        },
    ]
    pages = render_all(adrs, claims, known_metrics={"bench.a.speedup"})
    page = pages["generated/decisions/0002-pick-b.md"]
    assert "# ADR 0002: Pick B" in page
    assert "**Supersedes:** [ADR 0001](0001-pick-a.md)" in page
    assert (
        '    | Fast | 5x | {{ metric("bench.a.speedup") }} | '
        '<span class="verdict-supported">supported</span> (scale 0.05, quick profile): ok |'
    ) in page
    assert "    | Small | 70 % | not measured | " in page
    index = pages["generated/decisions/index.md"]
    assert "| 0001 | [Pick A](0001-pick-a.md) | superseded | — | superseded by" in index
    assert "| 2 claims: 1 supported, 1 unmeasured | supersedes" in index


def test_rendering_is_deterministic(tmp_path):
    """The same sources and claims render to the same text."""
    adrs = write_adrs(tmp_path / "adr")
    assert render_all(adrs, [], set()) == render_all(adrs, [], set())


def test_measured_value_goes_through_the_macro(tmp_path):
    """A claim without a verdict still asks the catalogue, so a missing key fails the build."""
    adrs = write_adrs(tmp_path / "adr")
    page = render_all(adrs, [], set())["generated/decisions/0002-pick-b.md"]
    assert '{{ metric("bench.b.size_reduction_pct") }}' in page
    assert "measured; no threshold registered in the claims module" in page


def test_missing_section_is_an_error(tmp_path):
    """An ADR without 'Decision Outcome' is rejected, naming the file."""
    path = tmp_path / "0003-bad.md"
    path.write_text("---\nstatus: accepted\n---\n\n# Bad\n\n## Context and Problem Statement\n")
    with pytest.raises(SourceFileError, match=r"0003-bad\.md: expected a '## Decision Outcome'"):
        parse_adr(path)


def test_unknown_supersedes_is_an_error(tmp_path):
    """A supersedes link to an ADR that does not exist is rejected."""
    folder = tmp_path / "adr"
    folder.mkdir()
    (folder / "0002-pick-b.md").write_text(SOURCE)
    with pytest.raises(SourceFileError, match="refers to ADR 0001, not found"):
        load_adrs(folder)


def test_verdict_text_without_claim():
    """Without a registered claim the verdict says so instead of inventing one."""
    assert verdict_text(None) == "measured; no threshold registered in the claims module"


def test_repository_adrs_all_parse():
    """Every ADR in adr/ (including other authors') parses with the required sections."""
    adrs = load_adrs(REPO_ROOT / "adr")
    assert len(adrs) >= 7
    assert [a.number for a in adrs] == sorted(a.number for a in adrs)
