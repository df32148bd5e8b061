"""Checks on what a built page says, from its HTML files alone (no browser): the site speaks as
its owner, never of "the brief" it was written from, and a sentence that points the reader to
another page ("see ADR 0004", "the quality page", "the case study") is a link to it.

Used by tests/site/test_cross_references.py on the site under test and by
tests/generators/test_site_build.py on a fixture build, so `make test` checks them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from tests.site.link_check import check_links
from tests.site.site_pages import BuiltSite

# Elements whose text is not prose a reader reads as the site's own words.
NOT_PROSE = {"script", "style", "code", "pre", "template", "svg", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

# The brief the site was first written from is not something a visitor knows about.
BRIEF = re.compile(r"\bthe brief\b|\bbrief['\u2019]s\b", re.IGNORECASE)

# Words that point to another page. Each must sit in (or touch) a link.
# "ADR 0004", "ADR-0004": a numbered decision record.
ADR_NUMBER = re.compile(r"\bADR[ -]?\d{1,4}\b")
# "ADR 'Why Polars?'", "case study 'Why Parquet'": a record named by its title.
NAMED_RECORD = re.compile(r"\b(?:ADR|case study|decision record)\s+['\u2018\"\u201c]", re.I)
# "see the benchmarks page", "see the case study" ("see ADR 0004" is ADR_NUMBER's).
SEE = re.compile(
    r"\bsee (?:the |that |each )?(?:[\w'\u2019-]+ ){0,3}?"
    r"(?:page|pages|case study|decision record|record|post|section)\b",
    re.IGNORECASE,
)
# "the data quality page", "the block-or-warn decision record", "the case study" ("this
# page", "this case study" is the page itself).
THE_PAGE = re.compile(
    r"\bthe (?:(?P<name>(?:[\w'\u2019-]+ ){1,3})page|"
    r"(?P<record>(?:[\w'\u2019-]+ ){0,3})(?:case study|decision record))\b",
    re.IGNORECASE,
)
# Words that make "the … page" a page in general, not a particular one: "the same page",
# "the largest thing a page paints", "the work on this page".
NOT_A_PAGE_NAME = {
    "same", "next", "previous", "first", "last", "whole", "one", "each", "every", "a", "an",
    "the", "this", "that", "on", "of", "in", "to", "for", "any", "its", "their", "our", "my",
}  # fmt: skip
# How far (characters) a link may start after the pointing words and still count as theirs:
# "see the [benchmarks]", "is on the [Polars decision record]".
LINK_REACH = 3


@dataclass
class PageText:
    """A page's visible prose inside its main content (<article>), with the character spans
    that are the text of a link, and the same for the whole page (menus included)."""

    article: str = ""
    links: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, href)
    everything: str = ""


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageText()
        self.stack: list[str] = []
        self.hidden = 0  # depth inside NOT_PROSE or hidden elements
        self.article = 0
        self.heading = 0
        self.link_start: list[tuple[int, str] | None] = []
        self.flags: list[bool] = []  # per open element: whether it hides its text

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        values = dict(attrs)
        hidden = tag in NOT_PROSE or "hidden" in values or values.get("aria-hidden") == "true"
        self.stack.append(tag)
        self.hidden += hidden
        self.article += tag == "article"
        self.heading += tag in HEADINGS
        if tag == "a":
            here = (len(self.page.article), values.get("href") or "")
            self.link_start.append(here if self.article else None)
        self.flags.append(hidden)

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            self.hidden -= self.flags.pop()
            self.article -= top == "article"
            self.heading -= top in HEADINGS
            if top == "a" and self.link_start:
                opened = self.link_start.pop()
                if opened is not None and self.article:
                    self.page.links.append((opened[0], len(self.page.article), opened[1]))
            if top == tag:
                break

    def handle_data(self, data):
        if self.hidden:
            return
        text = re.sub(r"\s+", " ", data)
        self.page.everything += text
        if self.article and not self.heading:
            self.page.article += text
        elif self.article:
            self.page.article += " "  # keep a heading's words apart from the prose around it


def page_text(html: str) -> PageText:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.page


def _pages(site: BuiltSite) -> list[Path]:
    return sorted(site.root.rglob("*.html"))


def _excerpt(text: str, start: int, end: int, reach: int = 50) -> str:
    return "…" + text[max(0, start - reach) : end + reach].strip() + "…"


def brief_mentions(site: BuiltSite) -> list[tuple[str, str]]:
    """(problem, page) for every visible "the brief" / "brief's" outside code, on any page."""
    findings = []
    for path in _pages(site):
        text = page_text(path.read_text(encoding="utf-8")).everything
        for match in BRIEF.finditer(text):
            findings.append(
                (
                    f"mentions {match.group(0)!r}",
                    f"{site.url_path(path)}: {_excerpt(text, *match.span())}",
                )
            )
    return findings


def _link_at(span: tuple[int, int], links, *, inside: bool) -> str | None:
    """The href of the link that carries the words at span: (inside=True) a link they sit
    within, or else one they overlap or that starts right after them; None if there is none."""
    start, end = span
    for a, b, href in links:
        if inside and a <= start and end <= b:
            return href
        if not inside and a < end + LINK_REACH and b > start:
            return href
    return None


def unlinked_cross_references(site: BuiltSite) -> list[tuple[str, str]]:
    """(problem, page: excerpt) for every pointing phrase in a page's content that no link
    carries: "ADR 0004" must be a link itself; "see the …", "the X page", "the case study"
    must overlap a link or be followed right away by one."""
    findings = []
    for path in _pages(site):
        page = page_text(path.read_text(encoding="utf-8"))
        text, links = page.article, page.links
        where = site.url_path(path)
        hits: list[tuple[str, tuple[int, int], bool]] = []
        hits += [("ADR number", m.span(), True) for m in ADR_NUMBER.finditer(text)]
        hits += [("record named by title", m.span(), False) for m in NAMED_RECORD.finditer(text)]
        hits += [("'see …'", m.span(), False) for m in SEE.finditer(text)]
        for match in THE_PAGE.finditer(text):
            words = (match.group("name") or match.group("record") or "").lower().split()
            if NOT_A_PAGE_NAME.intersection(words):
                continue
            hits.append(("page reference", match.span(), False))
        for kind, span, inside in hits:
            href = _link_at(span, links, inside=inside)
            words = text[span[0] : span[1]]
            if href is not None and kind == "ADR number":
                number = int(re.sub(r"\D", "", words))
                if not re.search(rf"(^|/){number:04d}-", href):
                    findings.append((f"{words!r} links to {href}, not to ADR {number:04d}", where))
            if href is None:
                findings.append(
                    (
                        f"{kind} {text[span[0] : span[1]]!r} is not a link",
                        f"{where}: {_excerpt(text, *span)}",
                    )
                )
    return sorted(set(findings))


def broken_internal_links(site: BuiltSite) -> list[tuple[str, str]]:
    """(problem, where) for every internal link whose page or #anchor does not exist."""
    report = check_links(site)
    return report.broken_links + report.broken_anchors
