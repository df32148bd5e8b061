"""What every test folder shares, each built once per run (tests/shared.py) and read by
every module that only reads it:

- `fixture_site`: one site built from the fixture results (tests/generators/fixture.py).
  A test that changes the project or the results copies it first (`FixtureSite.copy_to`);
  the copy's next build reruns only the steps whose inputs it changed (step records name
  files relative to the project and the work directory).
- `tiny_chain`: the whole chain (`build_site` from nothing) at scale 0.01.

And the order modules are handed to pytest-xdist's workers (below)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from demo_pipeline.workdir import Workdir
from tests.generators.fixture import write_fixture_results, write_fixture_workdir
from tests.generators.project_copy import GENERATE_ONLY, build, copy_project
from tests.shared import built_once, copy_tree


@dataclass(frozen=True)
class FixtureSite:
    project: Path
    workdir: Path
    build_output: str

    @property
    def site(self) -> Path:
        return self.project / "site"

    def copy_to(self, dest: Path) -> FixtureSite:
        """A writable copy of the built project and its work directory under `dest`."""
        return FixtureSite(
            copy_tree(self.project, dest / "project"),
            copy_tree(self.workdir, dest / "wd"),
            self.build_output,
        )


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> FixtureSite:
    """Read it, never write to it: other modules (and other workers) share it."""

    def make(root: Path) -> None:
        project = copy_project(root / "project")
        workdir = write_fixture_workdir(root / "wd")
        write_fixture_results(workdir)
        result = build(project, workdir, *GENERATE_ONLY)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
        (root / "build-output.txt").write_text(result.stdout + result.stderr, encoding="utf-8")

    root = built_once(tmp_path_factory, "fixture-site", make)
    output = (root / "build-output.txt").read_text(encoding="utf-8")
    return FixtureSite(root / "project", root / "wd", output)


TINY_CHAIN_SCALE = "0.01"


@dataclass(frozen=True)
class Chain:
    project: Path
    workdir: Workdir
    stdout: str


@pytest.fixture(scope="session")
def tiny_chain(tmp_path_factory) -> Chain:
    """The whole chain, as `make site` runs it, at scale 0.01 (seed and days from
    config/demo.yaml: 42, 30) on a project copy: estate, pipeline, the quick benchmark
    profile, every generator, mkdocs. Checked by tests/generators/test_whole_chain.py;
    its work directory is the query page tests' data, and its bench results hold the
    pipeline benchmark's run (tests/bench/test_pipeline_bench.py). Read it, never write
    to it."""

    def make(root: Path) -> None:
        project = copy_project(root / "project")
        result = build(project, root / "wd", "--scale", TINY_CHAIN_SCALE)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
        (root / "build-stdout.txt").write_text(result.stdout, encoding="utf-8")

    root = built_once(tmp_path_factory, "tiny-chain", make)
    stdout = (root / "build-stdout.txt").read_text(encoding="utf-8")
    return Chain(root / "project", Workdir(root / "wd"), stdout)


# Scheduling under `make test` (pytest-xdist, --dist loadscope: whole modules to a
# worker). pytest-xdist hands out the modules with the most tests first, which left the
# longest ones (few tests, each a whole build) for the end while the other worker idled.
# Instead, each group in collection order: the modules below; every other module holding
# a `slow` or `spark` test; the modules reading the whole chain (built by then, so no
# worker waits for it); the rest, quick, filling in at the end. An explicit
# --loadscope-reorder is overridden too.
FIRST = ("tests/generators/test_whole_chain.py",)  # the whole chain at scale 0.01: ~1 min


def pytest_configure(config):
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist's --loadscope-reorder
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    def module(item) -> str:
        return item.nodeid.split("::")[0]

    slow = {
        module(item)
        for item in items
        if item.get_closest_marker("slow") or item.get_closest_marker("spark")
    }
    reads_chain = {module(item) for item in items if "tiny_chain" in item.fixturenames}

    def rank(item) -> int:
        name = module(item)
        if name in FIRST:
            return 0
        if name in reads_chain:
            return 2
        return 1 if name in slow else 3

    items.sort(key=rank)  # stable: collection order within each group
