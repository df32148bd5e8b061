"""The orders REST API: a real HTTP server on 127.0.0.1 that the pipeline starts itself.

    GET /v1/orders?date=YYYY-MM-DD&limit=N&cursor=TOKEN[&as_of=YYYY-MM-DD]
    -> 200 {"date": "...", "data": [order, ...], "next_cursor": "TOKEN" | null}
    GET /health -> 200 {"status": "ok"}

It serves the NDJSON files the generator wrote under `<workdir>/sources/orders/`
(one line = one order, already in the API's JSON shape), so a page is a slice of
lines joined into one response with no re-encoding.

Faults from the scenario calendar fire for requests whose `date` is the fault's
published date: `transient_errors` (the first `failures` requests answer 503, then
429, alternating, with Retry-After), `slow_responses` (every response delayed by
`sources.api.slow_response_seconds`), `source_outage` (503 for every request).
An optional `as_of` (the caller's run day) later than `date` means the incident is
over, which is how a backfill on a later day reaches a day that was down.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from collections import Counter, OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from demo_pipeline.config import DemoConfig
from demo_pipeline.errors import SourceError
from demo_pipeline.estate.orders_store import feed_path, read_manifest
from demo_pipeline.workdir import Workdir

MAX_LIMIT = 10_000
SERVED_FAULTS = ("transient_errors", "slow_responses", "source_outage")


def encode_cursor(date: str, offset: int) -> str:
    """An opaque token for the next page (the date and the row offset)."""
    return base64.urlsafe_b64encode(f"{date}:{offset}".encode()).decode().rstrip("=")


def decode_cursor(token: str, date: str) -> int:
    """The row offset in `token`; ValueError if it is malformed or for another date."""
    padded = token + "=" * (-len(token) % 4)
    cursor_date, offset = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
    if cursor_date != date or int(offset) < 0:
        raise ValueError(f"cursor is for {cursor_date}, not {date}")
    return int(offset)


class _FeedCache:
    """The lines of the most recently requested published dates.

    Only a few dates are kept: at scale 10 the whole month would not fit comfortably in
    memory. A pipeline run reads days ahead (pipeline/runner.py API_DAYS_AHEAD), but a
    normal day's pages are over in a fraction of a second, so rarely more than two
    dates are being read at once; a date evicted while read is read from its file
    again (slower, the same pages)."""

    KEEP = 3

    def __init__(self, orders_dir: Path) -> None:
        self.orders_dir = orders_dir
        self.manifest = read_manifest(orders_dir)
        self._lines: OrderedDict[str, list[bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def lines(self, date: str) -> list[bytes]:
        with self._lock:
            if date in self._lines:
                self._lines.move_to_end(date)
            else:
                self._lines[date] = feed_path(self.orders_dir, date).read_bytes().splitlines()
                while len(self._lines) > self.KEEP:
                    self._lines.popitem(last=False)
            return self._lines[date]


class _FaultCalendar:
    """Which served faults apply to a published date, and how many errors are left."""

    def __init__(self, cfg: DemoConfig) -> None:
        self.slow_seconds = cfg.sources.api.slow_response_seconds
        self.retry_after = cfg.sources.api.retry_after_seconds
        self.by_date: dict[str, dict[str, dict]] = {}
        for s in cfg.scenarios:
            if s.source == "api" and s.kind in SERVED_FAULTS:
                date = (cfg.estate.start_date + dt.timedelta(days=s.day - 1)).isoformat()
                self.by_date.setdefault(date, {})[s.kind] = s.params
        self._failures_served: Counter[str] = Counter()
        self._lock = threading.Lock()

    def error_for(self, date: str, incident_over: bool) -> HTTPStatus | None:
        """The error status this request gets, or None to serve it."""
        faults = self.by_date.get(date, {})
        if incident_over:
            return None
        if "source_outage" in faults:
            return HTTPStatus.SERVICE_UNAVAILABLE
        if "transient_errors" in faults:
            failures = int(faults["transient_errors"].get("failures", 2))
            with self._lock:
                served = self._failures_served[date]
                if served < failures:
                    self._failures_served[date] += 1
                    return (
                        HTTPStatus.SERVICE_UNAVAILABLE
                        if served % 2 == 0
                        else HTTPStatus.TOO_MANY_REQUESTS
                    )
        return None

    def delay_for(self, date: str, incident_over: bool) -> float:
        if incident_over or "slow_responses" not in self.by_date.get(date, {}):
            return 0.0
        return self.slow_seconds


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; without this, Nagle + delayed ACK
    # add ~40 ms to every page.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are counted on the server object instead of printed."""

    def _send(self, status: HTTPStatus, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: HTTPStatus, message: str, headers: dict | None = None) -> None:
        body = json.dumps({"error": status.phrase, "detail": message}).encode()
        self._send(status, body, headers)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            self._send(HTTPStatus.OK, b'{"status": "ok"}')
            return
        if url.path != "/v1/orders":
            self._error(HTTPStatus.NOT_FOUND, f"no such endpoint {url.path}")
            return
        self._orders(parse_qs(url.query))

    def _orders(self, query: dict[str, list[str]]) -> None:
        srv = self.server
        date = (query.get("date") or [""])[0]
        if date not in srv.feeds.manifest:
            known = sorted(srv.feeds.manifest)
            self._error(
                HTTPStatus.NOT_FOUND if _is_date(date) else HTTPStatus.BAD_REQUEST,
                f"date: expected a published date {known[0]}..{known[-1]}; found {date!r}",
            )
            return
        try:
            limit = int((query.get("limit") or [str(srv.page_size)])[0])
            if not 1 <= limit <= MAX_LIMIT:
                raise ValueError
        except ValueError:
            self._error(HTTPStatus.BAD_REQUEST, f"limit: expected 1..{MAX_LIMIT}")
            return
        offset = 0
        if cursor := (query.get("cursor") or [""])[0]:
            try:
                offset = decode_cursor(cursor, date)
            except ValueError as exc:
                self._error(HTTPStatus.BAD_REQUEST, f"cursor: invalid ({exc})")
                return
        as_of = (query.get("as_of") or [""])[0]
        incident_over = _is_date(as_of) and as_of > date
        srv.count(date)
        if (delay := srv.faults.delay_for(date, incident_over)) > 0:
            time.sleep(delay)
        if (status := srv.faults.error_for(date, incident_over)) is not None:
            retry = {"Retry-After": str(srv.faults.retry_after)}
            self._error(status, f"orders feed for {date} temporarily unavailable", retry)
            return
        lines = srv.feeds.lines(date)
        page = lines[offset : offset + limit]
        end = offset + len(page)
        next_cursor = json.dumps(encode_cursor(date, end) if end < len(lines) else None)
        body = b"".join(
            [
                b'{"date": "',
                date.encode(),
                b'", "data": [',
                b",".join(page),
                b'], "next_cursor": ',
                next_cursor.encode(),
                b"}",
            ]
        )
        self._send(HTTPStatus.OK, body)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, feeds: _FeedCache, faults: _FaultCalendar, page_size: int):
        super().__init__(address, _Handler)
        self.feeds = feeds
        self.faults = faults
        self.page_size = page_size
        self.requests: Counter[str] = Counter()
        self._count_lock = threading.Lock()

    def count(self, date: str) -> None:
        with self._count_lock:
            self.requests[date] += 1


class OrdersApiServer:
    """Context manager: a real orders API on 127.0.0.1 and a free port (`base_url`)."""

    def __init__(self, workdir: Workdir, config: DemoConfig, *, host: str = "127.0.0.1") -> None:
        self.workdir = workdir
        self.config = config
        self.host = host
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise SourceError("orders API server is not running (use it as a context manager)")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> Counter[str]:
        """Requests received per published date (served or failed)."""
        return self._server.requests if self._server is not None else Counter()

    def start(self) -> OrdersApiServer:
        feeds = _FeedCache(self.workdir.orders_store)
        faults = _FaultCalendar(self.config)
        try:
            self._server = _Server((self.host, 0), feeds, faults, self.config.sources.api.page_size)
        except OSError as exc:
            raise SourceError(f"orders API: cannot listen on {self.host}: {exc}") from exc
        # serve_forever checks for shutdown every poll interval (0.5 s by default), so
        # stopping the server waited that long at the end of every run.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="orders-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def __enter__(self) -> OrdersApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
