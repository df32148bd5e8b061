"""How a failing site check words its message: one line per distinct problem with how many
pages show it and which, so a rule broken by a shared template reads as one fix, not fifty."""

from __future__ import annotations

from collections import defaultdict

MAX_LINES = 60


def grouped(
    findings: list[tuple[str, str]], *, examples: int = 4, unit: str = "page visit(s)"
) -> str:
    """Group (problem, where) pairs by problem: 'problem — on N page visit(s): a, b, c, ...'."""
    by_problem: dict[str, list[str]] = defaultdict(list)
    for problem, where in findings:
        if where not in by_problem[problem]:
            by_problem[problem].append(where)
    lines = []
    for problem, places in sorted(by_problem.items(), key=lambda item: -len(item[1])):
        shown = ", ".join(places[:examples]) + (", ..." if len(places) > examples else "")
        lines.append(f"{problem} — on {len(places)} {unit}: {shown}")
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"... and {len(lines) - MAX_LINES} more distinct problems"]
    return "\n".join(lines)
