"""The owner's data file (`data/owner.yaml`) and the case-study files
(`data/case_studies/*.yaml`): loading, and the model that keeps pages honest.

`data/owner.yaml` is validated by one pydantic model (`OwnerFile`): the profile and its
links, the experience timeline, education, certifications, talks, writing, the three
headline outcomes, and the self-reported figures. A problem is reported the project's
way: the file, the key path (`experience[0].role`), what was expected and what was
found, every problem at once.

The owner's production figures live here and only here. They are self-reported:
pages show them with that label, never as measured. They are entered once, as base
inputs; `generators.owner_figures` computes the derived ones and checks that every
figure, here and in the pages, adds up. For the same reason an experience bullet or a
headline never types a number: it names figure keys instead.

The `production_platform` section belongs to `generators.production_platform`, which
validates it; this model only lets it through.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

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


# ---------------------------------------------------------------------------------------
# Field types
# ---------------------------------------------------------------------------------------


def _link(value: str) -> str:
    if not is_safe_link(value):
        raise ValueError(f"expected an http(s) or mailto link, found {value!r}")
    return value


def _email(value: str) -> str:
    # Pages add the `mailto:` themselves; a scheme or a space here would break the link.
    if not re.fullmatch(r"[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+", value):
        raise ValueError(f"expected an email address such as you@example.com, found {value!r}")
    return value


def _month(value: Any) -> str:
    """`2021`, `2021-03` or a YAML date, kept as `YYYY` or `YYYY-MM` (what pages show)."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", text):
        raise ValueError(
            f"expected a year or year and month such as 2021 or 2021-03, found {value!r}"
        )
    return text


def _no_typed_figure(value: str) -> str:
    """Prose in the timeline, the CV and the headlines never types a figure: a number
    typed here would escape the consistency check that every figure adds up."""
    tokens = owner_figures.find_tokens(value)
    if tokens:
        raise ValueError(
            f"expected no typed figure (enter it under inputs and figures, and list its key "
            f"under 'figures:'), found {tokens[0].text!r} in {value!r}"
        )
    return value


Text = Annotated[str, Field(min_length=1)]
Prose = Annotated[str, Field(min_length=1), AfterValidator(_no_typed_figure)]
Link = Annotated[str, AfterValidator(_link)]
Email = Annotated[str, AfterValidator(_email)]
Month = Annotated[str, BeforeValidator(_month)]


class Strict(BaseModel):
    """A section whose unknown keys are errors: a misspelt key would otherwise vanish."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Links(Strict):
    email: Email
    github: Link
    repository: Link = Field(description="the repository this site is built from")
    linkedin: Link | None = None
    cv: Link | None = Field(default=None, description="a CV kept elsewhere; the site makes one")


class Profile(Strict):
    placeholder: bool = False
    name: Text
    role: Text
    headline: Text
    location: Text
    summary: Text
    availability: Text
    links: Links
    stack: list[Text] = []


class Experience(Strict):
    employer: Text
    role: Text
    location: str = ""
    start: Month
    end: Month | None = None
    current: bool = False
    outcomes: list[Prose] = Field(min_length=2, max_length=4)
    figures: list[Text] = []

    @model_validator(mode="after")
    def _one_end(self) -> Experience:
        if self.current and self.end:
            raise ValueError(f"expected either 'end' or 'current: true', found both ({self.end})")
        if not self.current and not self.end:
            raise ValueError(
                "expected 'end' (a year or year-month) or 'current: true', found neither"
            )
        if self.end and self.end < self.start:
            raise ValueError(f"expected 'end' after 'start', found {self.start} to {self.end}")
        return self


class Education(Strict):
    institution: Text
    qualification: Text
    start: Month | None = None
    end: Month
    note: str = ""


class Certification(Strict):
    name: Text
    issuer: Text
    year: Month
    link: Link | None = None


class Talk(Strict):
    title: Text
    event: Text
    year: Month
    link: Link | None = None


class Writing(Strict):
    title: Text
    where: Text
    year: Month
    link: Link | None = None


class OwnerFile(Strict):
    """The whole of `data/owner.yaml`."""

    profile: Profile
    headline_outcomes: list[Text] = Field(min_length=3, max_length=3)
    featured_case_study: str | None = None
    experience: list[Experience] = Field(min_length=1)
    education: list[Education] = []
    certifications: list[Certification] = []
    talks: list[Talk] = []
    writing: list[Writing] = []
    # Validated in depth by generators.owner_figures (units, templates, the check).
    inputs: dict[str, Any]
    figures: dict[str, Any]
    exceptions: list[Any] = []
    # Owned and validated by generators.production_platform; passed through as it is.
    production_platform: Any = None


# ---------------------------------------------------------------------------------------
# Errors in the project's words
# ---------------------------------------------------------------------------------------


def key_path(loc: tuple) -> str:
    """`('experience', 0, 'role')` as `experience[0].role`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "constrained-")):
            out += f".{part}" if out else str(part)
    return out or "(top)"


EXPECTED = {
    "missing": "expected a value",
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "string_too_short": "expected some text",
}


def _expected(err: dict) -> str:
    kind = err["type"]
    if kind in ("too_short", "too_long") and "ctx" in err:
        ctx = err["ctx"]
        lo, hi = ctx.get("min_length"), ctx.get("max_length")
        if kind == "too_short":
            return f"expected at least {lo} entries"
        return f"expected at most {hi} entries"
    if kind == "value_error":
        # Our validators phrase their own "expected ..., found ..." message.
        return str(err["ctx"]["error"])
    return EXPECTED.get(kind, f"expected {err['msg'][0].lower()}{err['msg'][1:]}")


def _found(err: dict) -> str:
    if err["type"] == "missing":
        return "nothing"
    value = err.get("input")
    if isinstance(value, list):
        return f"{len(value)} {'entry' if len(value) == 1 else 'entries'}"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _known_keys(loc: tuple) -> list[str]:
    """The keys the model accepts where an unknown one was found (for a misspelling)."""
    model: type[BaseModel] | None = OwnerFile
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        annotation = model.model_fields[str(part)].annotation
        inner = getattr(annotation, "__args__", (annotation,))[0]
        model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    return list(model.model_fields) if model else []


def validation_message(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = key_path(err["loc"])
        expected = _expected(err)
        if err["type"] == "extra_forbidden":
            known = ", ".join(_known_keys(err["loc"]))
            lines.append(
                f"{path}: {where}: expected one of the known keys ({known}), "
                f"found {err['loc'][-1]!r}, which is not one (a misspelling?)"
            )
        elif err["type"] == "value_error" and "found" in expected:
            lines.append(f"{path}: {where}: {expected}")
        else:
            lines.append(f"{path}: {where}: {expected}, found {_found(err)}")
    return "\n".join(dict.fromkeys(lines))


def _check_figure_keys(path: Path, model: OwnerFile) -> None:
    """Every figure key the headlines and the timeline name is one `figures` defines."""
    known = set(model.figures)
    uses = [(f"headline_outcomes[{i}]", key) for i, key in enumerate(model.headline_outcomes)]
    for i, job in enumerate(model.experience):
        uses += [(f"experience[{i}].figures[{j}]", key) for j, key in enumerate(job.figures)]
    problems = [
        f"{path}: {where}: expected a key of 'figures' (such as {sorted(known)[0]}), found {key!r}"
        for where, key in uses
        if key not in known
    ]
    if problems:
        raise SourceFileError("\n".join(problems))


def load_owner(root: Path, *, check: bool = True) -> dict:
    """The owner's data file as a dict, validated by `OwnerFile`, with every figure's
    `text`, `label` and `context` computed from the base inputs.

    With `check` (the default, and what every site build uses: the pages step and the
    macros both load the owner's data through here), the figures must add up, in the
    data file and in every page, ADR, post and case study that quotes them; a
    disagreement not marked as an exception raises SiteError listing all of them.
    `owner["numbers"]` gives pages the computed values to compare and project with.
    """
    path = root / OWNER_FILE
    raw = load_yaml(path)
    try:
        model = OwnerFile.model_validate(raw)
    except ValidationError as exc:
        raise SourceFileError(validation_message(OWNER_FILE, exc)) from exc
    _check_figure_keys(OWNER_FILE, model)
    figures = owner_figures.resolve(OWNER_FILE, raw)
    if check:
        owner_figures.check(figures, root)
    # Pages read a plain dict (mkdocs-macros, the generators); the sections this model
    # owns come normalised (dates as text, defaults filled), the others as written.
    data = {**raw, **model.model_dump(exclude={"inputs", "figures", "exceptions"})}
    data["production_platform"] = raw.get("production_platform")
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


def featured_case_study(owner: dict, studies: list[dict]) -> dict | None:
    """The study the home page features: `featured_case_study` in the owner's file, else
    the first marked `featured: true`, else the first. An unknown slug is an error."""
    slug = owner.get("featured_case_study")
    if slug:
        for study in studies:
            if study["slug"] == slug:
                return study
        raise SourceFileError(
            f"{OWNER_FILE}: featured_case_study: expected the slug of a file in "
            f"{CASE_STUDY_DIR} ({', '.join(s['slug'] for s in studies)}), found {slug!r}"
        )
    marked = [s for s in studies if s.get("featured")]
    return (marked or studies or [None])[0]
