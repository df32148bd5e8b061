"""The site check that keeps prose bound to the evidence: run on the built HTML.

Three rules, each about the registered claims (`claims.json`, from data/claims.yaml):

1. **No measured value without its verdict.** Wherever a page shows the figure a claim
   is judged on (a link to its evidence row), the same paragraph, list item, table row
   or caption carries that claim's verdict (an element with `data-verdict-for`). For a
   benchmark claim this holds whatever the verdict, because timings differ between
   machines and a verdict that passes here may fail on a reader's rebuild; for a claim
   judged on the seeded pipeline run, only when the verdict is not "supported".
2. **No hand-written outcome the verdict does not support.** Visible text outside a
   claim's own rendering (elements with `data-claim`) must not match any of a claim's
   `asserts` patterns unless the verdict is "supported", or the claim's verdict stands
   in the same block (a self-reported production figure shown with the demo's verdict).
3. **No hand-written outcome words next to a measured benchmark figure.** A paragraph
   or list item that shows a `bench.*` figure may say "faster", "smaller" and the like
   only through the claim macros or the direction-aware `faster()` / `change()` macros
   (whose words follow the sign of the measurement).

`check_site` returns every finding; `generators/build_site.py` fails the build on any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from demo_pipeline.core.verdicts import SUPPORTED
from generators.catalogue import metric_anchor
from generators.claims import Claims

BLOCKS = {"p", "li", "tr", "figcaption", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6"}
PROSE_BLOCKS = {"p", "li", "figcaption", "dd"}
SKIP = {"script", "style", "code", "pre", "svg", "template"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
BENCH_ANCHOR = metric_anchor("bench.x")[: -len("x")]  # "metric-bench-"
OUTCOME_WORDS = re.compile(
    r"\b(faster|slower|quicker|smaller|larger|bigger|less time|more time|less memory|"
    r"more memory|(stays?|stayed|remains?|remained) flat|cuts?|halve[sd]?)\b",
    re.IGNORECASE,
)


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None
    children: list[Node | str] = field(default_factory=list)

    def text(self, *, skip_claims: bool = False, skip_measured: bool = False) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not child.skipped(skip_claims=skip_claims, skip_measured=skip_measured):
                parts.append(child.text(skip_claims=skip_claims, skip_measured=skip_measured))
        return "".join(parts)

    def skipped(self, *, skip_claims: bool, skip_measured: bool) -> bool:
        """Code is not prose; a claim's own rendering and direction-aware words are
        bound to the evidence already."""
        if self.tag in SKIP:
            return True
        if skip_claims and "data-claim" in self.attrs:
            return True
        return skip_measured and "measured-words" in self.attrs.get("class", "").split()

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def block(self) -> Node | None:
        node = self.parent
        while node is not None and node.tag not in BLOCKS:
            node = node.parent
        return node

    def inside(self, predicate) -> bool:
        node = self.parent
        while node is not None:
            if predicate(node):
                return True
            node = node.parent
        return False


class _TreeBuilder(HTMLParser):
    """A tolerant DOM: enough structure to find a link's paragraph, row or list item."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html_text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html_text)
    builder.close()
    return builder.root


@dataclass(frozen=True)
class Finding:
    page: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.page}: {self.message}"


def _snippet(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_page(page: str, html_text: str, claims: Claims) -> list[Finding]:
    """Every finding on one built page."""
    root = parse(html_text)
    by_anchor = {metric_anchor(r.metric): r for r in claims if r.metric}
    findings: list[Finding] = []

    # The main content only: navigation and search index carry no claims.
    main = next((n for n in root.iter() if n.tag == "article"), root)

    # Rule 1: a claim's measured figure always has its verdict beside it.
    for node in main.iter():
        if node.tag != "a":
            continue
        fragment = node.attrs.get("href", "").partition("#")[2]
        record = by_anchor.get(fragment)
        if record is None:
            continue
        if record.data.get("measured_by") == "pipeline" and record.verdict == SUPPORTED:
            continue
        block = node.block() or main
        has_verdict = any(
            n.attrs.get("data-verdict-for") == record.id for n in block.iter() if n is not node
        )
        if not has_verdict:
            findings.append(
                Finding(
                    page,
                    "verdict",
                    f"shows {record.metric} (the figure claim {record.id!r} is judged on, "
                    f"verdict: {record.verdict}) without its verdict beside it: "
                    f'“{_snippet(block.text())}”. Use {{{{ claim("{record.id}") }}}} or '
                    f'{{{{ claim_badge("{record.id}") }}}}.',
                )
            )

    blocks = [n for n in main.iter() if n.tag in BLOCKS]
    # Rule 2: hand-written text asserting a claim's outcome needs a supporting verdict.
    seen: set[tuple[str, str]] = set()
    for block in blocks:
        text = " ".join(block.text(skip_claims=True).split())
        if not text:
            continue
        for record in claims:
            if record.verdict == SUPPORTED or any(
                n.attrs.get("data-verdict-for") == record.id for n in block.iter()
            ):
                continue
            for pattern in record.data.get("asserts") or []:
                match = re.search(pattern, text, flags=re.IGNORECASE)
                if match and (record.id, match.group(0)) not in seen:
                    seen.add((record.id, match.group(0)))
                    findings.append(
                        Finding(
                            page,
                            "assertion",
                            f"“{_snippet(match.group(0))}” asserts claim {record.id!r}, but its "
                            f"verdict is {record.verdict!r} ({record.data.get('reason', '')}). "
                            f'Say it with {{{{ claim("{record.id}") }}}}, whose words follow '
                            "the verdict, or reword it.",
                        )
                    )

    # Rule 3: outcome words beside a measured benchmark figure come from the figure.
    for block in blocks:
        if block.tag not in PROSE_BLOCKS:
            continue
        if any(c.tag in PROSE_BLOCKS for c in block.iter() if c is not block):
            continue  # judge the innermost prose block only
        links = [
            n
            for n in block.iter()
            if n.tag == "a"
            and n.attrs.get("href", "").partition("#")[2].startswith(BENCH_ANCHOR)
            and not n.inside(lambda p: "data-claim" in p.attrs)
            and not n.inside(lambda p: "measured-words" in p.attrs.get("class", "").split())
        ]
        if not links:
            continue
        text = block.text(skip_claims=True, skip_measured=True)
        match = OUTCOME_WORDS.search(text)
        if match:
            findings.append(
                Finding(
                    page,
                    "outcome-words",
                    f"hand-written “{match.group(0)}” next to a measured benchmark figure: "
                    f"“{_snippet(text)}”. Use {{{{ claim(...) }}}} for a registered claim, "
                    '{{ faster("key") }} or {{ change("key") }} for other figures.',
                )
            )
    return findings


def check_site(site_dir: Path, claims: Claims) -> list[Finding]:
    """Every finding over every built page under `site_dir`."""
    findings = []
    for path in sorted(site_dir.rglob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        findings += check_page(str(path.relative_to(site_dir)), text, claims)
    return findings
