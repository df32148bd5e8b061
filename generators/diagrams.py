"""Architecture diagrams drawn with the `diagrams` package (graphviz underneath).

Two diagrams, each in a light and a dark variant (Material shows one or the other
with `#only-light` / `#only-dark`): the data flow from sources through bronze,
silver and gold to consumption with the quality gates, and the infrastructure layers.

Graphviz links node icons by absolute file path, which a browser cannot load, and
`diagrams` names nodes with random ids; `finish_svg` inlines the icons as data URIs
and renumbers the ids, so the files are portable and the same on every build.
"""

from __future__ import annotations

import base64
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from demo_pipeline.atomic import write_text_atomic
from generators.project import Project
from generators.themed_image import svg_pixel_size, themed_image


@dataclass(frozen=True)
class Palette:
    name: str
    text: str
    edge: str
    cluster_fill: str
    cluster_line: str
    gate: str
    fills: dict[str, str]


# Plain boxes, no icons: small files, and colours chosen for contrast with the text in
# each scheme (bronze, silver and gold tinted so the layers read at a glance).
LIGHT = Palette(
    "light",
    "#1f2329",
    "#4a5160",
    "#f3f5fa",
    "#9aa3b5",
    "#00695c",
    {
        "source": "#dde3f0",
        "bronze": "#f1d6bd",
        "silver": "#e2e5ea",
        "gold": "#f6e3a1",
        "use": "#d6ece6",
        "ops": "#e6e0f3",
        "bad": "#f6d3cf",
    },
)
DARK = Palette(
    "dark",
    "#e6e9ef",
    "#b8c0cc",
    "#20232c",
    "#5d6678",
    "#4db6ac",
    {
        "source": "#2f3a55",
        "bronze": "#5a3b22",
        "silver": "#3d434d",
        "gold": "#5a4a12",
        "use": "#1f4a40",
        "ops": "#3b3352",
        "bad": "#5c2621",
    },
)
ALT_TEXT = {
    "dataflow": (
        "Data flow diagram, top to bottom. Three sources, an ERP database, an orders REST API "
        "and Excel supplier workbooks, feed the bronze layer of raw Parquet partitioned by year, "
        "month and day. Tier 1 schema checks guard the step to the silver layer of typed, "
        "deduplicated Parquet with type 2 history, which sends rejected rows to a quarantine. "
        "Tier 2 business rules guard the step to the gold layer, a DuckDB star schema with "
        "aggregates, and tier 3 anomaly checks watch what gold hands to BI tools, notebooks "
        "and this site."
    ),
    "infrastructure": (
        "Infrastructure diagram in five layers, top to bottom: orchestration (one command "
        "runs the daily batch, with retries), ingestion (database, API and file extractors), "
        "processing (Polars transforms, DuckDB joins and aggregates, quality validators), "
        "storage (bronze and silver Parquet, gold in DuckDB), and observability (JSON run "
        "logs, quality results, alerts to a webhook, dashboards on this site)."
    ),
}

CAPTIONS = {
    "dataflow": "From the sources to the reports, with a quality gate at each step.",
    "infrastructure": "The layers of the platform, from scheduling to observability.",
}


def _attrs(p: Palette) -> dict[str, dict[str, str]]:
    font = "Helvetica"
    return {
        "graph_attr": {
            "bgcolor": "transparent",
            "fontcolor": p.text,
            "fontname": font,
            "fontsize": "20",
            "pad": "0.3",
            "nodesep": "0.5",
            "ranksep": "0.9",
        },
        "node_attr": {"fontcolor": p.text, "fontname": font, "fontsize": "13"},
        "edge_attr": {"color": p.edge, "fontcolor": p.text, "fontname": font, "fontsize": "12"},
    }


def _cluster_attr(p: Palette) -> dict[str, str]:
    return {
        "bgcolor": p.cluster_fill,
        "pencolor": p.cluster_line,
        "fontcolor": p.text,
        "fontname": "Helvetica",
        "fontsize": "15",
        "labeljust": "l",
        "style": "rounded",
    }


def _box(label: str, kind: str, p: Palette, node_id: str):
    from diagrams import Node

    return Node(
        label,
        nodeid=node_id,
        shape="box",
        style="rounded,filled",
        fillcolor=p.fills[kind],
        color=p.cluster_line,
        fontcolor=p.text,
        fixedsize="false",
        labelloc="c",
        width="1.9",
        height="0.7",
        margin="0.15,0.1",
    )


def draw_dataflow(path: Path, p: Palette) -> None:
    from diagrams import Cluster, Diagram, Edge

    gate = {"color": p.gate, "fontcolor": p.gate, "penwidth": "2"}
    plain = {"color": p.edge, "fontcolor": p.text}
    with Diagram("", filename=str(path), outformat="svg", show=False, direction="TB", **_attrs(p)):
        with Cluster("Sources", graph_attr=_cluster_attr(p)):
            erp = _box("ERP database\n(SQLite)", "source", p, "erp")
            api = _box("Orders REST API", "source", p, "api")
            xls = _box("Supplier workbooks\n(Excel)", "source", p, "xls")
        with Cluster("Bronze", graph_attr=_cluster_attr(p)):
            bronze = _box("raw Parquet\nyear=/month=/day=", "bronze", p, "bronze")
        with Cluster("Silver", graph_attr=_cluster_attr(p)):
            silver = _box("typed, deduplicated\nParquet, SCD type 2", "silver", p, "silver")
            quarantine = _box("quarantine\n(rejected rows)", "bad", p, "quarantine")
        with Cluster("Gold", graph_attr=_cluster_attr(p)):
            gold = _box("DuckDB star schema\nfacts, dimensions,\naggregates", "gold", p, "gold")
        with Cluster("Consumption", graph_attr=_cluster_attr(p)):
            bi = _box("Power BI, Tableau", "use", p, "bi")
            notebooks = _box("notebooks, this site", "use", p, "notebooks")
        for source in (erp, api, xls):
            source >> Edge(**plain) >> bronze
        bronze >> Edge(label="tier 1: schema", **gate) >> silver
        silver >> Edge(label="rejected", style="dashed", **plain) >> quarantine
        silver >> Edge(label="tier 2: rules", **gate) >> gold
        gold >> Edge(label="tier 3: anomalies", **gate) >> bi
        gold >> Edge(**plain) >> notebooks


def draw_infrastructure(path: Path, p: Palette) -> None:
    from diagrams import Cluster, Diagram, Edge

    edge = {"color": p.edge, "fontcolor": p.text}
    with Diagram("", filename=str(path), outformat="svg", show=False, direction="TB", **_attrs(p)):
        with Cluster("Orchestration", graph_attr=_cluster_attr(p)):
            orchestrate = _box("one command per day\nretries, backfills", "ops", p, "orch")
        with Cluster("Ingestion", graph_attr=_cluster_attr(p)):
            ingest = [
                _box("database extractor", "source", p, "ing_db"),
                _box("API extractor", "source", p, "ing_api"),
                _box("file extractor", "source", p, "ing_file"),
            ]
        with Cluster("Processing", graph_attr=_cluster_attr(p)):
            transform = _box("Polars transforms", "silver", p, "polars")
            validate = _box("quality validators", "bad", p, "validate")
            joins = _box("DuckDB joins\nand aggregates", "gold", p, "duckdb")
        with Cluster("Storage", graph_attr=_cluster_attr(p)):
            lake = _box("bronze and silver\nParquet", "bronze", p, "lake")
            warehouse = _box("gold DuckDB file\nand Parquet", "gold", p, "warehouse")
        with Cluster("Observability", graph_attr=_cluster_attr(p)):
            logs = _box("JSON run logs,\nrun manifests", "ops", p, "logs")
            results = _box("quality results,\nfreshness", "ops", p, "results")
            alerts = _box("alerts (webhook)", "ops", p, "alerts")
        for extractor in ingest:
            orchestrate >> Edge(**edge) >> extractor
            extractor >> Edge(**edge) >> transform
        transform >> Edge(**edge) >> validate
        transform >> Edge(**edge) >> joins
        validate >> Edge(**edge) >> lake
        joins >> Edge(**edge) >> warehouse
        lake >> Edge(**edge) >> logs
        validate >> Edge(**edge) >> results
        results >> Edge(**edge) >> alerts


DRAWINGS = {"dataflow": draw_dataflow, "infrastructure": draw_infrastructure}

_IMAGE_REF = re.compile(r'xlink:href="([^"]+\.png)"')
_RANDOM_ID = re.compile(r"\b[0-9a-f]{32}\b")


def finish_svg(svg: str) -> str:
    """Inline icon files as data URIs and renumber random node ids (pure)."""

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode(Path(match.group(1)).read_bytes()).decode()
        return f'xlink:href="data:image/png;base64,{data}"'

    svg = _IMAGE_REF.sub(inline, svg)
    ids: dict[str, str] = {}
    svg = _RANDOM_ID.sub(lambda m: ids.setdefault(m.group(0), f"n{len(ids) + 1}"), svg)
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.DOTALL)
    return svg


def render_partial(name: str, size: tuple[int, int]) -> str:
    """The Markdown a page includes: both variants, with alt text and a caption. A diagram
    opens its page (often the largest thing painted first), so it loads at once, not lazily."""
    src = f'{{{{ page_link("assets/generated/diagrams/{name}") }}}}'
    return themed_image(ALT_TEXT[name], src, size, lazy=False) + f"\n*{CAPTIONS[name]}*\n"


def build(project: Project) -> None:
    out = project.assets / "diagrams"
    partials = project.partials / "diagrams"
    for folder in (out, partials):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, draw in DRAWINGS.items():
            for palette in (LIGHT, DARK):
                raw = Path(tmp) / f"{name}-{palette.name}"
                draw(raw, palette)
                svg = finish_svg(raw.with_suffix(".svg").read_text(encoding="utf-8"))
                write_text_atomic(out / f"{name}-{palette.name}.svg", svg)
            # Both palettes lay out the same graph: the last one's size serves both.
            size = svg_pixel_size(svg, f"{name}-{palette.name}.svg")
            write_text_atomic(partials / f"{name}.md", render_partial(name, size))
