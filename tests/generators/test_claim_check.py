"""The site check that binds prose to the claim verdicts (generators/claim_check.py), and
the claim rendering it relies on (generators/claims.py).

Unit tests run on small HTML pages; the last test builds a real site with a page
written to break the rule and checks that `make site`'s build fails, naming the page."""

from __future__ import annotations

import json

import pytest

from generators.catalogue import Catalogue
from generators.claim_check import check_page
from generators.claims import Claims, claim_sentence, render_badge, render_claim
from tests.generators.project_copy import build

ANCHOR = "metric-bench-duckdb-vs-postgres-speedup"


def _record(verdict: str, measured: float | None = 7.0, **extra) -> dict:
    record = {
        "id": "duckdb_vs_postgres",
        "text": "DuckDB is 20× faster than PostgreSQL",
        "claimed": "20× faster",
        "threshold_text": "≥ 20×",
        "metric_key": "bench.duckdb_vs_postgres.speedup",
        "measured_by": "bench",
        "unit": "x",
        "verdict": verdict,
        "measured": measured,
        "reason": f"measured {measured}×, claimed ≥ 20×",
        "measured_on": {"scale": 1, "days": 30, "profile": "default", "repetitions": 5},
        "says": {
            "supported": "DuckDB was {change} than PostgreSQL; I claimed {claimed}.",
            "not_supported": "DuckDB was {change} than PostgreSQL, short of {claimed}.",
        },
        "asserts": [r"duckdb\b[^.]*\b\d+(\.\d+)?\s*[×x]\s+faster than postgres"],
    }
    return {**record, **extra}


CATALOGUE = Catalogue(
    {
        "bench.duckdb_vs_postgres.speedup": {
            "value": 7.0,
            "unit": "x",
            "description": "DuckDB over PostgreSQL",
            "provenance": {},
        }
    }
)


def _page(body: str) -> str:
    nav = "<nav><p>DuckDB 50× faster than PostgreSQL</p></nav>"
    return f"<html><body>{nav}<article>{body}</article></body></html>"


def _bare_figure() -> str:
    return f'<p>DuckDB ran <a href="../metrics/bench/#{ANCHOR}">7.0×</a> as fast.</p>'


def test_a_claim_figure_without_its_verdict_fails():
    """A bare measured figure of a claim is a finding, whatever the verdict, naming the
    page, the claim and the macro to use; nav text outside the article is not judged."""
    for verdict in ("supported", "not supported at this scale"):
        findings = check_page("x.html", _page(_bare_figure()), Claims([_record(verdict)]))
        assert [f.rule for f in findings] == ["verdict"]
        assert "duckdb_vs_postgres" in findings[0].message
        assert 'claim("duckdb_vs_postgres")' in findings[0].message


def test_the_figure_with_its_verdict_in_the_same_row_passes():
    """A table row that holds the verdict beside the figure is fine."""
    row = (
        f'<table><tr><td><a href="#{ANCHOR}">7.0×</a></td>'
        '<td><span data-verdict-for="duckdb_vs_postgres">not supported</span></td></tr></table>'
    )
    assert check_page("x.html", _page(row), Claims([_record("not supported at this scale")])) == []


def test_hand_written_assertion_fails_unless_the_verdict_supports_it():
    """'DuckDB is 20× faster than PostgreSQL' in a page's own words is a finding while the
    verdict is not 'supported', and fine once it is."""
    prose = "<p>In my tests DuckDB was 20× faster than PostgreSQL on every query.</p>"
    findings = check_page("x.html", _page(prose), Claims([_record("not supported at this scale")]))
    assert [f.rule for f in findings] == ["assertion"]
    assert "not supported at this scale" in findings[0].message
    assert check_page("x.html", _page(prose), Claims([_record("supported", 25.0)])) == []
    assert check_page("x.html", _page(prose), Claims([_record("not judged")])) != []


def test_outcome_words_next_to_a_benchmark_figure_must_come_from_the_figure():
    """'smaller' typed after a measured benchmark figure is a finding; the same words from
    the direction-aware macros (class measured-words) are not."""
    typed = '<p>Parquet was <a href="#metric-bench-parquet-zstd-vs-csv-size">85 %</a> smaller.</p>'
    findings = check_page("x.html", _page(typed), Claims([]))
    assert [f.rule for f in findings] == ["outcome-words"]
    bound = (
        '<p>Parquet was <span class="measured-words">'
        '<a href="#metric-bench-parquet-zstd-vs-csv-size">85 %</a> smaller</span> than CSV.</p>'
    )
    assert check_page("x.html", _page(bound), Claims([])) == []


def _rendered_page(record: dict) -> str:
    """What a page's {{ claim() }} call turns into, as mkdocs would render the link."""
    markdown = render_claim(Claims([record]).get(record["id"]), CATALOGUE, link_to="m.md")
    html = markdown.replace(
        '[7.0×](m.md#metric-bench-duckdb-vs-postgres-speedup "', f'<a href="m/#{ANCHOR}" title="'
    ).replace('"){ .metric }', '">7.0×</a>')
    return _page(f"<p>{html}</p>")


@pytest.mark.parametrize("verdict", ["supported", "not supported at this scale"])
def test_a_rendered_claim_passes_the_check(verdict):
    """The claim macro's own output (sentence, claimed, measured, verdict) never trips it."""
    assert check_page("x.html", _rendered_page(_record(verdict)), Claims([_record(verdict)])) == []


def test_wording_follows_the_verdict():
    """Supported and not-supported claims get their own sentence; a slower result reads
    'slower', never 'faster'; quick-profile and unmeasured claims quote no figure."""
    claims = Claims([_record("not supported at this scale", 0.7)])
    sentence = claim_sentence(claims.get("duckdb_vs_postgres"), CATALOGUE, link_to="m.md")
    assert "short of 20× faster" in sentence and "slower (" in sentence
    assert "faster than PostgreSQL" not in sentence
    quick = _record("not judged", reason="quick profile: a smoke test on 2 days of data")
    quick["measured_on"] = {"scale": 1, "days": 2, "profile": "quick", "repetitions": 2}
    smoke = Claims([quick]).get("duckdb_vs_postgres")
    badge = render_badge(smoke, CATALOGUE, link_to="m.md")
    assert "not judged" in badge and "7.0×" not in badge
    sentence = claim_sentence(smoke, CATALOGUE, link_to="m.md")
    assert "7.0" not in sentence and "smoke-tested" in sentence


def test_claim_values_are_escaped():
    """Text from the registry reaches the page as text, not markup."""
    record = _record("unmeasured", None, text="<script>alert(1)</script>")
    sentence = claim_sentence(Claims([record]).get("duckdb_vs_postgres"), CATALOGUE, link_to="m")
    assert "<script>" not in sentence and "&lt;script&gt;" in sentence


@pytest.mark.slow
def test_a_page_breaking_the_rule_fails_the_site_build(fixture_site, tmp_path):
    """A real build: a page stating a benchmark claim's figure bare, and another asserting
    an outcome its verdict does not support, both stop `build_site`, each named."""
    # A copy of the shared fixture site, built again by the steps between the new results
    # and the check (claims, publish, pages, mkdocs); the charts and diagrams, which the
    # check does not read, stay as built.
    copy = fixture_site.copy_to(tmp_path)
    project, workdir = copy.project, copy.workdir
    results = json.loads((workdir / "bench" / "results.json").read_text())
    results["profile"] = "default"
    results["figures"] = {"bench.duckdb_vs_postgres.speedup": {"value": 12.0, "unit": "x"}}
    (workdir / "bench" / "results.json").write_text(json.dumps(results))
    page = project / "docs" / "leadership.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + '\nDuckDB: {{ metric("bench.duckdb_vs_postgres.speedup") }} against PostgreSQL.\n'
        + "\nIn production DuckDB was 20× faster than PostgreSQL.\n",
        encoding="utf-8",
    )
    result = build(project, workdir, "--only", "claims", "publish", "pages", "mkdocs")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "[done] claims" in result.stdout  # the new figure was judged
    assert "leadership/index.html: shows bench.duckdb_vs_postgres.speedup" in output
    assert "leadership/index.html: “DuckDB was 20× faster than PostgreSQL” asserts" in output
