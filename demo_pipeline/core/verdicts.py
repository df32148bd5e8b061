"""The vocabulary of claim verdicts, on the ground floor because the benchmark step writes
them (`bench/claims.json`) and the site reads them.

- supported: measured, and the comparison holds
- not supported at this scale: measured, and it does not hold on the demo's data
- unmeasured: no result (the benchmark failed or could not run)
- not judged: measured by a smoke-test profile, which is evidence neither way
"""

from __future__ import annotations

from typing import Literal

Verdict = Literal["supported", "not supported at this scale", "unmeasured", "not judged"]
SUPPORTED: Verdict = "supported"
NOT_SUPPORTED: Verdict = "not supported at this scale"
UNMEASURED: Verdict = "unmeasured"
NOT_JUDGED: Verdict = "not judged"
JUDGED: tuple[Verdict, ...] = (SUPPORTED, NOT_SUPPORTED)
# The key under a claim's `says` (data/claims.yaml) for each verdict.
SAYS_KEY: dict[str, str] = {
    SUPPORTED: "supported",
    NOT_SUPPORTED: "not_supported",
    UNMEASURED: "unmeasured",
    NOT_JUDGED: "not_judged",
}
# Benchmark profiles whose figures are a smoke test of the machinery, never judged.
SMOKE_TEST_PROFILES = frozenset({"quick"})
