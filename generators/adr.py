"""Architecture Decision Records: `adr/NNNN-slug.md` (MADR 4) to site pages.

Each source has YAML front matter (status, date, optional supersedes /
superseded-by, and `evidence`: the ids of the claims in data/claims.yaml that the
decision rests on) and a MADR body. The rendered page adds a metadata line and an
Evidence panel: per claim, what was claimed, what was measured (linked to its evidence)
and the verdict beside it, with the scale it holds for.
An index page lists every record with its status and supersedes links.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from demo_pipeline.core.verdicts import EXTRAPOLATED, NOT_JUDGED, NOT_SUPPORTED, UNMEASURED
from generators import templating
from generators.catalogue import Catalogue, catalogue_page_for
from generators.claims import Claims, evidence_cells
from generators.errors import SourceFileError
from generators.escape import text
from generators.frontmatter import split_front_matter

ADR_NAME = re.compile(r"^(\d{4})-([a-z0-9-]+)\.md$")
REQUIRED_SECTIONS = ("context and problem statement", "decision outcome")
STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
OUT_DIR = "generated/decisions"
RAW_RESULTS = "../../assets/generated/data"


@dataclass(frozen=True)
class Adr:
    number: str
    slug: str
    title: str
    status: str
    date: str
    body: str
    supersedes: tuple[str, ...] = ()
    superseded_by: tuple[str, ...] = ()
    evidence: tuple[str, ...] = field(default_factory=tuple)  # claim ids

    @property
    def filename(self) -> str:
        return f"{self.number}-{self.slug}.md"


def _numbers(value: object) -> tuple[str, ...]:
    if value in (None, "", []):
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(f"{int(str(v)[:4]):04d}" for v in items)


def parse_adr(path: Path) -> Adr:
    """Parse one ADR source, checking the parts the site relies on."""
    match = ADR_NAME.match(path.name)
    if not match:
        raise SourceFileError(f"{path}: expected a name like 0001-short-title.md")
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), source=path)
    title_match = re.search(r"^# (.+)$", body, flags=re.MULTILINE)
    if not title_match:
        raise SourceFileError(f"{path}: expected a '# Title' line, found none")
    headings = {h.strip().lower() for h in re.findall(r"^##+ (.+)$", body, flags=re.MULTILINE)}
    for section in REQUIRED_SECTIONS:
        if not any(h.startswith(section) for h in headings):
            raise SourceFileError(f"{path}: expected a '## {section.title()}' section")
    status = str(meta.get("status", "")).strip().lower()
    if not any(status.startswith(s) for s in STATUSES):
        raise SourceFileError(f"{path}: status should be one of {STATUSES}, found {status!r}")
    evidence = []
    for i, item in enumerate(meta.get("evidence") or []):
        if not isinstance(item, str):
            raise SourceFileError(
                f"{path}: evidence[{i}]: expected a claim id from data/claims.yaml, found {item!r}"
            )
        evidence.append(item)
    return Adr(
        number=match.group(1),
        slug=match.group(2),
        title=title_match.group(1).strip(),
        status=status,
        date=str(meta.get("date", "")),
        body=body,
        supersedes=_numbers(meta.get("supersedes")),
        superseded_by=_numbers(meta.get("superseded-by", meta.get("superseded_by"))),
        evidence=tuple(evidence),
    )


def load_adrs(adr_dir: Path) -> list[Adr]:
    """Every `NNNN-*.md` under `adr_dir`, in number order (README and template skipped)."""
    adrs = [parse_adr(p) for p in sorted(adr_dir.glob("[0-9][0-9][0-9][0-9]-*.md"))]
    numbers = [a.number for a in adrs]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        raise SourceFileError(f"{adr_dir}: ADR numbers used twice: {', '.join(duplicates)}")
    known = set(numbers)
    for adr in adrs:
        for ref in adr.supersedes + adr.superseded_by:
            if ref not in known:
                raise SourceFileError(f"{adr_dir / adr.filename}: refers to ADR {ref}, not found")
    return adrs


def _link(adr: Adr, by_number: dict[str, Adr]) -> str:
    other = by_number.get(adr.number, adr)
    return f"[ADR {other.number}]({other.filename})"


def _evidence_rows(adr: Adr, claims: Claims, catalogue: Catalogue) -> list[list[Markup]]:
    """The Evidence panel's cells per claim, rendered by generators/claims.py (so Markup),
    with a `|` inside a cell escaped for the Markdown table."""
    page = f"{OUT_DIR}/{adr.filename}"
    rows = []
    for claim_id in adr.evidence:
        record = claims.get(claim_id, where=f"adr/{adr.filename}: evidence")
        link_to = relative_md(page, catalogue_page_for(record.metric))
        cells = evidence_cells(record, catalogue, link_to=link_to)
        rows.append([Markup(c.replace("|", "\\|")) for c in cells])
    return rows


def relative_md(from_page: str, target: str) -> str:
    """A Markdown link target from one docs-relative page to another."""
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".")


def _notes(adr: Adr, claims: Claims) -> set[str]:
    """Which caveats the panel needs, by the verdicts of the decision's claims."""
    verdicts = {claims.get(c, where=f"adr/{adr.filename}: evidence").verdict for c in adr.evidence}
    wanted = {
        NOT_SUPPORTED: "not_supported",
        NOT_JUDGED: "not_judged",
        UNMEASURED: "unmeasured",
        EXTRAPOLATED: "extrapolated",
    }
    return {note for verdict, note in wanted.items() if verdict in verdicts}


def render_adr(adr: Adr, by_number: dict[str, Adr], claims: Claims, catalogue: Catalogue) -> str:
    """The page for one ADR (templates/adr/record.md.j2): metadata line, Evidence panel,
    then the MADR body."""
    meta = [f"**Status:** {text(adr.status)}", f"**Decided:** {text(adr.date)}"]
    if adr.supersedes:
        links = ", ".join(_link(by_number[n], by_number) for n in adr.supersedes)
        meta.append(f"**Supersedes:** {links}")
    if adr.superseded_by:
        links = ", ".join(_link(by_number[n], by_number) for n in adr.superseded_by)
        meta.append(f"**Superseded by:** {links}")
    judged = bool(adr.evidence) and bool(len(claims))
    title = f"ADR {adr.number}: {text(adr.title)}"
    # The body is the owner's own Markdown, shown as written (it is the record itself).
    body = re.sub(r"^# .+$", "", adr.body, count=1, flags=re.MULTILINE).strip()
    return templating.render(
        "adr/record.md.j2",
        adr=adr,
        front_title=Markup(json.dumps(title, ensure_ascii=False)),
        meta=Markup(" · ".join(meta)),
        judged=judged,
        rows=_evidence_rows(adr, claims, catalogue) if judged else [],
        notes=_notes(adr, claims) if judged else set(),
        raw=Markup(RAW_RESULTS),
        body=Markup(body),
    )


def evidence_summary(adr: Adr, claims: Claims) -> str:
    """'2 claims: 1 supported, 1 not supported at this scale', or '—' without claims."""
    if not adr.evidence:
        return "—"
    counts: dict[str, int] = {}
    for claim_id in adr.evidence:
        where = f"adr/{adr.filename}: evidence"
        verdict = claims.get(claim_id, where=where).verdict if len(claims) else "not judged"
        counts[verdict] = counts.get(verdict, 0) + 1
    parts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
    noun = "claim" if len(adr.evidence) == 1 else "claims"
    return f"{len(adr.evidence)} {noun}: {parts}"


def render_index(adrs: list[Adr], claims: Claims) -> str:
    """The decisions index (templates/adr/index.md.j2)."""
    by_number = {a.number: a for a in adrs}
    rows = []
    for adr in adrs:
        relations = [f"supersedes {_link(by_number[n], by_number)}" for n in adr.supersedes]
        relations += [f"superseded by {_link(by_number[n], by_number)}" for n in adr.superseded_by]
        rows.append(
            {
                "number": adr.number,
                "title": adr.title,
                "file": adr.filename,
                "status": adr.status,
                "evidence": evidence_summary(adr, claims),
                "relations": Markup("; ".join(relations) or "—"),
            }
        )
    return templating.render("adr/index.md.j2", rows=rows)


def nav_entries(adrs: list[Adr]) -> list[dict[str, str]]:
    return [{f"{a.number} {a.title}": f"{OUT_DIR}/{a.filename}"} for a in adrs]


def render_all(adrs: list[Adr], claims: Claims, catalogue: Catalogue) -> dict[str, str]:
    """Every page of the decisions section, keyed by docs-relative path."""
    by_number = {a.number: a for a in adrs}
    pages = {f"{OUT_DIR}/index.md": render_index(adrs, claims)}
    for adr in adrs:
        pages[f"{OUT_DIR}/{adr.filename}"] = render_adr(adr, by_number, claims, catalogue)
    return pages
