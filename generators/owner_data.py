"""The owner's data file (`data/owner.yaml`) and the case-study files
(`data/case_studies/*.yaml`): loading and the few checks that keep pages honest.

The owner's production figures live here and only here. They are self-reported:
pages show them with that label, never as measured. They are entered once, as base
inputs; `generators.owner_figures` computes the derived ones and checks that every
figure, here and in the pages, adds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from generators import owner_figures
from generators.errors import SourceFileError
from generators.escape import is_safe_link

OWNER_FILE = Path("data/owner.yaml")
CASE_STUDY_DIR = Path("data/case_studies")


@dataclass(frozen=True)
class ReportedFigure:
    """A production figure the owner reports from their own work."""

    key: str
    text: str
    label: str
    context: str = ""


def load_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceFileError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise SourceFileError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise SourceFileError(f"{path}: expected a mapping at the top, found {type(data).__name__}")
    return data


def load_owner(root: Path, *, check: bool = True) -> dict:
    """The owner's data file as a dict, with its required sections checked and every
    figure's `text`, `label` and `context` computed from the base inputs.

    With `check` (the default, and what every site build uses: the pages step and the
    macros both load the owner's data through here), the figures must add up, in the
    data file and in every page, ADR, post and case study that quotes them; a
    disagreement not marked as an exception raises SiteError listing all of them.
    `owner["numbers"]` gives pages the computed values to compare and project with.
    """
    path = root / OWNER_FILE
    data = load_yaml(path)
    for section in ("profile", "inputs", "figures"):
        if section not in data:
            raise SourceFileError(f"{path}: expected a '{section}' section, found none")
    for field in ("name", "role", "links"):
        if field not in data["profile"]:
            raise SourceFileError(f"{path}: profile: expected '{field}', found none")
    links = data["profile"]["links"] or {}
    if not isinstance(links, dict):
        raise SourceFileError(f"{path}: profile: links: expected a mapping, found {links!r}")
    for name, link in links.items():
        if not is_safe_link(link):
            raise SourceFileError(
                f"{path}: profile: links: {name}: expected an http(s) or mailto link, "
                f"found {str(link)!r}"
            )
    figures = owner_figures.resolve(OWNER_FILE, data)
    if check:
        owner_figures.check(figures, root)
    data["figures"] = figures.figures
    data["numbers"] = owner_figures.OwnerNumbers(figures)
    return data


def reported_figure(owner: dict, key: str, *, where: str = "") -> ReportedFigure:
    figures = owner.get("figures", {})
    if key not in figures:
        place = f"{where}: " if where else ""
        raise SourceFileError(
            f"{place}self-reported figure {key!r} is not in {OWNER_FILE} (figures: "
            f"{', '.join(sorted(figures))})"
        )
    raw = figures[key]
    return ReportedFigure(
        key=key,
        text=str(raw["text"]),
        label=str(raw.get("label", "")),
        context=str(raw.get("context", "")),
    )


def load_case_studies(root: Path) -> list[dict]:
    """Every case-study file, ordered by its `order` field then slug."""
    studies = []
    for path in sorted((root / CASE_STUDY_DIR).glob("*.yaml")):
        data = load_yaml(path)
        for field in ("title", "slug", "summary", "problem", "solution", "impact"):
            if field not in data:
                raise SourceFileError(f"{path}: expected '{field}', found none")
        if data["slug"] != path.stem:
            raise SourceFileError(
                f"{path}: slug {data['slug']!r} should match the file name {path.stem!r}"
            )
        studies.append(data)
    return sorted(studies, key=lambda d: (d.get("order", 99), d["slug"]))
