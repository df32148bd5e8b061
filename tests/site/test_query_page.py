"""The "Query the data" page in headless Chromium, with DuckDB-WASM really running: nothing of
the engine loads before the first Run; every example's answer equals the one the build
computed with Python DuckDB; SQL errors show DuckDB's message; writes and reach-outs are
refused; a three-million-row result shows a bounded page with the full count; a long query
can be cancelled; the CSV download holds the result; the Parquet files are read with HTTP
range requests where the server has them; no request leaves the site's origin, not even for
a URL a query builds while it runs; the page
does not scroll sideways at 390 px and axe finds no serious or critical violation in either
theme with a result on show.

Figures for the issue's closing note go to <workdir>/site-checks/query-page.json: the
published data size, the engine bytes the first run fetched and the time to the first
answer."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import yaml

from tests.site.page_survey import AXE_RUN_JS, BLOCKING_IMPACTS, OVERFLOW_JS, ensure_scheme, visit
from tests.site.site_server import SiteServer, _SiteHandler
from tests.site.test_budget import BUDGETS, budget_for

pytestmark = pytest.mark.browser

PAGE = "query/"
ENGINE = re.compile(r"/assets/generated/duckdb/|\.wasm|duckdb")
DATA = "/assets/generated/query/"
RUN_TIMEOUT_MS = 120_000
STATUS = re.compile(r"^([\d,]+) rows? in ([\d,]+) ms")
LONG_QUERY = "SELECT sum(a.range * b.range) FROM range(200000) AS a, range(200000) AS b"


@pytest.fixture(scope="module")
def query_url(site_server, built_site) -> str:
    if not (built_site.root / PAGE / "index.html").is_file():
        pytest.skip("this site has no query page (the sample site)")
    return site_server.url(built_site.base_path + PAGE)


@pytest.fixture(scope="module")
def stored(built_site) -> dict:
    path = built_site.root / "assets" / "generated" / "query" / "answers.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest(built_site) -> dict:
    path = built_site.root / "assets" / "generated" / "query" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def measurements(reports_dir, manifest):
    """Figures the tests record, written once the module is done."""
    figures: dict = {
        "data_bytes": manifest["data_bytes"],
        "scale": manifest["provenance"]["scale"],
        "engine": manifest["engine"],
    }
    yield figures
    (reports_dir / "query-page.json").write_text(json.dumps(figures, indent=2) + "\n")


class QueryPage:
    """The page in one browser context, with every request and console error recorded."""

    def __init__(self, context, url: str):
        self.page = context.new_page()
        self.requests: list = []
        self.console_errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r))
        self.page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.console_errors.append(f"uncaught: {e}"))
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def run(self, sql: str | None = None, *, example: str | None = None, wait=True) -> str:
        if example is not None:
            self.page.select_option("#query-example", example)
        if sql is not None:
            self.page.fill("#query-sql", sql)
        self.page.click("#query-run")
        if wait:
            self.wait()
        return self.status()

    def wait(self, timeout: int = RUN_TIMEOUT_MS) -> None:
        self.page.wait_for_function(
            "() => document.getElementById('query-app').getAttribute('aria-busy') !== 'true'",
            timeout=timeout,
        )

    def status(self) -> str:
        return self.page.inner_text("#query-status").strip()

    def error(self) -> str | None:
        box = self.page.locator("#query-error")
        return box.inner_text() if box.is_visible() else None

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The result's column names and cell texts, as shown."""
        return self.page.evaluate(
            """() => {
              const table = document.querySelector('#query-result table');
              if (!table) return [[], []];
              const head = [...table.tHead.rows[0].cells].map((c) => c.textContent);
              const cells = (r) => [...r.cells].map((c) => c.textContent);
              const body = [...table.tBodies[0].rows].map(cells);
              return [head, body];
            }"""
        )


def as_shown(value) -> str:
    """A stored answer's value as the page writes it into a cell."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def same_cell(shown: str, value, tolerance: dict) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(shown)
        except ValueError:
            return False
        limit = max(tolerance["abs"], tolerance["rel"] * max(abs(number), abs(value)))
        return abs(number - value) <= limit
    return shown == as_shown(value)


def same_rows(shown: list[list[str]], rows: list[list], tolerance: dict) -> str | None:
    """None when the rows match in any order (numbers within the tolerance), else why not."""
    if len(shown) != len(rows):
        return f"{len(shown)} rows shown, {len(rows)} stored"

    def key(row):
        return [str(round(v)) if isinstance(v, float) else as_shown(v) for v in row]

    def shown_key(row, types):
        return [
            str(round(float(c))) if t is float and c not in ("NULL", "") else c
            for c, t in zip(row, types, strict=True)
        ]

    types = [type(v) for v in rows[0]] if rows else []
    ordered_stored = sorted(rows, key=key)
    ordered_shown = sorted(shown, key=lambda r: shown_key(r, types))
    for got, want in zip(ordered_shown, ordered_stored, strict=True):
        if len(got) != len(want) or not all(
            same_cell(g, w, tolerance) for g, w in zip(got, want, strict=True)
        ):
            return f"row {got} shown, {want} stored"
    return None


def test_the_page_paints_its_text_and_examples_without_the_engine(new_context, query_url, stored):
    """On load: the example menu, the first example's SQL and the schema are there, and not
    one request for DuckDB-WASM or the data has been made."""
    page = QueryPage(new_context("light", "desktop"), query_url)
    urls = [r.url for r in page.requests]
    assert not [u for u in urls if ENGINE.search(u) or DATA in u], urls
    options = page.page.locator("#query-example option[data-sql]")
    assert options.count() == len(stored["examples"]) >= 8
    assert page.page.input_value("#query-sql") == stored["examples"][0]["sql"]
    assert page.page.locator(".query-schema details").count() >= 11
    assert page.page.locator("label[for=query-sql]").inner_text() == "SQL"
    assert not page.console_errors


def test_the_cold_load_stays_within_its_budget(new_context, query_url, site_server):
    """The page's own first visit, as test_budget.py measures every page: within budget."""
    budgets = yaml.safe_load(BUDGETS.read_text(encoding="utf-8"))
    budget = budget_for(PAGE, budgets)
    page = new_context("light", "desktop").new_page()
    record = visit(page, query_url, "light", "desktop", site_server.origin, None)
    assert record.navigation_error is None
    assert record.bytes_transferred / 1024 <= budget["max_kb"]
    assert record.request_count <= budget["max_requests"]


def test_every_example_returns_the_builds_answer(
    new_context, query_url, stored, measurements, site_server
):
    """Each example, run by DuckDB-WASM in the page, shows the rows Python DuckDB stored at
    build time (any order, numbers within the stored tolerance), says so itself, and the
    status gives the row count and milliseconds. No request leaves the origin."""
    page = QueryPage(new_context("light", "desktop"), query_url)
    finished: list = []
    page.page.on("requestfinished", lambda r: finished.append(r))
    failures = []
    for i, example in enumerate(stored["examples"]):
        started = time.perf_counter()
        status = page.run(example=example["id"])
        if i == 0:
            measurements["first_answer_ms"] = round((time.perf_counter() - started) * 1000)
            engine = {}
            for request in finished:
                if ENGINE.search(request.url):
                    sizes = request.sizes()
                    name = request.url.rsplit("/", 1)[-1]
                    engine[name] = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            measurements["engine_bytes_fetched"] = engine
        page.page.wait_for_function(
            "() => document.getElementById('query-app').hasAttribute('data-verdict')"
        )
        verdict = page.page.get_attribute("#query-app", "data-verdict")
        match = STATUS.match(page.status())
        head, body = page.table()
        problem = same_rows(body, example["rows"], stored["tolerance"])
        if page.error() or not match or head != example["columns"] or problem:
            failures.append(f"{example['id']}: {page.error() or status} / {head} / {problem}")
        elif int(match.group(1).replace(",", "")) != example["row_count"] or verdict != "same":
            failures.append(f"{example['id']}: status {status!r}, verdict {verdict}")
    assert not failures, "\n".join(failures)
    others = [r.url for r in page.requests if not r.url.startswith(site_server.origin + "/")]
    assert not [u for u in others if not u.startswith(("blob:", "data:"))], others
    assert any(DATA + "data/" in r.url for r in page.requests)
    assert not page.console_errors, page.console_errors


def test_an_sql_error_shows_duckdbs_message_with_its_position(new_context, query_url):
    page = QueryPage(new_context("light", "desktop"), query_url)
    page.run("SELECT 1 AS one,\n       2 AS two\nFROM range(3) WHERE AND range > 1")
    message = page.error()
    assert message and "Parser Error" in message and "LINE 3" in message and "^" in message
    assert page.status() == "The query failed."
    assert not page.page.locator("#query-result").is_visible()
    # The page wraps a query to page and count it; the position still points into yours.
    query = "SELECT * FROM range(3) WHERE AND range > 1"
    page.run(query)
    lines = (page.error() or "").splitlines()
    excerpt = next(i for i, line in enumerate(lines) if line.startswith("LINE 1: "))
    assert lines[excerpt] == "LINE 1: " + query
    assert lines[excerpt + 1].index("^") == len("LINE 1: ") + query.index("AND")
    page.run("SELECT no_such_column FROM dim_date")
    assert "no_such_column" in (page.error() or "")
    assert not page.console_errors, page.console_errors


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT * FROM fact_sales) TO 'sales.csv'",
        "ATTACH 'https://example.com/other.duckdb' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "CREATE SECRET s (TYPE S3, KEY_ID 'k', SECRET 's')",
        "SELECT * FROM read_parquet('https://example.com/x.parquet')",
        "SELECT 1; EXPORT DATABASE 'dump'",
    ],
)
def test_statements_that_write_or_reach_out_are_refused(new_context, query_url, sql):
    page = QueryPage(new_context("light", "desktop"), query_url)
    page.run(sql)
    assert (page.error() or "").startswith("Refused:"), page.error()
    assert page.status() == "Refused; nothing ran."
    assert not [r.url for r in page.requests if ENGINE.search(r.url)], "the engine was loaded"


def test_a_url_built_at_run_time_reaches_no_other_server(new_context, query_url, site_server):
    """The page's check cannot see a URL a query builds while it runs; DuckDB's worker guard
    stops it before any request leaves for the other server."""
    page = QueryPage(new_context("light", "desktop"), query_url)
    page.run("SELECT * FROM read_csv_auto('http' || '://example.com/x.csv')")
    assert "this page reaches its own site only" in (page.error() or ""), page.error()
    elsewhere = [r.url for r in page.requests if not r.url.startswith(site_server.origin + "/")]
    assert not elsewhere, elsewhere


def test_a_three_million_row_result_shows_a_page_and_the_full_count(new_context, query_url):
    page = QueryPage(new_context("light", "desktop"), query_url)
    status = page.run("SELECT range AS n, range * 2 AS doubled FROM range(3000000)")
    assert status.startswith("3,000,000 rows in "), status
    head, body = page.table()
    assert head == ["n", "doubled"] and len(body) == 500
    assert body[0] == ["0", "0"] and body[-1] == ["499", "998"]
    assert "Rows 1 to 500 of 3,000,000" in page.page.inner_text("#query-pager")
    page.page.click("#query-next")
    page.wait()
    _, body = page.table()
    assert body[0] == ["500", "1000"] and len(body) == 500
    assert "Rows 501 to 1,000 of 3,000,000" in page.page.inner_text("#query-pager")


def test_a_long_query_can_be_cancelled_and_the_next_one_runs(new_context, query_url):
    page = QueryPage(new_context("light", "desktop"), query_url)
    page.run("SELECT 1")  # the engine is up
    page.run(LONG_QUERY, wait=False)
    page.page.wait_for_timeout(1000)
    assert page.page.is_enabled("#query-cancel")
    started = time.perf_counter()
    page.page.click("#query-cancel")
    page.wait(timeout=15_000)
    assert page.status() == "Cancelled."
    assert time.perf_counter() - started < 10
    assert page.run("SELECT 42 AS answer").startswith("1 row in ")
    assert page.table() == [["answer"], [["42"]]]
    assert not page.page.is_visible("#query-pager")  # one row: no paging


def test_the_csv_download_holds_the_result(new_context, query_url, tmp_path):
    page = QueryPage(new_context("light", "desktop"), query_url)
    page.run("SELECT range AS n, 'a,\"b\"' AS text FROM range(1200)")
    with page.page.expect_download() as download:
        page.page.click("#query-csv")
    target = Path(tmp_path / "result.csv")
    download.value.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "n,text" and lines[1] == '0,"a,""b"""' and len(lines) == 1201


def test_the_phone_page_does_not_scroll_sideways_with_a_wide_result(new_context, query_url, stored):
    page = QueryPage(new_context("light", "phone"), query_url)
    page.run(example="star_schema_join")
    overflow = page.page.evaluate(OVERFLOW_JS)
    assert overflow["scroll_width"] <= overflow["client_width"], overflow["offenders"]
    result = page.page.locator("#query-result")
    assert result.evaluate("(el) => el.scrollWidth > el.clientWidth")  # it scrolls inside
    assert result.get_attribute("tabindex") == "0"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_no_serious_violation_with_a_result_shown(
    new_context, query_url, axe_source, theme
):
    page = QueryPage(new_context(theme, "desktop"), query_url)
    ensure_scheme(page.page, theme)
    page.run(example="scd2_history")
    page.run("SELEC 1")  # an error on show as well
    page.run(example="scd2_history", wait=True)
    page.page.evaluate(axe_source)
    violations = page.page.evaluate(AXE_RUN_JS)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, json.dumps(blocking, indent=1)[:3000]


# ---- HTTP range requests ------------------------------------------------------------------
# The suite's server, like some hosts, answers every GET whole; GitHub Pages answers ranges.
# This one does too, to check that DuckDB-WASM then reads only the parts of a file it needs.

RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


class _RangeHandler(_SiteHandler):
    def _respond(self, send_body: bool) -> None:
        from urllib.parse import unquote, urlsplit

        match = RANGE.match(self.headers.get("Range", ""))
        status, file, _ = self.server_of.resolve(unquote(urlsplit(self.path).path))
        if not match or file is None or status != 200 or not file.name.endswith(".parquet"):
            super()._respond(send_body)
            return
        size = file.stat().st_size
        start = int(match.group(1))
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        self.server_of.requests.append((self.path, 206))
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        if send_body:
            with file.open("rb") as handle:
                handle.seek(start)
                self.wfile.write(handle.read(end - start + 1))


class RangeSiteServer(SiteServer):
    def __enter__(self) -> RangeSiteServer:
        import threading

        from tests.site.site_server import _QuietServer

        handler = type("Handler", (_RangeHandler,), {"server_of": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self


def test_parquet_is_read_with_range_requests_where_the_server_has_them(
    browser, built_site, manifest, measurements
):
    """On a server that answers ranges, a query on two columns of the largest fact table
    fetches parts of its file (206 answers), fewer bytes than the whole file."""
    table = max(manifest["tables"], key=lambda t: t["bytes"])
    with RangeSiteServer(built_site) as server:
        context = browser.new_context()
        local = server.origin + "/"
        context.route(lambda url: not url.startswith(local), lambda route: route.abort())
        page = QueryPage(context, server.url(built_site.base_path + PAGE))
        finished: list = []
        page.page.on("requestfinished", lambda r: finished.append(r))
        column = next(c["name"] for c in table["columns"] if c["type"] in ("BIGINT", "INTEGER"))
        status = page.run(f"SELECT count(*) AS n, max({column}) AS top FROM {table['name']}")
        assert status.startswith("1 row in "), page.error() or status
        reads = [r for r in finished if r.url.endswith("/" + table["file"])]
        ranged = [r for r in reads if r.response() and r.response().status == 206]
        fetched = sum(r.sizes()["responseBodySize"] for r in reads)
        context.close()
    assert ranged, [(r.method, r.url, r.response() and r.response().status) for r in reads]
    assert fetched < table["bytes"], (fetched, table["bytes"])
    measurements["range_read"] = {
        "table": table["name"],
        "file_bytes": table["bytes"],
        "bytes_fetched": fetched,
        "requests": len(reads),
    }
