"""What every test folder shares: the fixture site (one site built from the fixture
results, tests/generators/fixture.py), built once per run and read by every module that
only reads it; a test that changes the project or the results copies it first
(`FixtureSite.copy_to`), and the copy's next build reruns only the steps whose inputs it
changed (step records name files relative to the project and the work directory)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

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


# Scheduling under `make test` (pytest-xdist, --dist loadscope: whole modules to a
# worker). pytest-xdist hands out the modules with the most tests first, which left the
# longest ones (few tests, each a whole build) for the end while the other worker idled.
# Instead: the modules below first, then every other module holding a `slow` test, then
# the rest, each group in collection order, the quick modules filling in at the end.
FIRST = ("tests/generators/test_whole_chain.py",)  # the whole chain at scale 0.01: ~1 min


def pytest_configure(config):
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist's --loadscope-reorder
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    slow_modules = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}

    def rank(item) -> int:
        module = item.nodeid.split("::")[0]
        return 0 if module in FIRST else 1 if module in slow_modules else 2

    items.sort(key=rank)  # stable: collection order within each group
