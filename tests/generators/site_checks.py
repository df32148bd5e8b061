"""Checks every whole-site build test makes on the site it built."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path


class ImageAlts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.missing: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img" and not (attributes.get("alt") or "").strip():
            self.missing.append(attributes.get("src", "?"))


def assert_site_is_sound(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert (site / "index.html").exists() and len(pages) > 20
    for page in pages:
        html = page.read_text(encoding="utf-8")
        prose = re.sub(r"<(script|code|pre)\b.*?</\1>", "", html, flags=re.DOTALL)
        assert "{{" not in prose and "{%" not in prose, page
        parser = ImageAlts()
        parser.feed(html)
        assert parser.missing == [], f"{page}: images without alt text {parser.missing}"
    assert (site / "feed_rss_created.xml").exists()
