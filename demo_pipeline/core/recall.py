"""The fault tally's record: one row per injected fault in `<workdir>/quality/recall.parquet`
(written by quality.summary), and the words for its outcome. On the ground floor because
the quality layer writes it and the site reads it.

A fault is *caught* only when the expected tier took the expected action on the expected
day; *caught otherwise* when another check noticed it (another tier, another action, or
a later day); *missed* when nothing did.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

CAUGHT = "caught"
CAUGHT_OTHERWISE = "caught_otherwise"
MISSED = "missed"
OUTCOMES = (CAUGHT, CAUGHT_OTHERWISE, MISSED)

RECALL_SCHEMA = {
    "day": pl.Int32,
    "date": pl.String,
    "kind": pl.String,
    "table": pl.String,
    "expected_tier": pl.Int8,
    "expected_action": pl.String,
    "expected_rule": pl.String,  # the expected rules, ", "-joined; "x." means every "x.*"
    "expected_tables": pl.String,  # ", "-joined
    "expected_on": pl.Date,
    "outcome": pl.String,
    "caught": pl.Boolean,
    "actual_tier": pl.Int8,
    "actual_action": pl.String,
    "actual_table": pl.String,
    "actual_rule": pl.String,
    "actual_on": pl.Date,
    "evidence": pl.String,
    "how": pl.String,
}


def outcome_label(row: Mapping) -> str:
    """An outcome in words: caught, caught by another tier / with another action / on
    another day, or missed."""
    if row["outcome"] == CAUGHT:
        return "caught"
    if row["outcome"] == MISSED:
        return "missed"
    if row.get("expected_tier") is None or row["actual_tier"] != row["expected_tier"]:
        return "caught by another tier"
    if row["actual_action"] != row["expected_action"]:
        return "caught with another action"
    if row["actual_on"] != row["expected_on"]:
        return "caught on another day"
    return "caught by another check"
