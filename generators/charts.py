"""Charts from real results, drawn with matplotlib.

Every chart is written three times: an SVG for the light scheme, one for the dark
scheme (Material shows one or the other through `#only-light` / `#only-dark`), and the
data behind it as CSV, linked under the chart. Each chart also gets a partial (the
Markdown pages include) with alt text that states what the chart shows.

Inputs: `<workdir>/bench/results.json` and `raw.json` (benchmarks), the run manifests
(`runs/*.json`), `quality/results.parquet` and `quality/freshness.parquet`. A chart whose
data this run did not produce is replaced by a sentence saying so.

Collecting the data (`*_table` functions, frame in, frame out) is kept apart from
drawing it (`draw_*`) and from writing files (`build`).
"""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from matplotlib.ticker import FuncFormatter, MaxNLocator

from demo_pipeline.workdir import Workdir
from generators import escape
from generators.project import Project
from generators.themed_image import PAGE_URL_PREFIX, svg_pixel_size, themed_picture

STAGES = ("extract", "bronze", "silver", "gold")
LAYERS = ("bronze", "silver", "gold")


@dataclass(frozen=True)
class Theme:
    name: str
    text: str
    grid: str
    colours: tuple[str, ...]


# Colour-blind-safe palettes (Okabe-Ito), lightened for the dark scheme.
LIGHT = Theme(
    "light",
    "#1f2329",
    "#d0d4dc",
    ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999"),
)
DARK = Theme(
    "dark",
    "#e6e9ef",
    "#454b58",
    ("#56B4E9", "#F0C05A", "#3CC4A0", "#E7A3CB", "#9AD0F5", "#FF8A50", "#B8B8B8"),
)


@dataclass(frozen=True)
class Chart:
    """One chart: its data, how to draw it, and the words around it."""

    name: str
    title: str
    data: pl.DataFrame
    draw: Callable[..., None]
    alt: str
    caption: str


# ---------------------------------------------------------------- reading results


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _timing_rows(engine: str, question: str, timing: dict) -> dict:
    runs = timing.get("runs_s") or [timing.get("median_s")]
    return {
        "question": question,
        "engine": engine,
        "median_s": float(timing.get("median_s", 0.0)),
        "min_s": float(timing.get("min_s", min(runs))),
        "max_s": float(timing.get("max_s", max(runs))),
        "runs": len(runs),
    }


def engine_times_table(results: dict, raw: dict) -> pl.DataFrame:
    """Median, fastest and slowest time per question and engine (Polars vs pandas)."""
    bench = raw.get("benchmarks", {}).get("engines_polars_pandas", {})
    rows = []
    for engine, outcome in sorted(bench.items()):
        questions = (outcome.get("payload") or {}).get("questions", {})
        for question, answer in sorted(questions.items()):
            if "timing" in answer:
                rows.append(_timing_rows(engine, question, answer["timing"]))
    if not rows:  # no raw runs: medians only, no spread
        summary = results.get("benchmarks", {}).get("engines_polars_pandas", {}).get("summary", {})
        for question, per_engine in sorted(summary.get("median_s", {}).items()):
            for engine, median in sorted(per_engine.items()):
                rows.append(_timing_rows(engine, question, {"median_s": median}))
    return pl.DataFrame(rows) if rows else pl.DataFrame()


def memory_table(results: dict) -> pl.DataFrame:
    summary = results.get("benchmarks", {}).get("memory", {}).get("summary", {})
    rows = []
    for engine, peaks in sorted(summary.get("peak_rss_bytes_runs", {}).items()):
        mib = sorted(p / 2**20 for p in peaks)
        if mib:
            rows.append(
                {
                    "engine": engine,
                    "median_mib": statistics.median(mib),
                    "min_mib": mib[0],
                    "max_mib": mib[-1],
                    "processes": len(mib),
                }
            )
    return pl.DataFrame(rows) if rows else pl.DataFrame()


def storage_table(results: dict) -> pl.DataFrame:
    summary = results.get("benchmarks", {}).get("formats", {}).get("summary", {})
    sizes = summary.get("bytes", {})
    rows = [{"format": fmt, "mib": b / 2**20, "bytes": b} for fmt, b in sizes.items()]
    return pl.DataFrame(rows).sort("bytes", descending=True) if rows else pl.DataFrame()


def run_days(data: pl.DataFrame) -> str:
    """The pipeline benchmark's day counts, as words ("30", or "7 or 30" if scales differ)."""
    return " or ".join(str(d) for d in data["days"].unique(maintain_order=True))


def pipeline_bench_table(results: dict) -> pl.DataFrame:
    """The `pipeline` benchmark: per scale, the run's days, its seconds per stage (summed
    over the days, which overlap), outside the days, and its wall time."""
    summary = results.get("benchmarks", {}).get("pipeline", {}).get("summary", {})
    rows = []
    for measured in summary.get("scales", []):
        run = measured["run"]
        row = {"scale": f"scale {measured['scale']:g}", "days": run["days"], **run["stage_s"]}
        row["outside the days"] = run["outside_days_s"]
        row["wall_s"] = run["wall_s"]
        row["peak_rss_mb"] = run["peak_rss_mb"]
        row["generate_rows_per_s"] = measured["generate"]["rows_per_s"]
        rows.append(row)
    return pl.DataFrame(rows) if rows else pl.DataFrame()


def scale_out_table(results: dict) -> pl.DataFrame:
    """The `scale_out` benchmark: per scale and engine, silver + gold seconds per day
    against fact rows per day, and peak memory."""
    summary = results.get("benchmarks", {}).get("scale_out", {}).get("summary", {})
    rows = [
        {
            "engine": engine,
            "scale": measured["scale"],
            "rows_per_day": round(measured["rows_per_day"]),
            "build_s_per_day": run["build_s"] / measured["days"],
            "peak_mb": run["total_mb"],
        }
        for measured in summary.get("scales", [])
        for engine, run in measured["engines"].items()
    ]
    return pl.DataFrame(rows).sort("engine", "scale") if rows else pl.DataFrame()


def stage_durations_table(manifests: list[dict]) -> pl.DataFrame:
    rows = [
        {
            "business_date": m["business_date"],
            **{s: float(m.get("durations_s", {}).get(s, 0.0)) for s in STAGES},
        }
        for m in manifests
        if "business_date" in m
    ]
    return pl.DataFrame(rows).sort("business_date") if rows else pl.DataFrame()


def layer_rows_table(manifests: list[dict]) -> pl.DataFrame:
    rows = []
    for m in manifests:
        counts = m.get("rows", {})
        rows.append(
            {
                "business_date": m["business_date"],
                **{layer: int(sum((counts.get(layer) or {}).values())) for layer in LAYERS},
                "quarantined": int(sum((counts.get("quarantined") or {}).values())),
            }
        )
    return pl.DataFrame(rows).sort("business_date") if rows else pl.DataFrame()


def quality_table(results: pl.DataFrame) -> pl.DataFrame:
    """Per day: rows quarantined (tier 2) and anomalies flagged (tier 3)."""
    if results.is_empty():
        return pl.DataFrame()
    return (
        results.group_by("business_date")
        .agg(
            pl.col("rows_failed")
            .filter(pl.col("action") == "quarantined")
            .sum()
            .alias("quarantined_rows"),
            (pl.col("action") == "flagged").sum().alias("anomalies_flagged"),
            (pl.col("action") == "halted").sum().alias("halts"),
        )
        .sort("business_date")
        .with_columns(pl.col("business_date").cast(pl.String))
    )


def freshness_table(ledger: pl.DataFrame) -> pl.DataFrame:
    """Per day: the age in days of the oldest source feed behind the data."""
    if ledger.is_empty():
        return pl.DataFrame()
    return (
        ledger.with_columns(
            (pl.col("business_date") - pl.col("data_date")).dt.total_days().alias("age_days")
        )
        .group_by("business_date")
        .agg(
            pl.col("age_days").max().alias("oldest_feed_age_days"),
            (pl.col("state") != "ok").sum().alias("feeds_not_fresh"),
        )
        .sort("business_date")
        .with_columns(pl.col("business_date").cast(pl.String))
    )


# ---------------------------------------------------------------- drawing


def _style(ax, theme: Theme) -> None:
    ax.set_facecolor("none")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(theme.text)
    ax.tick_params(colors=theme.text)
    ax.xaxis.label.set_color(theme.text)
    ax.yaxis.label.set_color(theme.text)
    ax.title.set_color(theme.text)
    ax.grid(axis="y", color=theme.grid, linewidth=0.6)
    ax.set_axisbelow(True)


def _legend(ax, theme: Theme, handles: list | None = None) -> None:
    """Legend entries above the plot, right-aligned, clear of the data: in one row if the
    figure is wide enough for it, otherwise in as few rows as fit."""
    handles = handles or ax.get_legend_handles_labels()[0]
    figure_width = ax.figure.bbox.width
    renderer = ax.figure.canvas.get_renderer()
    for columns in range(min(len(handles), 5), 0, -1):
        legend = ax.legend(
            handles=handles,
            frameon=False,
            labelcolor=theme.text,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.02),
            ncol=columns,
            borderaxespad=0,
            handlelength=1.2,
            columnspacing=1.0,
        )
        if legend.get_window_extent(renderer).width <= 0.95 * figure_width:
            break
    legend.get_frame().set_alpha(0)


def _short_dates(dates: list[str]) -> list[str]:
    return [d[5:] for d in dates]  # MM-DD: the month is in the caption


def draw_engine_times(ax, data: pl.DataFrame, theme: Theme) -> None:
    questions = data["question"].unique(maintain_order=True).sort().to_list()
    engines = data["engine"].unique().sort().to_list()
    width = 0.8 / max(len(engines), 1)
    for i, engine in enumerate(engines):
        part = data.filter(pl.col("engine") == engine).sort("question")
        xs = [questions.index(q) + (i - (len(engines) - 1) / 2) * width for q in part["question"]]
        med = part["median_s"].to_numpy() * 1000
        err = [med - part["min_s"].to_numpy() * 1000, part["max_s"].to_numpy() * 1000 - med]
        ax.bar(
            xs,
            med,
            width,
            label=engine.replace("_", " "),
            color=theme.colours[i % 7],
            yerr=err,
            ecolor=theme.text,
            capsize=2,
            error_kw={"linewidth": 0.8},
        )
    ax.set_xticks(
        range(len(questions)), [q.replace("_", " ") for q in questions], rotation=20, ha="right"
    )
    ax.set_ylabel("median time (ms)")
    _legend(ax, theme)


def draw_memory(ax, data: pl.DataFrame, theme: Theme) -> None:
    med = data["median_mib"].to_numpy()
    err = [med - data["min_mib"].to_numpy(), data["max_mib"].to_numpy() - med]
    labels = [e.replace("_", " ") for e in data["engine"]]
    ax.bar(
        labels,
        med,
        color=[theme.colours[i % 7] for i in range(len(labels))],
        yerr=err,
        ecolor=theme.text,
        capsize=3,
    )
    ax.set_ylabel("peak resident memory (MiB)")
    ax.tick_params(axis="x", rotation=15)


def draw_storage(ax, data: pl.DataFrame, theme: Theme) -> None:
    labels = [f.replace("_", " ") for f in data["format"]]
    ax.bar(labels, data["mib"].to_numpy(), color=[theme.colours[i % 7] for i in range(len(labels))])
    ax.set_ylabel("size on disk (MiB)")


def draw_pipeline_bench(ax, data: pl.DataFrame, theme: Theme) -> None:
    scales = data["scale"].to_list()
    left = [0.0] * len(scales)
    for i, part in enumerate((*STAGES, "outside the days")):
        values = data[part].to_list()
        ax.barh(scales, values, left=left, label=part, color=theme.colours[i])
        left = [a + v for a, v in zip(left, values, strict=True)]
    # The stages of neighbouring days overlap, so the bar can run past the wall time.
    for row, wall in enumerate(data["wall_s"].to_list()):
        ax.plot([wall, wall], [row - 0.45, row + 0.45], color=theme.text, linewidth=2)
    ax.plot([], [], color=theme.text, linewidth=2, label="wall time")
    ax.set_xlabel(f"seconds, whole {run_days(data)}-day run")
    _legend(ax, theme)


ENGINE_LABELS = {"polars": "Polars + DuckDB (one process)", "spark": "Spark (local mode)"}


def draw_scale_out(ax, data: pl.DataFrame, theme: Theme) -> None:
    for i, engine in enumerate(data["engine"].unique(maintain_order=True).to_list()):
        line = data.filter(pl.col("engine") == engine)
        ax.plot(
            line["rows_per_day"].to_list(),
            line["build_s_per_day"].to_list(),
            marker="o",
            label=ENGINE_LABELS.get(engine, engine),
            color=theme.colours[i],
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("fact rows per day (log scale)")
    ax.set_ylabel("silver + gold, seconds per day (log)")
    # Plain numbers, not powers of ten: an exponent is set smaller than the text around it.
    plain = FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    _legend(ax, theme)


def draw_stage_durations(ax, data: pl.DataFrame, theme: Theme) -> None:
    dates = data["business_date"].to_list()
    bottom = [0.0] * len(dates)
    for i, stage in enumerate(STAGES):
        values = data[stage].to_list()
        ax.bar(_short_dates(dates), values, bottom=bottom, label=stage, color=theme.colours[i])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("seconds per daily run")
    ax.tick_params(axis="x", rotation=90)
    _legend(ax, theme)


def draw_layer_rows(ax, data: pl.DataFrame, theme: Theme) -> None:
    dates = _short_dates(data["business_date"].to_list())
    for i, layer in enumerate((*LAYERS, "quarantined")):
        ax.plot(
            dates,
            data[layer].to_list(),
            marker="o",
            markersize=3,
            label=layer,
            color=theme.colours[i],
            linestyle="--" if layer == "quarantined" else "-",
        )
    ax.set_ylabel("rows (log scale)")
    ax.set_yscale("symlog")
    # Plain numbers, not powers of ten: an exponent is set smaller than the text around it.
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.tick_params(axis="x", rotation=90)
    _legend(ax, theme)


def draw_quality(ax, data: pl.DataFrame, theme: Theme) -> None:
    dates = _short_dates(data["business_date"].to_list())
    ax.bar(
        dates,
        data["quarantined_rows"].to_list(),
        color=theme.colours[1],
        label="rows quarantined (tier 2)",
    )
    ax.set_ylabel("rows quarantined")
    ax.tick_params(axis="x", rotation=90)
    twin = ax.twinx()
    twin.plot(
        dates,
        data["anomalies_flagged"].to_list(),
        color=theme.colours[0],
        marker="o",
        markersize=4,
        linestyle="none",
        label="anomalies flagged (tier 3)",
    )
    twin.set_ylabel("anomalies flagged", color=theme.text)
    twin.tick_params(colors=theme.text)
    for side in ("top", "left", "bottom"):
        twin.spines[side].set_visible(False)
    twin.spines["right"].set_color(theme.text)
    twin.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend(ax, theme, ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0])


def draw_freshness(ax, data: pl.DataFrame, theme: Theme) -> None:
    dates = _short_dates(data["business_date"].to_list())
    ax.step(
        dates,
        data["oldest_feed_age_days"].to_list(),
        where="mid",
        color=theme.colours[5],
        label="age of the oldest feed (days)",
    )
    ax.set_ylabel("days behind the business date")
    ax.tick_params(axis="x", rotation=90)
    _legend(ax, theme)


@dataclass(frozen=True)
class Form:
    """The size a chart is drawn at and its type size, in points. Each chart is drawn
    wide (for screens from a tablet up) and narrow for a phone, where the page scales it
    to a content column of about 358 CSS px: 11 pt on a 4.8 inch figure shows at 11 px or
    more there (checked in a browser by tests/site/test_readability.py)."""

    suffix: str
    size: tuple[float, float]
    font: float
    max_x_labels: int
    """More category labels than this (days of the month) and only every n-th is shown."""


WIDE = Form("", (8, 4.2), 10, 16)
PHONE = Form("-phone", (4.8, 4.6), 11, 8)


def _thin_x_labels(ax, most: int) -> None:
    """Show every n-th x tick label so at most `most` remain, from the first one."""
    labels = ax.get_xticklabels()
    step = -(-len(labels) // most)
    for i, label in enumerate(labels):
        label.set_visible(i % step == 0)


def render_svg(chart: Chart, theme: Theme, path: Path, form: Form = WIDE) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "portfolio",
            "font.family": "sans-serif",
            "font.size": form.font,
            "axes.labelsize": form.font,
            "xtick.labelsize": form.font,
            "ytick.labelsize": form.font,
            "legend.fontsize": form.font,
            "text.color": theme.text,
            # No layout engine from a matplotlibrc: the layout is done once, below.
            "figure.autolayout": False,
            "figure.constrained_layout.use": False,
        }
    ):
        fig, ax = plt.subplots(figsize=form.size)
        fig.patch.set_alpha(0)
        _style(ax, theme)
        chart.draw(ax, chart.data, theme)
        _thin_x_labels(ax, form.max_x_labels)
        # The title sits above the legend, however many rows the legend needed.
        legend = ax.get_legend()
        pad = 6.0
        if legend is not None:
            # The legend measures itself; drawing the whole figure first is not needed.
            renderer = fig.canvas.get_renderer()
            pad += legend.get_window_extent(renderer).height * 72 / fig.dpi
        ax.set_title(chart.title, color=theme.text, fontsize=form.font + 2, loc="left", pad=pad)
        fig.tight_layout()
        # tight_layout leaves a placeholder layout engine behind, and savefig draws a
        # figure that has one twice (a dry run for the layout, then the real one). The
        # layout is done: without an engine, the figure is drawn once.
        fig.set_layout_engine(None)
        fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)


# ---------------------------------------------------------------- assembling


def _dates_span(data: pl.DataFrame) -> str:
    dates = data["business_date"].to_list()
    return f"{dates[0]} to {dates[-1]}" if dates else ""


def build_charts(
    results: dict, raw: dict, manifests: list[dict], quality: pl.DataFrame, ledger: pl.DataFrame
) -> dict[str, list[Chart]]:
    """Every chart this run's data supports, grouped by the partial that shows them."""
    groups: dict[str, list[Chart]] = {
        "bench": [],
        "memory": [],
        "storage": [],
        "pipeline_bench": [],
        "scale_out": [],
        "pipeline": [],
        "quality": [],
    }
    engines = engine_times_table(results, raw)
    if not engines.is_empty():
        fastest = (
            engines.group_by("engine").agg(pl.col("median_s").sum()).sort("median_s")["engine"][0]
        )
        groups["bench"].append(
            Chart(
                "bench-engines",
                "Query time by engine",
                engines,
                draw_engine_times,
                f"Grouped bar chart of the median time of each benchmark question for each engine "
                f"({', '.join(sorted(set(engines['engine'])))}), with error bars from the fastest "
                f"to the slowest run. Overall the fastest engine was {fastest.replace('_', ' ')}.",
                "Same questions, same data, answers checked equal before timing.",
            )
        )
    memory = memory_table(results)
    if not memory.is_empty():
        lowest = memory.sort("median_mib")["engine"][0]
        groups["memory"].append(
            Chart(
                "bench-memory",
                "Peak memory by engine",
                memory,
                draw_memory,
                "Bar chart of the peak resident memory of a fresh process running the same job "
                f"with each engine, with the spread over processes. The lowest was "
                f"{lowest.replace('_', ' ')}.",
                "Each bar is the median over separate processes; error bars show the range.",
            )
        )
    storage = storage_table(results)
    if not storage.is_empty():
        groups["storage"].append(
            Chart(
                "bench-storage",
                "The same rows in each file format",
                storage,
                draw_storage,
                "Bar chart of the bytes on disk of the same sales rows written as "
                + ", ".join(f.replace("_", " ") for f in storage["format"])
                + f"; the largest is {storage['format'][0].replace('_', ' ')} and the smallest "
                f"{storage['format'][-1].replace('_', ' ')}.",
                "Smaller files cost less to store and less to read.",
            )
        )
    runs = pipeline_bench_table(results)
    if not runs.is_empty():
        days = run_days(runs)
        groups["pipeline_bench"].append(
            Chart(
                "bench-pipeline",
                f"The whole pipeline: {days} days, time per stage",
                runs,
                draw_pipeline_bench,
                f"Stacked horizontal bar chart of the whole {days}-day pipeline run at each "
                "benchmarked scale ("
                + ", ".join(runs["scale"])
                + "): the seconds of extract, bronze, silver and gold summed over the days, "
                "then the time outside the days; a line marks the run's wall time.",
                "A day's gold runs while the next day is read and cleaned, so the stages "
                "can add up to more than the wall time. Each run is a fresh estate and a "
                "fresh process; the CSV also has its peak memory and the estate generation "
                "rate.",
            )
        )
    scaled = scale_out_table(results)
    if not scaled.is_empty():
        engines_run = scaled["engine"].unique(maintain_order=True).to_list()
        groups["scale_out"].append(
            Chart(
                "bench-scale-out",
                "The same build on both engines, by volume",
                scaled,
                draw_scale_out,
                "Line chart, on logarithmic axes, of the seconds per day the silver and gold "
                "build took against the fact rows per day, one line per engine ("
                + ", ".join(ENGINE_LABELS.get(e, e) for e in engines_run)
                + "), at scales "
                + ", ".join(f"{v:g}" for v in scaled["scale"].unique(maintain_order=True))
                + ".",
                "Same estate and cores for both engines, gold checked equal; the CSV also has "
                "each run's peak memory.",
            )
        )
    durations = stage_durations_table(manifests)
    if not durations.is_empty():
        groups["pipeline"].append(
            Chart(
                "pipeline-durations",
                "Run time per stage, per day",
                durations,
                draw_stage_durations,
                "Stacked bar chart of the seconds each daily run spent in extract, bronze, silver "
                f"and gold, one bar per business day from {_dates_span(durations)}.",
                "Taken from the run manifests, one per business day (latest run of each day).",
            )
        )
        layers = layer_rows_table(manifests)
        groups["pipeline"].append(
            Chart(
                "pipeline-rows",
                "Rows per layer, per day",
                layers,
                draw_layer_rows,
                "Line chart, on a logarithmic scale, of rows per business day from "
                f"{_dates_span(layers)}: rows written to bronze and silver that day, rows in "
                "the gold tables after the run, and rows sent to quarantine.",
                "Bronze and silver count the rows written that day; gold counts the rows in "
                "its tables after the run, so it grows. The dashed line is quarantine.",
            )
        )
    by_day = quality_table(quality)
    if not by_day.is_empty():
        groups["quality"].append(
            Chart(
                "quality-daily",
                "Quarantined rows and anomalies, per day",
                by_day,
                draw_quality,
                "Bar chart of the rows quarantined by the tier 2 rules each day, with dots for the "
                f"anomalies tier 3 flagged, from {_dates_span(by_day)}.",
                "From every check's result in quality/results.parquet.",
            )
        )
    fresh = freshness_table(ledger)
    if not fresh.is_empty():
        groups["quality"].append(
            Chart(
                "quality-freshness",
                "Data freshness, per day",
                fresh,
                draw_freshness,
                "Step chart of how many days behind the business date the oldest source feed was "
                f"on each day, from {_dates_span(fresh)}; zero means every feed was current.",
                "A fallback to the previous day's data, or a halted table, shows as a step up.",
            )
        )
    return groups


def render_partial(
    charts: list[Chart], group: str, sizes: dict[str, dict[str, tuple[int, int]]]
) -> str:
    """The Markdown a page includes: each chart in both schemes, wide and for a phone
    (sizes: pixel width and height by chart name and form suffix), its caption and a link
    to its data."""
    if not charts:
        return f"*This run produced no data for the {group} charts.*\n"
    out = []
    for chart in charts:
        base = f'{{{{ page_link("assets/generated/charts/{chart.name}") }}}}'
        size = sizes[chart.name]
        out += [
            themed_picture(
                str(escape.text(chart.alt)),
                PAGE_URL_PREFIX + base,
                size[WIDE.suffix],
                size[PHONE.suffix],
                lazy=True,
            ),
            f"*{chart.caption}* [Data behind this chart (CSV)]({base}.csv)",
            "",
        ]
    return "\n".join(out)


def build(project: Project, workdir: Workdir) -> None:
    out = project.assets / "charts"
    partials = project.partials / "charts"
    for folder in (out, partials):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    results = _read_json(workdir.bench_results)
    raw = _read_json(workdir.bench_raw)
    manifests = (
        [json.loads(p.read_text(encoding="utf-8")) for p in workdir.run_manifests()]
        if workdir.runs.exists()
        else []
    )
    quality_path = workdir.quality_results
    quality = pl.read_parquet(quality_path) if quality_path.exists() else pl.DataFrame()
    ledger_path = workdir.freshness_ledger
    ledger = pl.read_parquet(ledger_path) if ledger_path.exists() else pl.DataFrame()
    for group, charts in build_charts(results, raw, manifests, quality, ledger).items():
        sizes: dict[str, dict[str, tuple[int, int]]] = {}
        for chart in charts:
            chart.data.write_csv(out / f"{chart.name}.csv")
            sizes[chart.name] = {}
            for form in (WIDE, PHONE):
                for theme in (LIGHT, DARK):
                    svg_path = out / f"{chart.name}{form.suffix}-{theme.name}.svg"
                    render_svg(chart, theme, svg_path, form)
                # Both schemes are drawn on the same figure size: the last one's serves both.
                svg = svg_path.read_text(encoding="utf-8")
                sizes[chart.name][form.suffix] = svg_pixel_size(svg, svg_path.name)
        partial = render_partial(charts, group, sizes)
        (partials / f"{group}.md").write_text(partial, encoding="utf-8")
