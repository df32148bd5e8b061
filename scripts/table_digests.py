"""Print the order-independent digest of every table in a work directory, to prove a
refactor changed no data: `python scripts/table_digests.py <workdir> > digests.json`,
before and after, then diff the two files. demo_pipeline/digests.py says what a digest
covers and what it leaves out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo_pipeline.digests import digests

__all__ = ["digests"]

if __name__ == "__main__":
    json.dump(digests(Path(sys.argv[1])), sys.stdout, indent=2, sort_keys=True)
    print()
