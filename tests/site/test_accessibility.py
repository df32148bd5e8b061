"""Accessibility as axe-core (pinned in tests/site/package-lock.json) judges it, injected into every
page in the browser: no serious or critical violation in the light or the dark theme, on desktop
or phone. Every violation, minor ones included, goes to <workdir>/site-checks/axe.json."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def axe_report(survey, reports_dir):
    entries = [
        {"url": v.url, "theme": v.theme, "viewport": v.viewport, "violations": v.axe_violations}
        for v in survey.values()
    ]
    (reports_dir / "axe.json").write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return survey


def _blocking(survey, theme: str) -> list[str]:
    lines = []
    for visit in survey.values():
        if visit.theme != theme:
            continue
        if visit.navigation_error:
            lines.append(f"{visit.label}: not checked: {visit.navigation_error}")
        for v in visit.blocking_violations():
            lines.append(
                f"{visit.label}: {v['impact']} {v['id']} ({v['help']}) on {v['count']} element(s), "
                f"e.g. {v['targets'][:3]}: {v['summary'].splitlines()[-1] if v['summary'] else ''}"
            )
    return lines


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_or_critical_axe_violations(axe_report, theme):
    """axe-core finds no serious or critical violation on any page in this theme."""
    lines = _blocking(axe_report, theme)
    assert not lines, "\n".join(lines[:80])
