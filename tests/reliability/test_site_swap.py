"""Issue 15, item 6: the site keeps working while it is rebuilt.

A build that fails (here: a page asks for a metric no run produced) exits non-zero and
leaves the last good site/ exactly as it was, with no temporary folder behind it."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.generators.fixture import write_fixture_results, write_fixture_workdir
from tests.generators.project_copy import GENERATE_ONLY, build, copy_project
from tests.shared import copy_tree


def snapshot(site: Path) -> dict[str, str]:
    return {
        str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith("site."))


@pytest.mark.slow
def test_failed_build_leaves_the_last_good_site_in_place(fixture_site, tmp_path):
    # A copy of the shared fixture site: its first build here has nothing left to do.
    copy = fixture_site.copy_to(tmp_path)
    project, workdir = copy.project, copy.workdir
    first = build(project, workdir, *GENERATE_ONLY)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-5000:]
    site = project / "site"
    good = snapshot(site)
    assert "index.html" in good and "extra/index.html" not in good
    assert leftovers(project) == []

    (project / "docs" / "extra.md").write_text('# Extra\n\n{{ metric("bench.not_a_key.x") }}\n')
    second = build(project, workdir, *GENERATE_ONLY)
    assert second.returncode != 0, second.stdout
    assert "metric 'bench.not_a_key.x' is not in the catalogue" in second.stdout + second.stderr
    assert snapshot(site) == good, "the failed build changed the last good site/"
    assert leftovers(project) == [], "a temporary folder was left behind"

    # Fixed, the next build replaces the site and leaves nothing behind either.
    (project / "docs" / "extra.md").unlink()
    about = project / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nRebuilt after the fix.\n")
    third = build(project, workdir, *GENERATE_ONLY)
    assert third.returncode == 0, third.stdout[-3000:] + third.stderr[-5000:]
    assert "Rebuilt after the fix." in (site / "about" / "index.html").read_text(encoding="utf-8")
    assert leftovers(project) == []


@pytest.mark.slow
def test_disk_full_during_the_site_build_says_so_and_keeps_the_last_good_site(
    fixture_site, tmp_path
):
    """The project sits on a real tmpfs; after a good build the disk is filled to within
    a few kilobytes. The next build stops with the disk named (not mkdocs' traceback),
    site/ is the last good one, and with the space back the build succeeds."""
    from tests.reliability.support import no_traceback, tmpfs

    with tmpfs(tmp_path, "256m") as disk:
        # The shared fixture site copied onto the small disk (its work directory beside
        # it, off the disk): the good build here has nothing left to do.
        project = copy_tree(fixture_site.project, disk / "project")
        workdir = copy_tree(fixture_site.workdir, tmp_path / "wd")
        first = build(project, workdir, *GENERATE_ONLY)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-5000:]
        site = project / "site"
        good = snapshot(site)

        about = project / "docs" / "about.md"
        about.write_text(about.read_text(encoding="utf-8") + "\nA change to rebuild.\n")
        filler = disk / "filler"
        with open(filler, "wb") as fh:
            free = shutil.disk_usage(disk).free
            os.posix_fallocate(fh.fileno(), 0, free - 64 * 1024)
        full = build(project, workdir, *GENERATE_ONLY)

        assert full.returncode == 1, full.stdout[-3000:]
        assert no_traceback(full)
        assert "disk full" in full.stderr and "Free some disk space" in full.stderr
        assert snapshot(site) == good
        assert leftovers(project) == []

        filler.unlink()
        again = build(project, workdir, *GENERATE_ONLY)
        assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-5000:]
        assert "A change to rebuild." in (site / "about" / "index.html").read_text(encoding="utf-8")


def test_owner_data_missing_a_field_a_page_needs_is_named(tmp_path):
    """`profile.name` removed from data/owner.yaml: the build stops at once, naming the
    file and the key, with no traceback and no page written."""
    import yaml

    from tests.reliability.support import no_traceback

    project = copy_project(tmp_path / "project")
    owner_file = project / "data" / "owner.yaml"
    owner = yaml.safe_load(owner_file.read_text(encoding="utf-8"))
    del owner["profile"]["name"]
    owner_file.write_text(yaml.safe_dump(owner, allow_unicode=True), encoding="utf-8")
    workdir = write_fixture_workdir(tmp_path / "wd")
    write_fixture_results(workdir)

    result = build(project, workdir, "--only", "pages")

    assert result.returncode == 1
    assert no_traceback(result)
    assert "data/owner.yaml" in result.stderr and "profile.name" in result.stderr
    assert not (project / "site").exists()
