"""Sizes read from real SVG roots (matplotlib and graphviz write points) and clear errors."""

import pytest

from generators.themed_image import svg_pixel_size, themed_image


def test_points_become_css_pixels():
    matplotlib_root = '<svg xmlns:xlink="x" width="576pt" height="302.4pt" viewBox="0 0 576 302.4">'
    assert svg_pixel_size(matplotlib_root, "chart.svg") == (768, 403)
    graphviz_root = '<svg width="666pt" height="695pt"\n viewBox="0.00 0.00 666.20 695.20">'
    assert svg_pixel_size(graphviz_root, "diagram.svg") == (888, 927)
    in_any_order = '<svg stroke-width="3" height="20" width="10px">'
    assert svg_pixel_size(in_any_order, "x.svg") == (10, 20)


def test_a_root_without_size_names_the_file():
    with pytest.raises(ValueError, match=r"broken\.svg: expected width and height"):
        svg_pixel_size('<svg viewBox="0 0 10 10">', "broken.svg")


def test_lazy_only_when_asked():
    eager = themed_image("Alt", "img/x", (10, 20), lazy=False)
    lazy = themed_image("Alt", "img/x", (10, 20), lazy=True)
    assert eager.splitlines() == [
        '![Alt](img/x-light.svg#only-light){ width="10" height="20" }',
        '![Alt](img/x-dark.svg#only-dark){ width="10" height="20" }',
    ]
    assert lazy.count('loading="lazy"') == 2
