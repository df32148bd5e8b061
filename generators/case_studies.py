"""Case studies: one data file per project (`data/case_studies/<slug>.yaml`) to one
page each, plus an index. The page follows the full template
(templates/case-study/page.md.j2): context, problem, options considered, the solution
with code excerpts and a diagram, impact (self-reported and measured kept apart),
stakeholder feedback, skills developed, and what did not work.

Figures never appear as typed text: the owner's production figures are referenced by
key (rendered by the `reported` macro, labelled self-reported) and measured ones by
metric key (rendered by the `metric` macro, linked to their provenance).

Code excerpts (`solution.code`) are sections of repository files, included when the
site is built (pymdownx.snippets), so the code on the page is the code that runs; a
file or section that does not exist stops the generator here, naming the study.
Stakeholder feedback (`feedback`) is supplied by the owner and shown as such; an entry
with `example: true` is a placeholder and says so on the page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from markupsafe import Markup

from generators import templating
from generators.errors import SourceFileError
from generators.escape import prose, text
from generators.project import REPO_ROOT

OUT_DIR = "generated/case-studies"
# "ADR 0005" written in a case study's prose, unless it is already a link's text.
ADR_MENTION = re.compile(r"(?<![\[\w/-])ADR[ -](\d{1,4})\b(?![^\[\]\n]*\]\()")


def _prose_list(items: list | None) -> list[Markup]:
    return [prose(item) for item in items or []]


def _sentence_case(label: str) -> str:
    """Upper-case the first letter only: `str.capitalize` would turn "CSV" into "csv"."""
    return text(label[:1].upper() + label[1:])


def _figures(keys: list, figures: dict, slug: str, what: str) -> list[dict]:
    """Self-reported figures by key, with their label for the line that shows them."""
    shown = []
    for key in keys or []:
        if key not in figures:
            raise SourceFileError(f"case study {slug}: {what} {key!r} not in the owner file")
        shown.append({"key": key, "label": _sentence_case(figures[key]["label"])})
    return shown


def _adr_link(number: str, adr_files: dict[str, str], study: str) -> str:
    number = f"{int(str(number)):04d}"
    if number not in adr_files:
        raise SourceFileError(f"case study {study}: refers to ADR {number}, which does not exist")
    return f"../decisions/{adr_files[number]}"


def _link_adr_mentions(page: str, adr_files: dict[str, str], study: str) -> str:
    """Every "ADR NNNN" in the page's prose becomes a link to that record, so a reader can
    follow the reference; headings and fenced code are left as they are."""
    lines, in_fence = [], False
    for line in page.split("\n"):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence and not line.startswith(("#", "title:")):
            line = ADR_MENTION.sub(
                lambda m: f"[ADR {int(m.group(1)):04d}]({_adr_link(m.group(1), adr_files, study)})",
                line,
            )
        lines.append(line)
    return "\n".join(lines)


SECTION = re.compile(r"^[a-z][-_0-9a-z]*$")


def _code_excerpts(items: list | None, root: Path, slug: str) -> list[dict]:
    """Each `{path, section?, caption?, language?}` checked against the repository: the
    file exists under `root` and holds the section's start and end markers (without a
    section, the whole file is shown)."""
    excerpts = []
    for item in items or []:
        path, section = str(item.get("path", "")), str(item.get("section", ""))
        source = (root / path).resolve()
        if not path or ".." in Path(path).parts or not source.is_file():
            raise SourceFileError(f"case study {slug}: code path {path!r} is not a repository file")
        if section and not SECTION.match(section):
            raise SourceFileError(
                f"case study {slug}: code section {section!r} in {path} is not a name"
            )
        body = source.read_text(encoding="utf-8")
        for edge in ("start", "end") if section else ():
            if f"--8<-- [{edge}:{section}]" not in body:
                raise SourceFileError(
                    f"case study {slug}: {path} has no `--8<-- [{edge}:{section}]` marker"
                )
        language = item.get("language") or {".py": "python", ".sql": "sql"}.get(
            source.suffix, "yaml"
        )
        excerpts.append(
            {
                "caption": prose(str(item.get("caption", "")).strip()),
                "language": text(language),
                "path": text(path),
                # The include line pymdownx.snippets expands at build time.
                "include": Markup(f'--8<-- "{path}:{section}"' if section else f'--8<-- "{path}"'),
            }
        )
    return excerpts


def _options(solution: dict) -> list[dict]:
    """Options considered: `options` ({option, chosen, why}), then the older `rejected`."""
    options = [
        {"option": o["option"], "chosen": bool(o.get("chosen")), "why": prose(o["why"].strip())}
        for o in solution.get("options") or []
    ]
    options += [
        {"option": r["option"], "chosen": False, "why": prose(r["why"].strip())}
        for r in solution.get("rejected") or []
    ]
    return options


def _feedback(items: list | None, slug: str) -> list[dict]:
    shown = []
    for item in items or []:
        if not item.get("quote") or not item.get("who"):
            raise SourceFileError(f"case study {slug}: feedback needs a quote and who said it")
        shown.append(
            {
                "quote": prose(" ".join(str(item["quote"]).split())),
                "by": ", ".join(str(part) for part in (item["who"], item.get("role")) if part),
                "example": bool(item.get("example")),
            }
        )
    return shown


def render_case_study(
    study: dict, owner: dict, adr_files: dict[str, str], *, root: Path = REPO_ROOT
) -> str:
    """One case-study page (templates/case-study/page.md.j2). `adr_files` maps ADR
    numbers to their page file names; `root` is the repository the code excerpts are
    read from."""
    slug = study["slug"]
    figures = owner.get("figures", {})
    problem, solution, impact = study["problem"], study["solution"], study["impact"]
    learnings = study.get("learnings", {}) or {}
    # Every value from the case-study file is escaped (generators/escape.py): names and
    # titles as text (by the template), paragraphs and bullets here as Markdown prose
    # without raw HTML. The title is escaped in the front matter too: MkDocs and Material
    # put it in <title>, the nav and the search index as it is.
    page = templating.render(
        "case-study/page.md.j2",
        title=study["title"],
        demo_backed=bool(study.get("demo_backed")),
        technologies=study.get("technologies") or [],
        front_title=Markup(json.dumps(text(study["title"]), ensure_ascii=False)),
        summary=prose(study["summary"].strip()),
        problem={
            "context": _prose_list(problem.get("context")),
            "pain_points": _prose_list(problem.get("pain_points")),
            "technical_debt": _prose_list(problem.get("technical_debt")),
        },
        baseline=_figures(problem.get("baseline"), figures, slug, "baseline figure"),
        architecture=prose(solution.get("architecture", "").strip()),
        diagram=(
            Markup(f'{{% include "diagrams/{solution["diagram"]}.md" %}}')
            if solution.get("diagram")
            else None
        ),
        decisions=[
            {
                "title": d["title"],
                "link": Markup(_adr_link(d["adr"], adr_files, slug)),
                "why": prose(d["why"].strip()),
            }
            for d in solution.get("decisions") or []
        ],
        options=_options(solution),
        code=_code_excerpts(solution.get("code"), root, slug),
        implementation=[
            {
                "title": step["title"],
                "text": prose(step["text"].strip()),
                # Code is shown as written, inside a fenced block.
                "code": Markup(step["code"].rstrip()) if step.get("code") else None,
                "language": step.get("language", "python"),
            }
            for step in study.get("implementation") or []
        ],
        reported=_figures(impact.get("reported"), figures, slug, "figure"),
        # A figure a claim is judged on comes with its verdict: `claim: <id>`.
        measured=[
            {"label": item["label"], "claim": item.get("claim"), "metric": item.get("metric")}
            for item in impact.get("measured") or []
        ],
        impact={"organisational": _prose_list(impact.get("organisational"))},
        feedback=_feedback(study.get("feedback"), slug),
        skills=_prose_list(study.get("skills")),
        learnings={
            "worked": _prose_list(learnings.get("worked")),
            "failed": [
                {"what": item["what"], "lesson": prose(item["lesson"].strip())}
                for item in learnings.get("failed") or []
            ],
            "differently": _prose_list(learnings.get("differently")),
        }
        if learnings
        else None,
        next=_prose_list(study.get("next")),
    )
    # One newline at the end, whichever optional section came last.
    return _link_adr_mentions(page.rstrip("\n") + "\n", adr_files, slug)


def render_index(studies: list[dict]) -> str:
    """The case studies index (templates/case-study/index.md.j2)."""
    page = templating.render(
        "case-study/index.md.j2",
        studies=[
            {"title": s["title"], "slug": s["slug"], "summary": prose(s["summary"].strip())}
            for s in studies
        ],
    )
    return page.rstrip("\n") + "\n"


def nav_entries(studies: list[dict]) -> list[dict[str, str]]:
    # Escaped: Material renders a nav title as it is.
    return [{str(text(s["title"])): f"{OUT_DIR}/{s['slug']}.md"} for s in studies]


def render_all(
    studies: list[dict], owner: dict, adr_files: dict[str, str], *, root: Path = REPO_ROOT
) -> dict[str, str]:
    pages = {f"{OUT_DIR}/index.md": render_index(studies)}
    for study in studies:
        pages[f"{OUT_DIR}/{study['slug']}.md"] = render_case_study(
            study, owner, adr_files, root=root
        )
    return pages
