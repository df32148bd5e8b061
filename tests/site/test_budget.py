"""A performance budget per page, measured in the browser on a cold load: bytes transferred and
number of requests, against tests/site/budgets.yaml. Measurements go to
<workdir>/site-checks/budget.json."""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.browser

BUDGETS = Path(__file__).parent / "budgets.yaml"
SCRIPT_TAG = re.compile(r"<script\b[^>]*>")


def budget_for(inner_path: str, budgets: dict) -> dict:
    """The budget of a page ('' for home, 'blog/post/' ...): the first matching override, else
    the default; an override may set only one of the two limits."""
    for entry in budgets.get("pages") or []:
        if fnmatchcase(inner_path, entry["match"]):
            return {**budgets["default"], **{k: v for k, v in entry.items() if k != "match"}}
    return dict(budgets["default"])


@pytest.fixture(scope="module")
def measured(survey, built_site, site_server, reports_dir) -> list[dict]:
    budgets = yaml.safe_load(BUDGETS.read_text(encoding="utf-8"))
    rows = []
    for (path, theme, viewport), visit in sorted(survey.items()):
        if (theme, viewport) != ("light", "desktop"):
            continue
        inner = path[len(built_site.base_path) :]
        budget = budget_for(inner, budgets)
        rows.append(
            {
                "page": path,
                "kb": round(visit.bytes_transferred / 1024, 1),
                "requests": visit.request_count,
                "max_kb": budget["max_kb"],
                "max_requests": budget["max_requests"],
                "error": visit.navigation_error,
            }
        )
    (reports_dir / "budget.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return rows


def test_every_page_stays_within_its_byte_budget(measured):
    """No page transfers more kilobytes on a cold load than its budget allows."""
    assert measured, "no page measured"
    over = [
        f"{r['page']}: {r['kb']} KB transferred, budget {r['max_kb']} KB"
        for r in measured
        if r["error"] or r["kb"] > r["max_kb"]
    ]
    assert not over, "\n".join(over)


def test_every_page_stays_within_its_request_budget(measured):
    """No page makes more requests on a cold load than its budget allows."""
    over = [
        f"{r['page']}: {r['requests']} requests, budget {r['max_requests']}"
        for r in measured
        if r["error"] or r["requests"] > r["max_requests"]
    ]
    assert not over, "\n".join(over)


def test_no_page_loads_a_script_that_blocks_rendering(built_site):
    """Every external script is deferred (Material's bundle by generators/site_hooks.py,
    extra_javascript in mkdocs.yml), so none of them holds back the first paint."""
    findings = []
    for html_file in built_site.html_files():
        for tag in SCRIPT_TAG.findall(html_file.read_text(encoding="utf-8")):
            if "src=" in tag and not re.search(r"\s(defer|async)[\s>=]", tag):
                findings.append(f"{built_site.url_path(html_file)}: {tag}")
    assert not findings, "\n".join(findings)
