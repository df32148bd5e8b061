"""The orders API: a real HTTP server paged with httpx, faults on their calendar days."""

from __future__ import annotations

import json
import time
from collections import Counter

import httpx
import pytest

from demo_pipeline.estate.api_server import OrdersApiServer
from demo_pipeline.estate.orders_store import read_manifest


@pytest.fixture(scope="module")
def api(tiny_estate):
    cfg, workdir = tiny_estate
    with (
        OrdersApiServer(workdir, cfg) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as client,
    ):
        yield cfg, workdir, server, client


def fault_dates(workdir) -> dict[str, str]:
    truth = json.loads(workdir.ground_truth.read_text())
    return {f["kind"]: f["date"] for f in truth["faults"]}


def page_all(client, date: str, limit: int, **extra) -> list[dict]:
    rows, cursor, seen_cursors = [], None, set()
    while True:
        params = {"date": date, "limit": limit, **extra}
        if cursor:
            params["cursor"] = cursor
        response = client.get("/v1/orders", params=params)
        assert response.status_code == 200, (date, response.status_code, response.text)
        body = response.json()
        assert body["date"] == date
        assert len(body["data"]) <= limit
        rows.extend(body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            return rows
        assert cursor not in seen_cursors
        seen_cursors.add(cursor)


def test_health_answers_ok(api):
    """GET /health answers 200 on a free port of 127.0.0.1."""
    _, _, server, client = api
    assert server.base_url.startswith("http://127.0.0.1:")
    assert client.get("/health").status_code == 200


def test_paging_returns_every_published_order_exactly_once(api):
    """Paging each date with a small limit returns the feed rows once each, in order."""
    _, workdir, _, client = api
    manifest = read_manifest(workdir.orders_store)
    ids: Counter[str] = Counter()
    for date, entry in sorted(manifest.items()):
        rows = page_all(client, date, limit=7, as_of="2099-01-01")
        expected = [
            json.loads(line)
            for line in (workdir.orders_store / f"{date}.ndjson").read_text().splitlines()
        ]
        assert rows == expected
        assert len(rows) == entry["rows"]
        ids.update(r["order_id"] for r in rows if r["order_id"] is not None)
    truth = json.loads(workdir.ground_truth.read_text())
    faults = {f["kind"]: f for f in truth["faults"]}
    metrics = json.loads(workdir.metrics.read_text())
    generated = metrics["estate.rows.orders"]["value"]
    assert len(ids) == generated - faults["null_keys"]["count"]
    assert {k for k, n in ids.items() if n > 1} == set(faults["duplicate_rows"]["keys"])


def test_transient_errors_then_success_on_their_day(api):
    """On the transient day the first requests get 503 and 429 with Retry-After, then 200."""
    cfg, workdir, _, client = api
    date = fault_dates(workdir)["transient_errors"]
    failures = next(s for s in cfg.scenarios if s.kind == "transient_errors").params["failures"]
    statuses = []
    for _ in range(failures):
        response = client.get("/v1/orders", params={"date": date})
        statuses.append(response.status_code)
        assert response.headers["Retry-After"] == str(cfg.sources.api.retry_after_seconds)
    assert statuses == [503, 429][:failures]
    assert client.get("/v1/orders", params={"date": date}).status_code == 200


def test_outage_day_fails_every_request_until_the_incident_is_over(api):
    """Every request for the outage date gets 503; the next day and a later as_of get 200."""
    _, workdir, _, client = api
    date = fault_dates(workdir)["source_outage"]
    for _ in range(4):
        response = client.get("/v1/orders", params={"date": date})
        assert response.status_code == 503
        assert "Retry-After" in response.headers
    day_after = f"{date[:8]}{int(date[8:]) + 1:02d}"
    assert client.get("/v1/orders", params={"date": day_after}).status_code == 200
    later = client.get("/v1/orders", params={"date": date, "as_of": day_after})
    assert later.status_code == 200


def test_slow_day_delays_every_response(api):
    """Responses for the slow date take at least slow_response_seconds; other days do not."""
    cfg, workdir, _, client = api
    date = fault_dates(workdir)["slow_responses"]
    delay = cfg.sources.api.slow_response_seconds
    start = time.perf_counter()
    assert client.get("/v1/orders", params={"date": date}).status_code == 200
    assert time.perf_counter() - start >= delay


def test_schema_drifts_from_its_day_on(api):
    """Before the drift day order_amount is an integer; from it on a decimal with discount_type."""
    _, workdir, _, client = api
    drift = fault_dates(workdir)["schema_drift"]
    before = f"{drift[:8]}{int(drift[8:]) - 1:02d}"
    old = client.get("/v1/orders", params={"date": before, "limit": 50}).json()["data"]
    new = client.get("/v1/orders", params={"date": drift, "limit": 50}).json()["data"]
    assert all(isinstance(o["order_amount"], int) and "discount_type" not in o for o in old)
    assert all(isinstance(o["order_amount"], float) and "discount_type" in o for o in new)
    assert any(o["discount_type"] is not None for o in new)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"date": "not-a-date"}, 400),
        ({"date": "2031-01-01"}, 404),
        ({"date": "2026-11-02", "limit": 0}, 400),
        ({"date": "2026-11-02", "cursor": "bm9wZQ"}, 400),
    ],
)
def test_bad_requests_are_rejected_clearly(api, params, status):
    """A missing or bad date, limit or cursor gets a 4xx with a JSON explanation."""
    _, _, _, client = api
    response = client.get("/v1/orders", params=params)
    assert response.status_code == status
    assert "detail" in response.json()
