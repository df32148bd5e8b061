"""Architecture Decision Records: `adr/NNNN-slug.md` (MADR 4) to site pages.

Each source has YAML front matter (status, date, optional supersedes /
superseded-by, and `evidence`: the claims the decision rests on, each naming the
metric that tests it) and a MADR body. The rendered page adds a metadata line and an
Evidence panel: claim, claimed, measured (through the `metric` macro, so a missing key
fails the build), verdict from the claims module, and a link to the raw results.
An index page lists every record with its status and supersedes links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generators.errors import SourceFileError
from generators.frontmatter import split_front_matter

ADR_NAME = re.compile(r"^(\d{4})-([a-z0-9-]+)\.md$")
REQUIRED_SECTIONS = ("context and problem statement", "decision outcome")
STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
OUT_DIR = "generated/decisions"
RAW_RESULTS = "../../assets/generated/data"


@dataclass(frozen=True)
class EvidenceItem:
    claim: str
    claimed: str
    metric: str
    claim_id: str = ""


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
    evidence: tuple[EvidenceItem, ...] = field(default_factory=tuple)

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
        if not isinstance(item, dict) or not {"claim", "claimed", "metric"} <= set(item):
            raise SourceFileError(f"{path}: evidence[{i}] needs claim, claimed and metric")
        evidence.append(
            EvidenceItem(
                claim=str(item["claim"]),
                claimed=str(item["claimed"]),
                metric=str(item["metric"]),
                claim_id=str(item.get("claim_id", "")),
            )
        )
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


def find_verdict(item: EvidenceItem, claims: list[dict]) -> dict | None:
    """The claim record testing `item`: by claim id when given, else by metric key."""
    for claim in claims:
        if item.claim_id and claim.get("id") == item.claim_id:
            return claim
    for claim in claims:
        if claim.get("metric_key", claim.get("metric")) == item.metric:
            return claim
    return None


VERDICT_CLASS = {
    "supported": "verdict-supported",
    "not supported at this scale": "verdict-not-supported",
    "not supported": "verdict-not-supported",
    "unmeasured": "verdict-partly",
}


def verdict_text(claim: dict | None) -> str:
    """The verdict as shown in a table cell, with the claims module's reading of it."""
    if claim is None:
        return "measured; no threshold registered in the claims module"
    verdict = str(claim.get("verdict", "unknown")).replace("_", " ")
    css = VERDICT_CLASS.get(verdict.lower(), "verdict-partly")
    note = str(claim.get("reason", "") or "").replace("|", "\\|").replace("\n", " ")
    scale = claim.get("scale")
    where = f" (scale {scale:g}, {claim.get('profile')} profile)" if scale is not None else ""
    return f'<span class="{css}">{verdict}</span>{where}' + (f": {note}" if note else "")


def measured_cell(metric: str, claim: dict | None, known_metrics: set[str]) -> str:
    """The measured value through the metric macro, so a missing key fails the build,
    unless the claims module explains why there is no measurement."""
    if metric not in known_metrics and claim is not None and claim.get("verdict") == "unmeasured":
        return "not measured"
    return f'{{{{ metric("{metric}") }}}}'


def _link(adr: Adr, by_number: dict[str, Adr]) -> str:
    other = by_number.get(adr.number, adr)
    return f"[ADR {other.number}]({other.filename})"


def render_adr(
    adr: Adr, by_number: dict[str, Adr], claims: list[dict], known_metrics: set[str]
) -> str:
    """The page for one ADR: metadata line, Evidence panel, then the MADR body."""
    meta = [f"**Status:** {adr.status}", f"**Date:** {adr.date}"]
    if adr.supersedes:
        links = ", ".join(_link(by_number[n], by_number) for n in adr.supersedes)
        meta.append(f"**Supersedes:** {links}")
    if adr.superseded_by:
        links = ", ".join(_link(by_number[n], by_number) for n in adr.superseded_by)
        meta.append(f"**Superseded by:** {links}")
    title_line = f"# ADR {adr.number}: {adr.title}"
    body = re.sub(r"^# .+$", "", adr.body, count=1, flags=re.MULTILINE).strip()
    lines = ["---", f'title: "ADR {adr.number}: {adr.title}"', "---", "", title_line, ""]
    lines += [" · ".join(meta), ""]
    if adr.evidence:
        lines += ['!!! abstract "Evidence"', ""]
        lines += [
            "    What this decision claims, and what the demo measured on the machine that",
            "    built this site. Raw results: [metrics.json]"
            f"({RAW_RESULTS}/metrics.json), [claims.json]({RAW_RESULTS}/claims.json),",
            f"    [bench-results.json]({RAW_RESULTS}/bench-results.json).",
            "",
            "    | Claim | Claimed | Measured | Verdict |",
            "    |---|---|---|---|",
        ]
        for item in adr.evidence:
            claim = find_verdict(item, claims)
            measured = measured_cell(item.metric, claim, known_metrics)
            lines.append(
                f"    | {item.claim} | {item.claimed} | {measured} | {verdict_text(claim)} |"
            )
        verdicts = [str((find_verdict(i, claims) or {}).get("verdict", "")) for i in adr.evidence]
        if any(v.startswith("not supported") for v in verdicts):
            lines += [
                "    On this build's data at least one claim does not hold. The claim came from",
                "    production at a much larger scale; small data can change which tool wins.",
                "    The [benchmarks page](../../benchmarks.md) says how each figure was measured.",
                "",
            ]
        if any(v == "unmeasured" for v in verdicts):
            lines += [
                "    A claim marked unmeasured had no result in this build; the verdict says why.",
                "",
            ]
        lines.append("")
    else:
        lines += [
            '!!! abstract "Evidence"',
            "",
            "    This decision does not rest on a performance or size claim that a benchmark",
            "    could test. How it is checked in practice is under *Confirmation* below.",
            "",
        ]
    lines += [body, ""]
    return "\n".join(lines)


def evidence_summary(adr: Adr, claims: list[dict]) -> str:
    """'2 claims: 1 supported, 1 not supported at this scale', or '—' without claims."""
    if not adr.evidence:
        return "—"
    counts: dict[str, int] = {}
    for item in adr.evidence:
        verdict = str((find_verdict(item, claims) or {}).get("verdict", "measured, not judged"))
        counts[verdict] = counts.get(verdict, 0) + 1
    parts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
    noun = "claim" if len(adr.evidence) == 1 else "claims"
    return f"{len(adr.evidence)} {noun}: {parts}"


def render_index(adrs: list[Adr], claims: list[dict] | None = None) -> str:
    by_number = {a.number: a for a in adrs}
    lines = [
        "---",
        "title: Decisions",
        "---",
        "",
        "# Architecture decisions",
        "",
        "Each record explains one choice: the problem, the options considered, what was",
        "decided and what it costs. They follow the [MADR](https://adr.github.io/madr/)",
        "format. Where a decision rests on a performance or size claim, the record shows the",
        "claim next to what the demo measured, with a verdict.",
        "",
        "| ADR | Decision | Status | Evidence | Supersedes / superseded by |",
        "|---|---|---|---|---|",
    ]
    for adr in adrs:
        relations = [f"supersedes {_link(by_number[n], by_number)}" for n in adr.supersedes]
        relations += [f"superseded by {_link(by_number[n], by_number)}" for n in adr.superseded_by]
        lines.append(
            f"| {adr.number} | [{adr.title}]({adr.filename}) | {adr.status} | "
            f"{evidence_summary(adr, claims or [])} | {'; '.join(relations) or '—'} |"
        )
    lines.append("")
    return "\n".join(lines)


def nav_entries(adrs: list[Adr]) -> list[dict[str, str]]:
    return [{f"{a.number} {a.title}": f"{OUT_DIR}/{a.filename}"} for a in adrs]


def render_all(adrs: list[Adr], claims: list[dict], known_metrics: set[str]) -> dict[str, str]:
    """Every page of the decisions section, keyed by docs-relative path."""
    by_number = {a.number: a for a in adrs}
    pages = {f"{OUT_DIR}/index.md": render_index(adrs, claims)}
    for adr in adrs:
        pages[f"{OUT_DIR}/{adr.filename}"] = render_adr(adr, by_number, claims, known_metrics)
    return pages
