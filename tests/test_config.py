"""The YAML config: parsed once into typed models, and every mistake reported clearly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from demo_pipeline.config import DEFAULT_CONFIG_PATH, load_config
from demo_pipeline.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_config_is_valid():
    """The shipped config loads and describes the production-sized company over 30 days."""
    cfg = load_config(DEFAULT_CONFIG_PATH)
    assert cfg.estate.skus_at_scale_1 == 10_247
    assert cfg.estate.warehouses == 12
    assert len(cfg.estate.business_days()) == cfg.estate.days
    assert cfg.scenarios, "the scenario calendar is part of the demo"
    assert len(cfg.sha256) == 64


def test_empty_file_gives_defaults(tmp_path):
    """An empty YAML file is a valid config made of defaults."""
    cfg = load_config(write(tmp_path, ""))
    assert cfg.estate.seed == 42


def test_missing_file_names_the_path(tmp_path):
    """A missing config file is reported with its path."""
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=r"nope\.yaml.*not found"):
        load_config(missing)


def test_unknown_key_names_file_and_key(tmp_path):
    """A misspelt key is rejected, naming the file and the full key."""
    path = write(tmp_path, "estate:\n  sead: 1\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message
    assert "estate.sead" in message
    assert "no such key" in message


def test_wrong_type_says_expected_and_found(tmp_path):
    """A value of the wrong type names the key, what was expected and what was found."""
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "estate:\n  days: thirty\n"))
    message = str(err.value)
    assert "estate.days" in message
    assert "integer" in message
    assert "'thirty'" in message


def test_impossible_value_is_rejected(tmp_path):
    """A negative scale and a scenario after the last day are impossible values."""
    with pytest.raises(ConfigError, match=r"estate\.scale"):
        load_config(write(tmp_path, "estate:\n  scale: -1\n"))
    text = (
        "estate:\n  days: 5\n"
        "scenarios:\n  - {day: 9, kind: null_keys, source: api, table: orders}\n"
    )
    with pytest.raises(ConfigError, match="only 5 days"):
        load_config(write(tmp_path, text))


def test_thresholds_must_be_ordered(tmp_path):
    """A 'fail' threshold below the 'warn' threshold is rejected."""
    text = "quality:\n  default_rule: {warn_above_pct: 10, fail_above_pct: 1}\n"
    with pytest.raises(ConfigError, match="fail_above_pct"):
        load_config(write(tmp_path, text))


def test_not_a_mapping_is_rejected(tmp_path):
    """A YAML list at the top level is not a config."""
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(write(tmp_path, "- 1\n- 2\n"))


def test_overrides_apply_and_trim_the_calendar():
    """--days shorter than the calendar drops later scenarios; the fingerprint changes."""
    cfg = load_config(DEFAULT_CONFIG_PATH)
    short = cfg.with_overrides(days=7, seed=7)
    assert short.estate.days == 7
    assert short.estate.seed == 7
    assert all(s.day <= 7 for s in short.scenarios)
    assert short.sha256 != cfg.sha256
    assert short.estate.end_date == dt.date(2026, 11, 7)


def test_bad_override_is_a_config_error():
    """An impossible command-line override is reported like a config error."""
    cfg = load_config(DEFAULT_CONFIG_PATH)
    with pytest.raises(ConfigError, match=r"estate\.scale"):
        cfg.with_overrides(scale=0)


def test_fingerprint_is_stable():
    """The same file gives the same fingerprint (it is recorded in run manifests)."""
    assert load_config(DEFAULT_CONFIG_PATH).sha256 == load_config(DEFAULT_CONFIG_PATH).sha256
