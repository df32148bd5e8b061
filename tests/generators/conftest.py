"""One site built from the fixture results (tests/generators/fixture.py), shared by every
test module that only reads it: a build costs a minute or more, and five modules used to
make the same one each. A test that changes the project or the results (a page written
to break a rule, hostile data, a failing build) still makes its own copy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.generators.fixture import write_fixture_results, write_fixture_workdir
from tests.generators.project_copy import GENERATE_ONLY, build, copy_project


@dataclass(frozen=True)
class FixtureSite:
    project: Path
    workdir: Path
    build_output: str

    @property
    def site(self) -> Path:
        return self.project / "site"


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> FixtureSite:
    """Read it, never write to it: other modules share it."""
    root = tmp_path_factory.mktemp("fixture-site")
    project = copy_project(root / "project")
    workdir = write_fixture_workdir(root / "wd")
    write_fixture_results(workdir)
    result = build(project, workdir, *GENERATE_ONLY)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return FixtureSite(project, workdir, result.stdout + result.stderr)
