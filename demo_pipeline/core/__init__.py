"""The ground floor: the types every stage shares, importing no stage.

    context      DayContext: what one daily run passes down to every stage
    results      CheckResult and the schema of the quality results file
    manifest     RunManifest: the run record of one business day (`runs/<date>.json`)
    crashpoints  named points where a test can kill the process on purpose

With them on the ground floor sit the utilities in the package root: `atomic`,
`config`, `errors`, `metrics` (the metric schema and catalogue), `provenance`,
`runlog` and `workdir`. Stages import from here and from below, never from above:
the layers are listed, and checked by `lint-imports`, in pyproject.toml
(`[tool.importlinter]`).
"""
