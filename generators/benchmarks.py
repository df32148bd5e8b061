"""Benchmark page parts: the environment the figures were measured on, the results
table (every `bench.*` metric) and the claims table (claimed vs measured, verdict)."""

from __future__ import annotations

from generators.adr import verdict_text
from generators.catalogue import Catalogue


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_environment(catalogue: Catalogue) -> str:
    entries = catalogue.with_prefix("bench")
    if not entries:
        return "No benchmark has run yet: run `make bench`.\n"
    prov = entries[0].provenance
    machines = sorted({str(e.provenance.get("machine", "?")) for e in entries})
    runs = sorted({str(e.provenance.get("run_id", "?")) for e in entries})
    lines = [
        f"- **Machine:** {'; '.join(machines)}",
        f"- **Runs:** {', '.join(f'`{r}`' for r in runs)}",
        f"- **Seed and scale:** seed {prov.get('seed', '?')}, scale {prov.get('scale', '?')}",
        f"- **Code:** commit `{str(prov.get('git_commit', '?'))[:12]}`",
        f"- **Measured at:** {prov.get('measured_at', '?')}",
        "",
    ]
    return "\n".join(lines)


def render_results(catalogue: Catalogue) -> str:
    entries = catalogue.with_prefix("bench")
    if not entries:
        return "No benchmark results yet.\n"
    lines = ["| Benchmark | Result | What it measures |", "|---|---|---|"]
    for entry in entries:
        lines.append(
            f'| `{entry.key}` | {{{{ metric("{entry.key}") }}}} | {_cell(entry.description)} |'
        )
    lines.append("")
    return "\n".join(lines)


def render_claims(claims: list[dict], catalogue: Catalogue) -> str:
    if not claims:
        return (
            '!!! note "Claims not evaluated"\n\n'
            "    The claims module did not report any verdicts for this build. Run\n"
            "    `make claims` to see them.\n"
        )
    lines = [
        "| Claim (where the brief makes it) | Read as | Measured | Verdict |",
        "|---|---|---|---|",
    ]
    for claim in claims:
        key = claim.get("metric_key", claim.get("metric"))
        measured = f'{{{{ metric("{key}") }}}}' if key and key in catalogue else "not measured"
        lines.append(
            f"| {_cell(claim.get('text', claim.get('id', '')))} ({_cell(claim.get('source', ''))})"
            f" | {_cell(claim_threshold(claim))}: {_cell(claim.get('reading', ''))} | "
            f"{measured} | {verdict_text(claim)} |"
        )
    lines += [
        "",
        "The brief made these claims about production "
        f"({_cell(claims[0].get('claimed_scale', 'its own scale'))}); the demo measures them "
        "on its own, smaller data. A claim that does not hold here is reported as such, "
        "not hidden: small data can change which tool wins.",
        "",
    ]
    return "\n".join(lines)


def claim_threshold(claim: dict) -> str:
    """'>= 5x', '< 3 s': the comparison a measurement must pass."""
    threshold = claim.get("threshold")
    if threshold is None:
        return str(claim.get("claimed", ""))
    unit = str(claim.get("unit", ""))
    spacer = " " if unit == "s" else ""
    return f"{claim.get('comparison', '')} {threshold:g}{spacer}{unit}".strip()
