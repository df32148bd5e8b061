"""The generated part of the "Query the data" page (docs/query.md includes it): where the
data came from, the query editor with its example menu (painted with the page, before any
of DuckDB-WASM is fetched), and the schema browser. Every value from a data file or a
result is escaped with generators/escape.py; the SQL is ours, and escaped too."""

from __future__ import annotations

from generators.escape import text

ASSETS = "../assets/generated"
"""The generated assets, relative to the page's URL (docs/query.md is served at query/)."""


def attr(value: object) -> str:
    """A value for a quoted attribute: escaped, its line breaks as character references, so a
    blank line in it cannot end the HTML block Markdown passes through."""
    return str(text(value)).replace("\n", "&#10;")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def provenance_markdown(manifest: dict) -> str:
    p = manifest["provenance"]
    anchor = f"#{p['evidence_anchor']}" if p.get("evidence_anchor") else ""
    tables = manifest["tables"]
    return (
        f"**The data.** {len(tables)} tables, {text(_size(manifest['data_bytes']))} of Parquet "
        f"at scale {text(p.get('scale', '?'))} (seed {text(p.get('seed', '?'))}, the scale "
        f"that keeps the files under {manifest['cap_bytes'] / 1e6:.0f} MB), from pipeline run "
        f"<code>{text(p['run_id'])}</code> at commit "
        f"<code>{text(str(p.get('commit', 'unknown'))[:12])}</code>, covering business dates "
        f"{text(p.get('first_date', '?'))} to {text(p.get('last_date', '?'))}. The figures "
        f"that run measured are on the [evidence page](generated/metrics/index.md{anchor}). "
        f"The engine is DuckDB-WASM {text(manifest['engine']['version'])}; the build "
        f"computed every example's answer with Python DuckDB "
        f"{text(manifest['python_duckdb'])} over the same files, and the page checks "
        "yours against it."
    )


def editor_html(manifest: dict, answers: dict) -> str:
    examples = answers["examples"]
    first = examples[0]
    options = "\n".join(
        f'<option value="{attr(e["id"])}" data-sql="{attr(e["sql"])}" '
        f'data-story="{attr(e["story"])}"{" selected" if e is first else ""}>'
        f"{text(e['title'])}</option>"
        for e in examples
    )
    options += '\n<option value="">Your own query</option>'
    return f"""\
<div class="query-app" id="query-app" data-data="{ASSETS}/query/data/" \
data-manifest="{ASSETS}/query/manifest.json" data-answers="{ASSETS}/query/answers.json" \
data-engine="{ASSETS}/duckdb/" data-page-rows="{int(manifest["page_rows"])}">
<div class="query-field">
<label for="query-example">Example query</label>
<select id="query-example" aria-describedby="query-story">
{options}
</select>
</div>
<p class="query-story" id="query-story">{text(first["story"])}</p>
<div class="query-field">
<label for="query-sql">SQL</label>
<textarea id="query-sql" class="query-sql" rows="14" spellcheck="false" autocomplete="off" \
autocapitalize="off" aria-describedby="query-keys">{attr(first["sql"])}</textarea>
</div>
<p class="query-hint" id="query-keys">Ctrl+Enter (⌘+Enter on a Mac) runs the query; Tab \
leaves the editor. The first run downloads the engine (about \
{manifest["engine"]["bytes"]["wasm"] / 1e6:.0f} MB).</p>
<div class="query-buttons">
<button type="button" class="md-button md-button--primary" id="query-run">Run</button>
<button type="button" class="md-button" id="query-cancel" disabled>Cancel</button>
<button type="button" class="md-button" id="query-csv" disabled>Download CSV</button>
</div>
<p class="query-status" id="query-status" role="status" aria-live="polite"></p>
<div class="query-error" id="query-error" role="alert" hidden></div>
<div class="query-result" id="query-result" role="region" aria-label="Query result" \
tabindex="0" hidden></div>
<div class="query-pager" id="query-pager" hidden>
<button type="button" class="md-button" id="query-prev">Previous rows</button>
<span id="query-page" aria-live="polite"></span>
<button type="button" class="md-button" id="query-next">Next rows</button>
</div>
</div>"""


def schema_html(manifest: dict) -> str:
    blocks = []
    for table in manifest["tables"]:
        rows = "\n".join(
            f"<tr><td><code>{text(c['name'])}</code>"
            f"{' (key)' if c['name'] in table['keys'] else ''}</td><td>{text(c['type'])}</td></tr>"
            for c in table["columns"]
        )
        blocks.append(
            f"""\
<details class="query-table" id="table-{text(table["name"])}">
<summary><code>{text(table["name"])}</code> · {text(table["kind"])} · \
{table["rows"]:,} rows · {text(_size(table["bytes"]))}</summary>
<p>{text(table["description"])}</p>
<table class="query-columns">
<thead><tr><th scope="col">Column</th><th scope="col">Type</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p><button type="button" class="md-button query-use" \
data-sql="{attr(f"SELECT *{chr(10)}FROM {table['name']}{chr(10)}LIMIT 100;")}">\
Query this table</button> <a href="{ASSETS}/query/data/{text(table["file"])}" \
download>Download the Parquet file</a></p>
</details>"""
        )
    return '<div class="query-schema">\n' + "\n".join(blocks) + "\n</div>"


def joins_markdown(manifest: dict) -> str:
    parts = []
    for join in manifest["joins"]:
        parts.append(
            f"**{text(join['title'])}**\n\n```sql\n{join['sql']}\n```\n\n"
            f'<p><button type="button" class="md-button query-use" '
            f'data-sql="{attr(join["sql"] + chr(10) + "LIMIT 100;")}">Open in the editor'
            "</button></p>"
        )
    return "\n\n".join(parts)


def partial(manifest: dict, answers: dict) -> str:
    """The Markdown (with HTML blocks) docs/query.md includes."""
    return f"""\
{provenance_markdown(manifest)}

{editor_html(manifest, answers)}

## Schema

Each table is one Parquet file, read over HTTP as a query needs it: a query reads only the
files it names. The keys identify a row; the facts point to the dimensions through them.

{schema_html(manifest)}

### The star schema's joins

{joins_markdown(manifest)}
"""
