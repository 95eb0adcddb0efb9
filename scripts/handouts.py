#!/usr/bin/env python3
"""The handout pack: every patient page of a built site printed to PDF, on A4 and US Letter.

    python scripts/handouts.py site [--out handouts] [--paper A4] [--paper Letter] [--page nerve-pain/causes/]

`make handouts [CLINIC=clinics/x.yml]` builds the site, then runs this on site/. It reads only
the built HTML, so it works on any builder's output: `make zensical`, then
`python scripts/handouts.py site-zensical`. Each page is printed the way a patient's
"Print this page" prints it: Debian's Chromium (scripts/chromium.py) loads it from a local
server (scripts/serve_site.py, with the site's security headers) and prints it with the
print style sheet, so the handout has the clinic's header (name, phone, logo), the review
status, the page's address and its QR code. A build that print_qr.py has not run on (Zensical)
is printed from a temporary copy with the QR codes added; the built folder is never changed.

Chromium writes the page's title into the PDF but no author, so each PDF is rewritten with
pypdf: Title is the page's title, Author the name in its print header (the clinic's name, or
the guide's name in the neutral build). It writes:

    handouts/a4/<page>.pdf, handouts/letter/<page>.pdf   one per patient page
    handouts/index.html                                  the list, to put on a staff intranet
    handouts/handouts.zip                                the index and every PDF

A handout is at most 2 sheets; a printable (a page in printables/: the diary, the question
list) is 1 sheet, with room to write. A page over its limit is named with its sheet count and
the exit status is 1 (the PDFs are written, to look at; the index and zip are not).
Exit status 2: no built site, or no patient page in it.
"""

from __future__ import annotations

import argparse
import html
import io
import os
import shutil
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from print_qr import PLACEHOLDER, add_codes_to_site
from serve_site import SiteServer, built_pages

ROOT = Path(__file__).resolve().parent.parent
PAPERS = {"A4": "a4", "Letter": "letter"}  # Chromium's paper name -> folder in handouts/
MAX_SHEETS = 2
ONE_SHEET_FOLDER = "printables/"  # the diary and the question list: one sheet, to write on
PATIENT_PAGE_MARK = 'class="print-header"'  # overrides/main.html (content block), on every page
# The page's title, and the name in its print header: the clinic's, or the guide's.
TITLE_AND_AUTHOR = """() => [document.title,
    (document.querySelector(".print-header__name")?.textContent || "").replace(/\\s+/g, " ").trim()]"""
ZIP_NAME = "handouts.zip"


def patient_pages(site: Path) -> list[str]:
    """The pages a patient reads (those with the theme's print header), as URL paths from the
    site root ('' is the start page); not the 404 page or files made for machines."""
    return [path for path in built_pages(site)
            if PATIENT_PAGE_MARK in (site / path / "index.html").read_text(encoding="utf-8")]


def source_of(path: str) -> str:
    """The page's Markdown file (docs/nerve-pain/causes.md:1) if this repository has it, else its address."""
    stem = path.rstrip("/")
    for source in ([f"docs/{stem}.md"] if stem else []) + [f"docs/{path}index.md"]:
        if (ROOT / source).is_file():
            return f"{source}:1"
    return path or "(start page)"


def sheet_limit(path: str) -> int:
    return 1 if path.startswith(ONE_SHEET_FOLDER) else MAX_SHEETS


def file_stem(path: str) -> str:
    """nerve-pain/warning-signs/ -> nerve-pain--warning-signs; the start page -> start."""
    return path.strip("/").replace("/", "--") or "start"


def open_page(tab, url: str) -> None:
    """Load the page with its style sheets, pictures and fonts, ready to print."""
    tab.goto(url, wait_until="load")
    tab.evaluate("document.fonts.ready.then(() => true)")


def pdf_of(tab, paper: str) -> bytes:
    """The open page printed by Chromium on `paper` (A4 or Letter), as the print button prints it."""
    return tab.pdf(format=paper, print_background=True)


def print_pdf(tab, url: str, paper: str) -> bytes:
    open_page(tab, url)
    return pdf_of(tab, paper)


def sheets(pdf: bytes | Path) -> int:
    """How many sheets a PDF prints on (one-sided)."""
    return len(PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf).pages)


def with_metadata(pdf: bytes, title: str, author: str) -> bytes:
    """The PDF with its document title and author set (Chromium leaves the author out)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({"/Title": title, "/Author": author})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass
class Handout:
    path: str  # URL path from the site root
    title: str = ""
    author: str = ""
    sheets: dict[str, int] = field(default_factory=dict)  # paper -> sheets

    @property
    def limit(self) -> int:
        return sheet_limit(self.path)

    def problems(self) -> list[str]:
        kind = "printable" if self.limit == 1 else "handout"
        return [f"{source_of(self.path)}: error handout-length: \"{self.title}\" prints on {count} {paper} "
                f"sheets; a {kind} must fit on {self.limit}. Shorten the page, or move part of it to a page of its own."
                for paper, count in self.sheets.items() if count > self.limit]


def print_handouts(browser, site: Path, out: Path, papers: list[str], only: list[str] | None = None) -> list[Handout]:
    """Print each patient page (or those in `only`) on each paper into out/<paper>/<page>.pdf."""
    pages = patient_pages(site)
    if only is not None:
        unknown = sorted(set(only) - set(pages))
        if unknown:
            raise ValueError(f"not a patient page of {site}: {', '.join(unknown)}")
        pages = [page for page in pages if page in only]
    handouts = [Handout(path) for path in pages]
    for paper in papers:
        folder = out / PAPERS[paper]
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        tab = context.new_page()
        with SiteServer(site, "/") as server:
            for handout in handouts:
                open_page(tab, server.url + handout.path)
                handout.title, handout.author = tab.evaluate(TITLE_AND_AUTHOR)
                for paper in papers:
                    pdf = pdf_of(tab, paper)
                    handout.sheets[paper] = sheets(pdf)
                    target = out / PAPERS[paper] / f"{file_stem(handout.path)}.pdf"
                    target.write_bytes(with_metadata(pdf, handout.title, handout.author))
    finally:
        context.close()
    return handouts


def render_index(handouts: list[Handout], papers: list[str]) -> str:
    """The pack's list of handouts, every value escaped."""
    author = html.escape(handouts[0].author if handouts else "")
    rows = []
    for handout in handouts:
        links = " ".join(f'<a href="{PAPERS[paper]}/{html.escape(file_stem(handout.path))}.pdf">'
                         f'{paper} ({handout.sheets[paper]} sheet{"s" * (handout.sheets[paper] > 1)})</a>'
                         for paper in papers)
        rows.append(f"<tr><td>{html.escape(handout.title)}</td><td>{links}</td></tr>")
    return "\n".join([
        "<!doctype html>",
        '<html lang="en">',
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Handouts: {author}</title>",
        f"<h1>Handouts: {author}</h1>",
        f"<p>Every page of the guide as a PDF to print, on {' and '.join(papers)} paper. "
        f'All of them in one file: <a href="{ZIP_NAME}">{ZIP_NAME}</a>.</p>',
        "<table>",
        "<tr><th>Page</th><th>PDF</th></tr>",
        *rows,
        "</table>",
        "</html>",
        "",
    ])


def zip_time() -> tuple[int, int, int, int, int, int]:
    """The time stamp of every file in the zip: SOURCE_DATE_EPOCH when set, so the zip is reproducible."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    return time.gmtime(max(epoch, 315532800))[:6]  # a zip cannot hold a date before 1980


def write_zip(out: Path) -> Path:
    target = out / ZIP_NAME
    stamp = zip_time()
    files = sorted(path for path in out.rglob("*") if path.is_file() and path != target)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.writestr(zipfile.ZipInfo(path.relative_to(out).as_posix(), stamp), path.read_bytes(),
                             compress_type=zipfile.ZIP_DEFLATED)
    return target


def make_pack(browser, site: Path, out: Path, papers: list[str], only: list[str] | None = None) -> tuple[list[Handout], list[str]]:
    """Print the handouts; with no page over its sheet limit, write the index and the zip too.
    Returns the handouts and the problems (pages over their limit)."""
    with tempfile.TemporaryDirectory(prefix="handouts-") as scratch:
        handouts = print_handouts(browser, site_with_qr_codes(site, Path(scratch)), out, papers, only)
    problems = [problem for handout in handouts for problem in handout.problems()]
    for stale in (out / "index.html", out / ZIP_NAME):
        stale.unlink(missing_ok=True)
    if not problems:
        (out / "index.html").write_text(render_index(handouts, papers), encoding="utf-8")
        write_zip(out)
    return handouts, problems


def site_with_qr_codes(site: Path, scratch: Path) -> Path:
    """The site itself if its QR codes are in (make build ran print_qr.py), else a copy with them."""
    if not any(PLACEHOLDER.search(page.read_text(encoding="utf-8")) for page in site.rglob("*.html")):
        return site
    copy = scratch / "site"
    shutil.copytree(site, copy)
    add_codes_to_site(copy)
    return copy


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site folder: site, site-zensical, sites/<clinic>")
    parser.add_argument("--out", type=Path, default=Path("handouts"), help="where to write the pack (default handouts/)")
    parser.add_argument("--paper", action="append", choices=list(PAPERS), help="A4, Letter (default both)")
    parser.add_argument("--page", action="append", help="only this page (URL path, e.g. nerve-pain/causes/)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: no built site here; run `make build` (or `make zensical`) first", file=sys.stderr)
        return 2
    if not patient_pages(args.site):
        print(f"{args.site}: no patient pages (no page has the guide's print header); "
              "is this a build of this guide?", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from chromium import launch

    papers = args.paper or list(PAPERS)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            handouts, problems = make_pack(browser, args.site, args.out, papers, args.page)
        except ValueError as error:
            print(f"handouts: {error}", file=sys.stderr)
            return 2
        finally:
            browser.close()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        too_long = sum(1 for handout in handouts if handout.problems())
        print(f"handouts: {too_long} page{'s' * (too_long != 1)} too long; PDFs written to {args.out}/, "
              "no index or zip", file=sys.stderr)
        return 1
    print(f"wrote {len(handouts)} handouts on {' and '.join(papers)} to {args.out}/ "
          f"(index.html, {ZIP_NAME})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
