"""Seals: the size and SHA-256 of every lake file, recorded when it is written, so a
run finds a damaged file instead of trusting it.

A seal is a hidden sibling, `.<name>.seal` (JSON: size, sha256). Hive-style readers
(DuckDB, Polars, pyarrow) skip names starting with '.', so seals never reach a query.

Order of writes, so that a crash never leaves a seal that lies: the old seal is removed
BEFORE the file is replaced and the new one written AFTER it. A crash in between leaves
a file with no seal, which is still checked, by its Parquet framing (the `PAR1` magic at
both ends and a footer length that fits the file): that alone catches truncation, the
usual damage of a full disk or a killed copy. Inside a bronze partition the seal is
written into the partition's temporary folder, so the folder swap publishes both at once.

`check_file` says what is wrong with one file; `damaged_files` checks a whole tree.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from demo_pipeline.atomic import atomic_path, write_bytes_atomic, write_text_atomic

PARQUET_MAGIC = b"PAR1"
_FRAME = 12  # magic + footer length + magic: the smallest Parquet file


def seal_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.seal")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def seal_record(data: bytes) -> bytes:
    """The seal of a file holding `data` (its size and SHA-256), as stored."""
    record = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")


def write_seal(path: Path) -> None:
    """Record `path`'s size and checksum beside it (atomically)."""
    record = {"size": path.stat().st_size, "sha256": sha256_of(path)}
    write_text_atomic(seal_path(path), json.dumps(record, sort_keys=True) + "\n")


def write_sealed(path: Path | str, data: bytes) -> None:
    """Replace `path` with `data` atomically, and its seal around it (see the module's
    note on the order of writes). The checksum is taken from `data` in memory rather
    than by reading the file back."""
    path = Path(path)
    seal_path(path).unlink(missing_ok=True)
    write_bytes_atomic(path, data)
    write_bytes_atomic(seal_path(path), seal_record(data))


def write_durable(path: Path, data: bytes) -> None:
    """Write `data` to a new file and flush it to disk (no rename: for files inside a
    temporary folder that is published as a whole, like a bronze partition's)."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


@contextmanager
def sealed_atomic_path(path: Path | str) -> Iterator[Path]:
    """`atomic_path`, with the file's seal replaced around it (see the module's note on
    the order of writes)."""
    path = Path(path)
    seal_path(path).unlink(missing_ok=True)
    with atomic_path(path) as tmp:
        yield tmp
    write_seal(path)


@dataclass(frozen=True)
class Damage:
    path: Path
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected}; found {self.found}"


def _parquet_framing(path: Path, size: int) -> Damage | None:
    if size < _FRAME:
        return Damage(path, "a Parquet file (at least 12 bytes)", f"{size} bytes")
    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(size - 8)
        tail = fh.read(8)
    footer = int.from_bytes(tail[:4], "little")
    if head != PARQUET_MAGIC or tail[4:] != PARQUET_MAGIC:
        return Damage(path, "the Parquet magic 'PAR1' at both ends", "other bytes (truncated?)")
    if footer > size - _FRAME:
        return Damage(
            path, f"a footer that fits the file's {size} bytes", f"a {footer}-byte footer"
        )
    return None


def check_file(path: Path, *, checksum: bool = True) -> Damage | None:
    """What is wrong with one lake file, or None. Its seal, when it has one, must match
    (size always, the SHA-256 when `checksum`); a Parquet file must be framed as one."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Damage(path, "a readable file", f"{exc.strerror or exc}")
    seal = seal_path(path)
    if seal.exists():
        try:
            record = json.loads(seal.read_text(encoding="utf-8"))
            expected_size, expected_sha = int(record["size"]), str(record["sha256"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return Damage(seal, "a seal with a size and a sha256", "an unreadable seal")
        if size != expected_size:
            return Damage(path, f"{expected_size} bytes (its seal)", f"{size} bytes")
        if checksum and sha256_of(path) != expected_sha:
            return Damage(path, f"SHA-256 {expected_sha[:12]}… (its seal)", "other content")
    if path.suffix == ".parquet":
        return _parquet_framing(path, size)
    return None


def lake_files(root: Path) -> Iterator[Path]:
    """Every published Parquet file under `root` (hidden temporary folders and files,
    which readers skip, are skipped here too)."""
    if not root.exists():
        return
    for path in sorted(root.rglob("*.parquet")):
        if not any(part.startswith(".") for part in path.relative_to(root).parts):
            yield path


def damaged_files(root: Path, *, checksum: bool = True) -> list[Damage]:
    """Every damaged Parquet file under `root`."""
    return [d for f in lake_files(root) if (d := check_file(f, checksum=checksum))]
