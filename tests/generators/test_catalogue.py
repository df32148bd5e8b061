"""Tests for reading and formatting the metric catalogue."""

from __future__ import annotations

import json

import pytest

from generators.catalogue import (
    Catalogue,
    catalogue_nav,
    catalogue_page_for,
    format_value,
    render_catalogue_pages,
    render_family_page,
    run_anchor,
)
from generators.errors import MissingMetricError
from tests.generators.fixture import PROVENANCE, write_fixture_workdir


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (4.2, "x", "4.20×"),
        (12.0, "x", "12×"),
        (71.234, "%", "71.2\u00a0%"),
        (0.0123, "s", "12.3\u00a0ms"),
        (41.5, "s", "41.5\u00a0s"),
        (600, "s", "10\u00a0min"),
        (1_500_000, "bytes", "1.43\u00a0MiB"),
        (512, "bytes", "512\u00a0B"),
        (12345, "rows", "12,345\u00a0rows"),
        (250000.0, "rows/s", "250,000\u00a0rows/s"),
        (3, "count", "3"),
        (None, "x", "not measured"),
        (True, "", "yes"),
    ],
)
def test_format_value(value, unit, text):
    """Each value and unit renders to one fixed text."""
    assert format_value(value, unit) == text


def test_missing_key_names_key_and_place(tmp_path):
    """Asking for a key the catalogue lacks raises MissingMetricError naming key and page."""
    catalogue = Catalogue.load(write_fixture_workdir(tmp_path) / "metrics.json")
    with pytest.raises(MissingMetricError, match=r"page index\.md: metric 'bench\.nope'"):
        catalogue.get("bench.nope", where="page index.md")


def test_missing_file_is_an_empty_catalogue(tmp_path):
    """A work directory without metrics.json gives an empty catalogue, not a crash."""
    assert Catalogue.load(tmp_path / "metrics.json").keys() == []


def test_entry_provenance_line(tmp_path):
    """The tooltip line names the run, seed, scale and a shortened commit."""
    entry = Catalogue.load(write_fixture_workdir(tmp_path) / "metrics.json").get("estate.skus")
    assert entry.provenance_line() == (
        f"measured {PROVENANCE['measured_at']}, run fixture-run, seed 42, scale 0.01, "
        "commit 0123456789ab"
    )


def test_each_family_page_carries_an_anchor_per_key(tmp_path):
    """Every metric has its row, with the anchor metric() links to, on its family's page."""
    catalogue = Catalogue.load(write_fixture_workdir(tmp_path) / "metrics.json")
    pages = render_catalogue_pages(catalogue)
    for key in catalogue:
        page = pages[catalogue_page_for(key)]
        code = key.replace(".", ".<wbr>")
        assert f'<code id="{catalogue.get(key).anchor}">{code}</code>' in page
    index = pages["generated/metrics/index.md"]
    assert index.index("[Synthetic source estate](estate.md)") < index.index(
        "[Benchmarks](bench.md)"
    )
    assert [next(iter(e.values())) for e in catalogue_nav(catalogue)] == [
        p for p in pages if not p.endswith("index.md")
    ]


def test_the_index_states_each_runs_provenance_once(tmp_path):
    """Family pages link their run; the index's runs table holds seed, scale, commit, machine."""
    catalogue = Catalogue.load(write_fixture_workdir(tmp_path) / "metrics.json")
    pages = render_catalogue_pages(catalogue)
    index = pages["generated/metrics/index.md"]
    runs = {str(catalogue.get(k).provenance["run_id"]) for k in catalogue}
    runs_table = index[index.index("## Runs") :]
    for run_id in runs:
        assert any(f"](index.md#{run_anchor(run_id)})" in page for page in pages.values())
        row = next(line for line in runs_table.splitlines() if f"`{run_id}`" in line)
        assert f"`{run_id}`{{ #{run_anchor(run_id)} }}" in row
        assert f"| {PROVENANCE['seed']} |" in row
        assert str(PROVENANCE["git_commit"])[:12] in row
        assert "| 2026-11-25 12:00 UTC |" in row
    assert f"Every run was measured on one machine: {PROVENANCE['machine']}." in runs_table
    commit = str(PROVENANCE["git_commit"])[:12]
    assert sum(page.count(commit) for page in pages.values()) == len(runs)


def test_a_family_measured_by_several_runs_names_the_run_per_row(tmp_path):
    """Where a family mixes runs, every row links its own run."""
    path = write_fixture_workdir(tmp_path) / "metrics.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    bench_keys = sorted(k for k in raw if k.startswith("bench."))
    raw[bench_keys[0]]["provenance"] = {**PROVENANCE, "run_id": "bench-generate-run"}
    bench = render_family_page(Catalogue(raw), "bench")
    assert "| Metric | Value | Meaning | Run |" in bench
    assert bench.count(f"](index.md#{run_anchor('fixture-run')}) |") == len(bench_keys) - 1
    assert bench.count(f"](index.md#{run_anchor('bench-generate-run')}) |") == 1


def test_an_empty_catalogue_says_so():
    pages = render_catalogue_pages(Catalogue({}))
    assert list(pages) == ["generated/metrics/index.md"]
    assert "No measurements yet" in pages["generated/metrics/index.md"]


def test_runs_on_several_machines_are_listed_by_machine(tmp_path):
    path = write_fixture_workdir(tmp_path) / "metrics.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    key = sorted(raw)[0]
    raw[key]["provenance"] = {**PROVENANCE, "run_id": "laptop-run", "machine": "a laptop"}
    index = render_catalogue_pages(Catalogue(raw))["generated/metrics/index.md"]
    assert "- a laptop: `laptop-run`" in index
    assert f"- {PROVENANCE['machine']}: `fixture-run`" in index
