"""A real HTTP server on 127.0.0.1 that serves a built site the way GitHub Pages does: under its
base path, with a redirect for a directory without its trailing slash, the site's own 404 page,
and gzip for text, so the bytes a browser counts are close to what a visitor downloads.
"""

from __future__ import annotations

import gzip
import mimetypes
import sys
import threading
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.site.site_pages import BuiltSite

COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/xml",
    "application/manifest+json",
)
mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("application/json", ".json")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("application/manifest+json", ".webmanifest")


@cache
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    # mtime in the key: a rebuilt file is compressed again. mtime=0 keeps the bytes stable.
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A browser (Lighthouse above all) hanging up a keep-alive connection is normal, not a
        # server fault; anything else is still reported.
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)


class SiteServer:
    """Context manager: `with SiteServer(site) as server: server.base_url` is the site's home."""

    def __init__(self, site: BuiltSite):
        self.site = site
        self.requests: list[tuple[str, int]] = []  # (path, status), for diagnosing a failure
        self._httpd: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.origin + self.site.base_path

    def url(self, url_path: str) -> str:
        """Absolute URL of a URL path such as '/repo/blog/'."""
        return self.origin + url_path

    def __enter__(self) -> SiteServer:
        handler = type("Handler", (_SiteHandler,), {"server_of": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def resolve(self, url_path: str) -> tuple[int, Path | None, str | None]:
        """Map a URL path to (status, file, redirect location) as GitHub Pages would."""
        base = self.site.base_path
        if url_path + "/" == base:
            return HTTPStatus.MOVED_PERMANENTLY, None, base
        if not url_path.startswith(base):
            return HTTPStatus.NOT_FOUND, None, None
        inner = url_path[len(base) :]
        root = self.site.root.resolve()
        target = (root / inner).resolve()
        if root not in target.parents and target != root:
            return HTTPStatus.NOT_FOUND, None, None
        if target.is_dir():
            if not url_path.endswith("/"):
                return HTTPStatus.MOVED_PERMANENTLY, None, url_path + "/"
            target = target / "index.html"
        if target.is_file():
            return HTTPStatus.OK, target, None
        return HTTPStatus.NOT_FOUND, None, None


class _SiteHandler(BaseHTTPRequestHandler):
    server_of: SiteServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:
        """Quiet: requests are recorded on the server object instead of printed."""

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def _respond(self, send_body: bool) -> None:
        url_path = unquote(urlsplit(self.path).path)
        status, file, location = self.server_of.resolve(url_path)
        self.server_of.requests.append((url_path, int(status)))
        if location is not None:
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if file is None:
            file = self.server_of.site.root / "404.html"
            if not file.is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                return
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        body = file.read_bytes()
        compress = content_type.startswith(COMPRESSIBLE) and "gzip" in self.headers.get(
            "Accept-Encoding", ""
        )
        if compress:
            body = _gzipped(file, file.stat().st_mtime_ns)
        self.send_response(status)
        charset = "; charset=utf-8" if content_type.startswith("text/") else ""
        self.send_header("Content-Type", content_type + charset)
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "max-age=600")  # as GitHub Pages sends
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)
