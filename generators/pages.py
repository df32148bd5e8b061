"""The pages step: read the sources and results, call the renderers, write the
generated pages, the partials hand-written pages include, and the nav families."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.workdir import Workdir
from generators import adr, benchmarks, case_studies, cv, dashboards, home, incidents, posts
from generators.catalogue import CATALOGUE_DIR, Catalogue, catalogue_nav, render_catalogue_pages
from generators.claims import Claims
from generators.owner_data import featured_case_study, load_case_studies, load_owner
from generators.project import Project


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text if text.endswith("\n") else text + "\n")


def _reset(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def build(project: Project, workdir: Workdir) -> None:
    catalogue = Catalogue.load(project.published_metrics)
    claims = Claims.load(project.published_claims)
    bench_path = project.published_bench_results
    bench_results = (
        json.loads(bench_path.read_text(encoding="utf-8")) if bench_path.exists() else {}
    )
    owner = load_owner(project.root)
    studies = load_case_studies(project.root)
    adrs = adr.load_adrs(project.adr)
    results_path = workdir.quality_results
    results = pl.read_parquet(results_path) if results_path.exists() else pl.DataFrame()
    ground_truth = (
        json.loads(workdir.ground_truth.read_text(encoding="utf-8"))
        if workdir.ground_truth.exists()
        else {}
    )
    runs = dashboards.load_runs(workdir.runs)
    recall = pl.read_parquet(workdir.recall) if workdir.recall.exists() else pl.DataFrame()

    gen = project.generated
    for folder in (
        gen / "case-studies",
        gen / "decisions",
        gen / "metrics",
        project.partials / "pages",
    ):
        _reset(folder)
    # The catalogue used to be one page; a stale copy would be built as an orphan page.
    (gen / "metrics.md").unlink(missing_ok=True)

    pages: dict[str, str] = {}
    pages.update(adr.render_all(adrs, claims, catalogue))
    adr_files = {a.number: a.filename for a in adrs}
    pages.update(case_studies.render_all(studies, owner, adr_files))
    pages.update(render_catalogue_pages(catalogue, claims))
    for rel, text in pages.items():
        _write(project.docs / rel, text)

    # The CV first: the home page links its PDF only when one was made.
    cv_result = cv.build(project, owner)
    partials = {
        home.PARTIALS["hero"]: home.render_hero(owner, pdf=cv_result.pdf is not None),
        home.PARTIALS["featured"]: home.render_featured(
            featured_case_study(owner, studies), studies
        ),
        home.PARTIALS["timeline"]: home.render_timeline(owner),
        "latest-posts.md": posts.render_latest_posts(posts.load_posts(project.blog_posts)),
        "bench-environment.md": benchmarks.render_environment(bench_results),
        "bench-results.md": benchmarks.render_results(catalogue, claims),
        "scale-out.md": benchmarks.render_scale_out(bench_results, catalogue),
        "claims.md": benchmarks.render_claims(claims, catalogue),
        "failure-modes.md": incidents.render_failure_modes(
            ground_truth, results, dashboards.run_outcomes(runs), recall
        ),
        "quality-dashboard.md": dashboards.render_quality_dashboard(results, runs, catalogue),
    }
    for name, text in partials.items():
        _write(project.partials / "pages" / name, text)

    _write(project.docs / posts.AUTHORS_FILE, posts.render_authors(owner))
    families = {
        f"{adr.OUT_DIR}/index.md": adr.nav_entries(adrs),
        f"{case_studies.OUT_DIR}/index.md": case_studies.nav_entries(studies),
        f"{CATALOGUE_DIR}/index.md": catalogue_nav(catalogue),
        # The CV sits under About, so a reader finds it where contact details are.
        "about.md": [{"CV": cv.PAGE}],
    }
    _write(project.nav_families, json.dumps(families, indent=2, sort_keys=True))
