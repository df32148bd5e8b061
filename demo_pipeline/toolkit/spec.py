"""One YAML file per pipeline: which extractor, which transformers in order, which loader.

    name: supplier-prices
    extractor: {kind: workbooks, root: sources/workbooks}
    transformers:
      - {kind: silver}
    loader: {kind: duckdb_upsert, database: toolkit/supplier-prices.duckdb}

The file is validated into these models before anything runs. Every part is chosen by
its `kind`; an unknown kind, a misspelt key or a missing setting stops with the file, the
key path, what was expected and what was found. Paths are relative to the work
directory the pipeline runs in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from demo_pipeline.errors import ConfigError


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSource(_Part):
    """The ERP database (SQLite), read incrementally by watermark."""

    kind: Literal["database"]
    database: Path = Path("sources/erp.sqlite")
    state: Path = Field(description="Folder for the watermarks, one file per business date.")
    tables: Annotated[list[str], Field(min_length=1)]


class ApiSource(_Part):
    """The orders REST API, page by page, with retries."""

    kind: Literal["api"]
    base_url: str = Field(pattern=r"^https?://")
    page_size: int = Field(500, ge=1, le=10_000)
    retries: int = Field(3, ge=0, le=10)


class WorkbookSource(_Part):
    """The supplier price workbooks, one per business day."""

    kind: Literal["workbooks"]
    root: Path = Path("sources/workbooks")


class SilverStep(_Part):
    """Schema contract, business rules with quarantine, de-duplication."""

    kind: Literal["silver"]
    contracts: dict[str, int] = Field(
        default_factory=dict, description="Contract version per table (default: registry's)."
    )


class GoldStep(_Part):
    """One of the gold step's SQL files run over the batch."""

    kind: Literal["gold"]
    query: str
    inputs: dict[str, str] = Field(description="The SQL's placeholder -> a table of the batch.")
    output: str | None = None


class UpsertTarget(_Part):
    """A DuckDB file, loaded by key with INSERT ... ON CONFLICT DO UPDATE."""

    kind: Literal["duckdb_upsert"]
    database: Path
    keys: dict[str, list[str]] = Field(default_factory=dict)
    tables: list[str] | None = Field(None, description="Only these tables (default: all).")


class PipelineSpec(_Part):
    """A whole pipeline file."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = ""
    extractor: Annotated[DatabaseSource | ApiSource | WorkbookSource, Field(discriminator="kind")]
    transformers: list[Annotated[SilverStep | GoldStep, Field(discriminator="kind")]] = []
    loader: UpsertTarget


def load_spec(path: Path) -> PipelineSpec:
    """Read and validate a pipeline file; ConfigError naming the file and key otherwise."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: pipeline file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    try:
        return PipelineSpec.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError("\n".join(_problems(path, exc))) from exc


def _problems(path: Path, exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        # A discriminated union puts the member's tag after the field (`extractor.api.x`,
        # `transformers.0.silver.x`); the key path leaves it out.
        loc = err["loc"]
        parts = [
            p
            for i, p in enumerate(loc)
            if not (i and p in _TAGS and (loc[i - 1] == "extractor" or isinstance(loc[i - 1], int)))
        ]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
        found = "nothing" if err["type"] == "missing" else repr(err.get("input"))
        if err["type"] == "union_tag_invalid":
            expected = f"kind one of {err['ctx']['expected_tags']}"
            found = repr(err["ctx"]["tag"])
        elif err["type"] == "extra_forbidden":
            expected = "no such key (a misspelling?)"
        else:
            expected = err["msg"][:1].lower() + err["msg"][1:]
        lines.append(f"{path}: {where or '(top)'}: expected {expected}; found {found}")
    return list(dict.fromkeys(lines))


_TAGS = {"database", "api", "workbooks", "silver", "gold", "duckdb_upsert"}
