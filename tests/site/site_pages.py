"""The inventory of a built MkDocs site: where it is published (its base path), which pages it
has, and which of them are the key pages a visitor lands on first.

Read from the built HTML only, so the link check, the browser suite and the Lighthouse audit agree
on the same list without a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

# Pages that are not content a visitor navigates to.
NOT_CONTENT = {"404.html"}
CANONICAL = re.compile(r'<link\s+rel="canonical"\s+href="([^"]+)"')
TAB_LINK = re.compile(r'<a\s+href="([^"]+)"\s+class="md-tabs__link[^"]*"')


@dataclass(frozen=True)
class BuiltSite:
    """A built site on disk and the URL path it is published under (e.g. '/repo/' on GitHub
    Pages), so it can be served locally exactly as it is served in production."""

    root: Path
    base_path: str
    site_url: str | None = None

    @classmethod
    def at(cls, root: Path) -> BuiltSite:
        """Read the base path from the home page's canonical link (MkDocs writes site_url there)."""
        home = root / "index.html"
        if not home.is_file():
            raise FileNotFoundError(f"{home}: no home page; expected a built MkDocs site in {root}")
        match = CANONICAL.search(home.read_text(encoding="utf-8"))
        site_url = match.group(1) if match else None
        base = urlsplit(site_url).path if site_url else "/"
        base = base if base.endswith("/") else base + "/"
        return cls(root=root, base_path=base, site_url=site_url)

    def html_files(self) -> list[Path]:
        """Every content page's HTML file, sorted (the 404 page excluded)."""
        return sorted(
            p
            for p in self.root.rglob("*.html")
            if p.relative_to(self.root).as_posix() not in NOT_CONTENT
        )

    def url_path(self, html_file: Path) -> str:
        """The URL path a visitor uses for an HTML file: '/base/blog/' for blog/index.html."""
        relative = html_file.relative_to(self.root).as_posix()
        if relative == "index.html":
            relative = ""
        elif relative.endswith("/index.html"):
            relative = relative[: -len("index.html")]
        return self.base_path + relative

    def page_paths(self) -> list[str]:
        """URL paths of every content page."""
        return [self.url_path(p) for p in self.html_files()]

    def key_pages(self) -> list[str]:
        """The home page plus the landing page of every top-level tab (or, for a site without
        tabs, every page one level below home): what a recruiter opens first."""
        home = self.root / "index.html"
        html = home.read_text(encoding="utf-8")
        keys = [self.base_path]
        for href in TAB_LINK.findall(html):
            path = urlsplit(urljoin(self.base_path, href)).path
            if path not in keys:
                keys.append(path)
        if len(keys) == 1:
            for path in self.page_paths():
                depth = path[len(self.base_path) :].strip("/").count("/")
                if path != self.base_path and depth == 0:
                    keys.append(path)
        return keys


def slug(url_path: str, base_path: str) -> str:
    """A file-name-safe name for a page: 'home' for the base, 'blog-archive-2026' and so on."""
    inner = url_path[len(base_path) :].strip("/")
    return re.sub(r"[^A-Za-z0-9]+", "-", inner).strip("-") or "home"
