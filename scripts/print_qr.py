#!/usr/bin/env python3
"""Put a QR code on every printed page: it opens the page's real public address.

    python scripts/print_qr.py site

`make build` runs it after the build. The theme (overrides/partials/source-file.html)
leaves an empty `<span data-print-qr="https://…/page/">` at the foot of each page when
site_url is set; this script writes an SVG QR code into it, made offline with segno.
The span is shown only in print (docs/assets/stylesheets/print.css). It works on any
builder's output (MkDocs or Zensical), since it only reads and writes the built HTML.
Running it twice changes nothing: a span that already holds a code is left alone.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import segno

PLACEHOLDER = re.compile(r'(<span class="print-only print-qr" data-print-qr="([^"]+)">)(</span>)')


def qr_svg(url: str) -> str:
    """An inline SVG QR code for `url`, black on white, labelled for screen readers."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=1, border=2, dark="#000", light="#fff", omitsize=True)
    label = html.escape(f"QR code: opens {url}", quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def add_codes(page_html: str) -> str:
    return PLACEHOLDER.sub(lambda m: m.group(1) + qr_svg(html.unescape(m.group(2))) + m.group(3), page_html)


def add_codes_to_site(site: Path) -> int:
    """Fill every placeholder in the built site; returns how many pages changed."""
    changed = 0
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        new = add_codes(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def main(argv: list[str]) -> int:
    site = Path(argv[0]) if argv else Path("site")
    if not (site / "index.html").is_file():
        print(f"{site}: no built site here; run the build first", file=sys.stderr)
        return 2
    changed = add_codes_to_site(site)
    print(f"QR codes added to {changed} pages" if changed else "no QR codes added: set site_url to print them")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
