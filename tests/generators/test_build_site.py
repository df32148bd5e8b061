"""Tests for the site build orchestrator: steps run only when their inputs change."""

from __future__ import annotations

import pytest

from generators.build_site import Step, StepRecords, check_rendered, run_steps
from generators.errors import StepError


def make_step(tmp_path, calls):
    source = tmp_path / "in.txt"
    output = tmp_path / "out.txt"
    if not source.exists():
        source.write_text("one")

    def run():
        calls.append(source.read_text())
        output.write_text(source.read_text().upper())

    return Step("copy", [source], [output], run, extra="scale=1"), source, output


def test_step_skips_when_inputs_and_outputs_are_unchanged(tmp_path):
    """A second build with nothing changed runs nothing."""
    calls = []
    step, _, _ = make_step(tmp_path, calls)
    records = StepRecords(tmp_path / "records", tmp_path)
    assert run_steps([step], records, log=lambda _: None) == ["copy"]
    assert run_steps([step], records, log=lambda _: None) == []
    assert calls == ["one"]


def test_step_reruns_when_an_input_changes(tmp_path):
    """Changing an input file (code, config or data) reruns the step."""
    calls = []
    step, source, output = make_step(tmp_path, calls)
    records = StepRecords(tmp_path / "records", tmp_path)
    run_steps([step], records, log=lambda _: None)
    source.write_text("two")
    assert run_steps([step], records, log=lambda _: None) == ["copy"]
    assert output.read_text() == "TWO"


def test_step_reruns_when_its_parameters_change(tmp_path):
    """A different scale or seed (the step's extra string) reruns the step."""
    calls = []
    step, _, _ = make_step(tmp_path, calls)
    records = StepRecords(tmp_path / "records", tmp_path)
    run_steps([step], records, log=lambda _: None)
    step.extra = "scale=0.5"
    assert run_steps([step], records, log=lambda _: None) == ["copy"]


def test_step_reruns_when_its_output_was_touched(tmp_path):
    """An output edited or deleted since the last run is rebuilt."""
    calls = []
    step, _, output = make_step(tmp_path, calls)
    records = StepRecords(tmp_path / "records", tmp_path)
    run_steps([step], records, log=lambda _: None)
    output.unlink()
    assert run_steps([step], records, log=lambda _: None) == ["copy"]


def test_a_project_and_workdir_moved_together_rebuild_nothing(tmp_path):
    """Step records name files relative to the project and the work directory: both
    moved elsewhere (a moved clone, a copied build), a step reading a project file and a
    work-directory file skips; the same work-directory file changed there still reruns."""
    import shutil

    def layout(base):
        project, workdir = base / "project", base / "wd"
        return project, workdir, [project / "page.md", workdir / "results.json"]

    def step_at(base, calls):
        project, workdir, inputs = layout(base)
        output = project / "site" / "page.html"

        def run():
            calls.append(base.name)
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text("".join(p.read_text() for p in inputs))

        records = StepRecords(workdir / "site-steps", project, workdir)
        return Step("page", inputs, [output], run), records

    calls = []
    first = tmp_path / "first"
    project, workdir, _ = layout(first)
    project.mkdir(parents=True)
    workdir.mkdir()
    (project / "page.md").write_text("page")
    (workdir / "results.json").write_text("{}")
    step, records = step_at(first, calls)
    assert run_steps([step], records, log=lambda _: None) == ["page"]

    moved = tmp_path / "moved"
    shutil.copytree(first, moved)
    shutil.rmtree(first)
    step, records = step_at(moved, calls)
    assert run_steps([step], records, log=lambda _: None) == []
    (moved / "wd" / "results.json").write_text('{"x": 1}')
    assert run_steps([step], records, log=lambda _: None) == ["page"]
    assert calls == ["first", "moved"]


def test_failed_step_is_not_recorded(tmp_path):
    """A step that raises leaves no record, so the next build tries it again."""
    records = StepRecords(tmp_path / "records", tmp_path)

    def boom():
        raise StepError("boom")

    step = Step("boom", [], [], boom)
    with pytest.raises(StepError):
        run_steps([step], records, log=lambda _: None)
    assert records.read("boom") == {}


def test_check_rendered_finds_leftover_jinja(tmp_path):
    """A built page with '{{' outside code fails the build; inside <code> it is fine."""
    (tmp_path / "ok.html").write_text("<p>fine</p><code>{{ x }}</code>")
    check_rendered(tmp_path)
    (tmp_path / "bad.html").write_text("<p>{{ metric('x') }}</p>")
    with pytest.raises(StepError, match=r"bad\.html"):
        check_rendered(tmp_path)
