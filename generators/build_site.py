"""`python -m generators.build_site`: build everything the site needs, in order,
and only what changed.

Steps, each skipped when its inputs (code, config, data) hash the same as on its last
successful run and its outputs are still as it left them:

1. estate     `python -m demo_pipeline generate`   (estate code, config, seed, scale)
2. pipeline   `python -m demo_pipeline run --from-scratch`  (pipeline code, config, estate)
3. bench      `python -m demo_pipeline bench --profile quick`, only when the catalogue
              holds no benchmark results yet (or this build made them and the code changed)
3b. claims    `python -m demo_pipeline claims`: judge data/claims.yaml against the results
4. publish    copy raw results (metrics, claims, quality results) into the site
5. diagrams   architecture diagrams (SVG, light and dark)
6. charts     matplotlib charts (SVG, light and dark) and their CSV data
7. pages      ADRs, case studies, catalogue page, the CV (page and PDF), home partials, nav
7b. query     the "Query the data" page: DuckDB-WASM copied from web/ (`make web`), the gold
              tables as Parquet (at most 30 MB), their manifest, and every example query's
              answer computed with Python DuckDB (generators/query/)
8. mkdocs     `mkdocs build --strict` into a temporary sibling of site/ (`site.tmp-<pid>`),
              then a check that nothing unrendered (`{{`, `{%`) reached a page, and the
              claim check (generators/claim_check.py): no claim's figure without its
              verdict, no prose the verdict contradicts. Only a build that passed them
              replaces site/; a failed one leaves the last good site/ as it was.

Step records live in `<workdir>/site-steps/<step>.json`. They name files relative to the
project or the work directory, so a project and work directory moved (or copied) together
rebuild nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.failures import EXIT_UNEXPECTED, TRACEBACK_ENV, crash_report, explain
from demo_pipeline.workdir import Workdir
from generators.errors import SiteError, StepError
from generators.project import Project

SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ruff_cache"}


def files_under(paths: Iterable[Path], *, exclude: Iterable[Path] = ()) -> list[Path]:
    """Every file under `paths` (files or folders), sorted, minus `exclude` folders."""
    excluded = [p.resolve() for p in exclude]
    found: set[Path] = set()
    for path in paths:
        if path.is_file():
            found.add(path)
        elif path.is_dir():
            for f in path.rglob("*"):
                if f.is_file() and not SKIP_DIRS.intersection(f.parts):
                    found.add(f)
    return sorted(f for f in found if not any(f.resolve().is_relative_to(e) for e in excluded))


def hashed_name(f: Path, root: Path | None, workdir: Path | None = None) -> str:
    """A file's name in a hash: relative to the project root, else relative to the work
    directory (marked as such), else absolute. A project and work directory moved or
    copied elsewhere together (a moved clone, a copied build) then hash as they did."""
    if root and f.is_relative_to(root):
        return str(f.relative_to(root))
    if workdir and f.is_relative_to(workdir):
        return f"<workdir>/{f.relative_to(workdir)}"
    return str(f)


def hash_inputs(
    paths: Iterable[Path],
    *,
    extra: str = "",
    root: Path | None = None,
    workdir: Path | None = None,
    exclude: Iterable[Path] = (),
) -> str:
    """A content hash of files (path and bytes) and an extra string (e.g. the scale).
    Paths are named relative to `root` or `workdir` where under them (hashed_name)."""
    digest = hashlib.sha256(extra.encode())
    for f in files_under(paths, exclude=exclude):
        digest.update(hashed_name(f, root, workdir).encode() + b"\0")
        digest.update(hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


@dataclass
class Step:
    """One step of the build: what it reads, what it writes, how to run it."""

    name: str
    inputs: list[Path]
    outputs: list[Path]
    run: Callable[[], None]
    extra: str = ""
    exclude: tuple[Path, ...] = ()
    should_run: Callable[[bool], bool] | None = None  # given "inputs changed", decide


class StepRecords:
    """The last successful inputs and outputs hash of each step. Files are named in the
    hashes relative to `root` (the project) or `workdir`, so the records still hold when
    both are moved or copied elsewhere."""

    def __init__(self, folder: Path, root: Path, workdir: Path | None = None) -> None:
        self.folder = folder
        self.root = root
        self.workdir = workdir

    def hash(self, paths: Iterable[Path], **options) -> str:
        return hash_inputs(paths, root=self.root, workdir=self.workdir, **options)

    def _path(self, step: str) -> Path:
        return self.folder / f"{step}.json"

    def read(self, step: str) -> dict:
        path = self._path(step)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def write(self, step: str, record: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self._path(step), json.dumps(record, indent=2, sort_keys=True) + "\n")


def run_steps(
    steps: list[Step],
    records: StepRecords,
    *,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> list[str]:
    """Run each step whose inputs or outputs changed; return the names of those run."""
    ran = []
    for step in steps:
        start = time.perf_counter()
        inputs_hash = records.hash(step.inputs, extra=step.extra, exclude=step.exclude)
        last = records.read(step.name)
        outputs_ok = (
            bool(last)
            and all(p.exists() for p in step.outputs)
            and last.get("outputs") == records.hash(step.outputs)
        )
        changed = force or last.get("inputs") != inputs_hash or not outputs_ok
        wanted = step.should_run(changed) if step.should_run else changed
        if not wanted:
            log(f"[skip] {step.name}: inputs unchanged")
            continue
        log(f"[run]  {step.name} ...")
        step.run()
        # Hash the inputs again: a step may legitimately change its own inputs' files
        # (e.g. the pipeline updates the catalogue the bench step also reads).
        records.write(
            step.name,
            {
                "inputs": records.hash(step.inputs, extra=step.extra, exclude=step.exclude),
                "outputs": records.hash(step.outputs),
            },
        )
        ran.append(step.name)
        log(f"[done] {step.name} in {time.perf_counter() - start:.1f} s")
    return ran


def _call(
    args: list[str],
    *,
    cwd: Path,
    env: dict | None = None,
    what: str,
    ok: tuple[int, ...] = (0,),
    capture: bool = False,
) -> None:
    """Run one step's command. The demo's own commands print their own clear errors, so
    their output streams through. A third-party tool's (`capture`: mkdocs) is held back
    and, on failure, reduced to its error lines and the exception that stopped it, its
    traceback dropped; a full disk or an unwritable folder is said as such."""
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=capture, text=capture)
    if result.returncode in ok:
        if capture:
            sys.stdout.write(result.stdout)
            sys.stderr.write(result.stderr)
        return
    if not capture:
        raise StepError(f"{what}: `{' '.join(args)}` exited with {result.returncode}")
    output = result.stdout + result.stderr
    if (message := explain(RuntimeError(output), cwd)) is not None:
        raise StepError(f"{what}: {message}")
    raise StepError(f"{what} exited with {result.returncode}:\n{without_tracebacks(output)}")


def without_tracebacks(output: str) -> str:
    """A tool's output minus the frames of any Python traceback (the exception line that
    ends one is kept: it says what went wrong)."""
    kept, in_traceback = [], False
    for line in output.splitlines():
        if line.startswith("Traceback (most recent call last)"):
            in_traceback = True
            continue
        if in_traceback and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        in_traceback = False
        kept.append(line)
    return "\n".join(kept[-40:])


UNRENDERED = re.compile(r"\{\{|\{%")


def check_rendered(site_dir: Path) -> None:
    """Fail when Jinja syntax reached a built page (a macro that did not render)."""
    bad = []
    for page in sorted(site_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        text = re.sub(r"<(script|code|pre)\b.*?</\1>", "", text, flags=re.DOTALL)
        if UNRENDERED.search(text):
            bad.append(str(page.relative_to(site_dir)))
    if bad:
        raise StepError(f"unrendered '{{{{' or '{{%' in built pages: {', '.join(bad[:10])}")


def check_claims(project: Project, site_dir: Path | None = None) -> None:
    """Fail when a built page shows a claim's figure without its verdict, or says in its
    own words what the verdict does not support (generators/claim_check.py). `site_dir`
    is the built site to check (the project's site/ unless given)."""
    from generators.claim_check import check_site
    from generators.claims import Claims

    claims = Claims.load(project.published_claims)
    findings = check_site(site_dir or project.site, claims)
    if findings:
        listed = "\n  ".join(str(f) for f in findings[:30])
        more = f"\n  … and {len(findings) - 30} more" if len(findings) > 30 else ""
        raise StepError(
            f"{len(findings)} sentence(s) on the built site disagree with the claim "
            f"verdicts:\n  {listed}{more}"
        )


@contextlib.contextmanager
def staging_folder(site: Path) -> Iterator[Path]:
    """A fresh folder beside `site` (same file system, so the swap is a rename) to build
    into: `site.tmp-<pid>`. Removed when the build fails or the swap did not take it."""
    staged = site.with_name(f"{site.name}.tmp-{os.getpid()}")
    if staged.exists():
        shutil.rmtree(staged)  # left by a killed build of the same pid
    try:
        yield staged
    finally:
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)


def swap_in(staged: Path, site: Path) -> None:
    """Make the built and checked `staged` folder the site. A directory cannot replace
    another in one rename, so: the old site is renamed aside, the new one renamed in (two
    renames on one file system: site/ is missing only between them, never half-built),
    then the old one is removed. If the second rename fails, the old site is put back."""
    old = site.with_name(f"{site.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    had_site = site.exists()
    if had_site:
        site.rename(old)
    try:
        staged.rename(site)
    except OSError:
        if had_site:
            old.rename(site)
        raise
    if had_site:
        shutil.rmtree(old, ignore_errors=True)


def bench_results_exist(workdir: Workdir) -> bool:
    if not workdir.metrics.exists():
        return False
    data = json.loads(workdir.metrics.read_text(encoding="utf-8"))
    return any(k.startswith("bench.") for k in data)


def bench_profile_of(workdir: Workdir) -> str | None:
    """The profile the benchmark results in `workdir` were measured with, if any."""
    path = workdir.bench_results
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get("profile")


def build_steps(
    project: Project,
    workdir: Workdir,
    *,
    scale: float,
    seed: int | None,
    bench_profile: str,
) -> list[Step]:
    py = sys.executable
    cli = [py, "-m", "demo_pipeline"]
    common = ["--workdir", str(workdir.root), "--scale", str(scale)]
    if seed is not None:
        common += ["--seed", str(seed)]
    params = f"scale={scale} seed={seed}"
    code = project.code
    estate_code = [code / "estate", code / "config.py"]
    bench_code = code / "bench"

    def run_estate() -> None:
        _call([*cli, "generate", *common], cwd=project.root, what="estate")

    def run_pipeline() -> None:
        # Exit 3 = some days partial: the scenario calendar's outage, by design (README).
        _call(
            [*cli, "run", "--from-scratch", *common], cwd=project.root, what="pipeline", ok=(0, 3)
        )

    def run_bench() -> None:
        _call(
            [*cli, "bench", "--profile", bench_profile, *common],
            cwd=project.root,
            what="benchmarks",
        )

    def run_claims() -> None:
        _call(
            [
                *cli,
                "claims",
                "--workdir",
                str(workdir.root),
                "--registry",
                str(project.data / "claims.yaml"),
            ],
            cwd=project.root,
            what="claims",
        )

    def bench_wanted(changed: bool) -> bool:
        if not bench_results_exist(workdir):
            return True  # no results yet: the quick profile keeps a first build fast
        # Results from another profile (someone ran `make bench`) are kept as they are;
        # results of this build's own profile are refreshed when the benchmark code changed.
        return bench_profile_of(workdir) == bench_profile and changed

    def run_publish() -> None:
        from generators import publish

        publish.build(project, workdir)

    def run_diagrams() -> None:
        from generators import diagrams

        diagrams.build(project)

    def run_charts() -> None:
        from generators import charts

        charts.build(project, workdir)

    def run_pages() -> None:
        from generators import pages

        pages.build(project, workdir)

    def run_query() -> None:
        from generators.query import build as query

        query.build(project, workdir)

    def run_mkdocs() -> None:
        # Built into a sibling folder and checked there; only a site that passed every
        # check replaces the last good one (swap_in), so a failed build leaves it served.
        env = {
            **os.environ,
            "PYTHONPATH": str(project.root),
            "NO_MKDOCS_2_WARNING": "1",
            # Link-preview images are cached by content between builds (link_previews.py).
            "LINK_PREVIEW_CACHE": str(workdir.root / "link-previews"),
        }
        with staging_folder(project.site) as staged:
            _call(
                [
                    py,
                    "-m",
                    "mkdocs",
                    "build",
                    "--strict",
                    "-f",
                    str(project.mkdocs_yml),
                    "-d",
                    str(staged),
                ],
                cwd=project.root,
                env=env,
                what="mkdocs",
                capture=True,
            )
            check_rendered(staged)
            check_claims(project, staged)
            swap_in(staged, project.site)

    results = [
        workdir.metrics,
        workdir.runs,
        workdir.quality_results,
        workdir.ground_truth,
        workdir.bench_results,
        workdir.claims,
        workdir.bench_raw,
        workdir.freshness_ledger,
    ]
    gen = project.generators
    return [
        Step(
            "estate",
            [*estate_code, project.config],
            [workdir.ground_truth],
            run_estate,
            extra=params,
        ),
        Step(
            "pipeline",
            [code, project.config, workdir.ground_truth],
            [workdir.runs],
            run_pipeline,
            extra=params,
            exclude=(bench_code,),
        ),
        Step(
            "bench",
            [bench_code, project.config],
            [],
            run_bench,
            extra=params + f" profile={bench_profile}",
            should_run=bench_wanted,
        ),
        Step(
            "claims",
            [project.data / "claims.yaml", code / "bench" / "claims.py", workdir.bench_results],
            [workdir.claims],
            run_claims,
        ),
        Step("publish", [gen / "publish.py", *results], [project.published_data], run_publish),
        Step(
            "diagrams",
            [
                *(gen / f for f in ("diagrams.py", "diagram_icons.py", "themed_image.py")),
                gen / "production_platform.py",
                project.data / "owner.yaml",
            ],
            [project.assets / "diagrams", project.partials / "diagrams"],
            run_diagrams,
        ),
        Step(
            "charts",
            [gen / "charts.py", gen / "catalogue.py", gen / "themed_image.py", *results],
            [project.assets / "charts", project.partials / "charts"],
            run_charts,
        ),
        Step(
            "pages",
            [gen, project.adr, project.data, project.blog_posts, *results],
            [
                project.generated / "case-studies",
                project.generated / "decisions",
                project.partials / "pages",
                project.generated / "cv.md",
                project.assets / "cv",  # the CV's PDF (generators/cv.py)
            ],
            run_pages,
            exclude=(gen / "build_site.py",),
        ),
        Step(
            "query",
            [
                gen / "query",
                project.web / "package-lock.json",
                project.web / "dist",
                workdir.gold_parquet,
                workdir.quality_results,
                workdir.anomalies,
                workdir.runs,
                workdir.metrics,
            ],
            [project.query_data, project.duckdb_assets, project.partials / "query"],
            run_query,
        ),
        Step(
            "mkdocs",
            # config/: posts and case studies include parts of it (pymdownx.snippets), as
            # they do the code (demo.yaml, the toolkit's pipeline files).
            [project.mkdocs_yml, project.docs, project.data, gen, code, project.config.parent],
            [project.site],
            run_mkdocs,
            exclude=(gen / "build_site.py",),
            extra=f"site_url={os.environ.get('SITE_URL', '')}",
        ),
    ]


# System tools a step runs, with the Debian package that provides each: checked before
# anything is built, so a missing one is named up front instead of failing mid-build.
STEP_TOOLS = {"diagrams": {"dot": "graphviz"}}


def missing_tools(step_names: Iterable[str]) -> list[str]:
    """One line per missing tool: which step needs it and how to install it."""
    return [
        f"step '{step}' needs `{tool}`, which is not on PATH. Install it: "
        f"make system-deps (or sudo apt-get install {package})"
        for step in step_names
        for tool, package in STEP_TOOLS.get(step, {}).items()
        if shutil.which(tool) is None
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("build"))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--bench-profile", default="quick", help="profile used when no benchmark results exist yet"
    )
    parser.add_argument(
        "--project-root",
        type=Path,
        default=Project().root,
        help="the project to build (tests point this at a copy)",
    )
    parser.add_argument("--force", action="store_true", help="run every step")
    parser.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="run only these steps (e.g. pages mkdocs), skipping the rest",
    )
    args = parser.parse_args(argv)

    project = Project(args.project_root.resolve())
    workdir = Workdir(args.workdir.resolve())
    records = StepRecords(workdir.site_steps, project.root, workdir.root)
    steps = build_steps(
        project,
        workdir,
        scale=args.scale,
        seed=args.seed,
        bench_profile=args.bench_profile,
    )
    if args.only is not None:
        unknown = set(args.only) - {s.name for s in steps}
        if unknown:
            parser.error(f"unknown steps {sorted(unknown)}; known: {[s.name for s in steps]}")
        steps = [s for s in steps if s.name in args.only]
    if problems := missing_tools(s.name for s in steps):
        print("error: " + "\n".join(problems), file=sys.stderr)
        return 1
    start = time.perf_counter()
    try:
        run_steps(steps, records, force=args.force)
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a full disk, an unwritable folder, or a bug: one clear line
        if os.environ.get(TRACEBACK_ENV) == "1":
            raise
        message = explain(exc, workdir.root)
        print(f"error: {message or crash_report(exc)}", file=sys.stderr)
        return 1 if message else EXIT_UNEXPECTED
    print(f"site ready in {project.site} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
