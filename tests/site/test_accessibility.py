"""Accessibility as axe-core (pinned in tests/site/package-lock.json) judges it, injected into every
page in the browser: no serious or critical violation in the light or the dark theme, on desktop
or phone. Every violation, minor ones included, goes to <workdir>/site-checks/axe.json."""

from __future__ import annotations

import json

import pytest

from tests.site.findings import grouped

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def axe_report(survey, reports_dir):
    entries = [
        {"url": v.url, "theme": v.theme, "viewport": v.viewport, "violations": v.axe_violations}
        for v in survey.values()
    ]
    (reports_dir / "axe.json").write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return survey


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_or_critical_axe_violations(axe_report, theme):
    """axe-core finds no serious or critical violation on any page in this theme."""
    findings = []
    for visit in axe_report.values():
        if visit.theme != theme:
            continue
        if visit.navigation_error:
            findings.append((f"not checked: {visit.navigation_error}", visit.label))
        for v in visit.blocking_violations():
            # One finding per distinct failure: a rule broken by two colours is two fixes.
            for node in v["nodes"]:
                lines = node["summary"].strip().splitlines()
                advice = lines[-1].strip() if lines else ""
                problem = f"{v['impact']} {v['id']} ({v['help']}): {advice}"
                findings.append((problem, f"{visit.url} [{visit.viewport}] {node['target']}"))
    assert not findings, grouped(findings, examples=3, unit="element(s)")
