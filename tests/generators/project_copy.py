"""A copy of the site project in a temporary folder, so tests can build the whole site
without touching the repository's docs/ or site/. Code folders and web/ (the query page's
installed DuckDB-WASM) are symlinked (read-only use); sources (mkdocs.yml, docs, adr, data,
config) are copied. `build` runs the site build on such a copy, the one way every test
does it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from generators.project import REPO_ROOT

COPIED = ("mkdocs.yml", "docs", "adr", "data", "config")
LINKED = ("generators", "demo_pipeline", "web")


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(
                src, dest / name, ignore=shutil.ignore_patterns("generated", "__pycache__")
            )
        else:
            shutil.copy2(src, dest / name)
    for name in LINKED:
        (dest / name).symlink_to(REPO_ROOT / name, target_is_directory=True)
    return dest


# The generator steps alone, on a work directory whose results a test wrote itself.
GENERATE_ONLY = ["--only", "claims", "publish", "diagrams", "charts", "pages", "mkdocs"]


def build(project: Path, workdir: Path, *extra: str) -> subprocess.CompletedProcess:
    """`python -m generators.build_site` on a project copy, as `make site` runs it."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "generators.build_site",
            "--workdir",
            str(workdir),
            "--project-root",
            str(project),
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=900,
    )
