"""The command line: help for every option, and a bad config stops cleanly."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "demo_pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_generate_help_explains_every_option():
    """`generate --help` documents --config, --seed, --scale, --days and --workdir."""
    result = cli("generate", "--help")
    assert result.returncode == 0
    for option in ("--config", "--seed", "--scale", "--days", "--workdir"):
        assert option in result.stdout


def test_bad_config_exits_non_zero_and_writes_nothing(tmp_path):
    """A config with an unknown key stops with one message, exit 2, and no output files."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("estate:\n  scael: 2\n")
    workdir = tmp_path / "work"
    result = cli("generate", "--config", str(bad), "--workdir", str(workdir))
    assert result.returncode == 2
    assert "estate.scael" in result.stderr
    assert "Traceback" not in result.stderr
    assert not workdir.exists()


def test_bad_override_exits_non_zero(tmp_path):
    """An impossible --scale is reported as a config error."""
    result = cli("generate", "--scale", "0", "--workdir", str(tmp_path / "w"))
    assert result.returncode == 2
    assert "estate.scale" in result.stderr


def test_run_without_an_estate_stops_and_names_the_command(tmp_path):
    """`run` never generates its upstream: on a work directory without the estate it
    stops with exit 1, names what is missing and the command that makes it."""
    workdir = tmp_path / "work"
    result = cli("run", "--scale", "0.01", "--days", "2", "--workdir", str(workdir))
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "no source estate" in message and "ground_truth.json" in message
    assert "make generate" in message and "python -m demo_pipeline generate" in message
    assert "Traceback" not in result.stderr
    assert not (workdir / "sources").exists() and not (workdir / "lake").exists()


def test_make_help_lists_targets():
    """`make` with no target lists every documented target."""
    result = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    listed = {line.split()[0] for line in re.sub(r"\x1b\[[0-9;]*m", "", result.stdout).splitlines()}
    assert {"site", "test", "bench", "generate", "run", "lint", "help"} <= listed


def test_the_fast_exit_keeps_the_status_and_every_line_of_output(tmp_path):
    """`python -m demo_pipeline` leaves with os._exit (no interpreter teardown): the
    command's status still reaches the shell, and output written to pipes (buffered)
    is all there, to the last line, for commands that succeed and one that fails."""
    helped = cli("--help")
    assert helped.returncode == 0
    # The same help printed by the app in an interpreter that exits the usual way.
    code = "from demo_pipeline.cli import app; app(prog_name='python -m demo_pipeline')"
    usual = subprocess.run(
        [sys.executable, "-c", code, "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert usual.returncode == 0 and usual.stdout.count("\n") > 20
    assert helped.stdout == usual.stdout
    generated = cli("generate", "--scale", "0.01", "--days", "2", "--workdir", str(tmp_path))
    assert generated.returncode == 0, generated.stderr
    assert "estate ready in" in generated.stderr
    assert re.search(r"in \d+\.\d s\s*$", generated.stderr), generated.stderr[-300:]
    missing = cli("run", "--workdir", str(tmp_path / "nowhere"))
    assert missing.returncode == 1
    assert "no source estate" in missing.stderr
