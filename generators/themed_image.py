"""The Markdown for a figure drawn twice, once per colour scheme.

Material shows `…#only-light` images in the light scheme and `…#only-dark` ones in the dark
scheme, so each chart and diagram is written as two images. Both carry the SVG's size as
width and height, so the browser reserves their space before they arrive (no layout shift,
and lazy loading can tell what is off screen). Charts sit below the fold and load lazily:
the other scheme's variant, hidden with display:none, is then never fetched at all.

Charts and diagrams are also drawn narrow for a phone: `themed_picture` writes each scheme
as a `<picture>` whose `<source>` offers the phone variant to small screens.
"""

from __future__ import annotations

import re

# matplotlib and graphviz both write the root element's size in points (1pt = 4/3 px).
_SVG_ROOT = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_LENGTH = r'="(?P<value>[\d.]+)(?P<unit>pt|px)?"'
_WIDTH = re.compile(r"(?<![-\w])width" + _LENGTH)
_HEIGHT = re.compile(r"(?<![-\w])height" + _LENGTH)
_PX_PER_UNIT = {"pt": 4 / 3, "px": 1.0, None: 1.0}


def svg_pixel_size(svg: str, name: str) -> tuple[int, int]:
    """The CSS pixel size an SVG document declares on its root element."""
    root = _SVG_ROOT.search(svg)
    width = _WIDTH.search(root.group(0)) if root else None
    height = _HEIGHT.search(root.group(0)) if root else None
    if width is None or height is None:
        found = root.group(0) if root else svg[:200]
        raise ValueError(
            f"{name}: expected width and height on the <svg> root element; found {found!r}"
        )
    return tuple(  # type: ignore[return-value]
        round(float(m["value"]) * _PX_PER_UNIT[m["unit"]]) for m in (width, height)
    )


def themed_image(alt: str, src_base: str, size: tuple[int, int], *, lazy: bool) -> str:
    """Two Markdown images (light and dark variant of `src_base`), one per line."""
    width, height = size
    attrs = f'width="{width}" height="{height}"' + (' loading="lazy"' if lazy else "")
    return (
        f"![{alt}]({src_base}-light.svg#only-light){{ {attrs} }}\n"
        f"![{alt}]({src_base}-dark.svg#only-dark){{ {attrs} }}\n"
    )


# MkDocs rewrites the links of Markdown images for the page's URL, not those in raw HTML:
# with directory URLs a page's URL is one folder deeper than its source file (unless it is
# an index page), so a link relative to the source file needs one more `../`.
PAGE_URL_PREFIX = '{{ "" if page.is_index or not config.use_directory_urls else "../" }}'

PHONE_MEDIA = "(pointer: coarse), (min-width: 240px) and (max-width: 719px)"
"""Who gets a figure's phone variant: a touch screen, or a window narrower than Material's
tablet breakpoint. Neither test may hinge on the width alone: Chromium squeezes the
viewport to one pixel for a moment while it takes a full-page screenshot, and a width-only
query then switched every figure to the other variant, a request cut short by the next
page. A touch screen stays coarse, and no window is narrower than 240 px."""


def themed_picture(
    alt: str,
    src_base: str,
    size: tuple[int, int],
    phone_size: tuple[int, int],
    *,
    lazy: bool,
) -> str:
    """Two `<picture>` elements (light and dark variant of `src_base`), each offering the
    narrow phone variant (`<src_base>-phone-<scheme>.svg`) to screens matching PHONE_MEDIA.
    The `<img>` keeps its `#only-<scheme>` source, so Material still shows one scheme only,
    and both sizes are given, so the space is reserved whichever variant the browser picks.
    `alt` must already be escaped for an HTML attribute."""
    width, height = size
    phone_width, phone_height = phone_size
    loading = ' loading="lazy"' if lazy else ""
    return "".join(
        f'<picture><source media="{PHONE_MEDIA}" srcset="{src_base}-phone-{scheme}.svg" '
        f'width="{phone_width}" height="{phone_height}">'
        f'<img src="{src_base}-{scheme}.svg#only-{scheme}" alt="{alt}" '
        f'width="{width}" height="{height}"{loading}></picture>\n'
        for scheme in ("light", "dark")
    )
