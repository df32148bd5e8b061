"""The table registry: every table of the pipeline, read from `config/tables.yaml`.

The one table list. Each source table (what the ERP, the orders API and the workbooks
deliver, landed in bronze and cleaned into silver) has its source and relation, kind,
keys, SCD type, partitioning, starting contract version and the gold tables it feeds;
each gold table its kind, keys and the silver tables it is built from. The file is
checked when it is loaded, and a mistake is reported with the file, the table and
the key, what was expected and what was found.

Ground floor: imports nothing from the stages, so every stage, the bench, the
generators and the tests can read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from demo_pipeline.config import SAFE_LOADER
from demo_pipeline.errors import ConfigError

DEFAULT_TABLES_PATH = Path(__file__).resolve().parent.parent / "config" / "tables.yaml"

SOURCES = ("erp", "api", "workbooks")
SOURCE_KINDS = ("dimension", "fact")
GOLD_KINDS = ("dimension", "fact", "aggregate")
PARTITIONINGS = ("none", "ingest_date")
SCD_TYPES = (1, 2)


@dataclass(frozen=True)
class Table:
    """A table a source delivers: landed in bronze, cleaned into silver."""

    name: str
    source: str
    """erp | api | workbooks: the extractor that reads it, and its bronze folder."""
    relation: str
    """Its name at the source: ERP relation, API resource or workbook sheet."""
    kind: str
    """dimension | fact"""
    keys: tuple[str, ...]
    partitioning: str
    """none (one silver file, as of the latest day) | ingest_date (one partition a day)"""
    contract: int
    """The schema contract version in force from the first day."""
    feeds: tuple[str, ...]
    """The gold tables built from it (read off the gold tables' `from`)."""
    scd: int | None = None
    """Dimensions: 1 (overwrite) or 2 (history)."""
    surrogate_key: str | None = None
    tracked: tuple[str, ...] = ()
    """SCD2: the columns whose change opens a new version."""
    depends_on: str | None = None
    track_deletes: bool = False
    indexed_date_column: str | None = None

    @property
    def feed(self) -> str:
        """`<source>.<table>`, as the freshness ledger names it."""
        return f"{self.source}.{self.name}"

    @property
    def key(self) -> str:
        """The single key column of a dimension."""
        return self.keys[0]


@dataclass(frozen=True)
class GoldTable:
    """A table of the gold warehouse."""

    name: str
    kind: str
    """dimension | fact | aggregate"""
    keys: tuple[str, ...]
    """The columns that identify a row; they also order its export."""
    sources: tuple[str, ...]
    """The silver tables it is built from, in the order the gold build reads them."""
    date_column: str | None = None
    """The business date a row belongs to (dated tables)."""
    benchmarked: bool = False
    """The benchmarks read it."""


@dataclass(frozen=True)
class Registry:
    """Every table, in load order (source tables) and build order (gold tables)."""

    path: Path
    tables: tuple[Table, ...]
    gold: tuple[GoldTable, ...]

    def __iter__(self) -> Iterator[Table]:
        return iter(self.tables)

    def __getitem__(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"{name!r} is not a table in {self.path}")

    def __contains__(self, name: object) -> bool:
        return any(t.name == name for t in self.tables)

    @property
    def names(self) -> tuple[str, ...]:
        """Every source table, in load order."""
        return tuple(t.name for t in self.tables)

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tables if t.kind == "dimension")

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tables if t.kind == "fact")

    @property
    def parents(self) -> frozenset[str]:
        """The tables another table depends on (orders, for its lines)."""
        return frozenset(t.depends_on for t in self.tables if t.depends_on)

    def scd(self, scd_type: int) -> tuple[str, ...]:
        """The dimensions kept as SCD type 1 or 2."""
        return tuple(t.name for t in self.tables if t.scd == scd_type)

    def of_source(self, source: str) -> tuple[str, ...]:
        """The tables one source delivers, in load order."""
        return tuple(t.name for t in self.tables if t.source == source)

    @property
    def source_of(self) -> Mapping[str, str]:
        """table -> source (its bronze folder)."""
        return {t.name: t.source for t in self.tables}

    @property
    def gold_names(self) -> tuple[str, ...]:
        """Every gold table, in build (and export) order."""
        return tuple(g.name for g in self.gold)

    def gold_table(self, name: str) -> GoldTable:
        for table in self.gold:
            if table.name == name:
                return table
        raise KeyError(f"{name!r} is not a gold table in {self.path}")

    def gold_feeds(self) -> dict[str, tuple[str, ...]]:
        """Gold table -> the feeds (`<source>.<table>`) it is built from, for the gold
        tables built from any."""
        return {g.name: tuple(self[t].feed for t in g.sources) for g in self.gold if g.sources}


def _fail(path: Path, where: str, expected: str, found: Any) -> ConfigError:
    return ConfigError(
        f"invalid table registry {path}: {where}: expected {expected}; found {found!r}"
    )


def _names(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(path, where, "a list of column or table names", value)
    if len(set(value)) != len(value):
        raise _fail(path, where, "no name twice", value)
    return tuple(value)


def _one_of(path: Path, where: str, value: Any, allowed: tuple) -> Any:
    if value not in allowed:
        raise _fail(path, where, " or ".join(repr(a) for a in allowed), value)
    return value


def _check_keys(path: Path, where: str, entry: dict, allowed: set[str], required: set[str]) -> None:
    for key in entry:
        if key not in allowed:
            raise _fail(path, f"{where}, key {key!r}", f"one of {sorted(allowed)}", key)
    for key in sorted(required - set(entry)):
        raise _fail(path, f"{where}, key {key!r}", "a value", "missing")


_TABLE_KEYS = {
    "source",
    "relation",
    "kind",
    "keys",
    "scd",
    "surrogate_key",
    "tracked",
    "partitioning",
    "contract",
    "depends_on",
    "extract",
}
_TABLE_REQUIRED = {"source", "relation", "kind", "keys", "partitioning", "contract"}
_GOLD_KEYS = {"kind", "keys", "from", "date_column", "benchmarked"}
_GOLD_REQUIRED = {"kind", "keys", "from"}


def _table(path: Path, name: str, entry: Any, earlier: set[str]) -> dict[str, Any]:
    where = f"table {name!r}"
    if not isinstance(entry, dict):
        raise _fail(path, where, "a mapping", entry)
    _check_keys(path, where, entry, _TABLE_KEYS, _TABLE_REQUIRED)
    kind = _one_of(path, f"{where}, key 'kind'", entry["kind"], SOURCE_KINDS)
    fields: dict[str, Any] = {
        "name": name,
        "source": _one_of(path, f"{where}, key 'source'", entry["source"], SOURCES),
        "kind": kind,
        "keys": _names(path, f"{where}, key 'keys'", entry["keys"]),
        "partitioning": _one_of(
            path, f"{where}, key 'partitioning'", entry["partitioning"], PARTITIONINGS
        ),
    }
    if not fields["keys"]:
        raise _fail(path, f"{where}, key 'keys'", "at least one column", [])
    relation = entry["relation"]
    if not isinstance(relation, str) or not relation:
        raise _fail(path, f"{where}, key 'relation'", "a name", relation)
    fields["relation"] = relation
    contract = entry["contract"]
    if not isinstance(contract, int) or isinstance(contract, bool) or contract < 1:
        raise _fail(path, f"{where}, key 'contract'", "a version number >= 1", contract)
    fields["contract"] = contract
    expected_partitioning = "none" if kind == "dimension" else "ingest_date"
    if fields["partitioning"] != expected_partitioning:
        raise _fail(
            path,
            f"{where}, key 'partitioning'",
            f"{expected_partitioning!r} for a {kind}",
            fields["partitioning"],
        )
    if kind == "dimension":
        scd = _one_of(path, f"{where}, key 'scd'", entry.get("scd", "missing"), SCD_TYPES)
        fields["scd"] = scd
        if len(fields["keys"]) != 1:
            raise _fail(
                path, f"{where}, key 'keys'", "one key column for a dimension", entry["keys"]
            )
        if scd == 2:
            sk = entry.get("surrogate_key")
            if not isinstance(sk, str) or not sk:
                raise _fail(path, f"{where}, key 'surrogate_key'", "a column name for SCD2", sk)
            fields["surrogate_key"] = sk
            fields["tracked"] = _names(path, f"{where}, key 'tracked'", entry.get("tracked"))
    for key in ("scd", "surrogate_key", "tracked"):
        if key in entry and (kind != "dimension" or (key != "scd" and entry.get("scd") != 2)):
            raise _fail(
                path, f"{where}, key {key!r}", "absent (only for SCD2 dimensions)", entry[key]
            )
    if "depends_on" in entry:
        parent = entry["depends_on"]
        if parent not in earlier:
            raise _fail(path, f"{where}, key 'depends_on'", "a table listed above it", parent)
        fields["depends_on"] = parent
    extract = entry.get("extract", {})
    if not isinstance(extract, dict):
        raise _fail(path, f"{where}, key 'extract'", "a mapping", extract)
    if extract and fields["source"] != "erp":
        raise _fail(path, f"{where}, key 'extract'", "absent (only for ERP tables)", extract)
    _check_keys(
        path, f"{where}, key 'extract'", extract, {"track_deletes", "indexed_date_column"}, set()
    )
    track = extract.get("track_deletes", False)
    if not isinstance(track, bool):
        raise _fail(path, f"{where}, key 'extract.track_deletes'", "true or false", track)
    fields["track_deletes"] = track
    indexed = extract.get("indexed_date_column")
    if indexed is not None and (not isinstance(indexed, str) or not indexed):
        raise _fail(path, f"{where}, key 'extract.indexed_date_column'", "a column name", indexed)
    fields["indexed_date_column"] = indexed
    return fields


def _gold(path: Path, name: str, entry: Any, tables: set[str]) -> GoldTable:
    where = f"gold table {name!r}"
    if not isinstance(entry, dict):
        raise _fail(path, where, "a mapping", entry)
    _check_keys(path, where, entry, _GOLD_KEYS, _GOLD_REQUIRED)
    kind = _one_of(path, f"{where}, key 'kind'", entry["kind"], GOLD_KINDS)
    keys = _names(path, f"{where}, key 'keys'", entry["keys"])
    if not keys:
        raise _fail(path, f"{where}, key 'keys'", "at least one column", [])
    sources = _names(path, f"{where}, key 'from'", entry["from"])
    for source in sources:
        if source not in tables:
            raise _fail(
                path, f"{where}, key 'from'", f"tables of `tables` ({sorted(tables)})", source
            )
    date_column = entry.get("date_column")
    if date_column is not None and (not isinstance(date_column, str) or not date_column):
        raise _fail(path, f"{where}, key 'date_column'", "a column name", date_column)
    benchmarked = entry.get("benchmarked", False)
    if not isinstance(benchmarked, bool):
        raise _fail(path, f"{where}, key 'benchmarked'", "true or false", benchmarked)
    return GoldTable(name, kind, keys, sources, date_column, benchmarked)


def load_tables(path: Path | str | None = None) -> Registry:
    """Read and check the table registry. Raises ConfigError naming the file, table
    and key, with what was expected and what was found."""
    path = Path(path) if path is not None else DEFAULT_TABLES_PATH
    if not path.is_file():
        raise ConfigError(f"table registry {path} not found (expected a YAML file)")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid table registry {path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise _fail(path, "the top level", "a mapping with `version`, `tables` and `gold`", raw)
    _check_keys(
        path, "the top level", raw, {"version", "tables", "gold"}, {"version", "tables", "gold"}
    )
    if raw["version"] != 1:
        raise _fail(path, "key 'version'", "1", raw["version"])
    for section in ("tables", "gold"):
        if not isinstance(raw[section], dict) or not raw[section]:
            raise _fail(
                path, f"key {section!r}", "a mapping of table name to its entry", raw[section]
            )
    fields: list[dict[str, Any]] = []
    for name, entry in raw["tables"].items():
        fields.append(_table(path, str(name), entry, {f["name"] for f in fields}))
    names = {f["name"] for f in fields}
    gold = tuple(_gold(path, str(name), entry, names) for name, entry in raw["gold"].items())
    clash = names & {g.name for g in gold}
    if clash:
        raise _fail(path, "key 'gold'", "names not used in `tables`", sorted(clash))
    tables = tuple(
        Table(**f, feeds=tuple(g.name for g in gold if f["name"] in g.sources)) for f in fields
    )
    return Registry(path, tables, gold)


TABLES = load_tables()
"""The registry of this checkout (config/tables.yaml), loaded once at import."""
