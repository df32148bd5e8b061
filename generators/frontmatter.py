"""Split a Markdown source into its YAML front matter and body."""

from __future__ import annotations

from pathlib import Path

import yaml

from generators.errors import SourceFileError


def split_front_matter(text: str, *, source: Path | str) -> tuple[dict, str]:
    """Return (front matter, body). A file without front matter gives ({}, text)."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 4)
    if end < 0:
        raise SourceFileError(f"{source}: front matter opened with '---' is never closed")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        raise SourceFileError(f"{source}: front matter is not valid YAML ({exc})") from exc
    if not isinstance(meta, dict):
        raise SourceFileError(f"{source}: front matter should be a mapping")
    return meta, text[end + 5 :]
