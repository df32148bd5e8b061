"""Structured run logs: one JSON event per line with run id, stage and duration."""

from __future__ import annotations

import json

import pytest

from demo_pipeline.runlog import RunLog


def test_events_are_json_lines(tmp_path):
    """Every event is one JSON object per line carrying the run id."""
    with RunLog(tmp_path, "run-1") as log:
        log.event("extract.done", source="api", table="orders", rows=10)
        with log.stage("silver", table="orders") as extra:
            extra["rows"] = 9
    events = [json.loads(line) for line in (tmp_path / "run-1.jsonl").read_text().splitlines()]
    assert [e["event"] for e in events] == ["extract.done", "stage.start", "stage.done"]
    assert all(e["run_id"] == "run-1" for e in events)
    assert events[0]["rows"] == 10
    assert events[2]["stage"] == "silver"
    assert events[2]["rows"] == 9
    assert events[2]["duration_s"] >= 0


def test_failed_stage_is_logged_and_raised(tmp_path):
    """A stage that raises is logged as failed with the error, and the error propagates."""
    with RunLog(tmp_path, "run-2") as log, pytest.raises(ValueError), log.stage("gold"):
        raise ValueError("boom")
    last = json.loads((tmp_path / "run-2.jsonl").read_text().splitlines()[-1])
    assert last["event"] == "stage.failed"
    assert last["level"] == "error"
    assert last["error"] == "boom"
