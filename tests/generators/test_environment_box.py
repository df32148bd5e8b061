"""The benchmarks page's account of how its figures were measured (generators/benchmarks.py
`render_environment`): a smoke-test run says so, with the amounts of its own profile."""

from __future__ import annotations

from dataclasses import asdict

from demo_pipeline.bench.profiles import PROFILES
from generators.benchmarks import render_environment


def _results(profile: str) -> dict:
    return {"profile": profile, "profile_settings": asdict(PROFILES[profile]), "scale": 1}


def test_the_quick_profile_box_states_the_profiles_own_days_and_runs():
    quick = PROFILES["quick"]
    text = render_environment(_results("quick"))
    assert '!!! warning "Smoke test only"' in text
    assert f"{quick.max_days} days" in text
    assert f"a {quick.pipeline_days}-day estate" in text
    assert f"{quick.repetitions} timed runs" in text


def test_a_measuring_profile_has_no_smoke_test_box():
    assert "Smoke test only" not in render_environment(_results("default"))
