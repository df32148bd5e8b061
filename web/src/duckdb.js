// The entry of the one ES module the query page imports (dynamically, on the first Run):
// DuckDB-WASM's async API and the Apache Arrow it returns results in, bundled by esbuild
// (`npm ci --prefix web` runs the `prepare` script) so the browser needs no import map.
export {
  AsyncDuckDB,
  ConsoleLogger,
  DuckDBDataProtocol,
  LogLevel,
  VoidLogger,
} from "@duckdb/duckdb-wasm";
