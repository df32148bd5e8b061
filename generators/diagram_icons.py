"""The icons diagrams may use, and how they travel inside the SVG.

Every icon is a provider icon shipped with the `diagrams` package, named here once by what it
stands for ("duckdb", "rest_api", "alerting"), so the owner's data and the drawing code pick
icons by name and a typo is an error that lists the names there are.

Graphviz links an icon by its absolute file path, which no browser can load once the site is
published. `embed_icons` replaces each link with the PNG itself as a `data:` URI, scaled down
to `ICON_PIXELS` (the icons ship at 256 px and are shown at about 26), and stores each icon
once in `<defs>`, every place it appears pointing at it with `<use>`: a diagram that shows
the same icon five times carries its bytes once.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from pathlib import Path

# What each name stands for -> the `diagrams` provider class whose icon it shows.
ICON_CLASSES = {
    "airflow": "diagrams.onprem.workflow.Airflow",
    "docker": "diagrams.onprem.container.Docker",
    "command": "diagrams.programming.language.Bash",
    "python": "diagrams.programming.language.Python",
    "polars": "diagrams.programming.language.Python",
    "duckdb": "diagrams.onprem.database.Duckdb",
    "sqlite": "diagrams.generic.database.SQL",
    "sql_server": "diagrams.onprem.database.Mssql",
    "oracle": "diagrams.onprem.database.Oracle",
    "postgresql": "diagrams.onprem.database.Postgresql",
    "rest_api": "diagrams.onprem.network.Internet",
    "soap_service": "diagrams.onprem.compute.Server",
    "rpa_bot": "diagrams.onprem.client.Client",
    "spreadsheet": "diagrams.programming.flowchart.MultipleDocuments",
    "parquet": "diagrams.generic.storage.Storage",
    "quarantine": "diagrams.programming.flowchart.Inspection",
    "validator": "diagrams.programming.flowchart.Decision",
    "logs": "diagrams.programming.flowchart.Document",
    "dashboard": "diagrams.onprem.monitoring.Grafana",
    "alerting": "diagrams.saas.chat.Slack",
    "webhook": "diagrams.programming.flowchart.OffPageConnectorRight",
    "power_bi": "diagrams.onprem.analytics.Powerbi",
    "tableau": "diagrams.onprem.analytics.Tableau",
    "notebook": "diagrams.programming.flowchart.Display",
    "users": "diagrams.onprem.client.Users",
}
ICON_NAMES = tuple(sorted(ICON_CLASSES))
ICON_PIXELS = 64
"""Width and height of an embedded icon: about twice the size it is shown at, so it stays
sharp on a phone's high-density screen."""


def icon_path(name: str) -> Path:
    """The PNG file of an icon, inside the installed `diagrams` package."""
    import importlib

    if name not in ICON_CLASSES:
        raise KeyError(f"icon {name!r}: expected one of {', '.join(ICON_NAMES)}")
    module_name, class_name = ICON_CLASSES[name].rsplit(".", 1)
    cls = getattr(importlib.import_module(module_name), class_name)
    resources = Path(importlib.import_module("diagrams").__file__).resolve().parent.parent
    path = resources / "resources" / cls._icon_dir.removeprefix("resources/") / cls._icon
    if not path.is_file():
        raise FileNotFoundError(f"icon {name!r}: {path} not found in the diagrams package")
    return path


@functools.cache
def png_data_uri(path: Path) -> str:
    """The icon at `path`, scaled to ICON_PIXELS, as a `data:image/png;base64,` URI. The PNG
    is written without metadata, so the same icon gives the same bytes on every build."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGBA").resize((ICON_PIXELS, ICON_PIXELS), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# An icon as graphviz writes it: <image xlink:href="/abs/path.png" width=".." height=".."
# preserveAspectRatio=".." x=".." y=".."/>
_IMAGE = re.compile(
    r'<image xlink:href="(?P<href>[^"]+)" (?P<size>width="[^"]*" height="[^"]*") '
    r'(?P<aspect>preserveAspectRatio="[^"]*") x="(?P<x>[^"]*)" y="(?P<y>[^"]*)"/>'
)
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")


def embed_icons(svg: str, name: str) -> str:
    """Every linked icon file of a graphviz SVG, defined once in `<defs>` as data and drawn
    where it was with `<use>` (pure apart from reading the icon files)."""
    defs: dict[tuple[str, str], str] = {}

    def use(match: re.Match[str]) -> str:
        href = match["href"]
        if href.startswith("data:"):
            return match.group(0)
        path = Path(href)
        if not path.is_file():
            raise FileNotFoundError(f"{name}: icon {href} linked by the diagram not found")
        key = (href, match["size"])
        if key not in defs:
            icon_id = f"icon{len(defs) + 1}"
            defs[key] = (
                f'<image id="{icon_id}" xlink:href="{png_data_uri(path)}" '
                f"{match['size']} {match['aspect']}/>"
            )
        icon_id = f"icon{list(defs).index(key) + 1}"
        return f'<use xlink:href="#{icon_id}" x="{match["x"]}" y="{match["y"]}"/>'

    svg = _IMAGE.sub(use, svg)
    if defs:
        root = _SVG_ROOT.search(svg)
        if root is None:
            raise ValueError(f"{name}: expected an <svg> root element")
        svg = (
            svg[: root.end()] + "\n<defs>" + "".join(defs.values()) + "</defs>" + svg[root.end() :]
        )
    return svg
