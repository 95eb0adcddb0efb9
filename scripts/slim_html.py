#!/usr/bin/env python3
"""Take the template indentation out of the built pages.

    python scripts/slim_html.py site

`make build` runs it after scripts/slim_css.py and before scripts/security_headers.py.
Material's templates indent every line and leave many empty lines: on a phone the reader
downloads them with every page (about 0.8 KB compressed a page, issue 14). This step
removes white space at the start of a line and empty lines, and nothing else:

  * a line break stays a line break, so text reads and wraps exactly as before (between
    words and inline elements, a browser treats a line break and spaces the same);
  * <pre>, <textarea>, <script> and <style> are left exactly as they are (their white
    space can matter, and scripts/security_headers.py hashes inline scripts and styles
    against the theme's templates);
  * the HTML parser of Python's standard library finds those elements, so a "<pre" in a
    page's text or an attribute cannot fool it.

Running it twice changes nothing the second time. Exit status: 0 done, 2 no site.
"""

from __future__ import annotations

import html.parser
import re
import sys
from pathlib import Path

from slim_css import site_argument

KEEP_AS_IS = {"pre", "textarea", "script", "style"}
INDENTATION = re.compile(r"\n[ \t\r\n]*")  # a line break, then indentation and empty lines


class RawRegions(html.parser.HTMLParser):
    """The character ranges of a page whose white space must stay as it is."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [match.end() for match in re.finditer(r"\n", text)]
        self.regions: list[tuple[int, int]] = []
        self._open: list[tuple[str, int]] = []
        self.feed(text)
        self.close()
        if self._open:  # left open at the end of the page: keep the rest as it is
            self.regions.append((self._open[0][1], len(text)))

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in KEEP_AS_IS:
            self._open.append((tag, self._offset()))

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[-1][0]:
            start = self._open.pop()[1]
            if not self._open:
                end = self.rawdata.find(">", self._offset()) + 1
                self.regions.append((start, end))


def slim_page(text: str) -> str:
    """The page without indentation and empty lines outside <pre>, <textarea>, <script>, <style>."""
    out, position = [], 0
    for start, end in RawRegions(text).regions:
        out.append(INDENTATION.sub("\n", text[position:start]))
        out.append(text[start:end])
        position = end
    out.append(INDENTATION.sub("\n", text[position:]))
    return "".join(out)


def slim_pages(site: Path) -> tuple[int, int]:
    """Rewrite every page of the build; (bytes before, bytes after)."""
    before = after = 0
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        slim = slim_page(text)
        before, after = before + len(text), after + len(slim)
        if slim != text:
            page.write_text(slim, encoding="utf-8")
    return before, after


def main(argv: list[str] | None = None) -> int:
    site = site_argument(__doc__, argv)
    if site is None:
        return 2
    before, after = slim_pages(site)
    print(f"pages: {before} bytes of HTML before, {after} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
