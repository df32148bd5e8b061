"""The Markdown for a figure drawn twice, once per colour scheme.

Material shows `…#only-light` images in the light scheme and `…#only-dark` ones in the dark
scheme, so each chart and diagram is written as two images. Both carry the SVG's size as
width and height, so the browser reserves their space before they arrive (no layout shift,
and lazy loading can tell what is off screen). Charts sit below the fold and load lazily:
the other scheme's variant, hidden with display:none, is then never fetched at all.
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
