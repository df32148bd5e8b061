"""The estate a seed makes does not change when its generator is made faster.

`golden_digests.json` holds the digests (tests/estate/digests.py) of the tiny estate
as the generator made it before the generation speed-up of issue 17:
every file but the ERP by its bytes, the ERP by the rows of every relation it offers.
A change that alters any row, file or column fails here; regenerate the file only for
an intended change of the generated data, and say so in the commit.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.estate.digests import estate_digests

GOLDEN = Path(__file__).with_name("golden_digests.json")


def test_the_tiny_estate_is_the_one_the_generator_made_before(tiny_estate):
    _, workdir = tiny_estate
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    found = estate_digests(workdir.sources)
    changed = sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))
    assert not changed, f"estate output changed for the same seed: {changed}"
