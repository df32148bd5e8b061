"""Alerts: Slack-compatible payloads to a real HTTP receiver, the alerts file otherwise."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from demo_pipeline.config import AlertsConfig
from demo_pipeline.core.results import CheckResult
from demo_pipeline.quality.alerts import (
    Alert,
    alert_for_check,
    deliver_alert,
    read_alerts,
    slack_payload,
)
from demo_pipeline.runlog import RunLog

DAY = dt.date(2026, 11, 18)
HALT = Alert(
    kind="halt",
    severity="critical",
    run_id="run-2026-11-18",
    business_date=DAY,
    table="orders",
    title="table halted by tier 1 rule `schema.contract`",
    detail="column discount_type: not in contract v1; order_amount: expected Int64, found Float64",
)


class Receiver:
    """A webhook receiver on 127.0.0.1 that records what it is sent."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {
                        "path": self.path,
                        "content_type": self.headers["Content-Type"],
                        "json": json.loads(body),
                    }
                )
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:  # keep pytest output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/quality"
        # A short poll: shutdown() waits up to one poll interval (0.5 s by default).
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def log(tmp_path: Path) -> Iterator[RunLog]:
    with RunLog(tmp_path / "logs", "run-2026-11-18") as runlog:
        yield runlog


def log_events(log: RunLog) -> list[dict]:
    return [json.loads(line) for line in log.path.read_text().splitlines()]


def free_port_nobody_listens_on() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_webhook_receives_slack_compatible_payload(tmp_path: Path, log: RunLog):
    """With a URL, the alert is POSTed as JSON with 'text' and Block Kit 'blocks'."""
    alerts_file = tmp_path / "alerts.jsonl"
    with Receiver() as receiver:
        outcome = deliver_alert(HALT, AlertsConfig(webhook_url=receiver.url), alerts_file, log)
    assert outcome.delivery == "webhook"
    assert outcome.error is None
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/hooks/quality"
    assert request["content_type"] == "application/json"
    body = request["json"]
    assert body == slack_payload(HALT)
    assert "orders" in body["text"] and "2026-11-18" in body["text"]
    assert body["blocks"][0]["type"] == "header"
    assert body["blocks"][0]["text"]["type"] == "plain_text"
    assert any(HALT.detail in b.get("text", {}).get("text", "") for b in body["blocks"])
    assert not alerts_file.exists()  # delivered, so nothing falls back to the file
    assert [e["event"] for e in log_events(log)] == ["alert.sent"]


def test_no_url_writes_alerts_file_and_log(tmp_path: Path, log: RunLog):
    """Without a URL the alert is appended to the alerts file and written to the run log."""
    alerts_file = tmp_path / "alerts.jsonl"
    outcome = deliver_alert(HALT, AlertsConfig(), alerts_file, log)
    deliver_alert(HALT, AlertsConfig(), alerts_file, log)
    assert outcome.delivery == "file"
    written = read_alerts(alerts_file)
    assert len(written) == 2
    assert written[0]["kind"] == "halt"
    assert written[0]["business_date"] == "2026-11-18"
    assert written[0]["delivery_error"] is None
    assert written[0]["payload"] == slack_payload(HALT)
    events = [e for e in log_events(log) if e["event"] == "alert"]
    assert len(events) == 2
    assert events[0]["level"] == "warning" and events[0]["table"] == "orders"


def test_receiver_down_falls_back_to_file(tmp_path: Path, log: RunLog):
    """A refused connection does not crash the run: the alert goes to the file, failure logged."""
    alerts_file = tmp_path / "alerts.jsonl"
    url = f"http://127.0.0.1:{free_port_nobody_listens_on()}/hook"
    outcome = deliver_alert(
        HALT, AlertsConfig(webhook_url=url, timeout_seconds=2), alerts_file, log
    )
    assert outcome.delivery == "file_after_webhook_failure"
    assert url in outcome.error
    written = read_alerts(alerts_file)
    assert len(written) == 1 and url in written[0]["delivery_error"]
    failures = [e for e in log_events(log) if e["event"] == "alert.webhook_failed"]
    assert len(failures) == 1 and failures[0]["level"] == "warning"


def test_receiver_error_status_falls_back_to_file(tmp_path: Path):
    """A receiver answering HTTP 500 counts as a failed delivery, so the file gets the alert."""
    alerts_file = tmp_path / "alerts.jsonl"
    with Receiver(status=500) as receiver:
        outcome = deliver_alert(HALT, AlertsConfig(webhook_url=receiver.url), alerts_file)
    assert len(receiver.requests) == 1
    assert outcome.delivery == "file_after_webhook_failure"
    assert "HTTP 500" in outcome.error
    assert len(read_alerts(alerts_file)) == 1


def test_check_results_map_to_alert_kinds():
    """Halts and fallbacks are critical, flags and quarantines warn; passes and peaks are silent."""

    def check(action: str, rows_failed: int = 1, severity: str = "warn") -> CheckResult:
        return CheckResult(
            "r",
            DAY,
            3,
            "fact_sales",
            "orders_per_warehouse.zscore",
            2,
            rows_failed,
            severity,
            action,
            "x",
        )

    assert alert_for_check(check("halted", severity="halt")).kind == "halt"
    assert alert_for_check(check("halted", severity="halt")).severity == "critical"
    assert alert_for_check(check("fallback", 0, "fail")).kind == "fallback"
    assert alert_for_check(check("flagged")).kind == "anomaly"
    assert alert_for_check(check("flagged")).severity == "warning"
    assert alert_for_check(check("quarantined")).kind == "quarantine"
    assert alert_for_check(check("annotated", severity="info")) is None
    assert alert_for_check(check("none", 0, "info")) is None
    assert alert_for_check(check("quarantined", 0, "info")) is None


def test_long_text_is_clipped_to_slack_limits():
    """Header text stays within Slack's 150 characters, section text within 3000."""
    long = Alert("anomaly", "warning", "r", DAY, "fact_sales", "t" * 400, "d" * 5000)
    blocks = slack_payload(long)["blocks"]
    assert len(blocks[0]["text"]["text"]) <= 150
    assert all(
        len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section" and "text" in b
    )
