"""MkDocs hook (mkdocs.yml `hooks:`): a Content-Security-Policy for the "Query the data"
page, and that page only.

The policy lets the page load and connect to its own origin only, run WebAssembly
(`'wasm-unsafe-eval'`) and start DuckDB's worker from a `blob:` URL. Chromium does not pass a
`<meta>` policy on to such a worker, so docs/javascripts/query.js starts the worker behind a
guard of its own that holds DuckDB's requests to the same origin. Material puts a few small
inline scripts in every page; each is allowed by its SHA-256 hash, computed here from the
page as built, so no `'unsafe-inline'` is needed for scripts.

GitHub Pages cannot send headers, so the policy is a `<meta http-equiv>` tag, placed right
after `<meta charset>` so that it covers everything the page loads.
"""

from __future__ import annotations

import base64
import hashlib
import re

QUERY_PAGE = "query.md"
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.DOTALL)
NOT_JAVASCRIPT = re.compile(r"""\btype=["']?(?!text/javascript|module)[a-z]""", re.IGNORECASE)
CHARSET = re.compile(r"<meta charset=[^>]*>", re.IGNORECASE)


def script_hashes(html: str) -> list[str]:
    """CSP source expressions for every inline script the browser would run (JSON data
    blocks are not run and need none), in page order, without repeats."""
    hashes: list[str] = []
    for attributes, body in INLINE_SCRIPT.findall(html):
        if NOT_JAVASCRIPT.search(attributes):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


def policy(html: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval' " + " ".join(script_hashes(html)),
            "worker-src 'self' blob:",
            "connect-src 'self' blob:",
            "img-src 'self' data:",
            "style-src 'self' 'unsafe-inline'",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def with_policy(html: str) -> str:
    """The page with its Content-Security-Policy meta tag (pure)."""
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    match = CHARSET.search(html)
    if match:
        return html[: match.end()] + "\n    " + tag + html[match.end() :]
    return html.replace("<head>", "<head>\n    " + tag, 1)


def on_post_page(output, page, config):
    if page.file.src_uri == QUERY_PAGE:
        return with_policy(output)
    return output
