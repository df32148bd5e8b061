"""The launcher of the whole-process benchmarks (`pipeline`, `scale_out`): a real
`python -m demo_pipeline` process, measured from outside."""

from __future__ import annotations

import pytest

from demo_pipeline.bench.demo_process import run_demo
from demo_pipeline.errors import BenchmarkError


def test_a_command_is_measured_from_outside(tmp_path):
    measured = run_demo(["--help"], tmp_path / "help.log", (0,), sample_tree=True)
    assert measured["wall_s"] > 0 and measured["cpu_s"] > 0
    assert measured["peak_rss_mb"] > 0 and measured["load_avg_1m_before"] >= 0
    assert measured["total_mb"] >= measured["driver_mb"] > 0
    assert "generate" in (tmp_path / "help.log").read_text(encoding="utf-8")


def test_an_unexpected_exit_code_names_the_command_and_its_log(tmp_path):
    with pytest.raises(BenchmarkError, match=r"exited with 2 \(expected 0\); log .*bad\.log"):
        run_demo(["no-such-command"], tmp_path / "bad.log", (0,))


def test_a_command_past_its_time_limit_is_killed_and_said(tmp_path):
    args = ["generate", "--scale", "1", "--workdir", str(tmp_path / "wd")]
    with pytest.raises(BenchmarkError, match=r"took longer than 0.3 s .*slow\.log"):
        run_demo(args, tmp_path / "slow.log", (0,), timeout_s=0.3)
