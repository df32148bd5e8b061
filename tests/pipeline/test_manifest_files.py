"""The run manifests a real month writes read back into RunManifest and out again unchanged
(the type's own tests are in tests/core/test_manifest.py)."""

from __future__ import annotations

from demo_pipeline.core.manifest import RunManifest, read_manifests


def test_every_manifest_of_a_month_round_trips_byte_for_byte(month):
    """from_json then to_json gives back each file exactly: key order, nesting and all."""
    paths = sorted(month.workdir.runs.glob("*.json"))
    assert len(paths) == month.cfg.estate.days
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert RunManifest.from_json(text).to_json() == text, path.name
    backfilled = [m for m in read_manifests(month.workdir.runs) if m.backfilled_on]
    assert backfilled and all(m.backfill_reason for m in backfilled)
