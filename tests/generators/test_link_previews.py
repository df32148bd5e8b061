"""Link previews: every built page has Open Graph and Twitter meta, and the preview image it
names exists in the built site as a 1200 x 630 PNG. The page-level checks run on one real
build of a project copy (fixture results); the rest are the pure parts of
generators/link_previews.py."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from PIL import Image

from generators import link_previews as lp
from generators.frontmatter import split_front_matter
from generators.project import REPO_ROOT

META = re.compile(
    r'<meta (?:property|name)="(?P<name>(?:og|twitter):[\w:]+)" content="(?P<v>[^"]*)">'
)
REQUIRED = ("og:title", "og:description", "og:image", "twitter:card")


def meta_of(page_html: str) -> dict[str, str]:
    return {m["name"]: html.unescape(m["v"]) for m in META.finditer(page_html)}


@pytest.fixture(scope="module")
def site(fixture_site) -> Path:
    assert list((fixture_site.workdir / "link-previews").glob("*.png")), "no preview cached"
    return fixture_site.site


@pytest.mark.slow
def test_every_page_has_open_graph_and_twitter_meta_and_its_image_exists(site):
    """Every HTML page: og:title, og:description, og:image and twitter:card, not empty;
    the image URL is under the site's URL and names a 1200 x 630 PNG in the built site."""
    canonical = re.search(
        r'<link rel="canonical" href="([^"]+)"', (site / "index.html").read_text()
    )
    assert canonical, "the home page has no canonical URL (site_url unset?)"
    base = canonical.group(1)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    problems = []
    for page in pages:
        meta = meta_of(page.read_text(encoding="utf-8"))
        name = page.relative_to(site)
        missing = [key for key in REQUIRED if not meta.get(key, "").strip()]
        if missing:
            problems.append(f"{name}: no {', '.join(missing)}")
            continue
        image_url = meta["og:image"]
        if not image_url.startswith(base):
            problems.append(f"{name}: og:image {image_url} is not under {base}")
            continue
        image = site / image_url[len(base) :]
        if not image.is_file():
            problems.append(f"{name}: og:image {image_url} is not in the built site")
            continue
        with Image.open(image) as picture:
            if (picture.format, picture.size) != ("PNG", (lp.WIDTH, lp.HEIGHT)):
                problems.append(f"{name}: {image.name} is {picture.format} {picture.size}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_post_previews_use_the_front_matter_description(site):
    """A post's og:description is its front-matter description; og:type is article."""
    for path in sorted((REPO_ROOT / "docs" / "blog" / "posts").glob("*.md")):
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"), source=path)
        page = site / "blog" / str(meta.get("slug") or path.stem) / "index.html"
        tags = meta_of(page.read_text(encoding="utf-8"))
        assert tags["og:description"] == lp.shorten(" ".join(str(meta["description"]).split()))
        assert tags["og:type"] == "article"


def test_description_falls_back_to_the_first_paragraph_then_the_site():
    content = (
        '<div class="admonition"><p class="admonition-title">Note</p></div><p>First <b>one</b>.</p>'
    )
    assert lp.description_for({"description": "From the front matter"}, content, "site") == (
        "From the front matter"
    )
    assert lp.description_for({}, content, "site") == "First one ."
    assert lp.description_for({}, "<h1>Only a heading</h1>", "The site") == "The site"


def test_long_descriptions_are_cut_at_a_word():
    cut = lp.shorten("word " * 100, limit=50)
    assert len(cut) <= 50 and cut.endswith("…") and "wor…" not in cut


def test_meta_values_are_escaped():
    preview = lp.Preview(
        title='A "quoted" <title>',
        description="R&D <script>",
        site_name="Site",
        image_url="https://example.org/a.png",
    )
    tags = lp.meta_tags(preview)
    assert "<script>" not in tags and '"quoted"' not in tags
    assert meta_of(tags)["og:title"] == 'A "quoted" <title>'


def test_image_names_are_one_file_per_page_url():
    assert lp.image_name("") == "index.png"
    assert lp.image_name("blog/polars-over-pandas/") == "blog-polars-over-pandas.png"


def test_images_are_cached_by_what_they_show(tmp_path):
    """The same text is drawn once and copied after; other text is drawn anew."""
    cache = tmp_path / "cache"
    first = lp.write_image(tmp_path / "a.png", "Title", "Text", "Site", "Me", cache_dir=cache)
    again = lp.write_image(tmp_path / "b.png", "Title", "Text", "Site", "Me", cache_dir=cache)
    assert first.read_bytes() == again.read_bytes()
    assert len(list(cache.glob("*.png"))) == 1
    lp.write_image(tmp_path / "c.png", "Other title", "Text", "Site", "Me", cache_dir=cache)
    assert len(list(cache.glob("*.png"))) == 2
    with Image.open(first) as picture:
        assert picture.size == (lp.WIDTH, lp.HEIGHT)
