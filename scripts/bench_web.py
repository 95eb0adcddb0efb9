#!/usr/bin/env python3
"""What a patient on a weak phone connection downloads, page by page, in a real browser.

    python scripts/bench_web.py                  build a fresh site, then measure every page
    python scripts/bench_web.py --site site      measure an existing build
    python scripts/bench_web.py --json           one JSON object a page instead of the table
    python scripts/bench_web.py --no-throttle    skip the phone emulation (LCP then means little)

It serves the built site from 127.0.0.1 the way a real host would (`SiteServer`, in
scripts/serve_site.py, shared with the tests and `make preview`):
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
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from chromium import launch  # noqa: E402  (scripts/ is not a package)
from policy import SOURCE_DATE_EPOCH, build_environment  # noqa: E402
from serve_site import Sent, SiteServer, built_pages  # noqa: E402

KB = 1024
FIRST_VISIT_BUDGET = 100 * KB
FIRST_VISIT_AIM = 75 * KB
REPEAT_VISIT_BUDGET = 15 * KB
MAX_REQUESTS = 10


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


# ---------------------------------------------------------------------------------------------
# The command line.


def build(destination: Path) -> None:
    env = build_environment(SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", str(SOURCE_DATE_EPOCH)))
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
            browser = launch(playwright)
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
