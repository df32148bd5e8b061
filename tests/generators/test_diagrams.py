"""Tests for the architecture diagrams: icons embedded as data, readable on a phone,
drawn from the owner's data, the same bytes on every build."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET

import pytest
import yaml

from generators import diagrams
from generators.diagram_icons import ICON_PIXELS, embed_icons, icon_path
from generators.errors import SourceFileError
from generators.production_platform import load_production_platform, parse_production_platform
from generators.project import REPO_ROOT, Project
from tests.generators.project_copy import copy_project

XLINK = "{http://www.w3.org/1999/xlink}href"
SVG = "{http://www.w3.org/2000/svg}"


def test_finish_svg_renumbers_random_ids_and_drops_comments():
    """Random node ids become n1, n2 in order of appearance; graphviz comments go."""
    a, b = "a" * 32, "b" * 32
    svg = f"<!-- gen -->\n<g id='{a}'>{b} {a}</g>"
    assert diagrams.finish_svg(svg) == "<g id='n1'>n2 n1</g>"


def test_icons_are_embedded_once_each_as_small_pngs():
    """Two links to the same icon file become one <image> in <defs>, holding the PNG
    scaled down, and two <use> where the links were."""
    import base64
    import io

    from PIL import Image

    path = icon_path("duckdb")
    link = (
        f'<image xlink:href="{path}" width="26px" height="26px" preserveAspectRatio="xMinYMin meet"'
    )
    svg = f'<svg width="10pt">{link} x="1" y="2"/>{link} x="3" y="4"/></svg>'
    out = embed_icons(svg, "test.svg")
    assert str(path) not in out
    assert out.count("<image ") == 1 and out.count("<use ") == 2
    assert '<use xlink:href="#icon1" x="3" y="4"/>' in out
    data = re.search(r'xlink:href="data:image/png;base64,([^"]+)"', out).group(1)
    assert Image.open(io.BytesIO(base64.b64decode(data))).size == (ICON_PIXELS, ICON_PIXELS)


def test_partial_offers_a_phone_variant_in_both_schemes():
    """Each scheme is a <picture> whose source serves the phone variant to narrow screens
    and whose <img> keeps the scheme's `#only-` marker, its size and its alt text."""
    text = diagrams.render_partial(
        "dataflow", (888, 927), (390, 1100), "Alt &amp; text", lazy=False
    )
    for scheme in ("light", "dark"):
        assert f'diagrams/dataflow") }}}}-phone-{scheme}.svg" width="390" height="1100">' in text
        assert (
            f'diagrams/dataflow") }}}}-{scheme}.svg#only-{scheme}" alt="Alt &amp; text" '
            'width="888" height="927">' in text
        )
    assert "loading" not in text
    assert 'loading="lazy"' in diagrams.render_partial("production", (1, 1), (1, 1), "", lazy=True)


def _owner_with(tmp_path, platform: object):
    (tmp_path / "data").mkdir(parents=True, exist_ok=True)
    (tmp_path / "data" / "owner.yaml").write_text(
        yaml.safe_dump({"production_platform": platform}), encoding="utf-8"
    )
    return tmp_path


def test_production_platform_errors_name_the_key(tmp_path):
    """An unknown icon, a missing layer and a misspelt key are each reported with the
    file, the key path, what was expected and what was found."""
    platform = yaml.safe_load((REPO_ROOT / "data/owner.yaml").read_text())["production_platform"]
    platform["sources"][1]["icon"] = "mainframe"
    del platform["storage"]
    platform["orchestrator"]["colour"] = "red"
    with pytest.raises(SourceFileError) as caught:
        load_production_platform(_owner_with(tmp_path / "o", platform))
    message = str(caught.value)
    assert "data/owner.yaml: production_platform.sources[1].icon: expected an icon name" in message
    assert "found 'mainframe'" in message
    assert "production_platform.storage: expected field required; found nothing" in message
    assert (
        "production_platform.orchestrator.colour: expected one of the keys name, detail, icon; "
        "found 'red'" in message
    )
    with pytest.raises(SourceFileError, match="production_platform: expected the production"):
        parse_production_platform(None)


def test_build_writes_portable_readable_reproducible_svgs(tmp_path):
    """Twelve SVGs (three diagrams, wide and phone, light and dark): every <image> holds its
    icon as data and no file path remains; the phone variants keep their text at 11 px or
    more on a 390 px phone; the owner's platform is drawn from data/owner.yaml, escaped;
    a second build gives the same bytes."""
    root = copy_project(tmp_path / "project")
    owner = root / "data" / "owner.yaml"
    owner.write_text(
        owner.read_text().replace('name: "Oracle"', 'name: "Oracle <EBS> & co"'), encoding="utf-8"
    )
    project = Project(root)

    def digest() -> dict[str, str]:
        diagrams.build(project)
        out = project.assets / "diagrams"
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}

    first = digest()
    assert sorted(first) == sorted(
        f"{name}{variant}-{scheme}.svg"
        for name in ("dataflow", "infrastructure", "production")
        for variant in ("", "-phone")
        for scheme in ("light", "dark")
    )
    for svg in (project.assets / "diagrams").iterdir():
        text = svg.read_text()
        assert "/site-packages/" not in text and str(tmp_path) not in text
        tree = ET.fromstring(text)
        images = tree.findall(f".//{SVG}image")
        assert images, f"{svg.name}: no icon"
        assert all(image.get(XLINK).startswith("data:image/png;base64,") for image in images)
        assert all(use.get(XLINK).startswith("#icon") for use in tree.iter(f"{SVG}use"))
        if "-phone-" in svg.name:
            assert diagrams.smallest_text(text, svg.name, diagrams.PHONE_CONTENT_PX) >= 11
    production = (project.assets / "diagrams" / "production-light.svg").read_text()
    assert "Oracle &lt;EBS&gt; &amp; co" in production and "via SOAP" in production
    partial = (project.partials / "diagrams" / "production.md").read_text()
    assert "Oracle &lt;EBS&gt; &amp; co (via JDBC)" in partial
    assert digest() == first
