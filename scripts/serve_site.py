#!/usr/bin/env python3
"""Serve a built site the way a clinic's web server would, to try it before going live.

    python scripts/serve_site.py site --prefix /patient-info/ [--port 8000]

`make preview` runs it. The same server (`SiteServer`) is used by the tests (sub-path
hosting, the security policy, handouts) and by the web benchmark (scripts/bench_web.py):

  * the site answers under a sub-path (`--prefix`), like https://clinic.example/patient-info/,
    and a folder's address answers with its index.html;
  * every response carries the headers of site/_headers (the Content-Security-Policy and
    the rest, written by scripts/security_headers.py), as Netlify or Cloudflare Pages would;
  * a missing page gets the site's 404.html with status 404, as the nginx and Apache
    recipes in HOSTING.md set up;
  * text (HTML, CSS, JS, JSON, XML, SVG, TXT) is gzip-compressed when the browser asks;
    file names with a content hash (Material's `main.57a0d79d.min.css`) are cached for a
    year, `immutable`; everything else is `no-cache` with an ETag, so a repeat visit asks
    "has it changed?" and gets a bodiless 304;
  * it counts the bytes it sends (status line, headers and body) and the requests it
    answers in a `Ledger`, so requests from Material's search worker count too.

Loopback only: it is a preview and a test fixture, not a production server.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import http.server
import mimetypes
import re
import socketserver
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map"}
# Material's fingerprinted assets: bundle.a5f9d56c.min.js, main.57a0d79d.min.css, ...
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8}\.min\.(?:js|css)$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def read_headers_file(path: Path) -> dict[str, str]:
    """The headers of a Netlify-style _headers file (its one block, for every path)."""
    headers: dict[str, str] = {}
    if not path.is_file():
        return headers
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith((" ", "\t")) and ":" in line:
            name, value = line.strip().split(":", 1)
            headers[name.strip()] = value.strip()
    return headers


def built_pages(site: Path) -> list[str]:
    """Every page of the build as a URL path relative to the site root ('' is the start page)."""
    pages = []
    for index in sorted(site.rglob("index.html")):
        relative = index.parent.relative_to(site).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return pages


@dataclass
class Sent:
    path: str
    status: int
    bytes: int


@dataclass
class Ledger:
    """Every response the server sent, in order; thread-safe."""

    entries: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: Sent) -> None:
        with self.lock:
            self.entries.append(entry)

    def take(self) -> list[Sent]:
        """The responses since the last call, and start counting afresh."""
        with self.lock:
            entries, self.entries = self.entries, []
            return entries

    def count(self) -> int:
        with self.lock:
            return len(self.entries)


class _CountingWriter:
    """Wraps the socket's write side and counts the bytes that go through it."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def __getattr__(self, name):
        return getattr(self.raw, name)


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD for a static site under `prefix`, with gzip, ETags and caching headers."""

    protocol_version = "HTTP/1.1"  # keep-alive, as every real host does
    root: Path
    prefix: str
    extra_headers: dict[str, str]
    ledger: Ledger
    _cache: dict[Path, tuple[bytes, bytes | None, str, str]]

    def log_message(self, *args) -> None:  # quiet: tests read results, not logs
        pass

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _resolve(self, path: str) -> Path | None:
        if not path.startswith(self.prefix):
            return None
        target = (self.root / path[len(self.prefix):]).resolve()
        if not target.is_relative_to(self.root):
            return None
        if target.is_dir():
            if not path.endswith("/"):
                return None
            target = target / "index.html"
        return target if target.is_file() else None

    def _load(self, target: Path) -> tuple[bytes, bytes | None, str, str]:
        """(body, gzipped body or None, ETag, Last-Modified), read once per file."""
        if target not in self._cache:
            body = target.read_bytes()
            compressed = gzip.compress(body, compresslevel=6, mtime=0) if target.suffix in COMPRESSIBLE else None
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = email.utils.formatdate(target.stat().st_mtime, usegmt=True)
            self._cache[target] = (body, compressed, etag, modified)
        return self._cache[target]

    def _send_headers(self, headers: dict[str, str]) -> None:
        for name, value in {**headers, **self.extra_headers}.items():
            self.send_header(name, value)
        self.end_headers()

    def _serve(self, send_body: bool) -> None:
        before = self.wfile.written
        path = unquote(urlsplit(self.path).path)
        if path + "/" == self.prefix:
            self.send_response(301)
            self._send_headers({"Location": self.prefix, "Content-Length": "0"})
            self.ledger.add(Sent(self.path, 301, self.wfile.written - before))
            return
        target, status = self._resolve(path), 200
        if target is None:
            status, target = 404, self.root / "404.html"
            if not target.is_file():
                self.send_error(404)
                self.ledger.add(Sent(self.path, 404, self.wfile.written - before))
                return
        body, compressed, etag, modified = self._load(target)
        cache_control = IMMUTABLE if FINGERPRINTED.search(target.name) else REVALIDATE
        if status == 200 and etag in (self.headers.get("If-None-Match") or ""):
            self.send_response(304)
            self._send_headers({"ETag": etag, "Cache-Control": cache_control})
            self.ledger.add(Sent(self.path, 304, self.wfile.written - before))
            return
        gzip_ok = compressed is not None and "gzip" in (self.headers.get("Accept-Encoding") or "")
        payload = compressed if gzip_ok else body
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        headers = {"Content-Type": content_type, "Content-Length": str(len(payload)),
                   "Cache-Control": cache_control, "ETag": etag, "Last-Modified": modified}
        if compressed is not None:
            headers["Vary"] = "Accept-Encoding"
        if gzip_ok:
            headers["Content-Encoding"] = "gzip"
        self.send_response(status)
        self._send_headers(headers)
        if send_body:
            self.wfile.write(payload)
        self.ledger.add(Sent(self.path, status, self.wfile.written - before))


class SiteServer:
    """`with SiteServer(site, prefix="/patient-info/") as server:` serves it at `server.url`.

    `headers` defaults to those in site/_headers; pass {} to serve without them."""

    def __init__(self, site: Path, prefix: str = "/", port: int = 0, headers: dict[str, str] | None = None) -> None:
        prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        self.ledger = Ledger()
        handler = type("Handler", (SiteHandler,), {
            "root": site.resolve(),
            "prefix": prefix,
            "extra_headers": read_headers_file(site / "_headers") if headers is None else headers,
            "ledger": self.ledger,
            "_cache": {},
        })
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.url = self.origin + prefix
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "SiteServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_until_quiet(self, quiet: float = 0.3, timeout: float = 15.0) -> None:
        """Wait until no new response has been sent for `quiet` seconds (workers finish late)."""
        deadline = time.monotonic() + timeout
        seen, since = self.ledger.count(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self.ledger.count()
            if now != seen:
                seen, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, nargs="?", default=Path("site"))
    parser.add_argument("--prefix", default="/", help="the sub-path, for example /patient-info/")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: no built site here; run `make build` first", file=sys.stderr)
        return 2
    with SiteServer(args.site, args.prefix, args.port) as server:
        print(f"Serving {args.site} at {server.url} (press Ctrl+C to stop)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
