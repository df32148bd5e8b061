"""Freshness and staleness: how old the data behind each gold table is.

Every daily run records, per source feed (`api.orders`, `erp.products`, ...), what it
used for that business date: fresh data (`ok`), the previous day's bronze data because
the source stayed down after its last retry (`fallback`), or nothing new because the
table was halted by its schema contract (`halted`). That ledger lives in
`<workdir>/quality/freshness.parquet`, one row per feed and business date, replaced
when a day is re-run, so a backfill that succeeds clears the day's staleness.

A gold table is stale on a date when any feed it is built from is older than that
date; its age is the number of days between the date and its oldest feed's data. A
fallback therefore marks every affected gold table stale with an age, and the next
good day brings the age back to zero by itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from demo_pipeline.atomic import atomic_path
from demo_pipeline.core.results import CheckResult
from demo_pipeline.tables import TABLES

FeedState = Literal["ok", "fallback", "halted", "failed"]


LEDGER_SCHEMA = {
    "feed": pl.String,
    "business_date": pl.Date,
    "state": pl.String,
    "data_date": pl.Date,
    "detail": pl.String,
}

STALENESS_SCHEMA = {
    "gold_table": pl.String,
    "as_of": pl.Date,
    "data_as_of": pl.Date,
    "age_days": pl.Int32,
    "is_stale": pl.Boolean,
    "stale_feeds": pl.String,
}

_PARTITION = re.compile(r"year=(\d{4})/month=(\d{2})/day=(\d{2})$")


@dataclass(frozen=True)
class FeedStatus:
    """What one feed contributed to one business date's run."""

    feed: str
    business_date: dt.date
    state: FeedState
    data_date: dt.date | None
    """The business date of the data in use: the date itself when fresh, an earlier
    one after a fallback or a halt, None when no data for the feed exists at all."""
    detail: str = ""


class FreshnessLedger:
    """The per-feed, per-day ledger in `<workdir>/quality/freshness.parquet`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def read(self) -> pl.DataFrame:
        if not self.path.exists():
            return pl.DataFrame(schema=LEDGER_SCHEMA)
        return pl.read_parquet(self.path)

    def record_day(self, business_date: dt.date, statuses: Iterable[FeedStatus]) -> None:
        """Replace what is known about `business_date` (atomic, idempotent).

        Feeds not named in `statuses` keep their earlier entry for that date, so the
        runner may record feeds one at a time as it goes.
        """
        new = pl.DataFrame([asdict(s) for s in statuses], schema=LEDGER_SCHEMA)
        if new.filter(pl.col("business_date") != business_date).height:
            raise ValueError(f"record_day({business_date}): every status must be for that date")
        kept = self.read().join(
            new.select("feed", "business_date"), on=["feed", "business_date"], how="anti"
        )
        combined = pl.concat([kept, new]).sort(["business_date", "feed"])
        with atomic_path(self.path) as tmp:
            combined.write_parquet(tmp)

    def last_good_date(self, feed: str, before: dt.date) -> dt.date | None:
        """The latest business date before `before` on which `feed` was loaded fresh."""
        ok = self.read().filter(
            (pl.col("feed") == feed)
            & (pl.col("state") == "ok")
            & (pl.col("business_date") < before)
        )
        return ok["business_date"].max() if ok.height else None


def gold_staleness(
    ledger: pl.DataFrame,
    as_of: dt.date,
    table_feeds: Mapping[str, tuple[str, ...]] | None = None,
) -> pl.DataFrame:
    """Per gold table: the date its oldest feed's data is from, its age and a stale flag.

    A feed's data date is its ledger entry for the latest business date up to `as_of`
    (so a feed missing from today's run counts with its last known state). A gold
    table whose feeds were never recorded is reported with no data date and not
    stale: freshness cannot be judged before the first run. `table_feeds` defaults to
    every gold table's feeds in the table registry.
    """
    if table_feeds is None:
        table_feeds = TABLES.gold_feeds()
    known = (
        ledger.filter(pl.col("business_date") <= as_of)
        .sort("business_date")
        .group_by("feed")
        .agg(pl.col("data_date").last(), pl.col("state").last())
    )
    data_dates = dict(zip(known["feed"].to_list(), known["data_date"].to_list(), strict=True))
    rows = []
    for table, feeds in sorted(table_feeds.items()):
        dates = {f: data_dates[f] for f in feeds if f in data_dates}
        if not dates:
            rows.append((table, as_of, None, None, False, ""))
            continue
        oldest = min((d for d in dates.values() if d is not None), default=None)
        stale = sorted(f for f, d in dates.items() if d is None or d < as_of)
        age = (as_of - oldest).days if oldest is not None else None
        rows.append((table, as_of, oldest, age, bool(stale), ",".join(stale)))
    return pl.DataFrame(rows, schema=STALENESS_SCHEMA, orient="row")


def fallback_result(
    run_id: str, business_date: dt.date, feed: str, fallback_date: dt.date | None, error: str
) -> CheckResult:
    """The quality record of a source outage: tier 1 (the source is not there), fallback."""
    used = (
        f"fell back to bronze data of {fallback_date}"
        if fallback_date is not None
        else "no earlier bronze data to fall back to"
    )
    return CheckResult(
        run_id=run_id,
        business_date=business_date,
        tier=1,
        table=feed.split(".", 1)[-1],
        rule="source.fallback",
        rows_checked=0,
        rows_failed=0,
        severity="fail",
        action="fallback",
        detail=f"{feed} unavailable after the last retry ({error}); {used}",
    )


def staleness_results(run_id: str, staleness: pl.DataFrame) -> list[CheckResult]:
    """One freshness record per stale gold table, for the quality results file."""
    return [
        CheckResult(
            run_id=run_id,
            business_date=row["as_of"],
            tier=1,
            table=row["gold_table"],
            rule="freshness.stale",
            rows_checked=0,
            rows_failed=0,
            severity="warn",
            action="logged",
            detail=(
                f"data as of {row['data_as_of']} ({row['age_days']} day(s) old); "
                f"stale feeds: {row['stale_feeds']}"
            ),
        )
        for row in staleness.filter(pl.col("is_stale")).iter_rows(named=True)
    ]


def partition_date(path: Path) -> dt.date | None:
    """The date of a Hive partition folder `.../year=YYYY/month=MM/day=DD`, else None."""
    match = _PARTITION.search(path.as_posix())
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    return dt.date(year, month, day)


def latest_partition_before(table_dir: Path, business_date: dt.date) -> tuple[dt.date, Path] | None:
    """The newest non-empty bronze partition of a table strictly before `business_date`.

    This is the data a fallback serves: the previous day's bronze, or the last one
    there is when the outage follows other missing days. Hidden temporary files (a
    crashed write) do not make a partition count.
    """
    best: tuple[dt.date, Path] | None = None
    for day_dir in table_dir.glob("year=*/month=*/day=*"):
        when = partition_date(day_dir)
        if when is None or when >= business_date:
            continue
        if not any(not f.name.startswith(".") for f in day_dir.iterdir() if f.is_file()):
            continue
        if best is None or when > best[0]:
            best = (when, day_dir)
    return best


def late_arrival_result(run_id: str, published_date: dt.date, orders: pl.DataFrame) -> CheckResult:
    """Orders that reached the feed on `published_date` for an earlier business date.

    They are not errors: they land in their own business date, and the aggregates of
    those dates are rebuilt. The result names the dates so the recomputation can be
    checked (`recomputation_result`).
    """
    late = (
        orders.filter(pl.col("business_date") < published_date)
        .group_by("business_date")
        .len()
        .sort("business_date")
    )
    count = int(late["len"].sum()) if late.height else 0
    detail = ", ".join(
        f"{r['len']} for {r['business_date']} ({(published_date - r['business_date']).days} "
        "day(s) late)"
        for r in late.iter_rows(named=True)
    )
    return CheckResult(
        run_id=run_id,
        business_date=published_date,
        tier=2,
        table="orders",
        rule="late_arrival",
        rows_checked=orders.height,
        rows_failed=count,
        severity="warn" if count else "info",
        action="logged" if count else "none",
        detail=f"late orders: {detail}; their business dates are recomputed" if count else "",
    )


def future_dated_result(run_id: str, published_date: dt.date, orders: pl.DataFrame) -> CheckResult:
    """Orders dated after the day they were published: a clock or entry error upstream.

    Logged (tier 2, warn) with the dates found, so a person sees them the day they
    arrive; the rows themselves are what the business rules make of them.
    """
    future = orders.filter(pl.col("business_date") > published_date)
    dates = sorted(future["business_date"].unique().to_list())
    return CheckResult(
        run_id=run_id,
        business_date=published_date,
        tier=2,
        table="orders",
        rule="business_date_not_in_future",
        rows_checked=orders.height,
        rows_failed=future.height,
        severity="warn" if future.height else "info",
        action="logged" if future.height else "none",
        detail=(
            f"{future.height} order(s) dated after their publication on {published_date}: "
            + ", ".join(str(d) for d in dates[:5])
            + (" ..." if len(dates) > 5 else "")
        )
        if future.height
        else "",
    )


def late_dates(orders: pl.DataFrame, published_date: dt.date) -> list[dt.date]:
    """The earlier business dates a published day's orders belong to."""
    return sorted(
        orders.filter(pl.col("business_date") < published_date)["business_date"].unique().to_list()
    )


def recomputation_result(
    run_id: str,
    published_date: dt.date,
    dates: list[dt.date],
    fact_sales: pl.DataFrame,
    agg_daily_sales: pl.DataFrame,
    late_order_ids: pl.Series | None = None,
) -> CheckResult:
    """Were the aggregates of the late dates rebuilt? Compare them with the facts.

    Per business date and warehouse, units must equal and revenue agree to the cent
    (the aggregate rounds per category), and every late order must be in the facts
    under its business date.
    """
    facts = fact_sales.filter(pl.col("business_date").is_in(dates))
    expected = facts.group_by("business_date", "warehouse_id").agg(
        pl.col("quantity").sum().alias("units_expected"),
        pl.col("net_amount").sum().alias("revenue_expected"),
        pl.len().alias("lines"),
    )
    found = (
        agg_daily_sales.filter(pl.col("business_date").is_in(dates))
        .group_by("business_date", "warehouse_id")
        .agg(
            pl.col("units").sum().alias("units_found"),
            pl.col("revenue").sum().alias("revenue_found"),
            pl.len().alias("categories"),
        )
    )
    compared = expected.join(found, on=["business_date", "warehouse_id"], how="full", coalesce=True)
    mismatched = compared.filter(
        (pl.col("units_expected").fill_null(-1) != pl.col("units_found").fill_null(-2))
        | (
            (pl.col("revenue_expected") - pl.col("revenue_found")).abs()
            > 0.005 * pl.col("categories") + 1e-6
        ).fill_null(True)
    )
    problems = [
        f"{r['business_date']} warehouse {r['warehouse_id']}: units {r['units_found']} in "
        f"agg_daily_sales vs {r['units_expected']} in fact_sales"
        for r in mismatched.sort("business_date", "warehouse_id").iter_rows(named=True)
    ]
    missing = 0
    if late_order_ids is not None and late_order_ids.len():
        present = facts.filter(pl.col("order_id").is_in(late_order_ids.implode()))
        missing = late_order_ids.n_unique() - present["order_id"].n_unique()
        if missing:
            problems.append(f"{missing} late order(s) not in fact_sales under their business date")
    failed = mismatched.height + missing
    return CheckResult(
        run_id=run_id,
        business_date=published_date,
        tier=2,
        table="agg_daily_sales",
        rule="late_arrival.recomputed",
        rows_checked=compared.height,
        rows_failed=failed,
        severity="fail" if failed else "info",
        action="logged" if failed else "none",
        detail="; ".join(problems)
        or f"aggregates of {', '.join(str(d) for d in dates)} match the facts after the late rows",
    )
