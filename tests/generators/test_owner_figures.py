"""Self-reported figures that add up: base inputs, computed figures, and the consistency
check every site build runs (on real copies of the project's files, no mocks)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generators.errors import SiteError, SourceFileError
from generators.owner_data import OWNER_FILE, load_owner
from generators.owner_figures import parse_quantity
from generators.project import REPO_ROOT
from tests.generators.fixture import write_fixture_results, write_fixture_workdir
from tests.generators.project_copy import build, copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def edit_owner(project: Path, change) -> None:
    """Load the copy's owner file, let `change` edit the dict, write it back."""
    path = project / OWNER_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def error_of(project: Path) -> str:
    with pytest.raises(SiteError) as info:
        load_owner(project)
    return str(info.value)


def test_shipped_data_and_pages_pass():
    """The repository's owner file, pages, ADRs, posts and case studies agree."""
    owner = load_owner(REPO_ROOT)
    assert owner["figures"]["lakehouse.uptime"]["text"].endswith("%")


def test_derived_figures_are_computed_from_inputs_and_truncated(project):
    """Percentages, speed-ups and savings come from the base inputs; percentages are
    truncated to the precision shown, never rounded up."""

    def inputs(data):
        data["inputs"].update(
            {
                "reporting_period": "365 days",
                "downtime": "6 days",
                "processing_before": "4 h",
                "processing_after": "30 min",
                "data_age_before": "48 h",
                "data_age_after": "2–4 h",
                "query_before": "2 min",
                "query_after": "3 s",
                "redshift_quote": "$2,500 per month",
                "platform_cost": "$120 per month",
            }
        )

    edit_owner(project, inputs)
    figures = load_owner(project)["figures"]
    assert figures["lakehouse.uptime"]["text"] == "98.3 %"  # 98.356 %
    assert figures["lakehouse.uptime"]["context"] == "6 days of downtime in total."
    assert figures["lakehouse.processing_reduction"]["text"] == "87 %"  # 87.5 %
    assert figures["lakehouse.freshness"]["context"] == "The data's age fell by 91–95 %."
    assert figures["cost.query_time"]["context"] == "40× faster."
    assert figures["cost.annual_savings"]["text"] == "$28,560 a year"


def test_typed_figure_in_the_data_file_that_disagrees_fails(project):
    """A figure whose text is typed in, and contradicts what its inputs give, is reported
    with both places and both values."""

    def typed(data):
        data["figures"]["lakehouse.uptime"]["text"] = "98.7 %"

    edit_owner(project, typed)
    message = error_of(project)
    assert "data/owner.yaml figures.lakehouse.uptime.text: '98.7 %' contradicts uptime" in message
    assert "inputs (reporting_period = 12 months, downtime = 6 days): 98.3 %" in message


def test_inputs_that_cannot_both_be_true_fail(project):
    """Downtime longer than its period is reported naming both inputs and values."""

    def longer(data):
        data["inputs"]["downtime"] = "400 days"

    edit_owner(project, longer)
    message = error_of(project)
    assert "data/owner.yaml inputs.downtime" in message
    assert "inputs.downtime (400 days) against data/owner.yaml inputs.reporting_period" in message


def test_page_with_a_contradicting_dollar_amount_fails(project):
    """A page that types "$900 per month" for the analytics database contradicts the
    owner's figure; the message names the page and line, the data file's key and both
    values."""
    page = project / "docs" / "extra.md"
    page.write_text(
        "# Extra\n\nRunning a separate analytics database would have cost $900 per month.\n",
        encoding="utf-8",
    )
    message = error_of(project)
    assert (
        "docs/extra.md:3: '$900 per month' contradicts data/owner.yaml inputs.analytics_db "
        "($800 per month)" in message
    )


def test_adr_and_cost_page_quoting_different_monthly_costs_fails(project):
    """A monthly cost typed into an ADR that differs from the one the cost page quotes
    (through reported()) is reported against the owner's input."""
    adr = project / "adr" / "0005-on-premises-duckdb-over-cloud-warehouse.md"
    text = adr.read_text(encoding="utf-8")
    adr.write_text(text + "\nThe current setup's running cost was $150/month.\n", encoding="utf-8")
    message = error_of(project)
    line = text.count("\n") + 2
    assert f"adr/0005-on-premises-duckdb-over-cloud-warehouse.md:{line}: '$150/month'" in message
    assert "inputs.platform_cost ($120 per month)" in message


def test_hand_typed_copy_names_the_macro_to_use(project):
    """A page that copies an owner figure by hand is told which reported() call to use,
    and an uptime typed next to the word "uptime" is recognised too."""
    (project / "docs" / "extra.md").write_text(
        "# Extra\n\nThe Redshift quote was $2,500 a month.\n\nUptime was 98.7 % over a year.\n",
        encoding="utf-8",
    )
    message = error_of(project)
    assert "docs/extra.md:3: '$2,500 a month' is typed by hand and duplicates" in message
    assert '{{ reported("cost.redshift_quote") }}' in message
    assert "docs/extra.md:5: '98.7 %' contradicts uptime" in message


def test_figures_inside_macro_calls_and_code_are_not_reported(project):
    """Quoting through reported() or showing a number in code is not a hand-typed figure."""
    (project / "docs" / "extra.md").write_text(
        '# Extra\n\nThe quote was {{ reported("cost.redshift_quote") }}.\n\n'
        "```yaml\nbudget: $900 per month\n```\n",
        encoding="utf-8",
    )
    load_owner(project)


def test_marked_exception_is_accepted_and_a_stale_one_is_reported(project):
    """A disagreement listed under exceptions with a reason passes; an exception that
    matches nothing fails, so stale ones do not pile up."""
    (project / "docs" / "extra.md").write_text(
        "# Extra\n\nAn older analytics database quote was $900 per month.\n", encoding="utf-8"
    )

    def accept(data):
        data["exceptions"] = [
            {
                "where": "docs/extra.md",
                "found": "$900 per month",
                "reason": "an older quote, kept to show how the estimate changed",
            }
        ]

    edit_owner(project, accept)
    load_owner(project)

    (project / "docs" / "extra.md").unlink()
    message = error_of(project)
    assert "exceptions[0] (where 'docs/extra.md', found '$900 per month') matches no" in message


def test_exception_without_a_reason_is_rejected(project):
    def no_reason(data):
        data["exceptions"] = [{"where": "docs/extra.md", "found": "$900 per month", "reason": ""}]

    edit_owner(project, no_reason)
    with pytest.raises(SourceFileError, match=r"exceptions\.0\.reason: .*expected a reason"):
        load_owner(project)


def test_malformed_input_names_file_key_expected_and_found(project):
    def bad(data):
        data["inputs"]["downtime"] = "six days"

    edit_owner(project, bad)
    with pytest.raises(SourceFileError) as info:
        load_owner(project)
    message = str(info.value)
    assert "data/owner.yaml: inputs.downtime: expected a number with a unit" in message
    assert "found 'six days'" in message


def test_unknown_placeholder_names_figure_and_choices(project):
    def unknown(data):
        data["figures"]["lakehouse.uptime"]["text"] = "{uptme}"

    edit_owner(project, unknown)
    with pytest.raises(SourceFileError, match=r"figures\.lakehouse\.uptime\.text: \{uptme\}"):
        load_owner(project)


def test_computed_value_typed_as_an_input_is_rejected(project):
    def typed(data):
        data["inputs"]["uptime"] = "98.7 %"

    edit_owner(project, typed)
    with pytest.raises(SourceFileError, match=r"inputs\.uptime: 'uptime' is computed"):
        load_owner(project)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("6 days", "6 days"),
        ("1 month", "1 month"),
        ("$2,500 per month", "$2,500 per month"),
        ("$0.10 per GB per month", "$0.10 per GB and month"),
        ("2–5 GB a day", "2–5 GB a day"),
        ("95 %", "95 %"),
        ("1,500+", "1,500+"),
    ],
)
def test_inputs_parse_and_show_in_their_own_words(text, shown):
    assert parse_quantity(text).text() == shown


@pytest.mark.slow
def test_site_build_fails_on_a_seeded_contradiction(tmp_path):
    """`build_site` stops on a page that contradicts an owner figure, naming both."""
    project = copy_project(tmp_path / "project")
    workdir = write_fixture_workdir(tmp_path / "wd")
    write_fixture_results(workdir)
    (project / "docs" / "extra.md").write_text(
        "# Extra\n\nThe analytics database would have cost $900 per month.\n", encoding="utf-8"
    )
    result = build(project, workdir, "--only", "pages")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "owner figures disagree" in output
    assert "docs/extra.md:3: '$900 per month' contradicts" in output
    assert "inputs.analytics_db ($800 per month)" in output
