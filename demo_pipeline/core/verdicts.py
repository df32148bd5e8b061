"""The vocabulary of claim verdicts, on the ground floor because the benchmark step writes
them (`bench/claims.json`) and the site reads them.

- supported: measured, and the comparison holds
- not supported at this scale: measured, and it does not hold on the demo's data
- unmeasured: no result (the benchmark failed or could not run)
- not judged: measured by a smoke-test profile, which is evidence neither way
- extrapolated: a figure the demo cannot reach, computed from a trend fitted through
  measured scales (a claim registered with `basis: extrapolated`); shown with its
  assumptions, never called supported
"""

from __future__ import annotations

from typing import Literal

Verdict = Literal[
    "supported", "not supported at this scale", "unmeasured", "not judged", "extrapolated"
]
SUPPORTED: Verdict = "supported"
NOT_SUPPORTED: Verdict = "not supported at this scale"
UNMEASURED: Verdict = "unmeasured"
NOT_JUDGED: Verdict = "not judged"
EXTRAPOLATED: Verdict = "extrapolated"
# Verdicts that come with a figure a page may quote.
JUDGED: tuple[Verdict, ...] = (SUPPORTED, NOT_SUPPORTED, EXTRAPOLATED)
# The key under a claim's `says` (data/claims.yaml) for each verdict.
SAYS_KEY: dict[str, str] = {
    SUPPORTED: "supported",
    NOT_SUPPORTED: "not_supported",
    UNMEASURED: "unmeasured",
    NOT_JUDGED: "not_judged",
    EXTRAPOLATED: "extrapolated",
}
# Benchmark profiles whose figures are a smoke test of the machinery, never judged.
SMOKE_TEST_PROFILES = frozenset({"quick"})
