"""Tests for the charts: data tables from result files, and reproducible files."""

from __future__ import annotations

import hashlib
import json

import polars as pl

from demo_pipeline.workdir import Workdir
from generators import charts
from generators.project import Project
from tests.generators.fixture import write_fixture_results, write_fixture_workdir
from tests.generators.project_copy import copy_project


def fixture(tmp_path):
    root = write_fixture_workdir(tmp_path / "wd")
    write_fixture_results(root)
    return Workdir(root)


def test_engine_times_take_spread_from_raw_runs(tmp_path):
    """Per question and engine: median, fastest and slowest run, from raw.json."""
    wd = fixture(tmp_path)
    results = json.loads(wd.bench_results.read_text())
    raw = json.loads(wd.bench_raw.read_text())
    table = charts.engine_times_table(results, raw)
    row = table.filter(pl.col("engine") == "polars_lazy").row(0, named=True)
    assert row["median_s"] == 0.01
    assert (round(row["min_s"], 6), round(row["max_s"], 6), row["runs"]) == (0.009, 0.012, 3)


def test_engine_times_fall_back_to_medians(tmp_path):
    """Without raw runs the chart still has the medians (spread equal to the median)."""
    wd = fixture(tmp_path)
    results = json.loads(wd.bench_results.read_text())
    table = charts.engine_times_table(results, {})
    assert table.sort("engine")["median_s"].to_list() == [0.04, 0.01]


def test_quality_and_freshness_per_day(tmp_path):
    """Quarantined rows, flags and the oldest feed's age are counted per business day."""
    wd = fixture(tmp_path)
    quality = charts.quality_table(pl.read_parquet(wd.quality_results))
    assert quality["quarantined_rows"].to_list() == [2, 4, 6]
    assert quality["anomalies_flagged"].to_list() == [0, 1, 0]
    fresh = charts.freshness_table(pl.read_parquet(wd.freshness_ledger))
    assert fresh["oldest_feed_age_days"].to_list() == [0, 0, 1]


def test_partial_has_alt_text_both_schemes_phone_variants_and_csv(tmp_path):
    """Each chart appears twice (light, dark) with the same alt text, each offering its
    phone variant to narrow screens, and links its CSV."""
    wd = fixture(tmp_path)
    manifests = [json.loads(p.read_text()) for p in wd.run_manifests()]
    groups = charts.build_charts({}, {}, manifests, pl.DataFrame(), pl.DataFrame())
    sizes = {chart.name: {"": (768, 403), "-phone": (461, 442)} for chart in groups["pipeline"]}
    text = charts.render_partial(groups["pipeline"], "pipeline", sizes)
    assert text.count('-light.svg#only-light" alt="') == 2
    assert text.count('-dark.svg#only-dark" alt="') == 2
    assert text.count('-phone-light.svg" width="461" height="442">') == 2
    assert text.count('-phone-dark.svg" width="461" height="442">') == 2
    # Sized, so the browser reserves the space, and lazy: the hidden scheme is never fetched.
    assert text.count('width="768" height="403" loading="lazy"></picture>') == 4
    assert text.count("(CSV)]") == 2
    assert 'alt="Stacked bar chart of the seconds each daily run spent' in text
    assert (
        charts.render_partial([], "memory", {})
        == "*This run produced no data for the memory charts.*\n"
    )


def test_phone_variant_text_is_at_least_11_px_on_a_phone(fixture_site):
    """Every text of every phone chart, scaled to a 390 px phone's 358 px content column,
    is 11 CSS px or more (tick labels, axis labels, legend, title). The charts are the
    fixture site's (built from the fixture results)."""
    import re

    project = Project(fixture_site.project)
    phone = sorted((project.assets / "charts").glob("*-phone-light.svg"))
    assert phone
    for svg in phone:
        text = svg.read_text()
        width = float(re.search(r'viewBox="0 0 ([\d.]+)', text).group(1))
        sizes = [float(s) for s in re.findall(r"font(?:-size)?: ?([\d.]+)px", text)]
        assert sizes, svg.name
        assert min(sizes) * min(358 / width, 4 / 3) >= 11, (svg.name, min(sizes), width)


def test_build_is_byte_for_byte_reproducible(fixture_site, tmp_path):
    """Building the charts twice from the same results gives identical files: once by the
    fixture site's build (`build_site`, its own process, another folder), once here."""

    def digest(project: Project) -> dict[str, str]:
        out = project.assets / "charts"
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}

    first = digest(Project(fixture_site.project))
    assert len(first) == 35  # 7 charts x (light, dark, phone light, phone dark, csv)
    project = Project(copy_project(tmp_path / "project"))
    charts.build(project, Workdir(fixture_site.workdir))  # reads the work directory only
    assert digest(project) == first
