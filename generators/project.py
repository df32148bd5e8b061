"""Where the site's sources and outputs live inside the repository.

One object names every folder, so the orchestrator and tests can point a whole build
at a copy of the project (tests do, to keep the real docs/ untouched).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    root: Path = REPO_ROOT

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def generated(self) -> Path:
        """Generated pages (git-ignored)."""
        return self.docs / "generated"

    @property
    def partials(self) -> Path:
        """Generated Markdown snippets that hand-written pages include (not pages)."""
        return self.generated / "partials"

    @property
    def assets(self) -> Path:
        """Generated images and downloads (git-ignored)."""
        return self.docs / "assets" / "generated"

    @property
    def published_data(self) -> Path:
        """Raw results published with the site, and read by the macros."""
        return self.assets / "data"

    @property
    def published_metrics(self) -> Path:
        return self.published_data / "metrics.json"

    @property
    def published_claims(self) -> Path:
        return self.published_data / "claims.json"

    @property
    def published_bench_results(self) -> Path:
        return self.published_data / "bench-results.json"

    @property
    def published_quality_results(self) -> Path:
        return self.published_data / "quality-results.csv"

    @property
    def published_ground_truth(self) -> Path:
        return self.published_data / "ground_truth.json"

    @property
    def query_data(self) -> Path:
        """The query page's Parquet files, manifest and stored answers (generators/query)."""
        return self.assets / "query"

    @property
    def duckdb_assets(self) -> Path:
        """DuckDB-WASM's files, copied from web/ into the site (same origin, no CDN)."""
        return self.assets / "duckdb"

    @property
    def nav_families(self) -> Path:
        """Generated nav entries per page family, read by generators/site_hooks.py."""
        return self.generated / "nav.json"

    @property
    def adr(self) -> Path:
        return self.root / "adr"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def blog_posts(self) -> Path:
        return self.docs / "blog" / "posts"

    @property
    def web(self) -> Path:
        """The query page's npm package folder: DuckDB-WASM, pinned in its lock file."""
        return self.root / "web"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def config(self) -> Path:
        return self.root / "config" / "demo.yaml"

    @property
    def code(self) -> Path:
        return self.root / "demo_pipeline"

    @property
    def generators(self) -> Path:
        return self.root / "generators"
