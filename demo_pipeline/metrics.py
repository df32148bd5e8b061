"""The metric catalogue: `<workdir>/metrics.json`, the one place the site takes
numbers from.

Each entry is keyed by a stable dotted key (`pipeline.duration.total_s`) and holds
`value`, `unit`, `description` and `provenance`. Steps merge their metrics in under
a file lock and the file is replaced atomically, so one step's update never erases
another's and a crash never leaves half a file.

`Metric` is the one definition of an entry: the steps write it (`to_dict`), and the
site's generators read it back (`Metric.from_dict`; `generators.catalogue.Entry` only
adds the formatting a page needs).
"""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from demo_pipeline.atomic import write_text_atomic
from demo_pipeline.provenance import Provenance

KEY_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


MetricValue = float | int | str | bool | None


@dataclass(frozen=True)
class Metric:
    """One entry of the metric catalogue."""

    key: str
    value: MetricValue
    unit: str
    description: str
    provenance: Provenance | Mapping[str, Any]
    """A `Provenance` when written; the plain mapping it was stored as when read back."""

    def __post_init__(self) -> None:
        if not KEY_PATTERN.match(self.key):
            raise ValueError(
                f"metric key {self.key!r}: expected dotted lower_snake parts like "
                "'pipeline.rows.silver.orders'"
            )

    def to_dict(self) -> dict:
        provenance = self.provenance
        return {
            "value": self.value,
            "unit": self.unit,
            "description": self.description,
            "provenance": (
                provenance.to_dict() if isinstance(provenance, Provenance) else dict(provenance)
            ),
        }

    @classmethod
    def from_dict(cls, key: str, raw: Mapping[str, Any]) -> Self:
        """The entry `key` as `metrics.json` stores it (a missing field is empty)."""
        return cls(
            key=key,
            value=raw.get("value"),
            unit=str(raw.get("unit", "")),
            description=str(raw.get("description", "")),
            provenance=dict(raw.get("provenance") or {}),
        )


class MetricCatalogue:
    """Read and merge-update a metrics.json file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(f".{self.path.name}.lock")
        with open(lock, "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def read(self) -> dict[str, dict]:
        """All entries as plain dicts, keyed by metric key ({} when none yet)."""
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_text(encoding="utf-8"))

    def update(self, metrics: Iterable[Metric], *, drop_prefix: str | None = None) -> None:
        """Merge `metrics` into the catalogue.

        `drop_prefix` first removes every existing key under that prefix, for a step
        that recomputes its whole family (so a metric that no longer exists goes away)
        without touching other steps' keys.
        """
        new = {m.key: m.to_dict() for m in metrics}
        with self._locked():
            current = self.read()
            if drop_prefix:
                current = {
                    k: v
                    for k, v in current.items()
                    if not (k == drop_prefix or k.startswith(drop_prefix + "."))
                }
            current.update(new)
            text = json.dumps(dict(sorted(current.items())), indent=2, ensure_ascii=False)
            write_text_atomic(self.path, text + "\n")
