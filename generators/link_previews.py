"""Link previews: Open Graph and Twitter meta on every page, and a preview image for each.

A link pasted into LinkedIn, Slack or a messenger shows the page's title, a description
and a picture. `generators/site_hooks.py` calls this module while MkDocs builds:

- `description_for`: the page's front-matter `description`, else its first paragraph,
  else the site's description; plain text, shortened at a word.
- `render_image`: a 1200 x 630 PNG with the site's name, the page title, the description
  and a byline, drawn with Pillow in DejaVu Sans from matplotlib's own font files: no
  system font, no font CDN, no network.
- `write_image`: renders into a cache keyed by a hash of everything drawn (the folder in
  `LINK_PREVIEW_CACHE`, which the site build points into its work directory), and copies
  the PNG into the built site, so an unchanged page costs a file copy, not a render.
- `meta_tags` / `insert_meta`: the `og:` and `twitter:` tags, every value escaped as an
  HTML attribute, inserted before `</head>`.

Browsers never fetch these images (only link scrapers do), so pages weigh what they did.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
OUT_DIR = "assets/previews"
CACHE_ENV = "LINK_PREVIEW_CACHE"
DESCRIPTION_LIMIT = 200
# Bump when the drawing changes, so cached images are redrawn.
RENDER_VERSION = "2"

# Colours of the site's theme (Material indigo and teal).
BACKGROUND = (40, 53, 147)
ACCENT = (0, 191, 165)
TITLE_COLOUR = (255, 255, 255)
TEXT_COLOUR = (220, 225, 250)

TAG = re.compile(r"<[^>]+>")
PARAGRAPH = re.compile(r"<p(\s[^>]*)?>(.*?)</p>", re.DOTALL)


@dataclass(frozen=True)
class Preview:
    """What a link preview shows, as plain text (escaped only when written out)."""

    title: str
    description: str
    site_name: str
    image_url: str
    page_url: str = ""
    kind: str = "website"  # or "article" for a blog post


def plain(fragment: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(TAG.sub(" ", fragment or "")).split())


def shorten(value: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """`value` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return cut + "…"


def first_paragraph(content: str) -> str:
    """The plain text of the first non-empty paragraph of rendered page content
    (an admonition's title is not a paragraph of the page)."""
    for match in PARAGRAPH.finditer(content or ""):
        if "admonition-title" in (match.group(1) or ""):
            continue
        words = plain(match.group(2))
        if words:
            return words
    return ""


def description_for(meta: dict, content: str, fallback: str) -> str:
    """Front matter's description, else the first paragraph, else `fallback`; plain text."""
    for candidate in (str(meta.get("description") or ""), first_paragraph(content), fallback):
        words = plain(candidate)
        if words:
            return shorten(words)
    return ""


def image_name(page_url: str) -> str:
    """The preview's file name for a page URL ("" is the home page)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", page_url.strip("/")).strip("-")
    return f"{slug or 'index'}.png"


def absolute(site_url: str | None, path: str) -> str:
    """`path` (site-relative) under the site's URL; scrapers need absolute image URLs."""
    if not site_url:
        return "/" + path
    return site_url.rstrip("/") + "/" + path


def meta_tags(preview: Preview) -> str:
    """The Open Graph and Twitter tags for one page, every value escaped."""

    def tag(attribute: str, name: str, value: str) -> str:
        return f'<meta {attribute}="{name}" content="{html.escape(value, quote=True)}">'

    tags = [
        tag("property", "og:type", preview.kind),
        tag("property", "og:site_name", preview.site_name),
        tag("property", "og:title", preview.title),
        tag("property", "og:description", preview.description),
        tag("property", "og:image", preview.image_url),
        tag("property", "og:image:width", str(WIDTH)),
        tag("property", "og:image:height", str(HEIGHT)),
        tag("property", "og:image:alt", preview.title),
        tag("name", "twitter:card", "summary_large_image"),
        tag("name", "twitter:title", preview.title),
        tag("name", "twitter:description", preview.description),
        tag("name", "twitter:image", preview.image_url),
    ]
    if preview.page_url:
        tags.insert(1, tag("property", "og:url", preview.page_url))
    return "\n".join(tags)


def insert_meta(page_html: str, tags: str) -> str:
    """`page_html` with `tags` just before `</head>` (unchanged if it has no head)."""
    head_end = page_html.find("</head>")
    if head_end < 0:
        return page_html
    return page_html[:head_end] + tags + "\n" + page_html[head_end:]


@functools.cache
def _font(bold: bool, size: int):
    from PIL import ImageFont

    try:
        import matplotlib

        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
        return ImageFont.truetype(str(path), size)
    except (ImportError, OSError):
        return ImageFont.load_default(size)


def _wrap(draw, value: str, font, width: int, max_lines: int) -> list[str]:
    """`value` in lines no wider than `width` pixels, at most `max_lines` (ellipsis)."""
    words, lines, line = value.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and draw.textlength(last + " …", font=font) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last + " …"
    return lines


def render_image(title: str, description: str, site_name: str, byline: str) -> bytes:
    """The preview picture, 1200 x 630 PNG, as bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = 80
    width = WIDTH - 2 * margin
    draw.rectangle((0, 0, 24, HEIGHT), fill=ACCENT)
    draw.text((margin, 64), site_name.upper(), font=_font(True, 26), fill=ACCENT)

    title_font = _font(True, 64)
    title_lines = _wrap(draw, title, title_font, width, 3)
    if len(title_lines) == 3:
        title_font = _font(True, 54)
        title_lines = _wrap(draw, title, title_font, width, 3)
    y = 130
    for line in title_lines:
        draw.text((margin, y), line, font=title_font, fill=TITLE_COLOUR)
        y += int(title_font.size * 1.2)

    y += 24
    text_font = _font(False, 30)
    for line in _wrap(draw, description, text_font, width, 6 - len(title_lines)):
        if y > HEIGHT - 130:
            break
        draw.text((margin, y), line, font=text_font, fill=TEXT_COLOUR)
        y += int(text_font.size * 1.35)

    draw.line((margin, HEIGHT - 96, WIDTH - margin, HEIGHT - 96), fill=ACCENT, width=3)
    draw.text((margin, HEIGHT - 76), byline, font=_font(False, 28), fill=TITLE_COLOUR)

    out = io.BytesIO()
    # 64 colours are plenty for four flat colours and the text's anti-aliased edges. The
    # fast octree is about four times quicker than Pillow's default median cut (which
    # was most of a preview's cost, about 50 images a cold build) and strays less from
    # the drawn pixels: at most 14 levels per channel against 40.
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
    return out.getvalue()


def cache_key(title: str, description: str, site_name: str, byline: str) -> str:
    payload = "\0".join([RENDER_VERSION, title, description, site_name, byline])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def write_image(
    target: Path,
    title: str,
    description: str,
    site_name: str,
    byline: str,
    cache_dir: Path | None = None,
) -> Path:
    """Write the preview PNG to `target`, from the cache when the same text was drawn
    before (`cache_dir`, default: the folder in $LINK_PREVIEW_CACHE; none: always draw)."""
    if cache_dir is None and os.environ.get(CACHE_ENV):
        cache_dir = Path(os.environ[CACHE_ENV])
    target.parent.mkdir(parents=True, exist_ok=True)
    cached = None
    if cache_dir is not None:
        cached = cache_dir / f"{cache_key(title, description, site_name, byline)}.png"
        if cached.is_file():
            shutil.copyfile(cached, target)
            return target
    data = render_image(title, description, site_name, byline)
    target.write_bytes(data)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, cached)
    return target


def byline_for(owner: dict) -> str:
    """ "Name · Role" from the owner's profile (plain text: it is drawn, not put in HTML)."""
    profile = (owner or {}).get("profile") or {}
    parts = [str(profile.get(k) or "").strip() for k in ("name", "role")]
    return " · ".join(p for p in parts if p)
