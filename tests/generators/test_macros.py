"""Tests for the page macros: measured and self-reported figures, and relative links."""

from __future__ import annotations

import pytest

from generators.catalogue import Catalogue
from generators.errors import MissingMetricError, SourceFileError
from generators.macros import relative_link, render_metric, render_reported, speed_words
from tests.generators.fixture import write_fixture_workdir

OWNER = {"figures": {"lakehouse.uptime": {"text": "98.7 %", "label": "uptime", "context": ""}}}


def test_metric_renders_value_unit_and_provenance_link(tmp_path):
    """metric() gives value and unit linked to the key's row, with provenance as tooltip."""
    catalogue = Catalogue.load(write_fixture_workdir(tmp_path) / "metrics.json")
    text = render_metric(catalogue, "bench.polars_vs_pandas.speedup", "blog/posts/p.md")
    assert text == (
        "[4.20×](../../generated/metrics/bench.md#metric-bench-polars-vs-pandas-speedup "
        '"fixture value for bench.polars_vs_pandas.speedup (measured 2026-11-25T12:00:00+00:00, '
        'run fixture-run, seed 42, scale 0.01, commit 0123456789ab)"){ .metric }'
    )


def test_missing_metric_fails_naming_page_and_key(tmp_path):
    """A page asking for a key no run produced raises an error naming page and key."""
    catalogue = Catalogue.load(write_fixture_workdir(tmp_path) / "metrics.json")
    with pytest.raises(MissingMetricError, match=r"page cost\.md: metric 'bench\.missing\.x'"):
        render_metric(catalogue, "bench.missing.x", "cost.md")


def test_reported_figure_is_labelled_self_reported():
    """reported() shows the owner's figure with the 'self-reported' label and a tooltip."""
    text = render_reported(OWNER, "lakehouse.uptime", "index.md")
    assert text.startswith('[98.7 %](about.md#self-reported-figures "Self-reported: uptime')
    assert text.endswith("{ .reported } (self-reported)")


def test_unknown_reported_figure_fails():
    """A self-reported figure missing from the owner's file is an error naming page and key."""
    with pytest.raises(SourceFileError, match=r"page about\.md: self-reported figure 'x\.y'"):
        render_reported(OWNER, "x.y", "about.md")


@pytest.mark.parametrize(
    ("page", "target", "link"),
    [
        ("index.md", "generated/metrics/bench.md", "generated/metrics/bench.md"),
        ("generated/decisions/0001-a.md", "about.md", "../../about.md"),
        ("blog/posts/x.md", "blog/index.md", "../index.md"),
    ],
)
def test_relative_link(page, target, link):
    """Links are relative to the page's source file, as MkDocs resolves them."""
    assert relative_link(page, target) == link


@pytest.mark.parametrize(
    ("value", "words"),
    [(4.2, "{ .metric } faster"), (1.01, "no faster ("), (0.69, "slower (")],
)
def test_faster_stays_true_both_ways(tmp_path, value, words):
    """A speed-up reads as faster, no faster or slower depending on the measurement."""
    import json

    root = write_fixture_workdir(tmp_path)
    data = json.loads((root / "metrics.json").read_text())
    data["bench.partition_pruning.speedup"]["value"] = value
    (root / "metrics.json").write_text(json.dumps(data))
    catalogue = Catalogue.load(root / "metrics.json")
    text = speed_words(catalogue, "bench.partition_pruning.speedup", "cost.md")
    assert words in text
