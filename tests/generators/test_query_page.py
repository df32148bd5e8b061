"""The query page's build step (generators/query/) on a real work directory: the pipeline's
30 days at a tiny scale, the one the whole-chain build made (tests/conftest.py,
`tiny_chain`). What the browser does with the result is
tested in tests/site/test_query_page.py."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path

import duckdb
import pytest

from demo_pipeline.config import load_config
from demo_pipeline.tables import TABLES
from demo_pipeline.workdir import Workdir
from generators.errors import StepError
from generators.query import data as query_data
from generators.query import hooks, page, vendor
from generators.query.examples import EXAMPLES
from tests.conftest import TINY_CHAIN_SCALE

SCALE = 0.01


@pytest.fixture(scope="module")
def workdir(tiny_chain) -> Workdir:
    """The work directory of the whole chain at scale 0.01 (tests/conftest.py): estate
    and pipeline at seed 42 over 30 days. Read only."""
    estate = load_config().estate
    assert (float(TINY_CHAIN_SCALE), estate.seed, estate.days) == (SCALE, 42, 30)
    return tiny_chain.workdir


@pytest.fixture(scope="module")
def built(workdir: Workdir, tmp_path_factory) -> tuple[Path, dict, dict]:
    out = tmp_path_factory.mktemp("published") / "query"
    manifest, answers = query_data.build_data(workdir, out)
    return out, manifest, answers


def fake_web(root: Path) -> Path:
    """A web/ folder as `npm ci --prefix web` leaves it, with tiny stand-in files."""
    for relative in (vendor.BUNDLE, vendor.WORKER, vendor.WASM):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0asm" * 1000 if relative.endswith(".wasm") else b"// js\n")
    (root / vendor.WORKER).write_text("self.x = 1;\n//# sourceMappingURL=w.js.map\n")
    (root / vendor.PACKAGE / "package.json").write_text('{"version": "9.9.9"}')
    return root


@pytest.mark.slow
def test_every_table_is_published_within_the_size_cap(built):
    """Every gold table and the two quality tables are Parquet files under data/, their
    bytes add up to the manifest's total, which is at most 30 MB."""
    out, manifest, _ = built
    files = {p.stem: p.stat().st_size for p in (out / "data").glob("*.parquet")}
    assert set(files) == {*TABLES.gold_names, "quality_results", "anomalies"}
    assert manifest["data_bytes"] == sum(files.values()) <= query_data.CAP_BYTES == 30_000_000
    assert {t["name"]: t["bytes"] for t in manifest["tables"]} == files


@pytest.mark.slow
def test_manifest_describes_each_table_as_its_file_holds_it(built):
    """Row counts, columns and types in the manifest are those of the published file; each
    view reads its own file; the star schema's joins are listed."""
    out, manifest, _ = built
    con = duckdb.connect()
    for table in manifest["tables"]:
        path = out / "data" / table["file"]
        rows = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
        assert table["rows"] == rows, table["name"]
        columns = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        assert [(c["name"], c["type"]) for c in table["columns"]] == [c[:2] for c in columns]
        assert f"read_parquet('{table['file']}')" in manifest["views"][table["name"]]
    fact = next(t for t in manifest["tables"] if t["name"] == "fact_sales")
    assert fact["kind"] == "fact" and fact["keys"] == ["order_id", "line_no"] and fact["rows"] > 0
    assert len(manifest["joins"]) >= 3
    assert all("JOIN" in j["sql"] for j in manifest["joins"])


@pytest.mark.slow
def test_provenance_is_the_last_runs_record(built, workdir: Workdir):
    """Run id, seed, scale and commit come from the last run manifest."""
    _, manifest, _ = built
    last = json.loads(workdir.run_manifests()[-1].read_text())
    p = manifest["provenance"]
    assert (p["run_id"], p["seed"], p["scale"], p["commit"]) == (
        last["run_id"],
        42,
        SCALE,
        last["code_version"],
    )
    assert p["first_date"] == "2026-11-01" and p["last_date"] == "2026-11-30"


@pytest.mark.slow
def test_every_example_has_its_answer_stored_and_it_is_reproducible(built):
    """At least eight examples; each stored answer is what Python DuckDB returns over the
    published files (run again on a fresh connection), and fits on one page."""
    out, _, answers = built
    assert len(answers["examples"]) == len(EXAMPLES) >= 8
    assert answers["tolerance"] == query_data.TOLERANCE
    with query_data.connect(out / "data") as con:
        for stored, example in zip(answers["examples"], EXAMPLES, strict=True):
            again = query_data.answer(con, example)
            assert stored == again, example.id
            assert stored["row_count"] == len(stored["rows"]) <= query_data.PAGE_ROWS
            assert all(len(row) == len(stored["columns"]) for row in stored["rows"])
    json.dumps(answers, allow_nan=False)  # plain JSON, as the browser reads it


@pytest.mark.slow
def test_the_examples_find_what_the_story_says(built):
    """The examples that tell the fault stories find their faults at this scale: rows set
    aside on the quarantine days, the late-arriving orders, a pre-aggregate that agrees."""
    _, _, answers = built
    by_id = {e["id"]: e for e in answers["examples"]}
    quarantine = by_id["quarantine_by_day"]
    assert {row[0] for row in quarantine["rows"]} >= {"2026-11-08", "2026-11-10"}
    late = by_id["late_data"]
    days_late = late["columns"].index("days_late")
    assert any(row[days_late] > 0 for row in late["rows"])
    preagg = by_id["preagg_vs_facts"]
    differ = preagg["columns"].index("cells_that_differ")
    assert preagg["rows"] and all(row[differ] == 0 for row in preagg["rows"])
    history = by_id["scd2_history"]
    assert history["row_count"] >= 2  # one product, several versions


@pytest.mark.slow
def test_quality_details_lose_the_work_directorys_path(built, workdir: Workdir):
    out, _, _ = built
    con = duckdb.connect()
    path = out / "data" / "quality_results.parquet"
    leaks = con.execute(
        f"SELECT count(*) FROM read_parquet('{path}') WHERE contains(detail, ?)",
        [str(workdir.root)],
    ).fetchone()[0]
    assert leaks == 0


@pytest.mark.slow
def test_data_above_the_cap_fails_the_step_clearly(workdir: Workdir, tmp_path, monkeypatch):
    monkeypatch.setattr(query_data, "CAP_BYTES", 1000)
    with pytest.raises(StepError, match=r"above the 0 MB the page may publish") as caught:
        query_data.build_data(workdir, tmp_path / "query")
    assert f"scale {SCALE}" in str(caught.value)


def test_missing_gold_fails_the_step_naming_the_files(tmp_path):
    """An empty work directory: the step stops, names what is missing and how to make it."""
    empty = Workdir(tmp_path / "wd")
    with pytest.raises(StepError) as caught:
        query_data.build_data(empty, tmp_path / "query")
    message = str(caught.value)
    assert "fact_sales.parquet" in message and "results.parquet" in message
    assert "make run" in message
    assert not (tmp_path / "query").exists()


def test_engine_files_are_copied_without_source_maps(tmp_path):
    web = fake_web(tmp_path / "web")
    engine = vendor.copy_engine(web, tmp_path / "duckdb")
    assert engine["version"] == "9.9.9"
    published = sorted(p.name for p in (tmp_path / "duckdb").iterdir())
    assert set(vendor.PUBLISHED.values()) <= set(published)
    assert not any(name.endswith(".map") for name in published)
    worker = (tmp_path / "duckdb" / vendor.PUBLISHED["worker"]).read_text()
    assert "sourceMappingURL" not in worker and "self.x = 1;" in worker
    import gzip

    wasm = (tmp_path / "duckdb" / vendor.PUBLISHED["wasm"]).read_bytes()
    assert gzip.decompress(wasm) == (web / vendor.WASM).read_bytes()
    assert engine["wasm_bytes_uncompressed"] == 4000


def test_engine_not_installed_fails_with_the_command_to_run(tmp_path):
    with pytest.raises(StepError, match=r"make web"):
        vendor.copy_engine(tmp_path / "web", tmp_path / "duckdb")


def test_the_examples_order_their_rows_completely():
    """The page compares the first page of rows: every example ends on an ORDER BY or a
    LIMIT after one, and has a unique id."""
    assert len({e.id for e in EXAMPLES}) == len(EXAMPLES)
    for example in EXAMPLES:
        tail = example.sql.rsplit("ORDER BY", 1)
        assert len(tail) == 2 and "SELECT" not in tail[1], example.id


def test_canonical_values_match_what_the_page_shows():
    assert query_data.canonical(dt.date(2026, 11, 1)) == "2026-11-01"
    assert query_data.canonical(dt.datetime(9999, 12, 31)) == "9999-12-31 00:00:00"
    assert query_data.canonical(dt.datetime(2026, 1, 2, 3, 4, 5, 120000)) == (
        "2026-01-02 03:04:05.12"
    )
    assert query_data.canonical(decimal.Decimal("1.50")) == 1.5
    assert query_data.canonical(2**53 + 1) == str(2**53 + 1)
    assert query_data.canonical(float("nan")) == "nan"
    assert query_data.canonical(True) is True and query_data.canonical(None) is None


def _manifest(**changes) -> dict:
    manifest = {
        "provenance": {
            "run_id": "run-1",
            "seed": 42,
            "scale": 1.0,
            "commit": "0123456789abcdef",
            "first_date": "2026-11-01",
            "last_date": "2026-11-30",
            "evidence_anchor": "run-run-1",
        },
        "data_bytes": 14_000_000,
        "cap_bytes": 30_000_000,
        "page_rows": 500,
        "python_duckdb": "x",
        "engine": {"version": "1.28.0", "bytes": {"wasm": 4_000_000}},
        "tables": [
            {
                "name": "dim_x",
                "kind": "dimension",
                "description": "<script>alert(1)</script> {{ bad }} [link](x) | cell",
                "file": "dim_x.parquet",
                "bytes": 2000,
                "rows": 12,
                "keys": ["id"],
                "columns": [{"name": "id", "type": "BIGINT"}, {"name": "<b>", "type": "VARCHAR"}],
            }
        ],
        "joins": [{"title": "A join", "sql": "SELECT 1\nFROM a JOIN b USING (id)"}],
    }
    manifest.update(changes)
    return manifest


def test_the_page_partial_escapes_every_value():
    answers = {
        "examples": [
            {
                "id": "e1",
                "title": "Title <i>",
                "story": 'Story "quoted"',
                "sql": "SELECT '<x>' AS a,\n\n  1 AS b -- {{ not jinja }}",
            }
        ]
    }
    html = page.partial(_manifest(), answers)
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "{{" not in html and "{%" not in html
    assert "&lt;script&gt;" in html and "Title &lt;i&gt;" in html
    assert "data-sql=\"SELECT '&lt;x&gt;' AS a,&#10;&#10;" in html.replace("&#x27;", "'")
    assert "(generated/metrics/index.md#run-run-1)" in html
    assert "scale 1.0" in html and "<code>run-1</code>" in html
    assert 'id="query-sql"' in html and 'aria-describedby="query-keys"' in html


def test_the_partial_links_the_evidence_index_when_the_run_is_not_in_the_catalogue():
    manifest = _manifest()
    manifest["provenance"]["evidence_anchor"] = None
    html = page.partial(
        manifest, {"examples": [{"id": "e", "title": "t", "story": "s", "sql": "q"}]}
    )
    assert "(generated/metrics/index.md)" in html


PAGE = (
    '<!doctype html><html><head>\n<meta charset="utf-8">\n<title>x</title>\n'
    "<script>var a = 1;</script>\n"
    '<script id="__config" type="application/json">{"b": 2}</script>\n'
    '<script src="x.js" defer></script>\n'
    "<script>var a = 1;</script>\n"
    "</head><body></body></html>"
)


def test_the_query_page_gets_a_policy_with_its_inline_scripts_hashes():
    import base64
    import hashlib

    html = hooks.with_policy(PAGE)
    digest = base64.b64encode(hashlib.sha256(b"var a = 1;").digest()).decode()
    policy = html.split('content="', 1)[1].split('"', 1)[0]
    assert f"'sha256-{digest}'" in policy
    assert policy.count("sha256-") == 1  # the same script once; the JSON block needs none
    assert "connect-src 'self' blob:" in policy and "'wasm-unsafe-eval'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert html.index("Content-Security-Policy") > html.index("<meta charset")
    assert html.index("Content-Security-Policy") < html.index("<script")


def test_only_the_query_page_gets_a_policy():
    class File:
        def __init__(self, src_uri):
            self.src_uri = src_uri

    class Page:
        def __init__(self, src_uri):
            self.file = File(src_uri)

    assert hooks.on_post_page(PAGE, Page("index.md"), {}) == PAGE
    assert "Content-Security-Policy" in hooks.on_post_page(PAGE, Page("query.md"), {})
