"""Architecture diagrams drawn with the `diagrams` package (graphviz underneath).

Three diagrams, each in a light and a dark variant (Material shows one or the other with
`#only-light` / `#only-dark`): the demo's data flow from sources through bronze, silver and
gold to consumption with the quality gates; the demo's infrastructure layers; and the
production platform the owner ran, drawn from `production_platform:` in `data/owner.yaml`
and labelled self-reported.

Every box shows a provider icon from the `diagrams` package beside its label
(generators/diagram_icons.py embeds the icons in the SVG as data, so the files load once
published). Each diagram is laid out twice: wide, two boxes a row, for screens from a
tablet up; and for a phone, one box a row, a single column whose text still shows at 11 CSS
px or more once scaled to a 390 px phone's content width. The page offers the phone
variant to small screens with `<picture>`. The build checks both (`smallest_text`), and
tests/site/test_readability.py measures them in a browser.

`diagrams` names nodes with random ids and graphviz writes its version in a comment;
`finish_svg` renumbers the ids and drops the comments, so the files are the same on every
build.
"""

from __future__ import annotations

import itertools
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from demo_pipeline.atomic import write_text_atomic
from generators import escape
from generators.diagram_icons import embed_icons, icon_path
from generators.errors import SiteError
from generators.production_platform import ProductionPlatform, load_production_platform
from generators.project import Project
from generators.themed_image import PAGE_URL_PREFIX, svg_pixel_size, themed_picture


@dataclass(frozen=True)
class Palette:
    name: str
    text: str
    edge: str
    cluster_fill: str
    cluster_line: str
    gate: str
    tile: str
    """Behind each icon: a light tile, so dark icons read in the dark scheme too."""
    fills: dict[str, str]


# Colours chosen for contrast with the text in each scheme (bronze, silver and gold
# tinted so the layers read at a glance).
LIGHT = Palette(
    "light",
    "#1f2329",
    "#4a5160",
    "#f3f5fa",
    "#9aa3b5",
    "#00695c",
    "#ffffff",
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
    "#e6e9ef",
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

# Type sizes in points (graphviz's unit). On a phone the diagram is scaled to the content
# width, PHONE_CONTENT_PX; text stays readable while the diagram is at most
# PHONE_CONTENT_PX / MIN_TEXT_PX * NODE_FONT points wide, which one box a row respects.
NODE_FONT = 14
EDGE_FONT = 13
CLUSTER_FONT = 15
ICON_POINTS = 26
PHONE_CONTENT_PX = 358
"""Width of the content column on a 390 px phone (Material's margins taken off)."""
WIDE_CONTENT_PX = 688
"""The narrowest content column that gets the wide variant (a 720 px screen)."""
MIN_TEXT_PX = 11.0

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
        "Infrastructure diagram of this repository's demo in five layers, top to bottom: "
        "orchestration (one command runs the daily batch, with retries), ingestion (database, "
        "API and file extractors), processing (Polars transforms, DuckDB joins and aggregates, "
        "quality validators), storage (bronze and silver Parquet, gold in DuckDB), and "
        "observability (JSON run logs, quality results, alerts to a webhook)."
    ),
}

CAPTIONS = {
    "dataflow": "From the sources to the reports, with a quality gate at each step.",
    "infrastructure": "The demo in this repository: what `python -m demo_pipeline run` runs.",
    "production": "The platform I ran in production, as I describe it (self-reported).",
}


def _attrs(p: Palette) -> dict[str, dict[str, str]]:
    font = "Helvetica"
    return {
        "graph_attr": {
            "bgcolor": "transparent",
            "fontcolor": p.text,
            "fontname": font,
            "fontsize": str(CLUSTER_FONT),
            "pad": "0.15",
            "nodesep": "0.3",
            "ranksep": "0.45",
            "splines": "spline",
            "compound": "true",  # an edge may end at a cluster's border (lhead/ltail)
        },
        # `diagrams` sizes nodes for an icon above the label (1.4 inch, fixed): these boxes
        # hold the icon beside the label, and take the size of what they hold.
        "node_attr": {
            "fontcolor": p.text,
            "fontname": font,
            "fontsize": str(NODE_FONT),
            "fixedsize": "false",
            "width": "0",
            "height": "0",
            "labelloc": "c",
        },
        "edge_attr": {
            "color": p.edge,
            "fontcolor": p.text,
            "fontname": font,
            "fontsize": str(EDGE_FONT),
        },
    }


def _cluster_attr(p: Palette) -> dict[str, str]:
    return {
        "bgcolor": p.cluster_fill,
        "pencolor": p.cluster_line,
        "fontcolor": p.text,
        "fontname": "Helvetica",
        "fontsize": str(CLUSTER_FONT),
        "labeljust": "l",
        "style": "rounded",
        "margin": "8",
    }


def icon_label(lines: Sequence[str], icon: str, p: Palette) -> str:
    """A graphviz HTML-like label: the icon on a tile, the lines of text beside it. The
    text is escaped, as it may come from the owner's data file."""
    text = '<BR ALIGN="LEFT"/>'.join(str(escape.text(line)) for line in lines if line)
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{ICON_POINTS}" HEIGHT="{ICON_POINTS}" '
        f'BGCOLOR="{p.tile}" STYLE="rounded" CELLPADDING="2">'
        f'<IMG SRC="{icon_path(icon)}" SCALE="TRUE"/></TD>'
        '<TD WIDTH="8"></TD>'
        f'<TD ALIGN="LEFT" BALIGN="LEFT">{text}<BR ALIGN="LEFT"/></TD>'
        "</TR></TABLE>>"
    )


def _box(lines: Sequence[str], icon: str, kind: str, p: Palette, node_id: str):
    from diagrams import Node

    return Node(
        icon_label(lines, icon, p),
        nodeid=node_id,
        shape="box",
        style="rounded,filled",
        fillcolor=p.fills[kind],
        color=p.cluster_line,
        fontcolor=p.text,
        margin="0.12,0.08",
    )


@dataclass(frozen=True)
class Layout:
    """How many boxes a row may hold: two on a wide screen, one on a phone, where the
    diagram is a single column whose text stays large once scaled to the screen."""

    suffix: str
    per_row: int

    def rows(self, nodes: Sequence) -> None:
        """Keep boxes that would share a rank at most `per_row` side by side: an invisible
        edge from each box to the one `per_row` further on moves that one a row down."""
        from diagrams import Edge

        for upper, lower in zip(nodes, nodes[self.per_row :], strict=False):
            upper >> Edge(style="invis") >> lower

    def below(self, upper, lower) -> None:
        """On a phone, `lower` (a side branch) goes under `upper`, not beside it."""
        from diagrams import Edge

        if self.per_row == 1:
            upper >> Edge(style="invis", weight="10") >> lower


WIDE = Layout("", 2)
PHONE = Layout("-phone", 1)


def _diagram(path: Path, p: Palette):
    from diagrams import Diagram

    return Diagram("", filename=str(path), outformat="svg", show=False, direction="TB", **_attrs(p))


def _layer(label: str, p: Palette):
    from diagrams import Cluster

    return Cluster(label, graph_attr=_cluster_attr(p))


def draw_dataflow(path: Path, p: Palette, layout: Layout, platform: ProductionPlatform) -> None:
    from diagrams import Edge

    gate = {"color": p.gate, "fontcolor": p.gate, "penwidth": "2", "weight": "10"}
    plain = {"color": p.edge, "fontcolor": p.text}
    with _diagram(path, p):
        with _layer("Sources", p) as source_layer:
            sources = [
                _box(["ERP database", "(SQLite)"], "sqlite", "source", p, "erp"),
                _box(["Orders", "REST API"], "rest_api", "source", p, "api"),
                _box(["Supplier workbooks", "(Excel)"], "spreadsheet", "source", p, "xls"),
            ]
            layout.rows(sources)
        with _layer("Bronze", p):
            bronze = _box(["raw Parquet", "year=/month=/day="], "parquet", "bronze", p, "bronze")
        with _layer("Silver", p):
            silver = _box(
                ["typed, deduplicated", "Parquet, SCD type 2"], "parquet", "silver", p, "silver"
            )
            quarantine = _box(
                ["rejected rows,", "quarantined"], "quarantine", "bad", p, "quarantine"
            )
        with _layer("Gold", p):
            gold = _box(
                ["DuckDB star schema", "facts, dimensions,", "aggregates"],
                "duckdb",
                "gold",
                p,
                "gold",
            )
        with _layer("Consumption", p):
            uses = [
                _box(["Power BI,", "Tableau"], "power_bi", "use", p, "bi"),
                _box(["notebooks,", "this site"], "notebook", "use", p, "notebooks"),
            ]
            layout.rows(uses)
        sources[-1] >> Edge(ltail=source_layer.name, weight="10", **plain) >> bronze
        bronze >> Edge(label="tier 1: schema", **gate) >> silver
        # Beside silver (below it on a phone): the main flow stays one straight column.
        silver >> Edge(style="dashed", constraint="false", **plain) >> quarantine
        layout.below(silver, quarantine)
        layout.below(quarantine, gold)
        silver >> Edge(label="tier 2: rules", **gate) >> gold
        gold >> Edge(label="tier 3: anomalies", **gate) >> uses[0]
        if layout.per_row > 1:
            gold >> Edge(**plain) >> uses[1]


def draw_infrastructure(
    path: Path, p: Palette, layout: Layout, platform: ProductionPlatform
) -> None:
    from diagrams import Edge

    edge = {"color": p.edge, "fontcolor": p.text}
    spine = {**edge, "weight": "10"}
    with _diagram(path, p):
        with _layer("Orchestration", p):
            orchestrate = _box(
                ["one command a day", "retries, backfills"], "command", "ops", p, "orch"
            )
        with _layer("Ingestion", p) as ingestion:
            ingest = [
                _box(["database", "extractor"], "sqlite", "source", p, "ing_db"),
                _box(["API", "extractor"], "rest_api", "source", p, "ing_api"),
                _box(["file", "extractor"], "spreadsheet", "source", p, "ing_file"),
            ]
            layout.rows(ingest)
        with _layer("Processing", p) as processing:
            steps = [
                _box(["Polars", "transforms"], "polars", "silver", p, "polars"),
                _box(["quality", "validators"], "validator", "bad", p, "validate"),
                _box(["DuckDB joins", "and aggregates"], "duckdb", "gold", p, "duckdb"),
            ]
            layout.rows(steps[1:])
        with _layer("Storage", p) as storage:
            stores = [
                _box(["bronze and", "silver Parquet"], "parquet", "bronze", p, "lake"),
                _box(["gold DuckDB file", "and Parquet"], "duckdb", "gold", p, "warehouse"),
            ]
            layout.rows(stores)
        with _layer("Observability", p) as observability:
            watch = [
                _box(["JSON run logs,", "run manifests"], "logs", "ops", p, "logs"),
                _box(["quality results,", "freshness"], "dashboard", "ops", p, "results"),
                _box(["alerts", "(webhook)"], "webhook", "ops", p, "alerts"),
            ]
            layout.rows(watch)
        orchestrate >> Edge(lhead=ingestion.name, **spine) >> ingest[0]
        ingest[-1] >> Edge(ltail=ingestion.name, **spine) >> steps[0]
        steps[0] >> Edge(**spine) >> steps[1]
        steps[0] >> Edge(**edge) >> steps[2]
        steps[-1] >> Edge(ltail=processing.name, lhead=storage.name, **spine) >> stores[0]
        stores[-1] >> Edge(ltail=storage.name, lhead=observability.name, **spine) >> watch[0]


def draw_production(path: Path, p: Palette, layout: Layout, platform: ProductionPlatform) -> None:
    """The owner's production platform, layer by layer: the orchestrator runs the
    ingestion; the sources feed the first processing step; steps run in order into the
    first storage layer; layers follow each other; the last serves the consumers and
    feeds the alerting and monitoring. An edge to or from a whole layer ends at the
    layer's border, so five sources need two arrows, not ten."""
    from diagrams import Edge

    edge = {"color": p.edge, "fontcolor": p.text}
    spine = {**edge, "weight": "10"}

    def boxes(parts, kind: str, prefix: str, lines=lambda part: [part.name, part.detail]):
        return [
            _box(lines(part), part.icon, kind, p, f"{prefix}{i}") for i, part in enumerate(parts)
        ]

    def chain(nodes) -> None:
        for upper, lower in itertools.pairwise(nodes):
            upper >> Edge(**spine) >> lower

    with _diagram(path, p):
        with _layer("Orchestration", p):
            (orchestrator,) = boxes([platform.orchestrator], "ops", "orch")
        with _layer("Ingestion", p) as ingestion:
            sources = boxes(platform.sources, "source", "src", lambda s: [s.name, f"via {s.via}"])
            layout.rows(sources)
        with _layer("Processing", p):
            steps = boxes(platform.processing, "silver", "proc")
        with _layer("Storage", p):
            layers = boxes(platform.storage, "gold", "store")
        orchestrator >> Edge(lhead=ingestion.name, **spine) >> sources[0]
        sources[-1] >> Edge(ltail=ingestion.name, **spine) >> steps[0]
        chain(steps)
        steps[-1] >> Edge(**spine) >> layers[0]
        chain(layers)
        # The last two layers sit side by side, one box wide each (one under the other on
        # a phone).
        with _layer("Alerting and monitoring", p) as alerting:
            alerts = boxes(platform.alerting, "bad", "alert")
            PHONE.rows(alerts)
        layers[-1] >> Edge(lhead=alerting.name, style="dashed", **edge) >> alerts[0]
        if platform.consumers:
            with _layer("Consumers", p) as consuming:
                consumers = boxes(platform.consumers, "use", "use")
                PHONE.rows(consumers)
            layers[-1] >> Edge(lhead=consuming.name, **spine) >> consumers[0]
            layout.below(alerts[-1], consumers[0])


def production_alt_text(platform: ProductionPlatform) -> str:
    """What the production diagram shows, in words, from the owner's data."""

    def names(parts) -> str:
        return ", ".join(part.name for part in parts)

    sources = ", ".join(f"{s.name} (via {s.via})" for s in platform.sources)
    text = (
        f"Production platform diagram, self-reported, top to bottom: "
        f"{platform.orchestrator.name} orchestrates ingestion from {sources}; processing with "
        f"{names(platform.processing)}; storage in {names(platform.storage)}; alerting and "
        f"monitoring with {names(platform.alerting)}"
    )
    if platform.consumers:
        text += f"; consumed by {names(platform.consumers)}"
    return text + "."


EAGER = {"dataflow"}
"""Diagrams at the top of their page, loaded at once rather than lazily."""

DRAWINGS: dict[str, Callable[[Path, Palette, Layout, ProductionPlatform], None]] = {
    "dataflow": draw_dataflow,
    "infrastructure": draw_infrastructure,
    "production": draw_production,
}

_RANDOM_ID = re.compile(r"\b[0-9a-f]{32}\b")
_FONT_SIZE = re.compile(r'font-size="([\d.]+)"')
_VIEWBOX = re.compile(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) [\d.]+"')


def finish_svg(svg: str, name: str = "diagram") -> str:
    """Embed icons as data, renumber random node ids, drop graphviz's comments."""
    svg = embed_icons(svg, name)
    ids: dict[str, str] = {}
    svg = _RANDOM_ID.sub(lambda m: ids.setdefault(m.group(0), f"n{len(ids) + 1}"), svg)
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.DOTALL)
    return svg


def smallest_text(svg: str, name: str, content_px: float) -> float:
    """The smallest font size of the diagram in CSS pixels once it is scaled down to a
    content column `content_px` wide (or shown at its own size if it is narrower)."""
    sizes = [float(s) for s in _FONT_SIZE.findall(svg)]
    viewbox = _VIEWBOX.search(svg)
    if not sizes or viewbox is None:
        raise SiteError(f"{name}: expected text with font-size and a viewBox; found neither")
    user_units = float(viewbox.group(1))
    scale = min(content_px / user_units, 4 / 3)  # graphviz user units are points
    return min(sizes) * scale


def render_partial(
    name: str, size: tuple[int, int], phone_size: tuple[int, int], alt: str, *, lazy: bool
) -> str:
    """The HTML a page includes: the light and dark variants, each with its phone variant,
    with alt text and a caption. The first diagram of a page loads at once (often the
    largest thing painted first); the others lazily, so the other scheme's is never
    fetched."""
    src = PAGE_URL_PREFIX + f'{{{{ page_link("assets/generated/diagrams/{name}") }}}}'
    return themed_picture(alt, src, size, phone_size, lazy=lazy) + f"\n*{CAPTIONS[name]}*\n"


def build(project: Project) -> None:
    out = project.assets / "diagrams"
    partials = project.partials / "diagrams"
    platform = load_production_platform(project.root)
    alt = {**ALT_TEXT, "production": production_alt_text(platform)}
    for folder in (out, partials):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, draw in DRAWINGS.items():
            sizes = {}
            for layout, content_px in ((WIDE, WIDE_CONTENT_PX), (PHONE, PHONE_CONTENT_PX)):
                for palette in (LIGHT, DARK):
                    file = f"{name}{layout.suffix}-{palette.name}.svg"
                    raw = Path(tmp) / file
                    draw(raw.with_suffix(""), palette, layout, platform)
                    svg = finish_svg(raw.read_text(encoding="utf-8"), file)
                    smallest = smallest_text(svg, file, content_px)
                    if smallest < MIN_TEXT_PX:
                        raise SiteError(
                            f"{file}: in a {content_px} px wide column its smallest text would "
                            f"show at {smallest:.1f} px; expected at least {MIN_TEXT_PX} px "
                            "(fewer boxes a row, or shorter labels)"
                        )
                    write_text_atomic(out / file, svg)
                # Both palettes lay out the same graph: the last one's size serves both.
                sizes[layout.suffix] = svg_pixel_size(svg, file)
            partial = render_partial(
                name,
                sizes[WIDE.suffix],
                sizes[PHONE.suffix],
                str(escape.text(alt[name])),
                lazy=name not in EAGER,
            )
            write_text_atomic(partials / f"{name}.md", partial)
