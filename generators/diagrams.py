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


@dataclass(frozen=True)
class Palette:
    name: str
    text: str
    edge: str
    cluster_fill: str
    cluster_line: str
    gate: str


LIGHT = Palette("light", "#1f2329", "#4a5160", "#eef1f8", "#9aa3b5", "#00695c")
DARK = Palette("dark", "#e6e9ef", "#b8c0cc", "#262a35", "#5d6678", "#4db6ac")

ALT_TEXT = {
    "dataflow": (
        "Data flow diagram. Three sources, an ERP database, an orders REST API and Excel "
        "supplier workbooks, are extracted into the bronze layer of raw Parquet partitioned by "
        "year, month and day. Bronze feeds the silver layer of validated Parquet with type 2 "
        "history and a quarantine for rejected rows, which feeds the gold layer: a DuckDB star "
        "schema with aggregates, read by BI tools and notebooks. Quality gates sit between the "
        "layers: tier 1 schema checks before bronze is accepted, tier 2 business rules into "
        "silver, tier 3 statistical anomaly checks on gold."
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


def draw_dataflow(path: Path, p: Palette) -> None:
    from diagrams import Cluster, Diagram, Edge
    from diagrams.generic.storage import Storage
    from diagrams.onprem.analytics import Powerbi, Tableau
    from diagrams.onprem.database import Duckdb, Mssql
    from diagrams.programming.flowchart import Document, MultipleDocuments
    from diagrams.programming.language import Python

    gate = {"color": p.gate, "fontcolor": p.gate, "penwidth": "2"}
    plain = {"color": p.edge, "fontcolor": p.text}
    with Diagram("", filename=str(path), outformat="svg", show=False, direction="LR", **_attrs(p)):
        with Cluster("Sources", graph_attr=_cluster_attr(p)):
            erp = Mssql("ERP database")
            api = Document("Orders REST API")
            xls = MultipleDocuments("Supplier workbooks")
        with Cluster("Bronze: raw Parquet\nyear=/month=/day=", graph_attr=_cluster_attr(p)):
            bronze = Storage("as extracted")
        with Cluster("Silver: validated Parquet", graph_attr=_cluster_attr(p)):
            silver = Storage("typed, deduplicated,\nSCD type 2")
            quarantine = Storage("quarantine\n(rejected rows)")
        with Cluster("Gold: star schema", graph_attr=_cluster_attr(p)):
            gold = Duckdb("facts, dimensions,\naggregates")
        with Cluster("Consumption", graph_attr=_cluster_attr(p)):
            bi = [Powerbi("Power BI"), Tableau("Tableau")]
            notebooks = Python("notebooks")
        for source in (erp, api, xls):
            source >> Edge(**plain) >> bronze
        bronze >> Edge(label="tier 1: schema", **gate) >> silver
        silver >> Edge(label="rejected rows", style="dashed", **plain) >> quarantine
        silver >> Edge(label="tier 2: rules", **gate) >> gold
        gold >> Edge(label="tier 3: anomalies", **gate) >> bi[0]
        gold >> Edge(**plain) >> bi[1]
        gold >> Edge(**plain) >> notebooks


def draw_infrastructure(path: Path, p: Palette) -> None:
    from diagrams import Cluster, Diagram, Edge
    from diagrams.generic.storage import Storage
    from diagrams.onprem.database import Duckdb
    from diagrams.programming.flowchart import Document, Inspection, PredefinedProcess
    from diagrams.programming.language import Bash, Python
    from diagrams.saas.chat import Slack

    edge = {"color": p.edge, "fontcolor": p.text}
    with Diagram("", filename=str(path), outformat="svg", show=False, direction="TB", **_attrs(p)):
        with Cluster("Orchestration", graph_attr=_cluster_attr(p)):
            orchestrate = Bash("daily run,\nretries, backfills")
        with Cluster("Ingestion", graph_attr=_cluster_attr(p)):
            ingest = [
                PredefinedProcess("database\nextractor"),
                PredefinedProcess("API\nextractor"),
                PredefinedProcess("file\nextractor"),
            ]
        with Cluster("Processing", graph_attr=_cluster_attr(p)):
            transform = Python("Polars\ntransforms")
            joins = Duckdb("DuckDB joins\nand aggregates")
            validate = Inspection("quality\nvalidators")
        with Cluster("Storage", graph_attr=_cluster_attr(p)):
            lake = Storage("bronze and silver\nParquet")
            warehouse = Duckdb("gold\nwarehouse")
        with Cluster("Observability", graph_attr=_cluster_attr(p)):
            logs = Document("JSON run logs,\nquality results")
            alerts = Slack("alerts")
        orchestrate >> Edge(**edge) >> ingest
        for extractor in ingest:
            extractor >> Edge(**edge) >> transform
        transform >> Edge(**edge) >> validate
        transform >> Edge(**edge) >> joins
        validate >> Edge(**edge) >> lake
        joins >> Edge(**edge) >> warehouse
        lake >> Edge(**edge) >> logs
        warehouse >> Edge(**edge) >> logs
        logs >> Edge(**edge) >> alerts


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


def render_partial(name: str) -> str:
    """The Markdown a page includes: both variants, with alt text and a caption."""
    src = f'{{{{ page_link("assets/generated/diagrams/{name}") }}}}'
    alt = ALT_TEXT[name]
    return (
        f"![{alt}]({src}-light.svg#only-light)\n"
        f"![{alt}]({src}-dark.svg#only-dark)\n\n"
        f"*{CAPTIONS[name]}*\n"
    )


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
                svg = raw.with_suffix(".svg").read_text(encoding="utf-8")
                write_text_atomic(out / f"{name}-{palette.name}.svg", finish_svg(svg))
            write_text_atomic(partials / f"{name}.md", render_partial(name))
