"""SCD Type 2, as one pure function: (history, changed rows, current keys) -> history.

A history row is one version of a key: a surrogate key (`<name>_sk`), the tracked
attributes, `valid_from`, `valid_to` (`OPEN_END` while current) and `is_current`.
The cases it handles, each with a test:

- change: the current version is closed at the change's `updated_at` and a new one
  opens there;
- no change: a newer `updated_at` with the same tracked attributes adds nothing;
- deleted source row: a current key missing from the source's key list is closed at
  `deleted_at` and nothing is current for it;
- deleted row that comes back: a new current version opens (never before the close);
- late-arriving change (older `updated_at` than the current version): it is slotted
  into history, splitting the version that covered that moment; what is current
  stays current.

Invariants, checked by `check_history`: per key, intervals never overlap and there
is at most one current row. Surrogate keys are handed out in a fixed order (key,
then `updated_at`), so the same inputs always give the same keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from demo_pipeline.errors import QualityError

OPEN_END = dt.datetime(9999, 12, 31)
UPDATED = "updated_at"


def history_schema(key: str, sk: str, tracked: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    return {
        sk: pl.Int64,
        key: pl.Int64,
        **tracked,
        UPDATED: pl.Datetime("us"),
        "valid_from": pl.Datetime("us"),
        "valid_to": pl.Datetime("us"),
        "is_current": pl.Boolean,
    }


def apply_scd2(
    history: pl.DataFrame,
    changes: pl.DataFrame,
    *,
    key: str,
    sk: str,
    tracked: Sequence[str],
    current_keys: pl.Series | None = None,
    deleted_at: dt.datetime | None = None,
) -> pl.DataFrame:
    """The new history after applying `changes` (rows with `key`, `tracked`, `updated_at`).

    `current_keys` is the source's full key list; keys missing from it are closed at
    `deleted_at`. Pass None to skip delete detection.
    """
    tracked = list(tracked)
    schema = dict(history.schema)
    changes = changes.select([key, *tracked, UPDATED]).sort([key, UPDATED], maintain_order=True)
    next_sk = (history[sk].max() or 0) + 1 if history.height else 1

    known = set(history[key].to_list())
    brand_new = changes.filter(~pl.col(key).is_in(list(known)))
    existing = changes.filter(pl.col(key).is_in(list(known)))

    # 1. Keys seen for the first time: vectorised (the initial load is all of these).
    new_rows, next_sk = _first_versions(brand_new, key, sk, tracked, next_sk, schema)

    # 2. Keys with history: few per day, handled one by one for clarity.
    by_key: dict[int, list[dict]] = {}
    if existing.height:
        touched = history.filter(pl.col(key).is_in(existing[key].unique().implode()))
        for row in touched.sort([key, "valid_from"]).iter_rows(named=True):
            by_key.setdefault(row[key], []).append(row)
        for change in existing.iter_rows(named=True):
            versions = by_key[change[key]]
            next_sk = _apply_one(versions, change, key, sk, tracked, next_sk)

    # 3. Deletes: current keys the source no longer has.
    untouched = history.filter(~pl.col(key).is_in(list(by_key)))
    rows = [r for versions in by_key.values() for r in versions]
    merged = pl.concat(
        [untouched, pl.DataFrame(rows, schema=schema, orient="row"), new_rows], how="vertical"
    )
    if current_keys is not None:
        if deleted_at is None:
            raise ValueError("deleted_at is required with current_keys")
        gone = pl.col("is_current") & ~pl.col(key).is_in(current_keys.implode())
        merged = merged.with_columns(
            pl.when(gone).then(pl.lit(deleted_at)).otherwise(pl.col("valid_to")).alias("valid_to"),
            pl.when(gone).then(False).otherwise(pl.col("is_current")).alias("is_current"),
        )
    return merged.sort([key, "valid_from"]).select(list(schema))


def _first_versions(
    rows: pl.DataFrame, key: str, sk: str, tracked: list[str], next_sk: int, schema: dict
) -> tuple[pl.DataFrame, int]:
    """First versions for new keys; several changes of one new key in one batch chain."""
    if rows.height == 0:
        return pl.DataFrame(schema=schema), next_sk
    rows = _drop_repeats(rows, key, tracked)
    framed = rows.with_columns(
        pl.col(UPDATED).alias("valid_from"),
        pl.col(UPDATED).shift(-1).over(key).fill_null(OPEN_END).alias("valid_to"),
    ).with_columns((pl.col("valid_to") == OPEN_END).alias("is_current"))
    framed = framed.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + next_sk).alias(sk)
    ).select(list(schema))
    return framed.cast(schema), next_sk + framed.height


def _drop_repeats(rows: pl.DataFrame, key: str, tracked: list[str]) -> pl.DataFrame:
    """Within one key's sorted changes, a row equal to the previous one is no change."""
    same = pl.all_horizontal([pl.col(c).eq_missing(pl.col(c).shift(1).over(key)) for c in tracked])
    first = pl.col(key) != pl.col(key).shift(1)
    return rows.filter(first.fill_null(True) | ~same)


def _apply_one(
    versions: list[dict], change: dict, key: str, sk: str, tracked: list[str], next_sk: int
) -> int:
    """Apply one change to one key's versions (sorted by valid_from), in place."""
    at = change[UPDATED]
    attrs = {c: change[c] for c in tracked}
    last = versions[-1]

    def new_version(valid_from: dt.datetime, valid_to: dt.datetime) -> dict:
        return {
            sk: next_sk,
            key: change[key],
            **attrs,
            UPDATED: at,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "is_current": valid_to == OPEN_END,
        }

    def same(version: dict) -> bool:
        return all(version[c] == attrs[c] for c in tracked)

    if not last["is_current"]:
        # Deleted earlier; the row is back. It cannot start before it was closed.
        start = max(at, last["valid_to"])
        versions.append(new_version(start, OPEN_END))
        return next_sk + 1
    if at >= last["valid_from"]:
        if same(last):
            return next_sk
        if at == last["valid_from"]:
            last.update(attrs)  # a correction at the same instant: no zero-length version
            return next_sk
        last["valid_to"], last["is_current"] = at, False
        versions.append(new_version(at, OPEN_END))
        return next_sk + 1
    # Late-arriving change: find the version that covered `at`.
    for i, version in enumerate(versions):
        if version["valid_from"] <= at < version["valid_to"]:
            if same(version):
                return next_sk
            if at == version["valid_from"]:
                version.update(attrs)
                return next_sk
            end = version["valid_to"]
            version["valid_to"] = at
            versions.insert(i + 1, new_version(at, end))
            return next_sk + 1
    first = versions[0]
    if at < first["valid_from"]:
        versions.insert(0, new_version(at, first["valid_from"]))
        return next_sk + 1
    return next_sk  # inside a deleted gap: the key did not exist then, nothing to change


def check_history(history: pl.DataFrame, *, key: str, table: str) -> None:
    """Raise QualityError if any key has overlapping intervals or two current rows."""
    ordered = history.sort([key, "valid_from"])
    overlaps = ordered.filter(
        (pl.col(key) == pl.col(key).shift(-1))
        & (pl.col("valid_to") > pl.col("valid_from").shift(-1))
    )
    empty = ordered.filter(pl.col("valid_to") <= pl.col("valid_from"))
    currents = ordered.filter(pl.col("is_current")).group_by(key).len().filter(pl.col("len") > 1)
    problems = []
    if overlaps.height:
        problems.append(f"overlapping intervals for {key} {overlaps[key].head(5).to_list()}")
    if empty.height:
        problems.append(f"empty intervals for {key} {empty[key].head(5).to_list()}")
    if currents.height:
        problems.append(f"several current rows for {key} {currents[key].head(5).to_list()}")
    if problems:
        raise QualityError(
            f"SCD2 history of {table!r}: expected none; found " + "; ".join(problems)
        )
