"""The benchmarks page's scale-out part: every figure a catalogue metric (never a number
typed from the results), the extrapolation labelled as one, and a plain sentence when the
benchmark has no result."""

from __future__ import annotations

import re

from generators.benchmarks import render_scale_out
from generators.catalogue import Catalogue
from generators.charts import scale_out_table


def _results() -> dict:
    scales = [
        {
            "scale": scale,
            "days": 2,
            "rows_per_day": rows,
            "engines": {
                "polars": {"build_s": 1.0, "wall_s": 2.0, "total_mb": 300.0},
                "spark": {"build_s": 50.0, "wall_s": 70.0, "total_mb": 900.0},
            },
        }
        for scale, rows in ((0.1, 12_345.6), (1.0, 123_456.7))
    ]
    return {"benchmarks": {"scale_out": {"status": "ok", "summary": {"scales": scales}}}}


def test_every_scale_out_figure_is_a_catalogue_metric():
    results = _results()
    keys = [
        f"bench.scale_out.scale_{s}.{e}.{f}"
        for s in ("0_1", "1")
        for e in ("polars", "spark")
        for f in ("build_s", "wall_s", "peak_mb", "rows_per_s_per_core")
    ]
    keys += ["bench.scale_out.one_machine_limit_gb_per_day", "bench.scale_out.assumed_cores"]
    catalogue = Catalogue({k: {"value": 1.0, "unit": "s"} for k in keys})
    page = render_scale_out(results, catalogue)
    for key in keys:
        if key != "bench.scale_out.one_machine_limit_gb_per_day":  # the claim renders it
            assert f'metric("{key}")' in page, key
    assert "An extrapolation, labelled as one" in page
    # Keys this run did not produce say so instead of failing the build.
    assert "not measured" in page
    # No measured value is typed: the only digits outside macros are scales and row counts.
    typed = re.sub(r"\{\{ metric\(\"[^\"]+\"\) \}\}", "", page)
    assert "50" not in typed and "900" not in typed


def test_no_result_is_said_plainly():
    failed = {"benchmarks": {"scale_out": {"status": "failed", "error": "java <missing>"}}}
    page = render_scale_out(failed, Catalogue({}))
    assert "no result yet" in page and "&lt;missing&gt;" in page
    assert "no result yet" in render_scale_out({}, Catalogue({}))


def test_the_chart_has_one_line_per_engine():
    table = scale_out_table(_results())
    assert table.height == 4
    assert sorted(set(table["engine"])) == ["polars", "spark"]
    assert table.filter(table["engine"] == "spark")["build_s_per_day"].to_list() == [25.0, 25.0]
