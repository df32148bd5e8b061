"""Case studies: one data file per project (`data/case_studies/<slug>.yaml`) to one
page each, in Problem → Solution → Impact form, plus an index.

Figures never appear as typed text: the owner's production figures are referenced by
key (rendered by the `reported` macro, labelled self-reported) and measured ones by
metric key (rendered by the `metric` macro, linked to their provenance).
"""

from __future__ import annotations

import json
import re

from generators.errors import SourceFileError
from generators.escape import prose, text

OUT_DIR = "generated/case-studies"
# "ADR 0005" written in a case study's prose, unless it is already a link's text.
ADR_MENTION = re.compile(r"(?<![\[\w/-])ADR[ -](\d{1,4})\b(?![^\[\]\n]*\]\()")


def _bullets(items: list) -> list[str]:
    return [f"- {prose(item)}" for item in items or []]


def _reported(key: str) -> str:
    return f'{{{{ reported("{key}") }}}}'


def _sentence_case(label: str) -> str:
    """Upper-case the first letter only: `str.capitalize` would turn "CSV" into "csv"."""
    return text(label[:1].upper() + label[1:])


def _claim(claim_id: str) -> str:
    return f'{{{{ claim_badge("{claim_id}") }}}}'


def _metric(key: str) -> str:
    return f'{{{{ metric("{key}") }}}}'


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


def render_case_study(study: dict, owner: dict, adr_files: dict[str, str]) -> str:
    """One case-study page. `adr_files` maps ADR numbers to their page file names."""
    slug = study["slug"]
    figures = owner.get("figures", {})
    problem, solution, impact = study["problem"], study["solution"], study["impact"]
    # Every value from the case-study file is escaped (generators/escape.py): names and
    # titles as text, paragraphs and bullets as Markdown prose without raw HTML. The
    # title is escaped in the front matter too: MkDocs and Material put it in <title>,
    # the nav and the search index as it is.
    title = text(study["title"])
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", "---", "", f"# {title}", ""]
    if study.get("demo_backed"):
        lines += [
            '!!! tip "Backed by the demo"',
            "",
            "    The architecture in this case study runs in this repository on a synthetic",
            "    estate of the same shape. Figures with a dotted underline were measured on",
            "    that demo; figures marked *self-reported* come from the production system.",
            "",
        ]
    lines += ["## Executive summary", "", prose(study["summary"].strip()), ""]
    if study.get("technologies"):
        lines += ["**Technologies:** " + ", ".join(text(t) for t in study["technologies"]), ""]

    lines += ["## The problem", ""]
    if problem.get("context"):
        lines += ["### Business context", "", *_bullets(problem["context"]), ""]
    if problem.get("pain_points"):
        lines += ["### What hurt, and whom", "", *_bullets(problem["pain_points"]), ""]
    if problem.get("technical_debt"):
        lines += ["### Technical debt", "", *_bullets(problem["technical_debt"]), ""]
    if problem.get("baseline"):
        lines += ["### Baseline", ""]
        for key in problem["baseline"]:
            if key not in figures:
                raise SourceFileError(f"case study {slug}: baseline figure {key!r} not in owner")
            lines.append(f"- {_sentence_case(figures[key]['label'])}: {_reported(key)}")
        lines.append("")

    lines += ["## The solution", "", prose(solution.get("architecture", "").strip()), ""]
    if solution.get("diagram"):
        lines += [f'{{% include "diagrams/{solution["diagram"]}.md" %}}', ""]
    if solution.get("decisions"):
        lines += ["### Decisions and trade-offs", ""]
        for decision in solution["decisions"]:
            link = _adr_link(decision["adr"], adr_files, slug)
            lines.append(
                f"- **[{text(decision['title'])}]({link})** — {prose(decision['why'].strip())}"
            )
        lines.append("")
    if solution.get("rejected"):
        lines += ["### Alternatives rejected", ""]
        lines += [
            f"- **{text(r['option'])}**: {prose(r['why'].strip())}" for r in solution["rejected"]
        ]
        lines.append("")

    if study.get("implementation"):
        lines += ["## Implementation", ""]
        for step in study["implementation"]:
            lines += [f"### {text(step['title'])}", "", prose(step["text"].strip()), ""]
            if step.get("code"):
                lines += [f"```{step.get('language', 'python')}", step["code"].rstrip(), "```", ""]

    lines += ["## Results and impact", ""]
    if impact.get("reported"):
        lines += ["### In production (self-reported)", ""]
        for key in impact["reported"]:
            if key not in figures:
                raise SourceFileError(f"case study {slug}: figure {key!r} not in the owner file")
            lines.append(f"- {_sentence_case(figures[key]['label'])}: {_reported(key)}")
        lines.append("")
    if impact.get("measured"):
        lines += ["### Measured in the demo", ""]
        for item in impact["measured"]:
            # A figure a claim is judged on comes with its verdict: `claim: <id>`.
            shown = _claim(item["claim"]) if "claim" in item else _metric(item["metric"])
            lines.append(f"- {text(item['label'])}: {shown}")
        lines.append("")
    if impact.get("organisational"):
        lines += ["### For the organisation", "", *_bullets(impact["organisational"]), ""]

    learnings = study.get("learnings", {})
    if learnings:
        lines += ["## Failures and learnings", ""]
        if learnings.get("worked"):
            lines += ["### What worked", "", *_bullets(learnings["worked"]), ""]
        if learnings.get("failed"):
            lines += ["### What did not work", ""]
            for item in learnings["failed"]:
                lines.append(f"- **{text(item['what'])}** {prose(item['lesson'].strip())}")
            lines.append("")
        if learnings.get("differently"):
            lines += ["### What I would do differently", "", *_bullets(learnings["differently"])]
            lines.append("")
    if study.get("next"):
        lines += ["## What's next", "", *_bullets(study["next"]), ""]
    return _link_adr_mentions("\n".join(lines), adr_files, slug)


def render_index(studies: list[dict]) -> str:
    lines = [
        "---",
        "title: Case studies",
        "---",
        "",
        "# Case studies",
        "",
        "Each case study follows the same path: the problem as it was, what I built and",
        "why, and what changed. Production figures are my own and marked",
        "*self-reported*; figures with a dotted underline were measured by this repository's",
        "demo and link to their provenance.",
        "",
    ]
    for study in studies:
        lines += [
            f"## [{text(study['title'])}]({study['slug']}.md)",
            "",
            prose(study["summary"].strip()),
            "",
        ]
    return "\n".join(lines)


def nav_entries(studies: list[dict]) -> list[dict[str, str]]:
    # Escaped: Material renders a nav title as it is.
    return [{str(text(s["title"])): f"{OUT_DIR}/{s['slug']}.md"} for s in studies]


def render_all(studies: list[dict], owner: dict, adr_files: dict[str, str]) -> dict[str, str]:
    pages = {f"{OUT_DIR}/index.md": render_index(studies)}
    for study in studies:
        pages[f"{OUT_DIR}/{study['slug']}.md"] = render_case_study(study, owner, adr_files)
    return pages
