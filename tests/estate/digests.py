"""Digests of an estate that say "same output" without depending on SQLite's page layout.

Every file but the ERP is compared by its bytes. The ERP is compared by what it holds:
each relation the pipeline can read (every table and view, as of the clock the file
ships with: the last day, so the views show every snapshot) as its column names and
its rows in order. A change of how the rows are laid out on disk (pages, or the
physical table behind a view) keeps the digest; a changed row or column does not.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

# Physical tables that are an implementation detail: their rows are what a view shows.
_BEHIND_A_VIEW = ("inventory_snapshots_history", "inventory_snapshot_days")


def _rows_digest(conn: sqlite3.Connection, relation: str) -> str:
    cols = [r[1] for r in conn.execute(f"PRAGMA table_xinfo({relation})")]
    order = ", ".join(str(i + 1) for i in range(len(cols)))
    digest = hashlib.sha256(",".join(cols).encode())
    n = 0
    for row in conn.execute(f"SELECT {', '.join(cols)} FROM {relation} ORDER BY {order}"):
        digest.update(repr(row).encode())
        n += 1
    return f"{n} {digest.hexdigest()}"


def erp_digests(path: Path) -> dict[str, str]:
    """relation -> '<rows> <sha256 of its columns and its rows in order>'."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
        ).fetchall()
        return {n: _rows_digest(conn, n) for (n,) in names if n not in _BEHIND_A_VIEW}
    finally:
        conn.close()


def estate_digests(sources: Path) -> dict[str, str]:
    """Every estate file by sha256 (the ERP by `erp_digests`), keyed by relative path."""
    out = {}
    for p in sorted(sources.rglob("*")):
        if not p.is_file():
            continue
        name = str(p.relative_to(sources))
        if p.name == "erp.sqlite":
            out.update({f"{name}:{k}": v for k, v in erp_digests(p).items()})
        else:
            out[name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
