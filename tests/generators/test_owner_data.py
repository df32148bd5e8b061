"""The owner data model (generators/owner_data.py): the shipped file validates, and bad
input is reported with the file, the key path, what was expected and what was found.
Values from the data reach the home page sections and the CV escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generators import cv, home
from generators.errors import SourceFileError
from generators.owner_data import OWNER_FILE, featured_case_study, load_case_studies, load_owner
from generators.project import REPO_ROOT
from tests.generators.project_copy import copy_project


@pytest.fixture(scope="module")
def shipped() -> dict:
    return load_owner(REPO_ROOT, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Only the data folder: the model needs nothing else."""
    (tmp_path / "data").mkdir()
    (tmp_path / OWNER_FILE).write_text((REPO_ROOT / OWNER_FILE).read_text(encoding="utf-8"))
    return tmp_path


def edit(project: Path, change) -> None:
    path = project / OWNER_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def error_of(project: Path) -> str:
    with pytest.raises(SourceFileError) as info:
        load_owner(project, check=False)
    return str(info.value)


def test_shipped_data_is_a_finished_looking_marked_example(shipped):
    """Every section the home page and the CV show is filled, and marked as an example."""
    assert shipped["profile"]["placeholder"] is True
    assert len(shipped["headline_outcomes"]) == 3
    assert all(key in shipped["figures"] for key in shipped["headline_outcomes"])
    assert shipped["experience"] and all(
        2 <= len(job["outcomes"]) <= 4 for job in shipped["experience"]
    )
    assert all("example" in job["employer"].lower() for job in shipped["experience"])
    for section in ("education", "certifications", "talks", "writing"):
        assert shipped[section], section
    links = shipped["profile"]["links"]
    assert links["github"] and links["repository"] and links["email"]
    assert shipped["profile"]["availability"]


def test_production_platform_passes_through_unvalidated(project):
    """Another module owns that section's schema; this model lets any shape through."""
    edit(project, lambda d: d.update(production_platform={"anything": ["goes", 1]}))
    assert load_owner(project, check=False)["production_platform"] == {"anything": ["goes", 1]}


def test_missing_field_names_file_key_path_and_found(project):
    edit(project, lambda d: d["experience"][1].pop("role"))
    assert f"{OWNER_FILE}: experience[1].role: expected a value, found nothing" in error_of(project)


def test_every_problem_is_reported_at_once(project):
    def change(d):
        d["profile"].pop("availability")
        d["experience"][0]["outcomes"] = "Built things."
        d["education"][0]["end"] = "March"
        d["headline_outcomes"] = d["headline_outcomes"][:2]

    edit(project, change)
    message = error_of(project)
    assert "profile.availability: expected a value, found nothing" in message
    assert "experience[0].outcomes: expected a list, found 'Built things.'" in message
    assert (
        "education[0].end: expected a year or year and month such as 2021 or 2021-03, found 'March'"
    ) in message
    assert "headline_outcomes: expected at least 3 entries, found 2 entries" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["experience"][0].update(outcomes=["Only one."]),
            "experience[0].outcomes: expected at least 2 entries, found 1 entry",
        ),
        (
            lambda d: d["experience"][1].update(current=True),
            "experience[1]: expected either 'end' or 'current: true', found both",
        ),
        (
            lambda d: d["experience"][0].pop("current"),
            "experience[0]: expected 'end' (a year or year-month) or 'current: true', "
            "found neither",
        ),
        (
            lambda d: d["experience"][1].update(start="2023-01"),
            "experience[1]: expected 'end' after 'start', found 2023-01 to 2022-02",
        ),
        (
            lambda d: d["profile"]["links"].update(github="javascript:alert(1)"),
            "profile.links.github: expected an http(s) or mailto link, found 'javascript:alert(1)'",
        ),
        (
            lambda d: d["profile"]["links"].update(email="mailto:me@example.com"),
            "profile.links.email: expected an email address",
        ),
        (
            lambda d: d.update(experiance=[]),
            "experiance: expected one of the known keys (profile, headline_outcomes, "
            "featured_case_study, experience,",
        ),
        (
            lambda d: d["headline_outcomes"].__setitem__(0, "lakehouse.nope"),
            "headline_outcomes[0]: expected a key of 'figures'",
        ),
        (
            lambda d: d["experience"][0]["figures"].append("team.nope"),
            "experience[0].figures[4]: expected a key of 'figures'",
        ),
        (
            lambda d: d["experience"][0]["outcomes"].append("Saved $900 per month."),
            "experience[0].outcomes[3]: expected no typed figure",
        ),
    ],
)
def test_bad_input_is_named(project, change, expected):
    edit(project, change)
    message = error_of(project)
    assert str(OWNER_FILE) in message
    assert expected in message


def test_featured_case_study_is_the_named_one_or_an_error(shipped, tmp_path):
    studies = load_case_studies(REPO_ROOT)
    assert featured_case_study(shipped, studies)["slug"] == shipped["featured_case_study"]
    without = {**shipped, "featured_case_study": None}
    assert featured_case_study(without, studies)["featured"] is True
    with pytest.raises(SourceFileError, match="featured_case_study: expected the slug"):
        featured_case_study({**shipped, "featured_case_study": "nope"}, studies)


HOSTILE = '<script>alert(1)</script> {{ config }} [x](javascript:y) | "q"'


def test_hostile_values_reach_home_sections_and_cv_escaped(tmp_path):
    project = copy_project(tmp_path / "project")

    def change(d):
        d["profile"]["name"] = HOSTILE
        d["profile"]["availability"] = HOSTILE
        d["experience"][0]["employer"] = HOSTILE
        d["experience"][0]["outcomes"][0] = "<b>bold</b> {% raw %} and {{ owner }}"
        d["talks"][0]["title"] = HOSTILE

    edit(project, change)
    owner = load_owner(project, check=False)
    outputs = {
        "hero": home.render_hero(owner, pdf=True),
        "timeline": home.render_timeline(owner),
        "cv page": cv.render_page(owner, pdf=True),
        "cv document": cv.render_document(owner),
    }
    for name, out in outputs.items():
        for raw in ("<script>", "<b>bold", "{{ config", "{{ owner", "{% raw", "[x](javascript"):
            assert raw not in out, f"{name}: {raw!r} unescaped"
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out, name
    # The macro calls the sections make on purpose are still there, one per figure.
    assert outputs["hero"].count('{{ reported("') == 3


def test_a_cv_kept_elsewhere_is_the_home_pages_download(shipped):
    """`links.cv` replaces the PDF made here as the download; without either, no button."""
    made_here = home.render_hero(shipped, pdf=True)
    assert f"[Download my CV]({cv.PDF_DIR}/{cv.PDF_NAME})" in made_here
    links = {**shipped["profile"]["links"], "cv": "https://example.com/my-cv.pdf"}
    elsewhere = {**shipped, "profile": {**shipped["profile"], "links": links}}
    assert "[Download my CV](https://example.com/my-cv.pdf)" in home.render_hero(
        elsewhere, pdf=True
    )
    assert "Download my CV" not in home.render_hero(shipped, pdf=False)
