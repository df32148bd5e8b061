"""The estate's record: the seed, scale, days and start date an estate was generated
with, kept in `sources/ground_truth.json` beside the answer key. Its own module so that
`run` reads it without loading the generators (faker, xlsxwriter, numpy's streams)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from demo_pipeline.errors import SourceError
from demo_pipeline.workdir import Workdir

ESTATE_RECORD_KEYS = ("seed", "scale", "days", "start_date")
"""The settings of an estate recorded in `ground_truth.json` (EstateConfig field names)."""


def read_estate_record(workdir: Workdir) -> dict[str, Any] | None:
    """The seed, scale, days and start date the estate in `workdir` was generated with,
    typed as in `EstateConfig`; None when the work directory holds no estate. A record
    that cannot be read is a SourceError naming the file."""
    path = workdir.ground_truth
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SourceError(
            f"{path}: the estate record cannot be read (expected JSON written by `generate`; "
            f"found: {exc}); generate the estate again"
        ) from None
    try:
        return {
            "seed": int(raw["seed"]),
            "scale": float(raw["scale"]),
            "days": int(raw["days"]),
            "start_date": dt.date.fromisoformat(raw["start_date"]),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(
            f"{path}: the estate record is incomplete (expected {', '.join(ESTATE_RECORD_KEYS)}; "
            f"found: {exc!r}); generate the estate again"
        ) from None
