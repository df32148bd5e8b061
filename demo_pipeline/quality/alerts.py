"""Alerts: Slack-compatible JSON webhook messages for halts, anomalies and fallbacks.

An alert is built as data (`Alert`), rendered to the payload a Slack incoming webhook
accepts (`{"text": ..., "blocks": [...]}`, `slack_payload`) and delivered by
`deliver_alert`:

- with `alerts.webhook_url` set, the payload is POSTed there with httpx;
- with no URL, or when the POST fails (refused, timed out, non-2xx answer), the alert
  is appended to `<workdir>/alerts.jsonl` and written to the run log instead.

Delivery never raises for a receiver problem: an alert about a failing pipeline must
not become a second failure. The failure is not hidden either: it is recorded in the
alerts file (`delivery_error`) and logged as a warning.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import httpx

from demo_pipeline.config import AlertsConfig
from demo_pipeline.core.results import CheckResult
from demo_pipeline.runlog import RunLog

AlertKind = Literal["halt", "anomaly", "fallback", "recovered", "quarantine", "failure"]
AlertSeverity = Literal["info", "warning", "critical"]
Delivery = Literal["webhook", "file", "file_after_webhook_failure"]

# One emoji per severity, so a channel reader can tell the kinds apart at a glance.
_SEVERITY_MARK = {
    "info": ":information_source:",
    "warning": ":warning:",
    "critical": ":rotating_light:",
}


@dataclass(frozen=True)
class Alert:
    """One thing a person should know about, for one table on one business date."""

    kind: AlertKind
    severity: AlertSeverity
    run_id: str
    business_date: dt.date
    table: str
    title: str
    detail: str = ""

    def to_dict(self) -> dict:
        record = asdict(self)
        record["business_date"] = self.business_date.isoformat()
        return record


@dataclass(frozen=True)
class DeliveryOutcome:
    """How an alert was delivered, and why not by webhook when it was not."""

    delivery: Delivery
    error: str | None = None


def slack_payload(alert: Alert) -> dict:
    """The JSON body a Slack incoming webhook accepts: fallback `text` plus Block Kit blocks."""
    mark = _SEVERITY_MARK[alert.severity]
    headline = f"{mark} [{alert.kind}] {alert.table} on {alert.business_date}: {alert.title}"
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(headline, 150)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Table*\n{alert.table}"},
                {"type": "mrkdwn", "text": f"*Business date*\n{alert.business_date}"},
                {"type": "mrkdwn", "text": f"*Kind*\n{alert.kind}"},
                {"type": "mrkdwn", "text": f"*Severity*\n{alert.severity}"},
            ],
        },
    ]
    if alert.detail:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip(alert.detail, 3000)}}
        )
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"run `{alert.run_id}`"}]}
    )
    return {"text": headline, "blocks": blocks}


def _clip(text: str, limit: int) -> str:
    """Slack rejects header text over 150 characters and section text over 3000."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def alert_for_check(result: CheckResult) -> Alert | None:
    """The alert a check result deserves, or None when it needs no one's attention.

    Halts and fallbacks are critical; tier-3 flags and quarantines are warnings;
    passes, annotated expected peaks and plain log entries raise no alert.
    """
    where = f"tier {result.tier} rule `{result.rule}`"
    failed = f"{result.rows_failed} of {result.rows_checked} rows"
    kind: AlertKind
    severity: AlertSeverity
    if result.action == "halted":
        kind, severity, title = "halt", "critical", f"table halted by {where}"
        detail = result.detail or failed
    elif result.action == "fallback":
        kind, severity = "fallback", "critical"
        title = "source unavailable after retries; previous day's data used (stale)"
        detail = result.detail
    elif result.action == "flagged":
        kind, severity, title = "anomaly", "warning", f"anomaly flagged by {where}"
        detail = result.detail or failed
    elif result.action == "quarantined" and result.rows_failed > 0:
        kind, severity, title = "quarantine", "warning", f"{failed} quarantined by {where}"
        detail = result.detail
    else:
        return None
    return Alert(
        kind=kind,
        severity=severity,
        run_id=result.run_id,
        business_date=result.business_date,
        table=result.table,
        title=title,
        detail=detail,
    )


def deliver_alert(
    alert: Alert,
    config: AlertsConfig,
    alerts_file: Path,
    log: RunLog | None = None,
) -> DeliveryOutcome:
    """Send `alert` to the webhook, or to the alerts file when there is none or it fails."""
    payload = slack_payload(alert)
    error: str | None = None
    if config.webhook_url:
        error = _post(config.webhook_url, payload, config.timeout_seconds)
        if error is None:
            if log is not None:
                log.event("alert.sent", kind=alert.kind, table=alert.table, delivery="webhook")
            return DeliveryOutcome("webhook")
    outcome = DeliveryOutcome("file" if error is None else "file_after_webhook_failure", error)
    _append_jsonl(alerts_file, {**alert.to_dict(), "delivery_error": error, "payload": payload})
    if log is not None:
        if error is not None:
            log.event(
                "alert.webhook_failed",
                level="warning",
                kind=alert.kind,
                table=alert.table,
                error=error,
                fallback=str(alerts_file),
            )
        log.event(
            "alert",
            level="warning" if alert.severity != "info" else "info",
            kind=alert.kind,
            severity=alert.severity,
            table=alert.table,
            business_date=alert.business_date.isoformat(),
            title=alert.title,
            detail=alert.detail or None,
        )
    return outcome


def deliver_alerts(
    alerts: list[Alert], config: AlertsConfig, alerts_file: Path, log: RunLog | None = None
) -> list[DeliveryOutcome]:
    return [deliver_alert(a, config, alerts_file, log) for a in alerts]


def _post(url: str, payload: dict, timeout_seconds: float) -> str | None:
    """POST the payload; None on a 2xx answer, else a one-line reason naming the URL."""
    try:
        response = httpx.post(url, json=payload, timeout=timeout_seconds)
    except httpx.HTTPError as exc:
        return f"POST {url} failed: {type(exc).__name__}: {exc}"
    if not response.is_success:
        return f"POST {url} answered HTTP {response.status_code} (expected 2xx)"
    return None


def _append_jsonl(path: Path, record: dict) -> None:
    """Append one JSON line under an exclusive lock (two runs may alert at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.write(line)
            fh.flush()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_alerts(path: Path) -> list[dict]:
    """Every alert written to the alerts file, oldest first ([] when there is none)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
