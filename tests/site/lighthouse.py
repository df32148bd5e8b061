"""`python -m tests.site.lighthouse --workdir build` (run by `make audit`): Lighthouse, the npm
CLI pinned in tests/site/package-lock.json, over the built site's key pages, served on 127.0.0.1,
in Debian's Chromium (CHROME_PATH, default /usr/bin/chromium).

Scores performance, accessibility, best practices and SEO per page, on the mobile profile
(Lighthouse's default: a throttled mid-range phone) and the desktop preset. Writes each run's
JSON and HTML report and a summary (summary.json, summary.md) under <workdir>/lighthouse, prints
the table, and exits 1 when a score is below its category's target (TARGETS) or a page could
not be audited.

Each page is audited several times (--runs, default 3) and judged by its median run, as
Lighthouse's own guidance on variability advises: total blocking time on a throttled phone
swings by a factor of two or more between identical runs on a shared two-core host. The
summary shows every run's performance score next to the median, so the spread stays visible.

One Chromium serves every run (Lighthouse attaches to it through its debugging port) so the
shared machine starts a browser once, not once per page.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from tests.site.site_build import REPO, locate_site
from tests.site.site_pages import slug
from tests.site.site_server import SiteServer

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# The lowest score each category may have on every key page and form factor, judged on each
# page's median run (the bars issue 17 set).
TARGETS = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}
FORM_FACTORS = ("mobile", "desktop")
LIGHTHOUSE_CLI = Path(__file__).parent / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUN_TIMEOUT_S = 300
ATTEMPTS = 2
RUNS = 3
# Lighthouse warns below this host benchmarkIndex: its mobile CPU slowdown assumes a faster host.
SLOW_HOST_INDEX = 1000
# The benchmarkIndex of the low-end phone Lighthouse's mobile profile stands for (a Moto G4).
MOTO_G4_INDEX = 264
LIGHTHOUSE_VERSION = json.loads(
    (Path(__file__).parent / "package.json").read_text(encoding="utf-8")
)["dependencies"]["lighthouse"]


class AuditError(RuntimeError):
    """Lighthouse could not run (missing tool, browser did not start, run crashed)."""


@contextmanager
def debuggable_chromium(chrome_path: str):
    """Start one headless Chromium with a debugging port; yield the port."""
    profile = Path(tempfile.mkdtemp(prefix="lighthouse-profile-"))
    process = subprocess.Popen(
        [
            chrome_path,
            *CHROMIUM_FLAGS,
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.is_file() or not port_file.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AuditError(
                    f"{chrome_path} did not open a debugging port within 30 s "
                    f"(exit code {process.poll()})"
                )
            time.sleep(0.2)
        yield int(port_file.read_text().splitlines()[0])
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)


def run_lighthouse(
    url: str, form_factor: str, port: int, output_stem: Path, cpu_slowdown: float | None = None
) -> tuple[dict, float | None]:
    """One Lighthouse run; returns ({category: score 0-100}, the host's benchmarkIndex), with
    the reports at output_stem.report.{json,html}."""
    if not LIGHTHOUSE_CLI.is_file():
        raise AuditError(f"{LIGHTHOUSE_CLI} missing: run `npm ci --prefix tests/site`")
    command = [
        "node", str(LIGHTHOUSE_CLI), url,
        f"--port={port}",
        "--output=json", "--output=html",
        f"--output-path={output_stem}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--quiet",
    ]  # fmt: skip
    if form_factor == "desktop":
        command.append("--preset=desktop")
    if cpu_slowdown is not None:
        command.append(f"--throttling.cpuSlowdownMultiplier={cpu_slowdown}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    report_path = output_stem.with_name(output_stem.name + ".report.json")
    if result.returncode != 0 or not report_path.is_file():
        raise AuditError(
            f"lighthouse {url} ({form_factor}) exited {result.returncode}: "
            f"{(result.stderr or result.stdout).strip()[-800:]}"
        )
    report = json.loads(report_path.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise AuditError(f"lighthouse {url} ({form_factor}): {report['runtimeError']}")
    scores = {}
    for category in CATEGORIES:
        score = report["categories"][category]["score"]
        scores[category] = None if score is None else round(score * 100)
    return scores, report.get("environment", {}).get("benchmarkIndex")


def failing_audits(report_path: Path, category: str) -> list[str]:
    """The audits that cost a category points, for the summary: 'id (score)'."""
    report = json.loads(report_path.read_text(encoding="utf-8"))
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] > 0 and audit.get("score") is not None and audit["score"] < 1:
            lines.append(f"{ref['id']} ({audit['score']:.2f})")
    return lines


def summary_markdown(rows: list[dict], cpu_slowdown: float | None) -> str:
    header = (
        "| page | form factor | "
        + " | ".join(CATEGORIES)
        + " | performance, every run | host benchmarkIndex |"
    )
    throttling = (
        f"CPU slowdown {cpu_slowdown}x (calibrated)"
        if cpu_slowdown is not None
        else "Lighthouse's default throttling (mobile: 4x CPU slowdown, slow 4G)"
    )
    targets = ", ".join(f"{category} ≥ {TARGETS[category]}" for category in CATEGORIES)
    lines = [
        f"# Lighthouse (targets: {targets})",
        "",
        f"Lighthouse {LIGHTHOUSE_VERSION}, {throttling}. Each page's scores are those of its "
        "median run by performance score; the other runs' reports sit beside it (`-run<n>`).",
        "",
        header,
        "|" + "---|" * (len(CATEGORIES) + 4),
    ]
    for row in rows:
        cells = (
            [str(row["scores"].get(c, "error")) for c in CATEGORIES]
            if row["scores"]
            else (["error"] * len(CATEGORIES))
        )
        index = row.get("benchmark_index")
        every_run = " / ".join(str(score) for score in row.get("performance_runs", []))
        lines.append(
            f"| {row['page']} | {row['form_factor']} | "
            + " | ".join(cells)
            + f" | {every_run or '-'} | {round(index) if index else '-'} |"
        )
    indexes = [r["benchmark_index"] for r in rows if r.get("benchmark_index")]
    if indexes and min(indexes) < SLOW_HOST_INDEX:
        lines += [
            "",
            f"The host's CPU scored a benchmarkIndex of {round(min(indexes))}-"
            f"{round(max(indexes))}; Lighthouse calibrates its 4x mobile CPU slowdown for a host "
            f"of about {SLOW_HOST_INDEX} or more, so on this host the mobile performance score "
            "(total blocking time above all) is pessimistic. `--cpu-slowdown` "
            f"(benchmarkIndex / {MOTO_G4_INDEX}, Lighthouse's low-end phone) calibrates it.",
        ]
    below = [r for r in rows if r.get("below")]
    if below:
        lines += ["", "## Below target: the audits that cost points", ""]
        for row in below:
            for category, audits in row["below"].items():
                lines.append(
                    f"- {row['page']} ({row['form_factor']}) {category}: " + ", ".join(audits)
                )
    partial = [r for r in rows if r.get("failed_runs")]
    if partial:
        lines += ["", "## Runs that failed (the median is of the other runs)", ""]
        lines += [
            f"- {r['page']} ({r['form_factor']}): {e}" for r in partial for e in r["failed_runs"]
        ]
    errors = [r for r in rows if r.get("error")]
    if errors:
        lines += ["", "## Runs that failed", ""]
        lines += [f"- {r['page']} ({r['form_factor']}): {r['error']}" for r in errors]
    return "\n".join(lines) + "\n"


def median_run(runs: list[dict]) -> int:
    """Which of several runs' scores is the median by performance (the lower of the two
    middle runs when their number is even, so an even count never flatters the page)."""
    ranked = sorted(range(len(runs)), key=lambda i: runs[i].get("performance") or 0)
    return ranked[(len(ranked) - 1) // 2]


def audit_page(
    url: str, form_factor: str, port: int, stem: Path, cpu_slowdown: float | None, runs: int
) -> dict:
    """Run Lighthouse `runs` times on one page; the row for the summary holds the median run's
    scores, with its reports copied to stem.report.{json,html}."""
    row: dict = {"form_factor": form_factor, "scores": {}, "report": str(stem) + ".report.html"}
    done: list[tuple[dict, float | None, Path]] = []
    errors = []
    for run in range(1, runs + 1):
        run_stem = stem.with_name(f"{stem.name}-run{run}")
        # On a busy host Lighthouse sometimes times out waiting for the browser ("Waiting for
        # DevTools protocol response..."): one more attempt; a run that fails twice is left out.
        for attempt in range(1, ATTEMPTS + 1):
            try:
                scores, index = run_lighthouse(url, form_factor, port, run_stem, cpu_slowdown)
                done.append((scores, index, run_stem))
                break
            except (AuditError, subprocess.TimeoutExpired) as error:
                if attempt == ATTEMPTS:
                    errors.append(f"run {run}: {error}")
    if not done:
        row["error"] = "; ".join(errors)
        return row
    scores, index, median_stem = done[median_run([d[0] for d in done])]
    for suffix in (".report.json", ".report.html"):
        shutil.copyfile(f"{median_stem}{suffix}", f"{stem}{suffix}")
    row["scores"], row["benchmark_index"] = scores, index
    row["performance_runs"] = [d[0].get("performance") for d in done]
    if errors:
        row["failed_runs"] = errors
    low = [c for c, s in scores.items() if s is None or s < TARGETS[c]]
    if low:
        report_json = Path(f"{stem}.report.json")
        row["below"] = {c: failing_audits(report_json, c) for c in low}
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("build"))
    parser.add_argument("--form-factor", choices=[*FORM_FACTORS, "both"], default="both")
    parser.add_argument(
        "--pages",
        nargs="*",
        default=None,
        help="URL paths below the site's base (default: the key pages)",
    )
    parser.add_argument(
        "--cpu-slowdown",
        type=float,
        default=None,
        help="mobile CPU slowdown multiplier instead of Lighthouse's 4x, for a slow or busy host "
        f"(calibrate: the host's benchmarkIndex / {MOTO_G4_INDEX})",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=RUNS,
        help=f"Lighthouse runs per page and form factor, judged by the median (default {RUNS})",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs: expected 1 or more; found {args.runs}")
    workdir = args.workdir if args.workdir.is_absolute() else REPO / args.workdir
    out_dir = workdir / "lighthouse"
    out_dir.mkdir(parents=True, exist_ok=True)
    chrome_path = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    os.environ["CHROME_PATH"] = chrome_path  # Lighthouse's own launcher reads it too
    form_factors = FORM_FACTORS if args.form_factor == "both" else (args.form_factor,)

    site = locate_site(workdir / "site-tests-build")
    pages = [site.base_path + p.lstrip("/") for p in args.pages] if args.pages else site.key_pages()
    rows = []
    with SiteServer(site) as server, debuggable_chromium(chrome_path) as port:
        for page in pages:
            for form_factor in form_factors:
                stem = out_dir / f"{slug(page, site.base_path)}-{form_factor}"
                slowdown = args.cpu_slowdown if form_factor == "mobile" else None
                row = audit_page(server.url(page), form_factor, port, stem, slowdown, args.runs)
                row["page"] = page
                rows.append(row)
                scores = " ".join(f"{c}={row['scores'].get(c)}" for c in CATEGORIES)
                print(f"{page} [{form_factor}] {row.get('error') or scores}", flush=True)
    (out_dir / "summary.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    markdown = summary_markdown(rows, args.cpu_slowdown)
    (out_dir / "summary.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    failed = [r for r in rows if r.get("error") or r.get("below")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
