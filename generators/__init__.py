"""Generators: turn the metric catalogue, run records and hand-written sources
(ADRs, the owner's data file, case-study files) into pages and assets for the
MkDocs site. Each module renders one kind of artefact and is a deterministic
function of its inputs; `build_site` runs them in order, only when needed."""
