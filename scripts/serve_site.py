#!/usr/bin/env python3
"""Serve a built site the way a clinic's web server would, to try it before going live.

    python scripts/serve_site.py site --prefix /patient-info/ [--port 8000]

`make preview` runs it. The same server (`SiteServer`) is used by the tests (sub-path
hosting, the security policy, handouts) and by the web benchmark (scripts/bench_web.py):

  * the site answers under a sub-path (`--prefix`), like https://clinic.example/patient-info/,
    and a folder's address answers with its index.html (without its slash: a 301 to it);
  * it never serves a file outside the site folder (`..`, `%2e%2e`, symlinks), a dotfile
    (.htaccess), _headers or the site-headers/ folder: those are 404; an address that is not
    one (a broken %-escape, a null byte, bytes that are not UTF-8) is 400, never a dropped
    connection;
  * one thread per connection and a listen queue of 256, so a burst of 200 requests is
    answered at once; stopping the server ends every connection and its thread;
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
import os
import re
import socket
import socketserver
import stat as stat_module
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

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


class BadRequest(ValueError):
    """A request target that is not a path at all: answered with 400."""


INVALID_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
HOST_FILES = {"_headers", "_redirects"}  # a host's settings, never pages
HOST_FOLDERS = {"site-headers"}  # the nginx and Apache snippets, if built inside the site folder
MAX_NAME_BYTES = 255  # the longest file name Linux, macOS and Windows allow


def split_target(target: str) -> tuple[str, str]:
    """(decoded path, raw query) of a request target such as `/patient-info/caf%C3%A9/?x=1`.

    BadRequest when it is not an address: not starting with "/", a broken %-escape, bytes
    that are not UTF-8 once decoded, or a control character (a null byte, CR, LF, ...)."""
    if CONTROL.search(target):
        raise BadRequest("control character")
    path, _, query = target.partition("#")[0].partition("?")
    if not path.startswith("/") or INVALID_ESCAPE.search(path):
        raise BadRequest("not a path")
    try:  # http.server read the request line as Latin-1: that gives back its bytes
        decoded = unquote_to_bytes(path.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        raise BadRequest("not UTF-8") from None
    if CONTROL.search(decoded):
        raise BadRequest("control character")
    return decoded, query


def is_hidden(parts: tuple[str, ...] | list[str]) -> bool:
    """True for what a host must never serve: dotfiles and dot-folders (.htaccess, .env, `..`),
    the host's settings (_headers), the site-headers/ folder, and names no file system allows."""
    return any(part.startswith(".") or part in HOST_FILES or len(part.encode()) > MAX_NAME_BYTES
               for part in parts) or bool(parts and parts[0] in HOST_FOLDERS)


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD for a static site under `prefix`, with gzip, ETags and caching headers."""

    protocol_version = "HTTP/1.1"  # keep-alive, as every real host does
    timeout = 60  # an idle kept-alive connection is closed after a minute (nginx: 75 s)
    root: Path
    prefix: str
    extra_headers: dict[str, str]
    ledger: Ledger
    _cache: dict[tuple[Path, int, int], tuple[bytes, bytes | None, str, str]]

    def log_message(self, *args) -> None:  # quiet: tests read results, not logs
        pass

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _locate(self, segments: list[str]) -> tuple[Path, os.stat_result] | None:
        """The file or folder at `segments` under the site folder, symlinks followed, if it
        exists, stays inside the site folder and is not hidden; None otherwise."""
        try:
            target = self.root.joinpath(*segments).resolve(strict=True)
            stat = target.stat()
        except (OSError, RuntimeError):  # missing, name too long, symlink loop, no permission
            return None
        if not target.is_relative_to(self.root) or is_hidden(target.relative_to(self.root).parts):
            return None
        return target, stat

    def _load(self, target: Path, stat: os.stat_result) -> tuple[bytes, bytes | None, str, str]:
        """(body, gzipped body or None, ETag, Last-Modified), read once per version of a file."""
        key = (target, stat.st_mtime_ns, stat.st_size)
        if key not in self._cache:
            body = target.read_bytes()
            compressed = gzip.compress(body, compresslevel=6, mtime=0) if target.suffix in COMPRESSIBLE else None
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
            self._cache[key] = (body, compressed, etag, modified)
        return self._cache[key]

    def _send_headers(self, headers: dict[str, str]) -> None:
        for name, value in {**headers, **self.extra_headers}.items():
            self.send_header(name, value)
        self.end_headers()

    def _send_text(self, status: int, text: str, send_body: bool, headers: dict[str, str] | None = None) -> int:
        """A short plain-text answer (a redirect, a bad request, a 404 without a 404 page)."""
        body = text.encode()
        self.send_response(status)
        self._send_headers({"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body)),
                            "Cache-Control": REVALIDATE, **(headers or {})})
        if send_body:
            self.wfile.write(body)
        return status

    def _serve(self, send_body: bool) -> None:
        before = self.wfile.written
        status = self._answer(send_body)
        self.ledger.add(Sent(self.path, status, self.wfile.written - before))

    def _answer(self, send_body: bool) -> int:
        """Send the answer to the request and return its status."""
        try:
            path, query = split_target(self.path)
        except BadRequest:
            self.close_connection = True
            return self._send_text(400, "Bad request: this is not a valid address.\n", send_body,
                                   {"Connection": "close"})
        found = None
        if (path + "/").startswith(self.prefix):
            segments = [part for part in path[len(self.prefix):].split("/") if part]
            found = None if is_hidden(segments) else self._locate(segments)
        if found and stat_module.S_ISDIR(found[1].st_mode):
            index = self._locate(segments + ["index.html"])
            if index and not path.endswith("/"):  # a folder's address without its slash
                location = quote(self.prefix + "".join(part + "/" for part in segments)) + ("?" + query if query else "")
                return self._send_text(301, "", send_body, {"Location": location})
            found = index
        elif found and path.endswith("/"):
            found = None  # a file asked for as a folder
        if found and not stat_module.S_ISREG(found[1].st_mode):
            found = None  # a device, a socket, a folder named index.html, ...
        if found:
            try:
                return self._send_file(200, *found, send_body)
            except OSError:  # removed or unreadable since it was found
                pass
        not_found_page = self._locate(["404.html"])
        if not_found_page:
            try:
                return self._send_file(404, *not_found_page, send_body)
            except OSError:
                pass
        return self._send_text(404, "Not found.\n", send_body)

    def _send_file(self, status: int, target: Path, stat: os.stat_result, send_body: bool) -> int:
        body, compressed, etag, modified = self._load(target, stat)
        cache_control = IMMUTABLE if FINGERPRINTED.search(target.name) else REVALIDATE
        if status == 200 and etag in (self.headers.get("If-None-Match") or ""):
            self.send_response(304)
            self._send_headers({"ETag": etag, "Cache-Control": cache_control})
            return 304
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
        return status


class _ThreadingServer(socketserver.ThreadingTCPServer):
    """One thread per connection, a long listen queue, and a clean stop.

    `close_connections()` ends every open connection (idle kept-alive ones too) and waits
    for their threads, so a test's server leaves nothing running behind it."""

    allow_reuse_address = True
    request_queue_size = 256  # 200 phones in a waiting room at once; socketserver's default is 5
    daemon_threads = True  # never keeps the interpreter alive; joined by close_connections()

    def __init__(self, address, handler) -> None:
        self._workers: dict[socket.socket, threading.Thread] = {}
        self._workers_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:
        worker = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
        with self._workers_lock:
            self._workers = {sock: thread for sock, thread in self._workers.items() if thread.is_alive()}
            self._workers[request] = worker
        worker.start()

    def shutdown_request(self, request) -> None:
        with self._workers_lock:  # never at the same time as close_connections()
            super().shutdown_request(request)

    def close_connections(self, timeout: float = 5.0) -> None:
        with self._workers_lock:
            workers = list(self._workers.items())
            for sock, _ in workers:
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # wakes a thread waiting to read or write
                except OSError:  # already closed
                    pass
        for _, thread in workers:
            thread.join(timeout)

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # a client that left is no error
            super().handle_error(request, client_address)


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
        self._server = _ThreadingServer(("127.0.0.1", port), handler)
        self.port = self._server.server_address[1]
        self.prefix = prefix
        self.origin = f"http://127.0.0.1:{self.port}"
        self.url = self.origin + prefix
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "SiteServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()

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
