"""The production platform the owner ran, as they describe it in `data/owner.yaml`.

The `production_platform:` section names the parts of the platform by layer: the
orchestrator, the sources and how each is read (JDBC, REST, SOAP, an RPA bot...), the
processing steps, the storage layers, where alerts go and who consumes the data. The
architecture page draws it as a diagram beside the demo's own (generators/diagrams.py),
labelled self-reported: it is the owner's account of their work, not something this
repository runs.

Each part picks its icon by name from `generators.diagram_icons.ICON_NAMES`. A missing
layer, an unknown key or an unknown icon stops the build with the file, the key path,
what was expected and what was found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from generators.diagram_icons import ICON_NAMES
from generators.errors import SourceFileError
from generators.owner_data import OWNER_FILE, load_yaml

SECTION = "production_platform"


def _known_icon(name: str) -> str:
    if name not in ICON_NAMES:
        raise ValueError(f"expected an icon name, one of {', '.join(ICON_NAMES)}; found {name!r}")
    return name


IconName = Annotated[str, AfterValidator(_known_icon)]
Text = Annotated[str, Field(min_length=1, max_length=40)]


class Part(BaseModel):
    """One box of the diagram: a name, an optional second line, an icon."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text
    detail: Annotated[str, Field(max_length=40)] = ""
    """A short second line under the name (what it does, what it runs on)."""
    icon: IconName


class Source(Part):
    """A source system and how the platform reads it."""

    via: Text
    """The way in: `JDBC`, `REST`, `SOAP`, `RPA bot`, `SFTP`..., shown on the box."""


class ProductionPlatform(BaseModel):
    """The `production_platform:` section of `data/owner.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    orchestrator: Part
    sources: Annotated[list[Source], Field(min_length=1, max_length=8)]
    processing: Annotated[list[Part], Field(min_length=1, max_length=6)]
    storage: Annotated[list[Part], Field(min_length=1, max_length=6)]
    alerting: Annotated[list[Part], Field(min_length=1, max_length=4)]
    consumers: Annotated[list[Part], Field(max_length=6)] = []


def parse_production_platform(raw: object, path: Path = OWNER_FILE) -> ProductionPlatform:
    """Validate the section's raw data (as read from YAML); SourceFileError otherwise."""
    if raw is None:
        raise SourceFileError(
            f"{path}: {SECTION}: expected the production platform to draw (orchestrator, "
            "sources, processing, storage, alerting, consumers), found nothing"
        )
    try:
        return ProductionPlatform.model_validate(raw)
    except ValidationError as exc:
        raise SourceFileError("\n".join(_problems(path, exc))) from exc


def _problems(path: Path, exc: ValidationError) -> list[str]:
    """One line per problem: file, key path, what was expected, what was found."""
    lines = []
    for err in exc.errors():
        where = SECTION
        for part in err["loc"]:
            where += f"[{part}]" if isinstance(part, int) else f".{part}"
        found = "nothing" if err["type"] == "missing" else repr(err.get("input"))
        if err["type"] == "value_error":  # our own validators say expected and found
            lines.append(f"{path}: {where}: {err['ctx']['error']}")
        elif err["type"] == "extra_forbidden":
            known = ", ".join(_fields_at(err["loc"]))
            lines.append(f"{path}: {where}: expected one of the keys {known}; found {found}")
        else:
            lines.append(f"{path}: {where}: expected {_lower(err['msg'])}; found {found}")
    return list(dict.fromkeys(lines))


def _lower(message: str) -> str:
    return message[:1].lower() + message[1:]


def _fields_at(loc: tuple) -> list[str]:
    """The keys accepted where an unknown key was found (a misspelling is then obvious)."""
    model: type[BaseModel] = ProductionPlatform
    for part in loc[:-1]:
        if isinstance(part, str):
            annotation = model.model_fields[part].annotation
            inner = getattr(annotation, "__args__", (annotation,))[0]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                model = inner
    return list(model.model_fields)


def load_production_platform(root: Path) -> ProductionPlatform:
    """The owner's production platform, read from `<root>/data/owner.yaml`."""
    return parse_production_platform(load_yaml(root / OWNER_FILE).get(SECTION), OWNER_FILE)
