"""DuckDB-WASM in the built site: the few files of the npm package (pinned in
web/package-lock.json, installed by `npm ci --prefix web`, i.e. `make web`) that the query
page needs, copied next to the pages so they are served from the site's own origin.

- `duckdb-browser.js`: DuckDB-WASM's async API and Apache Arrow as one ES module, bundled
  by esbuild when `npm ci` runs web/'s `prepare` script (web/src/duckdb.js);
- `duckdb-browser-eh.worker.js`: the worker of the "eh" bundle (WebAssembly exceptions),
  which runs without cross-origin isolation (no COOP/COEP headers, which GitHub Pages
  cannot send);
- `duckdb-eh.wasm.gz`: the engine, gzipped here (34 MB becomes about 8 MB), because a
  static host may or may not compress `.wasm`; the page inflates it with the browser's
  DecompressionStream.

Nothing else of the package is published (no CDN, no other bundle, no source maps).
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from demo_pipeline.atomic import write_text_atomic
from generators.errors import StepError

PACKAGE = "node_modules/@duckdb/duckdb-wasm"
ARROW = "node_modules/apache-arrow"
BUNDLE = "dist/duckdb-browser.js"
WORKER = f"{PACKAGE}/dist/duckdb-browser-eh.worker.js"
WASM = f"{PACKAGE}/dist/duckdb-eh.wasm"
PUBLISHED = {
    "bundle": "duckdb-browser.js",
    "worker": "duckdb-browser-eh.worker.js",
    "wasm": "duckdb-eh.wasm.gz",
}
SOURCE_MAP_COMMENT = "//# sourceMappingURL="


def _missing(web: Path) -> list[str]:
    return [str(web / p) for p in (BUNDLE, WORKER, WASM) if not (web / p).is_file()]


def version(web: Path) -> str:
    package = web / PACKAGE / "package.json"
    return str(json.loads(package.read_text(encoding="utf-8"))["version"])


def _without_source_map(text: str) -> str:
    """The script without its trailing source-map comment: the map is not published, and a
    browser's developer tools would otherwise ask for it and get a 404."""
    lines = text.rstrip("\n").split("\n")
    while lines and lines[-1].startswith(SOURCE_MAP_COMMENT):
        lines.pop()
    return "\n".join(lines) + "\n"


def copy_engine(web: Path, out: Path) -> dict:
    """Copy the engine's files from `web` into `out`; return what was published (file
    names, bytes, version). StepError when `npm ci --prefix web` has not run."""
    missing = _missing(web)
    if missing:
        raise StepError(
            "query page: DuckDB-WASM is not installed (missing "
            f"{', '.join(missing)}): run `make web` (`npm ci --prefix web`, which also "
            "bundles the ES module) and build again"
        )
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copyfile(web / BUNDLE, out / PUBLISHED["bundle"])
    worker = (web / WORKER).read_text(encoding="utf-8")
    write_text_atomic(out / PUBLISHED["worker"], _without_source_map(worker))
    raw = (web / WASM).read_bytes()
    # mtime=0: the same engine gives the same bytes, so the build's step hashes stay put.
    (out / PUBLISHED["wasm"]).write_bytes(gzip.compress(raw, compresslevel=6, mtime=0))
    for name in ("LICENSE.txt", "NOTICE.txt"):
        if (web / ARROW / name).is_file():
            shutil.copyfile(web / ARROW / name, out / f"apache-arrow-{name}")
    ver = version(web)
    write_text_atomic(
        out / "README.txt",
        f"DuckDB-WASM {ver} (@duckdb/duckdb-wasm on npm, MIT licence) and Apache Arrow "
        "(apache-arrow on npm, Apache 2.0 licence, see apache-arrow-LICENSE.txt and "
        "apache-arrow-NOTICE.txt), copied by the site build from web/ "
        "(web/package-lock.json pins both).\n",
    )
    return {
        "package": "@duckdb/duckdb-wasm",
        "version": ver,
        "files": dict(PUBLISHED),
        "bytes": {key: (out / name).stat().st_size for key, name in PUBLISHED.items()},
        "wasm_bytes_uncompressed": len(raw),
    }
