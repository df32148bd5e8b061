"""Find the built site to test, or build it.

Order: SITE_DIR (a site someone built), SITE_TESTS_SAMPLE=1 (the sample site, to check the suite
itself), the checkout's site/ when it is newer than every source it is built from, otherwise a
small build (scale 0.02) with a work directory of its own; `make site` writes the result to site/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.site.sample_site import build_sample_site
from tests.site.site_pages import BuiltSite

REPO = Path(__file__).resolve().parents[2]
# What the site is built from: a change to any of these makes an existing site/ stale.
SITE_SOURCES = ("mkdocs.yml", "docs", "generators", "overrides", "data", "adr", "blog")
BUILD_SCALE = "0.02"


def _newest_mtime(path: Path) -> float:
    if path.is_file():
        return path.stat().st_mtime
    times = [p.stat().st_mtime for p in path.rglob("*") if p.is_file()]
    return max(times, default=0.0)


def is_fresh(site_dir: Path) -> bool:
    """True when site_dir holds a build newer than every site source in the checkout."""
    if not (site_dir / "index.html").is_file():
        return False
    sources = [REPO / name for name in SITE_SOURCES if (REPO / name).exists()]
    newest_source = max((_newest_mtime(p) for p in sources), default=0.0)
    return _newest_mtime(site_dir) >= newest_source


def build_site(build_root: Path) -> Path:
    """Build the real site at a small scale in build_root and return the built directory.

    The full build (generators.build_site) runs the pipeline and benchmarks first and writes
    mkdocs' output to the checkout's site/; without the generators, plain `mkdocs build --strict`.
    """
    if (REPO / "generators" / "build_site.py").is_file():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "generators.build_site",
                "--workdir",
                str(build_root / "work"),
                "--scale",
                BUILD_SCALE,
            ],
            cwd=REPO,
            check=True,
        )
        return REPO / "site"
    site_dir = build_root / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=REPO,
        check=True,
    )
    return site_dir


def locate_site(build_root: Path) -> BuiltSite:
    """The site under test (see the module docstring for the order)."""
    if os.environ.get("SITE_DIR"):
        return BuiltSite.at(Path(os.environ["SITE_DIR"]).resolve())
    if os.environ.get("SITE_TESTS_SAMPLE") == "1":
        return BuiltSite.at(build_sample_site(build_root / "sample"))
    if is_fresh(REPO / "site"):
        return BuiltSite.at(REPO / "site")
    return BuiltSite.at(build_site(build_root))
