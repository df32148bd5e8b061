"""`python -m demo_pipeline`: the command line.

Each command loads the config once (before importing anything heavy, so a bad config
fails fast and writes nothing), applies the command-line overrides, and passes
the resulting `DemoConfig` and `Workdir` down. Errors raised on purpose
(`DemoPipelineError`) are printed as one clear message with a non-zero exit;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from demo_pipeline.allocator import limit_malloc_arenas
from demo_pipeline.config import DEFAULT_CONFIG_PATH, DemoConfig, load_config
from demo_pipeline.errors import ConfigError, DemoPipelineError
from demo_pipeline.failures import EXIT_UNEXPECTED, TRACEBACK_ENV, crash_report, explain
from demo_pipeline.workdir import Workdir

app = typer.Typer(
    help="Synthetic retail estate, medallion pipeline and benchmarks behind the portfolio.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    epilog=(
        "Exit codes: 0 done; 1 could not run (no estate, work directory in use, damaged "
        "lake, disk full, folder not writable), nothing half-written kept; 2 bad config or "
        "arguments, nothing written; 3 (run) a day partial; 4 (run) a day failed; "
        "70 unexpected error, a bug (its traceback is saved to a file that is named)."
    ),
)
console = Console(stderr=True)

ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="YAML config describing the demo.")]
SeedOpt = Annotated[
    int | None, typer.Option(help="Random seed (overrides estate.seed). Same seed, same bytes.")
]
ScaleOpt = Annotated[
    float | None,
    typer.Option(help="Scale factor (overrides estate.scale). 1 = 10,247 SKUs, 12 warehouses."),
]
DaysOpt = Annotated[
    int | None, typer.Option(help="Number of simulated business days (overrides estate.days).")
]
WorkdirOpt = Annotated[
    Path | None,
    typer.Option(help="Directory for every output of the run (overrides output.workdir)."),
]


# The work directory of the command being run, for messages about its disk.
_workdir_in_use: Path | None = None


def _fail_cleanly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every failure into one message and an exit code; no traceback reaches the
    user. The demo's own errors print as they are (exit 2 for config and arguments, 1
    otherwise); a full disk, an unwritable folder or a corrupt file is explained by
    `demo_pipeline.failures` (exit 1); anything else is a bug (exit 70), its traceback
    saved to a file whose name is printed."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DemoPipelineError as exc:
            _error(str(exc))
            sys.exit(2 if isinstance(exc, ConfigError) else 1)
        except Exception as exc:
            if os.environ.get(TRACEBACK_ENV) == "1":
                raise
            if (message := explain(exc, _workdir_in_use)) is not None:
                _error(message)
                sys.exit(1)
            _error(crash_report(exc))
            sys.exit(EXIT_UNEXPECTED)

    return wrapper


def _error(message: str) -> None:
    # Messages quote paths and values: escaped, so a '[' in them is not read as markup.
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


def resolve(
    config: Path,
    seed: int | None = None,
    scale: float | None = None,
    days: int | None = None,
    workdir: Path | None = None,
) -> tuple[DemoConfig, Workdir]:
    """Load the config once and apply the command-line overrides."""
    global _workdir_in_use
    cfg = load_config(config).with_overrides(seed=seed, scale=scale, days=days)
    _workdir_in_use = Path(workdir if workdir is not None else cfg.output.workdir)
    return cfg, Workdir(_workdir_in_use)


def _command_line() -> str:
    """This command as the user typed it, recorded in the work directory's lock."""
    return " ".join(["python -m demo_pipeline", *sys.argv[1:]])


@app.command()
@_fail_cleanly
def generate(
    config: ConfigOpt = DEFAULT_CONFIG_PATH,
    seed: SeedOpt = None,
    scale: ScaleOpt = None,
    days: DaysOpt = None,
    workdir: WorkdirOpt = None,
) -> None:
    """Generate the synthetic source estate (ERP database, orders, workbooks), replacing
    any estate in the work directory. Refused (exit 1, nothing written) while another
    command holds the work directory's lock."""
    cfg, wd = resolve(config, seed, scale, days, workdir)
    from demo_pipeline.estate import build_estate
    from demo_pipeline.pipeline.workspace import exclusive

    with exclusive(wd, _command_line()):
        summary = build_estate(cfg, wd, console=console)
    console.print(f"[green]estate ready[/] in {wd.sources}: {summary}", highlight=False)


@app.command()
@_fail_cleanly
def run(
    config: ConfigOpt = DEFAULT_CONFIG_PATH,
    seed: SeedOpt = None,
    scale: ScaleOpt = None,
    days: DaysOpt = None,
    workdir: WorkdirOpt = None,
    day: Annotated[
        str | None, typer.Option(help="Re-run one business day, YYYY-MM-DD (a backfill).")
    ] = None,
    from_scratch: Annotated[
        bool, typer.Option("--from-scratch", help="Delete lake, gold and state first.")
    ] = False,
    regenerate: Annotated[
        bool,
        typer.Option(
            "--regenerate",
            help="Generate the estate again with --seed/--scale/--days (where they disagree "
            "with the recorded estate), then run from scratch.",
        ),
    ] = False,
    engine: Annotated[
        str | None,
        typer.Option(
            help="Who computes silver and gold: polars (Polars and DuckDB, the default) or "
            "spark (Apache Spark; needs Java 17). Overrides the config key `engine`.",
        ),
    ] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(
            help="With --engine spark: local[*], local[N] or spark://host:port "
            "(overrides spark.master).",
        ),
    ] = None,
) -> None:
    """Run the daily medallion batch for every simulated day (or one --day) on the estate
    `generate` made in the work directory. Without --seed/--scale/--days it uses the
    settings the estate was generated with (recorded in sources/ground_truth.json); flags
    that disagree with them stop the run (exit 2) unless --regenerate is given. Every
    argument is checked before anything is written.

    Exit codes (the closing summary names the days, sources and tables):

    0  every day succeeded

    1  the command could not run (no estate, work directory in use...)

    2  bad config or arguments; nothing was run

    3  every day ran, at least one partial (a source unreadable or a table held;
    the shipped scenario calendar ends here by design)

    4  at least one day failed"""
    # Before any of the run's threads start (demo_pipeline/allocator.py, ADR 0015).
    limit_malloc_arenas()
    cfg, wd = resolve(config, seed, scale, days, workdir)
    from demo_pipeline.pipeline.workspace import (
        exclusive,
        parse_day,
        require_estate,
        settle_estate,
    )

    flags = {"seed": seed, "scale": scale, "days": days}
    cfg = settle_estate(cfg, wd, flags, regenerate=regenerate)
    cfg = _with_engine(cfg, engine, spark_master)
    if day is not None:
        parse_day(cfg, day)
    if not regenerate:
        require_estate(cfg, wd)
    from demo_pipeline.pipeline.runner import (
        EXIT_FAILED,
        EXIT_OK,
        DaysFailed,
        exit_code,
        run_pipeline,
        run_summary,
    )

    with exclusive(wd, _command_line()):
        if regenerate:
            from demo_pipeline.estate import build_estate

            summary = build_estate(cfg, wd, console=console)
            console.print(f"[green]estate regenerated[/] in {wd.sources}: {summary}")
        try:
            manifests = run_pipeline(
                cfg, wd, day=day, from_scratch=from_scratch or regenerate, console=console
            )
            code = exit_code(manifests)
        except DaysFailed as exc:
            _error(str(exc))
            manifests, code = exc.manifests, EXIT_FAILED
    for line in run_summary(manifests):
        console.print(line, highlight=False, soft_wrap=True)
    if code != EXIT_OK:
        sys.exit(code)


def _with_engine(cfg: DemoConfig, engine: str | None, master: str | None) -> DemoConfig:
    """Apply --engine/--spark-master; Spark's prerequisites (PySpark, Java, a master that
    answers) are checked here, before the lock is taken or anything written."""
    if engine is not None and engine not in ("polars", "spark"):
        raise ConfigError(f"--engine: expected polars or spark; found {engine!r}")
    spark = cfg.spark.model_copy(update={"master": master}) if master else cfg.spark
    # The config hash (and so the run ids) stay those of the estate's config: both
    # engines produce the same run, and their outputs compare byte for byte.
    cfg = cfg.model_copy(update={"engine": engine or cfg.engine, "spark": spark})
    if cfg.engine == "spark":
        from demo_pipeline.spark.session import require_spark

        require_spark(cfg.spark.master)
    elif master:
        raise ConfigError("--spark-master: expected only with --engine spark; found engine polars")
    return cfg


@app.command()
@_fail_cleanly
def bench(
    config: ConfigOpt = DEFAULT_CONFIG_PATH,
    seed: SeedOpt = None,
    scale: ScaleOpt = None,
    workdir: WorkdirOpt = None,
    profile: Annotated[
        str | None,
        typer.Option(
            help="quick (seconds, for tests), default (about 25 minutes, Spark included) "
            "or full (overrides bench.profile)."
        ),
    ] = None,
) -> None:
    """Run the benchmark suite and record its results in the metric catalogue."""
    cfg, wd = resolve(config, seed, scale, None, workdir)
    from demo_pipeline.bench.profiles import get_profile
    from demo_pipeline.bench.runner import require_gold, run_bench
    from demo_pipeline.pipeline.workspace import exclusive

    get_profile(profile or cfg.bench.profile, cfg.bench)  # a bad --profile writes nothing
    require_gold(wd)  # checked before the lock, which would create the work directory
    with exclusive(wd, _command_line()):
        run_bench(cfg, wd, profile=profile or cfg.bench.profile, console=console)


@app.command()
@_fail_cleanly
def claims(
    config: ConfigOpt = DEFAULT_CONFIG_PATH,
    workdir: WorkdirOpt = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit non-zero unless every claim is supported.")
    ] = False,
    registry: Annotated[
        Path | None,
        typer.Option(help="The claims registry to judge (default: data/claims.yaml)."),
    ] = None,
) -> None:
    """Judge every claim of data/claims.yaml: claimed vs measured, and a verdict, written
    to <workdir>/bench/claims.json for the site. Refused (exit 1) while another command
    holds the work directory's lock."""
    _, wd = resolve(config, workdir=workdir)
    from demo_pipeline.bench.claims import REGISTRY_FILE, print_claims
    from demo_pipeline.pipeline.workspace import exclusive

    # It writes <workdir>/bench/claims.json: one writer at a time, like bench and run.
    with exclusive(wd, _command_line()):
        ok = print_claims(wd, console=Console(), registry_file=registry or REGISTRY_FILE)
    if strict and not ok:
        sys.exit(1)
