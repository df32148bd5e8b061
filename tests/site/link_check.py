"""A link check over a built site, from its HTML files alone: every internal link and anchor must
resolve to a built file and an element id; external links are collected, never fetched (CI has no
internet, and a third-party site being down must not fail the build)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from tests.site.site_pages import BuiltSite

# (tag, attribute) pairs whose value is a URL a visitor's browser follows or fetches.
LINK_ATTRIBUTES = {
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
    ("iframe", "src"),
    ("object", "data"),
    ("video", "poster"),
    ("audio", "src"),
    ("video", "src"),
}
SRCSET_TAGS = {"img", "source"}
NOT_FETCHED_SCHEMES = {"mailto", "tel", "javascript", "data"}
# <link rel=...> values that are connection hints, not a resource the page loads or links to.
HINT_RELS = {"preconnect", "dns-prefetch"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "link" and set(values.get("rel", "").split()) & HINT_RELS:
            return
        for attribute in ("href", "src", "data", "poster"):
            if (tag, attribute) in LINK_ATTRIBUTES and values.get(attribute):
                self.links.append((tag, values[attribute].strip()))
        if tag in SRCSET_TAGS and values.get("srcset"):
            for candidate in values["srcset"].split(","):
                if candidate.strip():
                    self.links.append((tag, candidate.strip().split()[0]))


@dataclass
class LinkReport:
    pages: int = 0
    internal_links: int = 0
    # (problem, where): the same problem on many pages reads as one fix (see findings.grouped)
    broken_links: list[tuple[str, str]] = field(default_factory=list)
    broken_anchors: list[tuple[str, str]] = field(default_factory=list)
    external: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def _target_file(site: BuiltSite, url_path: str) -> Path | None:
    """The built file a URL path serves, or None (mirrors GitHub Pages' lookup)."""
    if not url_path.startswith(site.base_path):
        return None
    candidate = site.root / unquote(url_path[len(site.base_path) :])
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def check_links(site: BuiltSite) -> LinkReport:
    """Check every link in every HTML file of the site (the 404 page included)."""
    report = LinkReport()
    pages = sorted(site.root.rglob("*.html"))
    parsed = {path: _parse(path) for path in pages}
    report.pages = len(pages)
    site_url = site.site_url.rstrip("/") + "/" if site.site_url else None
    for path, parser in parsed.items():
        page_url = site.url_path(path)
        for _tag, raw in parser.links:
            url = raw
            if site_url and url.startswith(site_url):  # an absolute link to the site itself
                url = site.base_path + url[len(site_url) :]
            absolute = urljoin(page_url, url)
            parts = urlsplit(absolute)
            if parts.scheme in NOT_FETCHED_SCHEMES:
                continue
            if parts.scheme or parts.netloc:
                report.external[absolute].append(page_url)
                continue
            report.internal_links += 1
            target = _target_file(site, parts.path)
            if target is None:
                report.broken_links.append(
                    (f"no built file for {parts.path}", f"{page_url} ({raw})")
                )
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                target_ids = parsed[target].ids if target in parsed else _parse(target).ids
                if fragment not in target_ids:
                    report.broken_anchors.append(
                        (
                            f"no element with id {fragment!r} in {target.relative_to(site.root)}",
                            f"{page_url} ({raw})",
                        )
                    )
    return report


def write_external_report(report: LinkReport, path: Path) -> None:
    """One line per external URL, with how many links point to it and from which pages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# External links in the built site (listed, not fetched)", "# url\tlinks\tpages"]
    for url in sorted(report.external):
        sources = sorted(set(report.external[url]))
        lines.append(f"{url}\t{len(report.external[url])}\t{' '.join(sources)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
