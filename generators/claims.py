"""Claims on pages: every sentence about the outcome of a measured claim is rendered
here, from the verdicts the benchmark step recorded (`claims.json`), so its words follow
the verdict and the claimed and measured figures stand side by side.

- `render_claim` gives the claim's sentence for its current verdict (the `says` wording
  of `data/claims.yaml`), then its badge.
- `render_badge` gives the badge alone: claimed, measured (linked to the evidence) and
  the verdict with the scale and profile it was reached at. Quick-profile results are a
  smoke test: their badge shows no measured value and no verdict.

Both wrap their output in an element carrying `data-claim` and `data-verdict-for`, which
is how the site check (`generators/claim_check.py`) tells a claim rendered here from a
hand-written sentence.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from demo_pipeline.core.verdicts import (
    EXTRAPOLATED,
    JUDGED,
    NOT_JUDGED,
    NOT_SUPPORTED,
    SAYS_KEY,
    SUPPORTED,
    UNMEASURED,
)
from generators.catalogue import Catalogue, format_value
from generators.errors import SourceFileError

VERDICT_CLASS = {
    SUPPORTED: "verdict-supported",
    NOT_SUPPORTED: "verdict-not-supported",
    UNMEASURED: "verdict-partly",
    NOT_JUDGED: "verdict-partly",
    EXTRAPOLATED: "verdict-partly",
}
# What a page says when the registry gives no wording for a verdict.
DEFAULT_SAYS = {
    "supported": "{text}: measured {measured}, which meets the {claimed} claimed.",
    "not_supported": "{text}: measured {measured}, which does not reach the {claimed} claimed.",
    "unmeasured": "My claim “{text}” has no measurement yet: {reason}.",
    "not_judged": (
        "My claim “{text}” has only been smoke-tested so far ({profile} profile), so I "
        "draw no conclusion from it here."
    ),
    "extrapolated": (
        "{text}: extrapolated from my measurements, {measured} against the {claimed} claimed."
    ),
}
BENCHMARKS_PAGE = "benchmarks.md"
CLAIMS_ANCHOR = "claims-against-measurements"


@dataclass(frozen=True)
class ClaimRecord:
    """One claim and its verdict, as `claims.json` holds it."""

    data: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def verdict(self) -> str:
        return str(self.data.get("verdict", UNMEASURED))

    @property
    def judged(self) -> bool:
        return self.verdict in JUDGED

    @property
    def metric(self) -> str:
        return str(self.data.get("metric_key", ""))

    @property
    def measured_on(self) -> dict[str, Any]:
        return dict(self.data.get("measured_on") or {})

    def scale_note(self) -> str:
        """'scale 1, 30 days, default profile': what a verdict holds for."""
        on = self.measured_on
        parts = []
        if on.get("scale") is not None:
            parts.append(f"scale {on['scale']:g}")
        if on.get("days"):
            parts.append(f"{on['days']} days of data")
        if on.get("profile"):
            parts.append(f"{on['profile']} profile")
        return ", ".join(parts)

    def measured_on_text(self) -> str:
        """Everything that made the result, for a tooltip or a table cell."""
        on = self.measured_on
        parts = [self.scale_note()]
        if on.get("rows") is not None:
            parts.append(f"{on['rows']:,} sales lines")
        if on.get("bytes") is not None:
            parts.append(format_value(on["bytes"], "bytes") + " of sales data")
        if on.get("repetitions"):
            runs = "timed run" + ("s" if on["repetitions"] > 1 else "")
            parts.append(f"{on.get('warmups', 0)} warm-up + {on['repetitions']} {runs}")
        if on.get("machine"):
            parts.append(str(on["machine"]))
        return "; ".join(p for p in parts if p)


class Claims:
    """Every claim's verdict from one `claims.json`."""

    def __init__(self, records: list[dict[str, Any]], *, source: str = "claims.json") -> None:
        self._records = {str(r["id"]): ClaimRecord(r) for r in records}
        self.source = source

    @classmethod
    def load(cls, path: Path) -> Claims:
        if not path.exists():
            return cls([], source=str(path))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SourceFileError(
                f"{path}: expected a JSON list of claim verdicts ({exc})"
            ) from exc
        if not isinstance(data, list):
            raise SourceFileError(f"{path}: expected a JSON list of claim verdicts")
        return cls(data, source=str(path))

    def __iter__(self):
        return iter(self._records.values())

    def __len__(self) -> int:
        return len(self._records)

    def get(self, claim_id: str, *, where: str = "") -> ClaimRecord:
        if claim_id not in self._records:
            place = f"{where}: " if where else ""
            known = ", ".join(sorted(self._records)) or "none: no benchmark has been judged"
            raise SourceFileError(
                f"{place}claim {claim_id!r} is not in {self.source} (claims: {known}); "
                "claims are registered in data/claims.yaml"
            )
        return self._records[claim_id]

    def by_metric(self) -> dict[str, ClaimRecord]:
        return {r.metric: r for r in self if r.metric}

    def by_reported(self) -> dict[str, ClaimRecord]:
        """Self-reported figure keys (data/owner.yaml) that state a registered claim."""
        return {key: r for r in self for key in r.data.get("reported") or []}


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _measured_link(
    record: ClaimRecord, catalogue: Catalogue, link_to: str, *, text: str | None = None
) -> str:
    """The measured value as a Markdown link to its evidence row (mkdocs resolves the
    page path), with what made it as the tooltip."""
    entry = catalogue.get(record.metric, where=f"claim {record.id}")
    title = f"{entry.description} ({record.measured_on_text()})".replace('"', "'")
    if text is None:
        unit = str(record.data.get("unit", ""))
        # A count in the claim's own noun ("0 flags"), not the catalogue's ("0 checks").
        text = entry.text if unit in {"x", "%", "s", ""} else f"{entry.number_text()} {unit}"
    shown = html.escape(text)
    return f'[{shown}]({link_to}#{entry.anchor} "{html.escape(title)}"){{ .metric }}'


def _change_words(record: ClaimRecord, catalogue: Catalogue, link_to: str) -> str:
    """The measured value in words that stay true whichever way it went: "7.3× faster",
    "slower (0.8× the speed)", "12.3 % less", "4.1 % more"."""
    value = record.data.get("measured")
    unit = record.data.get("unit")
    measured = _measured_link(record, catalogue, link_to)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return measured
    if unit == "x":
        if value >= 1.05:
            return f"{measured} faster"
        if value > 0.95:
            return f"no faster ({measured})"
        return f"slower ({measured} the speed)"
    if unit == "%":
        if value >= 0:
            return f"{measured} less"
        # A negative reduction is an increase: say "more", showing the size of it.
        return _measured_link(record, catalogue, link_to, text=format_value(-value, "%")) + " more"
    return measured


def render_badge(record: ClaimRecord, catalogue: Catalogue, *, link_to: str) -> str:
    """Claimed, measured and verdict side by side, in one inline element."""
    verdict = record.verdict
    css = VERDICT_CLASS.get(verdict, "verdict-partly")
    claimed = html.escape(
        f"claimed {record.data.get('claimed', record.data.get('threshold_text'))}"
    )
    parts = [f'<span class="claim-claimed">{claimed}</span>']
    if record.judged and record.metric in catalogue:
        parts.append(f"measured {_measured_link(record, catalogue, link_to)}")
    if record.judged:
        label = display_verdict(record)
        label = f"{label} ({record.scale_note()})" if record.scale_note() else label
    elif verdict == NOT_JUDGED:
        label = f"not judged: {record.measured_on.get('profile', 'quick')} profile, a smoke test"
    else:
        label = "unmeasured"
    # Markdown would read backticks inside the attribute as code and break the tag.
    title = html.escape(str(record.data.get("reason", "")).replace("`", "'"), quote=True)
    parts.append(f'<span class="{css}" title="{title}">{html.escape(label)}</span>')
    return (
        f'<span class="claim-badge" data-claim="{_attr(record.id)}" '
        f'data-verdict-for="{_attr(record.id)}" data-verdict="{_attr(verdict)}">'
        + " · ".join(parts)
        + "</span>"
    )


def claim_sentence(record: ClaimRecord, catalogue: Catalogue, *, link_to: str) -> str:
    """The claim's sentence for its current verdict, placeholders filled, as HTML."""
    key = SAYS_KEY.get(record.verdict, "unmeasured")
    template = (record.data.get("says") or {}).get(key) or DEFAULT_SAYS[key]
    measured = change = value = "not measured"
    if record.judged and record.metric in catalogue:
        measured = _measured_link(record, catalogue, link_to)
        change = _change_words(record, catalogue, link_to)
        number = catalogue.get(record.metric).number_text()
        value = _measured_link(record, catalogue, link_to, text=number)
    values = {
        "text": html.escape(str(record.data.get("text", record.id))),
        "claimed": html.escape(str(record.data.get("claimed", ""))),
        "measured": measured,
        "change": change,
        "value": value,
        "reason": html.escape(str(record.data.get("reason", ""))),
        "profile": html.escape(str(record.measured_on.get("profile", "?"))),
    }
    try:
        return " ".join(template.split()).format(**values)
    except (KeyError, IndexError) as exc:
        raise SourceFileError(
            f"data/claims.yaml: claim {record.id!r}: says.{key} uses an unknown placeholder "
            f"{exc}; known: {', '.join('{' + k + '}' for k in values)}"
        ) from None


def render_claim(record: ClaimRecord, catalogue: Catalogue, *, link_to: str) -> str:
    """Sentence and badge, in one element the site check recognises."""
    sentence = claim_sentence(record, catalogue, link_to=link_to)
    return (
        f'<span class="claim" data-claim="{_attr(record.id)}">{sentence} '
        f"{render_badge(record, catalogue, link_to=link_to)}</span>"
    )


def evidence_cells(record: ClaimRecord, catalogue: Catalogue, *, link_to: str) -> list[str]:
    """Claim, claimed, measured and verdict as four table cells (Markdown/HTML). The row
    holds the verdict, so the measured value never stands without it."""
    claim = f'<span data-claim="{_attr(record.id)}">{html.escape(str(record.data["text"]))}</span>'
    claimed = html.escape(str(record.data.get("threshold_text") or record.data.get("claimed")))
    if record.judged and record.metric in catalogue:
        measured = _measured_link(record, catalogue, link_to)
    elif record.verdict == NOT_JUDGED:
        measured = "not quoted (smoke test)"
    else:
        measured = "not measured"
    return [claim, claimed, measured, verdict_cell(record)]


def verdict_cell(record: ClaimRecord) -> str:
    """The verdict with what it holds for, and why when there is no measurement."""
    verdict = record.verdict
    css = VERDICT_CLASS.get(verdict, "verdict-partly")
    if record.judged:
        note = f" ({record.scale_note()})" if record.scale_note() else ""
    else:
        note = f": {record.data.get('reason', '')}" if record.data.get("reason") else ""
    return (
        f'<span class="{css}" data-verdict-for="{_attr(record.id)}" '
        f'data-verdict="{_attr(verdict)}">{html.escape(display_verdict(record))}</span>'
        f"{html.escape(note)}"
    )


def display_verdict(record: ClaimRecord) -> str:
    """The verdict as a reader sees it: a benchmark verdict always names its scale, the
    passing one too, because the demo's data is far smaller than production's."""
    if record.verdict == SUPPORTED and record.data.get("measured_by", "bench") == "bench":
        return "supported at this scale"
    return record.verdict
