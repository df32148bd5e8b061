"""`make audit` end to end on one page, and how it picks the run a page is judged by.

The scores themselves are not asserted here: performance depends on the host (see
lighthouse.py); the target is checked by `make audit`, not by the test suite."""

from __future__ import annotations

import json
import os

from tests.site import lighthouse


def test_the_median_run_judges_the_page():
    runs = [{"performance": 97}, {"performance": 88}, {"performance": 93}]
    assert lighthouse.median_run(runs) == 2
    assert lighthouse.median_run(runs[:2]) == 1  # even count: the lower middle
    assert lighthouse.median_run([{"performance": None}]) == 0


def test_audit_writes_reports_and_a_summary_for_a_page(built_site, tmp_path, monkeypatch):
    """Lighthouse (pinned npm CLI, Debian's Chromium) runs on the home page and the summary
    names every category with a score for the median run, and every run's score."""
    monkeypatch.setenv("SITE_DIR", str(built_site.root))
    monkeypatch.setenv("CHROME_PATH", os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    exit_code = lighthouse.main(
        ["--workdir", str(tmp_path), "--form-factor", "desktop", "--runs", "2", "--pages", "/"]
    )
    out = tmp_path / "lighthouse"
    rows = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(rows) == 1 and not rows[0].get("error"), rows
    row = rows[0]
    assert set(row["scores"]) == set(lighthouse.CATEGORIES)
    assert all(isinstance(score, int) for score in row["scores"].values())
    assert len(row["performance_runs"]) == 2
    assert (out / "home-desktop.report.html").is_file()
    assert (out / "home-desktop-run1.report.json").is_file()
    assert (out / "home-desktop-run2.report.json").is_file()
    assert exit_code == (1 if row.get("below") else 0)
    assert "performance, every run" in (out / "summary.md").read_text(encoding="utf-8")
