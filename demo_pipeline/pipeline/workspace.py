"""The work directory's lifecycle around a run: one writer at a time (a lock shared by
`generate`, `run` and `bench`), the estate checked (never generated: that is
`generate`'s job, or `run --regenerate`'s), and `--from-scratch` resets.

The estate a work directory holds is recorded in `sources/ground_truth.json` (seed,
scale, days, start date; read with `estate.record.read_estate_record`). `settle_estate`
turns that record and the command line's flags into the settings a run uses."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from demo_pipeline.config import DemoConfig
from demo_pipeline.errors import ConfigError, DemoPipelineError, LakeDamaged, SourceError
from demo_pipeline.estate.record import ESTATE_RECORD_KEYS, read_estate_record
from demo_pipeline.workdir import Workdir

# Locks this process holds (path -> depth): `run --regenerate` generates, then runs,
# under one lock, and flock would refuse the second acquisition of the same process.
_HELD: dict[Path, int] = {}


def reset(workdir: Workdir) -> None:
    """--from-scratch: everything a run derives goes (lake, gold, pipeline state, run
    records, quality results and ledgers); the source estate, logs and alerts stay."""
    for path in (workdir.lake, workdir.gold, workdir.state, workdir.runs, workdir.quality):
        if path.exists():
            shutil.rmtree(path)


def _generate_command(cfg: DemoConfig, workdir: Workdir) -> str:
    return (
        f"make generate SCALE={cfg.estate.scale:g} WORKDIR={workdir.root}, or "
        f"python -m demo_pipeline generate --seed {cfg.estate.seed} "
        f"--scale {cfg.estate.scale:g} --days {cfg.estate.days} --workdir {workdir.root}"
    )


def require_estate(cfg: DemoConfig, workdir: Workdir) -> None:
    """Stop unless `workdir` holds the estate this config describes. The pipeline never
    makes its upstream: the Makefile (`make generate`) and `generators.build_site` run
    `generate` before `run` (or the user asks for `run --regenerate`)."""
    wanted = _settings(cfg)
    command = _generate_command(cfg, workdir)
    found = read_estate_record(workdir)
    if found is None:
        raise DemoPipelineError(
            f"no source estate in {workdir.sources} (expected {workdir.ground_truth}); "
            f"generate it first: {command}"
        )
    if found != wanted:
        differ = ", ".join(
            f"{k} {found[k]} (wanted {v})" for k, v in wanted.items() if found[k] != v
        )
        raise DemoPipelineError(
            f"the source estate in {workdir.sources} was generated with {differ}; "
            f"generate it again with these settings (then run with --from-scratch): {command}"
        )


def _settings(cfg: DemoConfig) -> dict[str, Any]:
    return {k: getattr(cfg.estate, k) for k in ESTATE_RECORD_KEYS}


def settle_estate(
    cfg: DemoConfig, workdir: Workdir, flags: dict[str, Any], *, regenerate: bool = False
) -> DemoConfig:
    """The config a `run` uses: the recorded estate's settings, except those given as
    flags (`flags` holds the command line's --seed/--scale/--days, None when not given).

    A flag that disagrees with the recorded estate stops the command (ConfigError),
    naming both values, unless `regenerate`: then the flags win and the estate is to be
    generated again. Without a recorded estate the config and flags stand as they are
    (`require_estate` then says how to make it)."""
    record = read_estate_record(workdir)
    if record is None:
        return cfg
    given = {k: v for k, v in flags.items() if v is not None}
    if not regenerate:
        differ = {k: v for k, v in given.items() if v != record[k]}
        if differ:
            options = " ".join(f"--{k}" for k in differ)
            raise ConfigError(
                f"the estate in {workdir.sources} was generated with "
                + ", ".join(f"{k} {record[k]}" for k in differ)
                + " (recorded in "
                + f"{workdir.ground_truth}); the command line asks for "
                + ", ".join(f"{k} {v}" for k, v in differ.items())
                + f". Leave out {options} to run on the recorded estate, or add --regenerate "
                "to generate the estate again with the flags' values and run from scratch"
            )
    return cfg.with_overrides(**{**record, **given})


def parse_day(cfg: DemoConfig, text: str) -> dt.date:
    """`--day`: a date YYYY-MM-DD inside the estate's calendar (ConfigError otherwise)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--day: expected a date YYYY-MM-DD; found {text!r}") from None
    if day not in cfg.estate.business_days():
        raise ConfigError(
            f"--day: expected a business day in {cfg.estate.start_date}..{cfg.estate.end_date} "
            f"(the estate's calendar: {cfg.estate.days} days); found {day}"
        )
    return day


def _holder(workdir: Workdir) -> str:
    """Who holds the lock, as the holder recorded it ("" when it did not)."""
    try:
        record = json.loads(workdir.lock.read_text(encoding="utf-8"))
        return f"; held by pid {int(record['pid'])} ({record['command']}) since {record['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


@contextmanager
def exclusive(workdir: Workdir, command: str | None = None) -> Iterator[None]:
    """One writer per work directory at a time: `generate`, `run` and `bench` hold this
    lock (an flock on `workdir.lock`) while they write, and a second one is refused at
    once, before it writes anything. The holder's pid and command are recorded in the
    lock file for the refusal message. Re-entrant within one process."""
    key = workdir.lock.resolve()
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    try:
        workdir.root.mkdir(parents=True, exist_ok=True)
        fh = open(workdir.lock, "a+", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        found = (
            "a file of that name"
            if workdir.root.exists() and not workdir.root.is_dir()
            else exc.strerror or str(exc)
        )
        raise SourceError(
            f"work directory {workdir.root} is not writable (expected a writable folder "
            f"for the lock {workdir.lock}; found: {found}). Point --workdir at a folder "
            "you can write."
        ) from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DemoPipelineError(
                f"work directory {workdir.root} is in use by another command (lock file "
                f"{workdir.lock}{_holder(workdir)}); nothing was written. Wait for it to "
                "finish, or use another --workdir"
            ) from None
        _HELD[key] = 1
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "command": command or " ".join(sys.argv),
                        "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    }
                )
                + "\n"
            )
            fh.flush()
            yield
        finally:
            del _HELD[key]
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def require_sound_lake(workdir: Workdir) -> list[str]:
    """Check every lake file against its seal (demo_pipeline/seals.py) and the gold
    database's header before a run reads any of them. Returns notes on what it repaired.

    Damaged gold Parquet exports are removed: the run writes them again from the gold
    database at its end. Damage anywhere else stops the run before any day starts, so no
    good run record is rewritten as failed: the lake past a damaged file cannot be
    trusted, and `--from-scratch` rebuilds it from the (intact, read-only) sources.
    """
    import duckdb

    from demo_pipeline.seals import damaged_files, seal_path

    notes = []
    for damage in damaged_files(workdir.gold_parquet):
        damage.path.unlink(missing_ok=True)
        seal_path(damage.path).unlink(missing_ok=True)
        notes.append(f"gold export {damage}: removed; this run exports it again")
    problems = [str(d) for d in damaged_files(workdir.lake)]
    if workdir.gold_db.exists():
        try:
            duckdb.connect(str(workdir.gold_db), read_only=True).close()
        except duckdb.Error as exc:
            problems.append(
                f"{workdir.gold_db}: expected a DuckDB database; found {str(exc).strip()}"
            )
    if problems:
        listed = "\n".join(f"  {p}" for p in problems)
        raise LakeDamaged(
            f"{len(problems)} damaged file(s) in {workdir.root}:\n{listed}\n"
            "Nothing was run and no run record was changed. Rebuild the lake and gold from "
            "the sources (the estate is kept): python -m demo_pipeline run --from-scratch "
            f"--workdir {workdir.root}"
        )
    return notes


def require_lake_of_this_estate(cfg: DemoConfig, workdir: Workdir) -> None:
    """Stop when the lake was built from another estate: `generate` with other settings
    on a work directory that already holds a lake would otherwise have the run add days
    from the new estate to a lake made from the old one."""
    from demo_pipeline.core.manifest import read_manifests

    built_from = {(m.seed, m.scale) for m in read_manifests(workdir.runs)}
    now = (cfg.estate.seed, cfg.estate.scale)
    others = sorted(b for b in built_from if b != now)
    if others:
        listed = ", ".join(f"seed {seed} scale {scale:g}" for seed, scale in others)
        raise DemoPipelineError(
            f"the lake in {workdir.root} was built from another estate ({listed}); the "
            f"estate now is seed {now[0]} scale {now[1]:g}. Nothing was run. Rebuild the "
            f"lake from this estate: python -m demo_pipeline run --from-scratch --workdir "
            f"{workdir.root}"
        )
