"""The API reference page (docs/toolkit/api.md) renders docstrings as Markdown, so an
angle-bracket placeholder typed outside backticks (`<table>/<date>.parquet`) reaches the
page as a real HTML tag: `<table>` opened a table that swallowed the rest of the page and
its footer. Placeholders belong in code spans."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

from generators.project import REPO_ROOT

API_PAGE = REPO_ROOT / "docs" / "toolkit" / "api.md"
TAG = re.compile(r"<[A-Za-z_][^>\s]*>")


def documented_modules() -> list[str]:
    return re.findall(r"^::: ([\w.]+)", API_PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_api_docstrings_keep_angle_brackets_in_code_spans():
    """No docstring on the API page holds a bare <placeholder> outside backticks."""
    modules = documented_modules()
    assert modules, f"{API_PAGE}: expected '::: module' lines"
    found = []
    for name in modules:
        spec = importlib.util.find_spec(name)
        assert spec and spec.origin, f"{API_PAGE}: module {name} not found"
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef):
                continue
            doc = ast.get_docstring(node, clean=False) or ""
            prose = re.sub(r"```.*?```|`[^`]*`", "", doc, flags=re.DOTALL)
            found += [f"{name}.{getattr(node, 'name', '')}: {t}" for t in TAG.findall(prose)]
    assert not found, "bare <placeholders> in API docstrings (wrap them in backticks): " + (
        "; ".join(found)
    )
