"""Tests for rendering Architecture Decision Records."""

from __future__ import annotations

import pytest

from generators.adr import load_adrs, parse_adr, render_all
from generators.catalogue import Catalogue
from generators.claims import Claims
from generators.errors import SourceFileError
from generators.project import REPO_ROOT

SOURCE = """---
status: accepted
date: 2026-11-25
supersedes: 1
evidence:
  - a
  - b
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


def _claims(verdict_a: str = "supported", verdict_b: str = "unmeasured") -> Claims:
    on = {"scale": 0.05, "days": 30, "profile": "default"}
    return Claims(
        [
            {
                "id": "a",
                "text": "A is fast",
                "claimed": "5× faster",
                "threshold_text": "≥ 5×",
                "metric_key": "bench.a.speedup",
                "measured_by": "bench",
                "verdict": verdict_a,
                "measured": 7.5,
                "reason": "measured 7.5×, claimed ≥ 5×",
                "measured_on": on,
            },
            {
                "id": "b",
                "text": "B is small",
                "claimed": "70 % smaller",
                "threshold_text": "≥ 70 %",
                "metric_key": "bench.b.size_reduction_pct",
                "measured_by": "bench",
                "verdict": verdict_b,
                "measured": None,
                "reason": "no server",
                "measured_on": on,
            },
        ]
    )


CATALOGUE = Catalogue(
    {"bench.a.speedup": {"value": 7.5, "unit": "x", "description": "A over B", "provenance": {}}}
)


def test_render_adr_with_evidence_panel(tmp_path):
    """An ADR page has its title, status, decision date, supersedes link and one evidence row
    per claim: claimed, measured (linked to its evidence) and the verdict side by side."""
    adrs = write_adrs(tmp_path / "adr")
    pages = render_all(adrs, _claims(), CATALOGUE)
    page = pages["generated/decisions/0002-pick-b.md"]
    assert "# ADR 0002: Pick B" in page
    assert "**Decided:** 2026-11-25" in page
    assert "**Supersedes:** [ADR 0001](0001-pick-a.md)" in page
    row_a = next(line for line in page.splitlines() if "A is fast" in line)
    assert "](../metrics/bench.md#metric-bench-a-speedup" in row_a
    assert (
        'data-verdict-for="a"' in row_a and ">supported at this scale</span> (scale 0.05" in row_a
    )
    row_b = next(line for line in page.splitlines() if "B is small" in line)
    assert "not measured" in row_b and "unmeasured</span>: no server" in row_b
    index = pages["generated/decisions/index.md"]
    assert "| 0001 | [Pick A](0001-pick-a.md) | superseded | — | superseded by" in index
    assert "| 2 claims: 1 supported, 1 unmeasured | supersedes" in index


def test_caveat_is_a_paragraph_not_a_table_row(tmp_path):
    """The note under the evidence table is separated from it by a blank line, so Markdown
    does not read it as more rows of the table."""
    adrs = write_adrs(tmp_path / "adr")
    page = render_all(adrs, _claims("not supported at this scale"), CATALOGUE)[
        "generated/decisions/0002-pick-b.md"
    ]
    lines = page.splitlines()
    note = next(i for i, line in enumerate(lines) if "does not hold on the demo" in line)
    assert lines[note - 1].strip() == ""
    assert lines[note - 2].lstrip().startswith("|")


def test_rendering_is_deterministic(tmp_path):
    """The same sources and claims render to the same text."""
    adrs = write_adrs(tmp_path / "adr")
    assert render_all(adrs, _claims(), CATALOGUE) == render_all(adrs, _claims(), CATALOGUE)


def test_unknown_claim_id_is_an_error(tmp_path):
    """An ADR naming a claim the registry does not hold fails, naming the ADR and the claim."""
    adrs = write_adrs(tmp_path / "adr")
    claims = Claims([c.data for c in _claims() if c.id == "a"])
    with pytest.raises(SourceFileError, match=r"0002-pick-b\.md: evidence: claim 'b' is not in"):
        render_all(adrs, claims, CATALOGUE)


def test_evidence_must_name_claim_ids(tmp_path):
    """The old inline evidence form (claim text and metric) is rejected with a clear error."""
    path = tmp_path / "0003-old.md"
    path.write_text(
        "---\nstatus: accepted\nevidence:\n  - claim: Fast\n    metric: bench.a\n---\n\n"
        "# Old\n\n## Context and Problem Statement\n\nWhy.\n\n## Decision Outcome\n\nA.\n"
    )
    with pytest.raises(SourceFileError, match=r"evidence\[0\]: expected a claim id"):
        parse_adr(path)


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


def test_repository_adrs_all_parse():
    """Every ADR in adr/ (including other authors') parses with the required sections."""
    adrs = load_adrs(REPO_ROOT / "adr")
    assert len(adrs) >= 7
    assert [a.number for a in adrs] == sorted(a.number for a in adrs)
