#!/usr/bin/env python3
"""The guide for other systems: a content feed, a change feed and look-up by diagnosis code.

    python scripts/content_api.py site [--config clinics/example.yml]

`make build` runs it after scripts/print_qr.py and before scripts/security_headers.py. It
reads the built site (any builder's: MkDocs or Zensical) and the configuration, and writes:

    api/pages.json                  every page in the build: address, title, description,
                                    section, language, review state and dates, diagnosis codes,
                                    and `json`, the address of the page's own file; the content
                                    version, and the licence and attribution a re-user must show
    api/pages/<page>.json           one page: the above, plus its plain text, its article HTML
                                    (no theme furniture), its sources and its care-card levels
    api/codes.json                  code system, code, display name, page
    api/schema.json                 the JSON Schema of the three files (data/content-api.schema.json)
    feed.xml                        Atom feed of data/changelog.yml (scripts/changelog.py)
    codes/<system>/<code>/index.html  a tiny page that links, and without script redirects, to the page
    lookup/index.html               HL7 Infobutton-style look-up (scripts/lookup.js), with the code table

Only pages that are in the build are listed: the navigation's pages whose HTML the builder
wrote (a clinic's left-out page is not there). Addresses are absolute when site_url is set,
else relative to the file that holds them. Review states come from scripts/reviews.py, codes
from the pages' front matter (scripts/diagnosis_codes.py). Every value that reaches HTML is
escaped. Nothing here reads the clock: the same sources give the same files.

Exit status: 0 written; 1 a data file is wrong (one file:line message); 2 no built site.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import html.parser
import json
import posixpath
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

SCRIPTS_DIR = Path(__file__).resolve().parent
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

import assemble_clinic  # noqa: E402
import changelog  # noqa: E402
import diagnosis_codes  # noqa: E402
import reviews  # noqa: E402

ROOT = SCRIPTS_DIR.parent
SCHEMA_FILE = ROOT / "data" / "content-api.schema.json"
LOOKUP_SCRIPT_FILE = SCRIPTS_DIR / "lookup.js"
LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Based on the nerve pain patient guide, CC BY 4.0",
    "terms": "Show the attribution with a link to the page, say if you changed the text, and do not "
             "suggest that the authors endorse you or your use.",
}
CARE_CARD = re.compile(r'class="care-card care-card--(emergency|urgent|non-urgent)"')
# Theme furniture left out of a page's article HTML: print header and button, review line,
# source list (given as data), headline anchors, edit buttons, tags, and everything print-only.
FURNITURE_CLASSES = frozenset({"print-header", "print-button", "print-only", "page-review", "page-sources",
                               "headerlink", "md-content__button", "md-tags", "md-source-file"})
FURNITURE_TAGS = frozenset({"script", "style", "button", "template", "noscript"})
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                       "track", "wbr"})
BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
                        "section", "figure", "figcaption", "details", "summary", "blockquote", "dd", "dt", "br"})
CELL_TAGS = frozenset({"td", "th"})  # a table row is one line of text, its cells apart
LINE, CELL = "\x00", "\x01"  # where the plain text breaks: never in a page's own text
URL_ATTRIBUTES = frozenset({"href", "src"})


# ---------------------------------------------------------------- the pages in the build

@dataclass(frozen=True)
class Page:
    name: str  # docs-relative file: nerve-pain/causes.md
    section: str | None  # the navigation section it is in, None at the top level
    path: str  # its address below the site root: nerve-pain/causes/ (or nerve-pain/causes.html offline)
    public: str  # its address online: nerve-pain/causes/
    built: Path


def nav_pages(nav: list, section: str | None = None) -> list[tuple[str, str | None]]:
    """(page file, section title) for each page of the navigation, in order."""
    found: list[tuple[str, str | None]] = []
    for item in nav or []:
        title, value = next(iter(item.items())) if isinstance(item, dict) else (None, item)
        if isinstance(value, list):
            found += nav_pages(value, section or title)
        elif isinstance(value, str) and value.endswith(".md"):
            found.append((value, section))
    return found


def public_path(name: str) -> str:
    """nerve-pain/causes.md -> nerve-pain/causes/, nerve-pain/index.md -> nerve-pain/, index.md -> ''."""
    stem = name[: -len(".md")]
    return stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"


def is_flat(site: Path, names: list[str]) -> bool:
    """True for an offline build: pages as nerve-pain/causes.html, not nerve-pain/causes/index.html."""
    return any((site / (name[: -len(".md")] + ".html")).is_file() for name in names
               if posixpath.basename(name) != "index.md")


def built_page(site: Path, name: str, flat: bool) -> tuple[str, Path] | None:
    """Where the builder wrote a page, as (address below the root, file); None if it did not."""
    path = name[: -len(".md")] + ".html" if flat else public_path(name)
    built = site / (path if flat else path + "index.html")
    return (path, built) if built.is_file() else None


def pages_in_build(site: Path, nav: list) -> tuple[list[Page], bool]:
    """The navigation's pages the builder wrote, and whether the build is flat (offline)."""
    named = nav_pages(nav)
    flat = is_flat(site, [name for name, _ in named])
    pages = []
    for name, section in named:
        found = built_page(site, name, flat)
        if found:
            pages.append(Page(name, section, found[0], public_path(name), found[1]))
    return pages, flat


def folder_href(site_flat: bool, folder: str) -> str:
    """A folder's address as a link: `folder/`, or `folder/index.html` in an offline build."""
    return folder + ("index.html" if site_flat else "")


# ---------------------------------------------------------------- a page's article

class Article(html.parser.HTMLParser):
    """The content of <article>, less the theme's furniture; links made absolute on request."""

    def __init__(self, base: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base  # the page's public address when site_url is set
        self.out: list[str] = []
        self.text: list[str] = []
        self.depth = 0  # inside <article>
        self.skip = 0  # inside furniture
        self.svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article" and not self.depth:
            self.depth = 1
            return
        if not self.depth:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if self.skip or tag in FURNITURE_TAGS or classes & FURNITURE_CLASSES:
            self.skip += tag not in VOID_TAGS
            return
        if tag not in VOID_TAGS:
            self.depth += 1
        self.svg += tag == "svg"
        self.out.append(self._tag(tag, attrs))
        if tag in BLOCK_TAGS:
            self.text.append(LINE)
        elif tag in CELL_TAGS:
            self.text.append(CELL)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth and not self.skip:
            self.out.append(self._tag(tag, attrs)[:-1] + "/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.depth or tag in VOID_TAGS:
            return
        if self.skip:
            self.skip -= 1
            return
        self.depth -= 1
        if self.depth:
            self.out.append(f"</{tag}>")
            self.svg -= tag == "svg"
            if tag in BLOCK_TAGS:
                self.text.append(LINE)

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.out.append(html.escape(data, quote=False))
            if not self.svg:
                self.text.append(data)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        parts = [tag]
        for name, value in attrs:
            if value is None:
                parts.append(name)
                continue
            if name in URL_ATTRIBUTES and self.base and not value.startswith("#"):
                value = urljoin(self.base, value)
            parts.append(f'{name}="{html.escape(value, quote=True)}"')
        return "<" + " ".join(parts) + ">"

    def result(self) -> tuple[str, str]:
        """(article HTML, plain text: one paragraph a line)."""
        rows = ([" ".join(cell.split()) for cell in line.split(CELL)] for line in "".join(self.text).split(LINE))
        lines = ("\t".join(cell for cell in cells if cell) for cells in rows)
        return "".join(self.out).strip(), "\n".join(line for line in lines if line)


def article(page_html: str, base: str | None) -> tuple[str, str]:
    parser = Article(base)
    parser.feed(page_html)
    parser.close()
    return parser.result()


def care_card_levels(article_html: str) -> list[str]:
    """The care cards' levels in the order they appear: emergency, urgent, non_urgent."""
    return list(dict.fromkeys(level.replace("-", "_") for level in CARE_CARD.findall(article_html)))


# ---------------------------------------------------------------- what the sources say

@dataclass
class Sources:
    """What the repository knows of each page: front matter, review state, clinic approval."""

    front: dict[str, dict] = field(default_factory=dict)
    review: dict[str, dict] = field(default_factory=dict)


def review_of(current: reviews.CurrentPage, state: reviews.PageState, approval: reviews.PageState | None,
              clinic: str | None) -> dict:
    record = state.record
    entry: dict[str, Any] = {
        "state": state.state,
        "written": current.written.isoformat() if current.written else None,
        "reviewed": record.date.isoformat() if record else None,
        "reviewed_by": record.by if record else None,
        "next_review_due": state.due.isoformat() if state.due and state.state == reviews.REVIEWED else None,
    }
    if approval is not None:
        approved = approval.record
        entry["clinic_approval"] = {"clinic": clinic, "state": approval.state,
                                    "approved": approved.date.isoformat() if approved else None,
                                    "approved_by": approved.by if approved else None}
    return entry


def read_sources(config_file: Path, root: Path = ROOT) -> Sources:
    """Front matter and review states of the repository's pages, keyed by page file."""
    site = reviews.open_site(root)
    records = reviews.load_records(root, reviews.RECORDS_FILE)
    settings = assemble_clinic.settings_of(config_file, root)  # h18: a clinic's assembled copy is its clinic's
    clinic = reviews.load_clinic(root, settings) if settings else None
    sources = Sources()
    for current in reviews.current_pages(site):
        sources.front[current.page] = reviews.front_matter_of(site.page_source(current.page))
        state = reviews.page_state(current, records.pages.get(current.page), records.months)
        approval = reviews.approval_state(current, clinic) if clinic else None
        sources.review[current.page] = review_of(current, state, approval, clinic.name if clinic else None)
    own_files = assemble_clinic.own_pages(root, clinic.settings) if clinic else {}
    for current in reviews.own_current_pages(root, clinic.settings, site) if clinic else []:
        # h18: the clinic's own pages, which the guide's reviewers do not review; the clinic approves them.
        sources.front[current.page] = reviews.front_matter_of(site.file(own_files[current.page]))
        approval = reviews.approval_state(current, clinic, own=True)
        sources.review[current.page] = review_of(current, reviews.PageState(reviews.UNREVIEWED), approval, clinic.name)
    return sources


# ---------------------------------------------------------------- the files

@dataclass(frozen=True)
class Settings:
    site_name: str
    site_url: str  # "" when not set
    language: str
    references: dict
    nav: list


def read_settings(config_file: Path) -> Settings:
    from mkdocs.config import load_config  # the same reading of INHERIT as the build

    config = load_config(str(config_file))
    extra = config.get("extra") or {}
    return Settings(config["site_name"], config.get("site_url") or "", config.theme.get("language") or "en",
                    extra.get("references") or {}, config["nav"] or [])


class Links:
    """Addresses as the files need them: absolute with site_url, else relative to the file."""

    def __init__(self, site_url: str, flat: bool) -> None:
        self.site_url, self.flat = site_url, flat

    def page(self, page: Page, from_file: str) -> str:
        if self.site_url:
            return self.site_url + page.public
        return self.relative(page.path, from_file)

    def file(self, target: str, from_file: str) -> str:
        return self.site_url + target if self.site_url else self.relative(target, from_file)

    def folder(self, folder: str, from_file: str) -> str:
        """A folder of the build (lookup/, '' for the start page), always relative (for links in HTML)."""
        return self.relative(folder_href(self.flat, folder), from_file)

    @staticmethod
    def relative(target: str, from_file: str) -> str:
        start = posixpath.dirname(from_file) or "."
        relative = posixpath.relpath(target or ".", start)
        if target.endswith("/") or not target:
            relative = "./" if relative == "." else relative + "/"
        return relative


OG_TITLE = re.compile(r'<meta property="og:title" content="([^"]*)"')


def title_of(page: Page, front: dict) -> str:
    """The page's title: its front matter's, else the one the build shows (a page the repository
    does not know, such as a clinic's own), else its file name."""
    title = front.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    found = OG_TITLE.search(page.built.read_text(encoding="utf-8"))
    return html.unescape(found.group(1)) if found else page.name


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def page_json_path(page: Page) -> str:
    """api/pages/nerve-pain/causes.json; the start page is api/pages/index.json."""
    return f"api/pages/{page.public.rstrip('/') or 'index'}.json"


def page_codes(front: dict) -> list[dict]:
    return [{"system": code.system, "code": code.code, "display": code.display}
            for code in diagnosis_codes.page_codes(front)]


def page_sources(front: dict, references: dict) -> list[dict]:
    keys = front.get("sources") if isinstance(front.get("sources"), list) else []
    found = [(key, references.get(key)) for key in keys if isinstance(key, str)]
    return [{"key": key, "citation": " ".join(str(ref.get("citation", "")).split()), "url": ref.get("url")}
            for key, ref in found if isinstance(ref, dict)]


def page_entry(page: Page, front: dict, review: dict, settings: Settings, links: Links, from_file: str) -> dict:
    return {
        "url": links.page(page, from_file),
        "title": title_of(page, front),
        "description": str(front.get("description") or ""),
        "section": page.section,
        "language": settings.language,
        "review": review,
        "codes": page_codes(front),
        "json": links.file(page_json_path(page), from_file),
    }


UNREVIEWED = {"state": reviews.UNREVIEWED, "written": None, "reviewed": None, "reviewed_by": None, "next_review_due": None}


def write_api(site: Path, pages: list[Page], sources: Sources, settings: Settings, links: Links,
              changes: list[changelog.Change]) -> dict:
    """api/pages/*.json, api/pages.json, api/codes.json and api/schema.json; returns the index."""
    listed = []
    for page in pages:
        front = sources.front.get(page.name, {})
        review = sources.review.get(page.name, UNREVIEWED)  # a page the repository does not know claims no review
        own = page_json_path(page)
        base = settings.site_url + page.public if settings.site_url else None
        body, text = article(page.built.read_text(encoding="utf-8"), base)
        detail = {**page_entry(page, front, review, settings, links, own), "text": text, "html": body,
                  "sources": page_sources(front, settings.references), "care_cards": care_card_levels(body),
                  "licence": LICENCE}
        write(site / own, json_text(detail))
        listed.append((page, front, review, hashlib.sha256(json_text(detail).encode()).hexdigest()))
    version = hashlib.sha256("".join(digest for *_, digest in listed).encode()).hexdigest()[:16]
    index = {
        "$schema": links.file("api/schema.json", "api/pages.json"),
        "site": {"name": settings.site_name, "url": links.file("", "api/pages.json")},
        "version": version,
        "updated": changes[0].date.isoformat() if changes else None,
        "licence": LICENCE,
        "pages": [page_entry(page, front, review, settings, links, "api/pages.json") for page, front, review, _ in listed],
    }
    write(site / "api" / "pages.json", json_text(index))
    codes = [{**code, "page": links.page(page, "api/codes.json"), "title": title_of(page, front)}
             for page, front, _, _ in listed for code in page_codes(front)]
    write(site / "api" / "codes.json", json_text({"$schema": links.file("api/schema.json", "api/codes.json"),
                                                  "version": version, "codes": codes}))
    shutil.copyfile(SCHEMA_FILE, site / "api" / "schema.json")
    return index


def write_feed(site: Path, pages: list[Page], sources: Sources, settings: Settings, links: Links,
               changes: list[changelog.Change]) -> None:
    named = {page.name: changelog.FeedPage(title_of(page, sources.front.get(page.name, {})),
                                           links.page(page, "feed.xml")) for page in pages}
    feed = changelog.atom_feed(changes, named, settings.site_name, settings.site_name,
                               links.file("feed.xml", "feed.xml"), links.file("", "feed.xml"),
                               settings.site_url or settings.site_name)
    write(site / "feed.xml", feed)


# ---------------------------------------------------------------- codes/ and lookup/

def stylesheets(site: Path, from_folder: str) -> str:
    """The build's own stylesheet links (from its start page), for a page `from_folder` deep."""
    start = next((p for p in (site / "index.html", site / "index.htm") if p.is_file()), None)
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"/:][^":]*)"', start.read_text(encoding="utf-8")) if start else []
    up = "../" * from_folder.count("/")
    return "\n".join(f'<link rel="stylesheet" href="{html.escape(up + html.unescape(href))}">' for href in hrefs)


def small_page(site: Path, settings: Settings, flat: bool, folder: str, title: str, body: str, head: str = "") -> str:
    """A page of this step (codes/, lookup/): the build's stylesheets, the guide's name linking home."""
    e = html.escape
    return f"""<!doctype html>
<html lang="{e(settings.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{e(title)} - {e(settings.site_name)}</title>
{stylesheets(site, folder)}
{head}</head>
<body dir="ltr" data-md-color-scheme="default" data-md-color-primary="indigo" data-md-color-accent="indigo">
<main class="md-main"><div class="md-main__inner md-grid"><div class="md-content"><article class="md-content__inner md-typeset">
<p><a href="{e(Links.relative(folder_href(flat, ""), folder + "index.html"))}">{e(settings.site_name)}</a></p>
{body}
</article></div></div></main>
</body>
</html>
"""


@dataclass(frozen=True)
class CodeTarget:
    code: diagnosis_codes.Code
    page: Page
    title: str


def code_targets(pages: list[Page], sources: Sources) -> list[CodeTarget]:
    return [CodeTarget(code, page, title_of(page, front))
            for page in pages for front in [sources.front.get(page.name, {})]
            for code in diagnosis_codes.page_codes(front)]


def code_folder(code: diagnosis_codes.Code) -> str:
    return f"codes/{code.system}/{code.code}/"


def write_code_pages(site: Path, targets: list[CodeTarget], settings: Settings, links: Links) -> None:
    e = html.escape
    for target in targets:
        folder = code_folder(target.code)
        own = folder + "index.html"
        href = links.relative(target.page.path, own)
        system = diagnosis_codes.SYSTEMS[target.code.system].name
        canonical = f'<link rel="canonical" href="{e(settings.site_url + target.page.public)}">\n' if settings.site_url else ""
        head = f'<meta http-equiv="refresh" content="0; url={e(href)}">\n{canonical}'
        body = (f"<h1>{e(target.code.display)} ({e(system)} {e(target.code.code)})</h1>\n"
                f'<p>The page for this code: <a href="{e(href)}">{e(target.title)}</a></p>\n'
                f'<p><a href="{e(links.folder("lookup/", own))}">Every code and its page</a></p>')
        write(site / own, small_page(site, settings, links.flat, folder, f"{system} {target.code.code}", body, head))


def lookup_script() -> str:
    return LOOKUP_SCRIPT_FILE.read_text(encoding="utf-8")


def script_json(value: Any) -> str:
    """JSON that stays inside a <script> element whatever the titles hold."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def write_lookup(site: Path, targets: list[CodeTarget], settings: Settings, links: Links) -> None:
    e = html.escape
    own = "lookup/index.html"
    home = links.folder("", own)
    data = {
        "language": settings.language,
        "order": list(diagnosis_codes.SYSTEMS),
        "oids": {system.oid: key for key, system in diagnosis_codes.SYSTEMS.items()},
        "codes": {key: {t.code.code: {"href": links.relative(t.page.path, own), "title": t.title}
                        for t in targets if t.code.system == key} for key in diagnosis_codes.SYSTEMS},
        "search": home + "?q=",
    }
    rows = "\n".join(
        f"<tr><td>{e(diagnosis_codes.SYSTEMS[t.code.system].name)}</td><td>{e(t.code.code)}</td>"
        f"<td>{e(t.code.display)}</td><td><a href=\"{e(links.relative(t.page.path, own))}\">{e(t.title)}</a></td></tr>"
        for t in targets)
    body = f"""<h1>Find the page for a diagnosis code</h1>
<div id="lookup-found" hidden><p>Opening <a data-lookup-link href="{e(home)}">the page</a>.</p></div>
<div id="lookup-unknown" hidden>
<h2>No page for <span data-lookup-code></span></h2>
<p>This guide has no page for that code. Go to <a href="{e(home)}">the start page</a>, <a data-lookup-search href="{e(home)}?q=">search the guide</a>, or choose a code below.</p>
</div>
<form class="lookup-form" method="get" action="{e(links.folder("lookup/", own))}">
<p><label for="lookup-code">Diagnosis code (ICD-10 or ICD-10-CM)</label><br>
<input id="lookup-code" name="mainSearchCriteria.v.c" autocomplete="off" spellcheck="false">
<button class="md-button md-button--primary" type="submit">Find the page</button></p>
</form>
<p>Each code leads to the page that answers it. A more specific code finds the page of the code it falls under. Or go to <a href="{e(home)}">the start page</a>.</p>
<div class="lookup-table"><table>
<thead><tr><th scope="col">Code system</th><th scope="col">Code</th><th scope="col">Name</th><th scope="col">Page</th></tr></thead>
<tbody>
{rows}
</tbody>
</table></div>
<script type="application/json" id="lookup-data">{script_json(data)}</script>
<script>{lookup_script()}</script>"""
    write(site / own, small_page(site, settings, links.flat, "lookup/", "Find the page for a diagnosis code", body))


def write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def build(site: Path, config_file: Path) -> dict:
    """Every file of this step; returns the api/pages.json content."""
    settings = read_settings(config_file)
    pages, flat = pages_in_build(site, settings.nav)
    links = Links(settings.site_url, flat)
    sources = read_sources(config_file)
    changes = changelog.load(ROOT, set(sources.front))
    for stale in ("api", "codes", "lookup"):  # a code or page removed since the last run leaves nothing behind
        shutil.rmtree(site / stale, ignore_errors=True)
    index = write_api(site, pages, sources, settings, links, changes)
    write_feed(site, pages, sources, settings, links, changes)
    targets = code_targets(pages, sources)
    write_code_pages(site, targets, settings, links)
    write_lookup(site, targets, settings, links)
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="the built site folder, for example site")
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml", help="mkdocs.yml or a clinic's settings file")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: no built site here; run the build first", file=sys.stderr)
        return 2
    try:
        index = build(args.site, args.config)
    except (changelog.ChangelogError, reviews.RecordsError) as error:
        print(f"{error}", file=sys.stderr)
        return 1
    print(f"content feed: {len(index['pages'])} pages in {args.site / 'api'}, feed.xml, codes/ and lookup/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
