"""The estate a seed makes does not change when its generator is made faster.

`golden_digests.json` holds the digests (tests/estate/digests.py) of the tiny estate
as the generator made it before the generation speed-up of issue 17:
every file but the ERP by its bytes, the ERP by the rows of every relation it offers
(the physical table behind the inventory view is allowed to change its layout).
A change that alters any row, file or column fails here; regenerate the file only for
an intended change of the generated data, and say so in the commit.

The build makes the orders feed in a forked child where it can (forked.py) and in
its own process otherwise; both ways are checked against the same digests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from demo_pipeline.workdir import Workdir
from tests.estate.conftest import TINY, build
from tests.estate.digests import estate_digests

GOLDEN = Path(__file__).with_name("golden_digests.json")


def _changed(sources: Path) -> list[str]:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    found = estate_digests(sources)
    return sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))


def _feed_by(workdir: Workdir) -> str:
    (log,) = sorted(workdir.logs.glob("generate-*.jsonl"))
    events = [json.loads(line) for line in log.read_text().splitlines()]
    return next(e["feed_by"] for e in events if e["event"] == "estate.processes")


def test_the_tiny_estate_is_the_one_the_generator_made_before(tiny_estate):
    _, workdir = tiny_estate
    assert not _changed(workdir.sources), "estate output changed for the same seed"


def test_one_process_makes_the_same_estate(tmp_path):
    """Without the forked child (both halves in this process): the same digests."""
    _, workdir = build(tmp_path, fork=False)
    assert _feed_by(workdir) == "this process"
    assert not (changed := _changed(workdir.sources)), changed


def test_the_generate_command_forks_and_makes_the_same_estate(tmp_path):
    """`generate` in a fresh process forks the orders feed off: the same digests."""
    args = ["--seed", str(TINY["seed"]), "--scale", str(TINY["scale"]), "--days", str(TINY["days"])]
    result = subprocess.run(
        [sys.executable, "-m", "demo_pipeline", "generate", *args, "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    workdir = Workdir(tmp_path)
    assert _feed_by(workdir) == "forked child"
    assert not (changed := _changed(workdir.sources)), changed
