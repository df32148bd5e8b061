"""SCD Type 1 for small dimensions (warehouses, categories, customers): the current
state only. Changed rows overwrite, rows the source no longer has are removed."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def apply_scd1(
    current: pl.DataFrame,
    changes: pl.DataFrame,
    *,
    key: str,
    columns: Sequence[str],
    current_keys: pl.Series | None = None,
) -> pl.DataFrame:
    """Upsert `changes` (latest `updated_at` per key wins) and drop deleted keys."""
    changes = changes.select(list(columns))
    latest = changes.sort([key, "updated_at"]).unique(subset=[key], keep="last")
    merged = pl.concat(
        [current.select(list(columns)).join(latest.select(key), on=key, how="anti"), latest]
    )
    if current_keys is not None:
        merged = merged.filter(pl.col(key).is_in(current_keys.implode()))
    return merged.sort(key)
