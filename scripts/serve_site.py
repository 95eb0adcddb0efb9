#!/usr/bin/env python3
"""Serve a built site the way a clinic's web server would, to try it before going live.

    python scripts/serve_site.py site --prefix /patient-info/ [--port 8000]

  * the site answers under a sub-path (`--prefix`), like https://clinic.example/patient-info/;
  * every response carries the headers of site/_headers (the Content-Security-Policy and
    the rest, written by scripts/security_headers.py), as Netlify or Cloudflare Pages would;
  * a missing page gets the site's 404.html with status 404, as the nginx and Apache
    recipes set up;
  * folders answer with their index.html; only GET and HEAD.

The tests use `SiteHost` to check sub-path hosting and the security policy in Chromium.
Loopback only: it is a preview, not a production server.
"""

from __future__ import annotations

import argparse
import http.server
import mimetypes
import socketserver
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit


def read_headers_file(path: Path) -> dict[str, str]:
    """The headers of a Netlify-style _headers file (one block for every path)."""
    headers: dict[str, str] = {}
    if not path.is_file():
        return headers
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith((" ", "\t")) and ":" in line:
            name, value = line.strip().split(":", 1)
            headers[name.strip()] = value.strip()
    return headers


class _Handler(http.server.BaseHTTPRequestHandler):
    site: Path
    prefix: str
    extra_headers: dict[str, str]

    def log_message(self, *args) -> None:  # quiet: tests read results, not logs
        pass

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _file_for(self, url_path: str) -> Path | None:
        if not url_path.startswith(self.prefix):
            return None
        relative = unquote(url_path[len(self.prefix):])
        target = (self.site / relative).resolve()
        if self.site not in target.parents and target != self.site:
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def _answer(self, send_body: bool) -> None:
        url_path = urlsplit(self.path).path
        target = self._file_for(url_path)
        if target is None and url_path + "/" == self.prefix:
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.end_headers()
            return
        status = 200
        if target is None:
            status, target = 404, self.site / "404.html"
        body = target.read_bytes() if target.is_file() else b"Not found"
        self.send_response(status)
        self.send_header("Content-Type", mimetypes.guess_type(target.name)[0] or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class SiteHost:
    """`with SiteHost(site, "/patient-info/") as host:` serves it at `host.url` on 127.0.0.1."""

    def __init__(self, site: Path, prefix: str = "/", port: int = 0, headers: dict[str, str] | None = None) -> None:
        prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        handler = type("Handler", (_Handler,), {
            "site": site.resolve(),
            "prefix": prefix,
            "extra_headers": read_headers_file(site / "_headers") if headers is None else headers,
        })
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.url = self.origin + prefix
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "SiteHost":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, nargs="?", default=Path("site"))
    parser.add_argument("--prefix", default="/", help="the sub-path, for example /patient-info/")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: no built site here; run `make build` first", file=sys.stderr)
        return 2
    with SiteHost(args.site, args.prefix, args.port) as host:
        print(f"Serving {args.site} at {host.url} (press Ctrl+C to stop)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
