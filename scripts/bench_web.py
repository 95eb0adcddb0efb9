#!/usr/bin/env python3
"""What a patient on a weak phone connection downloads, page by page, in a real browser.

    python scripts/bench_web.py                  build a fresh site, then measure every page
    python scripts/bench_web.py --site site      measure an existing build
    python scripts/bench_web.py --json           one JSON object a page instead of the table
    python scripts/bench_web.py --no-throttle    skip the phone emulation (LCP then means little)

It serves the built site from 127.0.0.1 the way a real host would (`SiteServer`):
  * text (HTML, CSS, JS, JSON, XML, SVG, TXT) gzip-compressed when the browser asks for it;
  * file names with a content hash (Material's `main.57a0d79d.min.css`) cached for a year,
    `immutable`; everything else `no-cache` with an ETag, so a repeat visit asks
    "has it changed?" and gets a bodiless 304 back.
The server itself counts the bytes it sends (status line, headers and body) and the requests
it answers, so requests made by Material's search web worker are counted too.

For each page, Chromium (Debian's, through Playwright) loads it twice in one browser context:
  first visit   a fresh context, so an empty cache;
  repeat visit  the same page again, with the cache the first visit left.
With throttling (the default) the page runs as on a mid-range phone: 375 px wide,
Lighthouse's "Slow 4G" network (150 ms round trip, 1.6 Mbit/s down) and a CPU four times
slower. LCP (largest contentful paint) is read from the browser's PerformanceObserver.

Budget (issue 6), held by tests/test_web_budget.py with the same functions:
  first visit  at most 100 KB transferred (aim: 75 KB), at most MAX_REQUESTS requests;
  repeat visit at most 15 KB;
  no request, render-blocking or not, to any other origin.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import http.server
import json
import mimetypes
import os
import re
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

KB = 1024
FIRST_VISIT_BUDGET = 100 * KB
FIRST_VISIT_AIM = 75 * KB
REPEAT_VISIT_BUDGET = 15 * KB
MAX_REQUESTS = 10

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map"}
# Material's fingerprinted assets: bundle.a5f9d56c.min.js, main.57a0d79d.min.css, ...
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8}\.min\.(?:js|css)$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

# Lighthouse's mobile profile ("Slow 4G", 4x CPU slowdown).
PHONE_VIEWPORT = {"width": 375, "height": 812}
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
CPU_SLOWDOWN = 4

LCP_OBSERVER = """
window.__lcp = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__lcp = entry.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
"""


# ---------------------------------------------------------------------------------------------
# The server: gzip, caching headers, and a ledger of what it sent.


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
    """GET and HEAD for a static site, with gzip, ETags and the caching headers above."""

    protocol_version = "HTTP/1.1"  # keep-alive, as every real host does
    root: Path
    ledger: Ledger
    _cache: dict[Path, tuple[bytes, bytes | None, str, str]] = {}

    def log_message(self, *args) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _resolve(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        target = (self.root / path.lstrip("/")).resolve()
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
            compressed = None
            if target.suffix in COMPRESSIBLE:
                compressed = gzip.compress(body, compresslevel=6, mtime=0)
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = email.utils.formatdate(target.stat().st_mtime, usegmt=True)
            self._cache[target] = (body, compressed, etag, modified)
        return self._cache[target]

    def _serve(self, send_body: bool) -> None:
        before = self.wfile.written
        target = self._resolve()
        status = 200
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
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", cache_control)
            self.end_headers()
            self.ledger.add(Sent(self.path, 304, self.wfile.written - before))
            return
        gzip_ok = compressed is not None and "gzip" in (self.headers.get("Accept-Encoding") or "")
        payload = compressed if gzip_ok else body
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", cache_control)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        if compressed is not None:
            self.send_header("Vary", "Accept-Encoding")
        if gzip_ok:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if send_body:
            self.wfile.write(payload)
        self.ledger.add(Sent(self.path, status, self.wfile.written - before))


class SiteServer:
    """`with SiteServer(site) as server:` serves `site` on 127.0.0.1 at `server.url`."""

    def __init__(self, site: Path) -> None:
        self.ledger = Ledger()
        handler = type("Handler", (SiteHandler,), {"root": site.resolve(), "ledger": self.ledger, "_cache": {}})
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
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


# ---------------------------------------------------------------------------------------------
# The browser side.


@dataclass
class Visit:
    bytes: int
    requests: int
    lcp_ms: float
    responses: list[Sent]
    other_origin: list[str]
    render_blocking_other_origin: list[str]


@dataclass
class PageFigures:
    page: str
    first: Visit
    repeat: Visit

    def row(self) -> dict:
        return {
            "page": self.page,
            "first_kb": round(self.first.bytes / KB, 1),
            "repeat_kb": round(self.repeat.bytes / KB, 1),
            "requests": self.first.requests,
            "repeat_requests": self.repeat.requests,
            "lcp_ms": round(self.first.lcp_ms),
            "other_origin": self.first.other_origin + self.repeat.other_origin,
        }


RENDER_BLOCKING_SCRIPT = """
() => performance.getEntriesByType("resource")
  .filter((entry) => entry.renderBlockingStatus === "blocking")
  .map((entry) => entry.name)
"""


def built_pages(site: Path) -> list[str]:
    """Every page of the build as a URL path relative to the site root ('' is the start page)."""
    pages = []
    for index in sorted(site.rglob("index.html")):
        relative = index.parent.relative_to(site).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return pages


def _load_once(context, server: SiteServer, url: str, throttle: bool) -> Visit:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    other_origin: list[str] = []

    def note(request) -> None:
        if not request.url.startswith((origin + "/", "data:", "blob:", "about:")):
            other_origin.append(request.url)

    context.on("request", note)
    page = context.new_page()
    if throttle:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    server.ledger.take()
    page.goto(url, wait_until="load")
    server.wait_until_quiet()
    lcp = page.evaluate("window.__lcp || 0")
    blocking = [name for name in page.evaluate(RENDER_BLOCKING_SCRIPT) if not name.startswith(origin + "/")]
    responses = server.ledger.take()
    page.close()
    context.remove_listener("request", note)
    return Visit(
        bytes=sum(sent.bytes for sent in responses),
        requests=len(responses),
        lcp_ms=lcp,
        responses=responses,
        other_origin=other_origin,
        render_blocking_other_origin=blocking,
    )


def measure_page(browser, server: SiteServer, page_path: str, throttle: bool = False) -> PageFigures:
    """First visit (empty cache) and repeat visit (the cache the first one left) of one page."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=throttle, has_touch=throttle)
    context.add_init_script(LCP_OBSERVER)
    try:
        url = server.url + page_path
        first = _load_once(context, server, url, throttle)
        repeat = _load_once(context, server, url, throttle)
    finally:
        context.close()
    return PageFigures(page_path or "(start page)", first, repeat)


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


# ---------------------------------------------------------------------------------------------
# The command line.


def build(destination: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    mkdocs = Path(sys.executable).parent / "mkdocs"
    result = subprocess.run(
        [str(mkdocs), "build", "--strict", "-d", str(destination)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"bench_web: the strict build failed:\n{result.stderr}")


def print_table(rows: list[dict], throttle: bool) -> None:
    print(f"{'page':<46} {'first KB':>8} {'repeat KB':>9} {'requests':>8} {'LCP ms':>7}")
    for row in rows:
        print(f"{row['page']:<46} {row['first_kb']:>8} {row['repeat_kb']:>9} {row['requests']:>8} {row['lcp_ms']:>7}")
    worst_first = max(row["first_kb"] for row in rows)
    worst_repeat = max(row["repeat_kb"] for row in rows)
    print(
        f"\nlargest first visit {worst_first} KB (budget {FIRST_VISIT_BUDGET // KB}, aim {FIRST_VISIT_AIM // KB}); "
        f"largest repeat visit {worst_repeat} KB (budget {REPEAT_VISIT_BUDGET // KB}); "
        + ("LCP on Slow 4G, 4x CPU slowdown, 375 px" if throttle else "LCP unthrottled")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="an existing build (default: build a fresh one)")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    parser.add_argument("--no-throttle", dest="throttle", action="store_false", help="no phone emulation")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        site = args.site
        if site is None:
            site = Path(scratch) / "site"
            build(site)
        if not (site / "index.html").is_file():
            print(f"bench_web: no built site at {site}", file=sys.stderr)
            return 2
        rows = []
        with SiteServer(site) as server, sync_playwright() as playwright:
            browser = launch_browser(playwright)
            for page_path in built_pages(site):
                figures = measure_page(browser, server, page_path, throttle=args.throttle)
                rows.append(figures.row())
                if args.json:
                    print(json.dumps(figures.row()))
            browser.close()
    if not args.json:
        print_table(rows, args.throttle)
    over = [
        row["page"]
        for row in rows
        if row["first_kb"] * KB > FIRST_VISIT_BUDGET or row["repeat_kb"] * KB > REPEAT_VISIT_BUDGET or row["other_origin"]
    ]
    if over:
        print(f"over budget: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
