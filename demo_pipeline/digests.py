"""Order-independent digests of every table a pipeline run writes: the proof that two
runs (two engines, a refactor, an incremental build against a full one) computed the
same data. `scripts/table_digests.py <workdir>` prints them; tests and the `scale_out`
benchmark compare them.

Each Parquet dataset (bronze, silver, quarantine and gold exports, quality results) and
each table of the gold DuckDB file gets its row count and the sum of its rows' hashes
(DuckDB's `hash` of the whole row), which does not depend on row order or file layout.
Three things differ between two runs of the same code on the same estate, and are
neutralised so that a digest compares data, not the run:
- columns that identify or time the run itself (VOLATILE: run ids, which hash the
  config, durations, timestamps);
- the work directory's own path inside text values (replaced by "<workdir>"), and the
  details of the latency check, which quote measured response times;
- the last bits of floating-point sums, which multi-threaded engines add in varying
  order (doubles are compared rounded to 6 decimal places).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# Columns whose values are measurements of the run itself, not data.
VOLATILE = {
    "duration_s",
    "measured_at",
    "started_at",
    "finished_at",
    "run_id",
    "_run_id",
    "elapsed_s",
}
# Text that quotes wall-clock measurements: (column, SQL condition on the same row).
TIMED_TEXT = {"detail": "rule LIKE '%latency%'"}


def _value(name: str, kind: str, columns: list[str], workdir: Path) -> str:
    """The SQL for one column's comparable value (see the module docstring)."""
    col = f'"{name}"'
    if kind in ("DOUBLE", "FLOAT"):
        return f"round({col}, 6)"
    if kind == "VARCHAR":
        value = f"replace({col}, '{workdir}', '<workdir>')"
        condition = TIMED_TEXT.get(name)
        if condition and "rule" in columns:
            return f"CASE WHEN {condition} THEN NULL ELSE {value} END"
        return value
    return col


def _digest(con: duckdb.DuckDBPyConnection, relation: str, workdir: Path) -> dict:
    described = con.sql(f"SELECT * FROM {relation} LIMIT 0")
    columns = list(described.columns)
    types = dict(zip(columns, (str(t) for t in described.types), strict=True))
    kept = [c for c in columns if c not in VOLATILE]
    if not kept:
        return {"rows": con.sql(f"SELECT count(*) FROM {relation}").fetchall()[0][0]}
    cols = ", ".join(f'"{c}" := {_value(c, types[c], columns, workdir)}' for c in kept)
    [(rows, total)] = con.sql(
        f"SELECT count(*), coalesce(sum(hash(struct_pack({cols})))::HUGEINT, 0) FROM {relation}"
    ).fetchall()
    return {"rows": rows, "sum_hash": str(total), "columns": kept}


def digests(workdir: Path) -> dict[str, dict]:
    con = duckdb.connect()
    out: dict[str, dict] = {}
    datasets: set[Path] = set()
    for parquet in sorted(workdir.rglob("*.parquet")):
        if "bench" in parquet.relative_to(workdir).parts:
            continue
        # A Hive-partitioned table is the folder above its first `key=value` folder.
        parts = parquet.relative_to(workdir).parts
        cut = next((i for i, p in enumerate(parts) if "=" in p), len(parts) - 1)
        datasets.add(workdir.joinpath(*parts[:cut]) if cut < len(parts) - 1 else parquet)
    for dataset in sorted(datasets):
        pattern = f"{dataset}/**/*.parquet" if dataset.is_dir() else str(dataset)
        relation = f"read_parquet('{pattern}', hive_partitioning = true, union_by_name = true)"
        out[str(dataset.relative_to(workdir))] = _digest(con, relation, workdir)
    for db in sorted(workdir.rglob("*.duckdb")):
        con.execute(f"ATTACH '{db}' AS g (READ_ONLY)")
        tables = con.sql(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = 'g' AND table_type = 'BASE TABLE' ORDER BY 1, 2"
        ).fetchall()
        for schema, table in tables:
            key = f"{db.relative_to(workdir)}:{schema}.{table}"
            out[key] = _digest(con, f'g."{schema}"."{table}"', workdir)
        con.execute("DETACH g")
    return out
