"""Issue 15, item 4: every failure path ends in one clear message, never a traceback.

Each test provokes one kind of failure for real (a tmpfs that fills up or is read-only,
a file where a folder should be, a config that is not UTF-8, a port taken by a real
socket, a PATH without graphviz) and checks the exit code, that the message names what
failed, what was expected or found and what to do, and what is left behind. Before this
work each of them ended in a Python traceback (exit 1, the real cause often buried under
a secondary error), apart from the port (mkdocs' own traceback) and the missing tool
(a traceback from the graphviz binding in the middle of the site build).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.conftest import FLAGS
from tests.reliability.support import (
    REPO,
    assert_same_data,
    cli,
    no_traceback,
    one_line,
    resize,
    tmpfs,
)

# `reference` (tests/reliability/conftest.py): an estate with these flags and a clean
# 2-day run of it, what a rerun after a failure must equal.

pytestmark = pytest.mark.slow


def disk_usage_kib(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) // 1024


def test_disk_full_during_generate_says_so_and_keeps_nothing_half_written(tmp_path):
    with tmpfs(tmp_path, "300k") as disk:
        result = cli("generate", *FLAGS, "--workdir", str(disk / "wd"))

        assert result.returncode == 1
        assert no_traceback(result)
        message = one_line(result)
        assert "disk full" in message and str(disk / "wd") in message
        assert "Free some disk space" in message
        # No estate is recorded, so `run` will not trust a half-made one.
        assert not (disk / "wd" / "sources" / "ground_truth.json").exists()


def test_disk_full_during_run_then_a_rerun_with_space_equals_the_reference(reference, tmp_path):
    sources_kib = disk_usage_kib(reference / "sources")
    with tmpfs(tmp_path, f"{sources_kib + 160}k") as disk:
        wd = disk / "wd"
        shutil.copytree(reference / "sources", wd / "sources")

        full = cli("run", "--workdir", str(wd))

        assert full.returncode == 1, full.stderr
        assert no_traceback(full)
        assert "disk full" in one_line(full) and str(wd) in one_line(full)

        resize(disk, "64m")  # the user frees space, then runs the same command again
        again = cli("run", "--workdir", str(wd))

        assert again.returncode == 0, again.stderr
        assert_same_data(wd, reference)


def test_a_read_only_work_directory_is_named(tmp_path):
    with tmpfs(tmp_path, "1m", read_only=True) as disk:
        result = cli("generate", *FLAGS, "--workdir", str(disk / "wd"))

    assert result.returncode == 1
    assert no_traceback(result)
    assert "read-only file system" in one_line(result).lower()
    assert str(disk / "wd") in one_line(result)


def test_a_work_directory_that_is_a_file_is_named(tmp_path):
    not_a_folder = tmp_path / "wd"
    not_a_folder.write_text("a file where the work directory should be\n")

    result = cli("generate", *FLAGS, "--workdir", str(not_a_folder))

    assert result.returncode == 1
    assert no_traceback(result)
    assert "expected a writable folder" in one_line(result)
    assert "found: a file of that name" in one_line(result)
    assert not_a_folder.read_text().startswith("a file")


def test_a_config_that_is_not_utf8_stops_before_anything_is_written(tmp_path):
    config = tmp_path / "latin1.yaml"
    config.write_bytes("estate:\n  seed: 42  # café\n".encode("latin-1"))

    result = cli("generate", "--config", str(config), "--workdir", str(tmp_path / "wd"))

    assert result.returncode == 2
    assert no_traceback(result)
    assert str(config) in one_line(result) and "expected UTF-8" in one_line(result)
    assert "0xe9" in one_line(result)
    assert not (tmp_path / "wd").exists()


@pytest.mark.parametrize("text", ["- a list\n- not a mapping\n", "just a sentence\n"])
def test_a_config_that_is_not_a_mapping_stops_before_anything_is_written(tmp_path, text):
    config = tmp_path / "list.yaml"
    config.write_text(text, encoding="utf-8")

    result = cli("run", "--config", str(config), "--workdir", str(tmp_path / "wd"))

    assert result.returncode == 2
    assert "expected a mapping" in one_line(result) and str(config) in one_line(result)
    assert not (tmp_path / "wd").exists()


# A real run with a bug planted in it: the first day's run raises an error the demo does
# not expect.
PLANTED_BUG = """
import sys
import demo_pipeline.pipeline.runner as runner
def broken(*args, **kwargs):
    raise ZeroDivisionError("a planted bug")
runner.start_day = broken
sys.argv = ["demo_pipeline", *sys.argv[1:]]
from demo_pipeline.cli import app
app()
"""


def test_an_unexpected_error_is_one_line_and_its_traceback_is_saved(reference, tmp_path):
    wd = Path(shutil.copytree(reference, tmp_path / "wd"))
    result = subprocess.run(
        [sys.executable, "-c", PLANTED_BUG, "run", "--workdir", str(wd), "--day", "2026-11-02"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "DEMO_PIPELINE_TRACEBACK"},
    )

    assert result.returncode == 70
    assert no_traceback(result)
    message = one_line(result)
    assert "unexpected error: ZeroDivisionError: a planted bug" in message
    saved = Path(message.split("the traceback is in ")[1].split()[0].rstrip(";"))
    assert "Traceback (most recent call last)" in saved.read_text(encoding="utf-8")
    saved.unlink()


def test_run_without_an_estate_names_the_command_that_makes_it(tmp_path):
    result = cli("run", *FLAGS, "--workdir", str(tmp_path / "wd"))

    assert result.returncode == 1
    assert "no source estate" in one_line(result)
    assert "python -m demo_pipeline generate" in one_line(result)


def test_bench_without_gold_names_the_command_that_makes_it(tmp_path):
    result = cli("bench", "--workdir", str(tmp_path / "wd"), "--profile", "quick")

    assert result.returncode == 1
    assert no_traceback(result)
    assert "run" in one_line(result) and not (tmp_path / "wd").exists()


def test_serve_on_a_port_in_use_says_which_and_how_to_choose_another():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "generators.serve", "--port", str(port)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"PORT={port + 1}" in result.stderr


def test_a_missing_system_tool_is_named_before_the_site_build_starts(tmp_path):
    """graphviz's `dot` is not on PATH: the build names it and its package at once."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    result = subprocess.run(
        [
            str(bin_dir / "python"),
            "-m",
            "generators.build_site",
            "--workdir",
            str(tmp_path / "wd"),
            "--only",
            "diagrams",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": str(bin_dir)},
    )

    assert result.returncode == 1
    assert no_traceback(result)
    assert "needs `dot`" in result.stderr and "graphviz" in result.stderr
    assert not (tmp_path / "wd").exists()


def test_a_lake_from_another_estate_is_not_extended(reference, tmp_path):
    """`generate` with another seed on a work directory that holds a lake: before this
    check, `run` added the new estate's days to the old estate's lake and exited 0."""
    wd = Path(shutil.copytree(reference, tmp_path / "wd"))
    other = ("--seed", "7", "--scale", "0.01", "--days", "2")
    assert cli("generate", *other, "--workdir", str(wd)).returncode == 0

    result = cli("run", "--workdir", str(wd))

    assert result.returncode == 1
    message = one_line(result)
    assert "built from another estate (seed 42 scale 0.01)" in message
    assert "seed 7" in message and "--from-scratch" in message
    assert cli("run", "--workdir", str(wd), "--from-scratch").returncode == 0


def test_a_lock_left_by_a_dead_process_does_not_block_the_next_run(reference, tmp_path):
    """The lock is an flock, released by the kernel when its holder dies: the file a
    killed run leaves behind (with its pid) blocks nobody."""
    wd = Path(shutil.copytree(reference, tmp_path / "wd"))
    (wd / ".pipeline.lock").write_text(
        '{"pid": 999999, "command": "python -m demo_pipeline run", "since": "2026-11-01"}\n'
    )

    result = cli("run", "--workdir", str(wd), "--day", "2026-11-02")

    assert result.returncode == 0, result.stderr
