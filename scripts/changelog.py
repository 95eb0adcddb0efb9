"""What changed in the guide, for clinics: data/changelog.yml, its checker rule and its Atom feed.

data/changelog.yml holds one entry per change a clinic's clinical lead should know about
(a page added, a warning sign changed, a figure changed), newest first:

    - date: 2026-12-01
      kind: warning-sign-changed
      pages: [nerve-pain/warning-signs.md, dry-needling/when-to-get-help.md]
      summary: One or two plain sentences on what changed.

`pages` are docs-relative page files, as in the navigation of mkdocs.yml. The checker's
rule `changelog` (scripts/checker/rules/changes.py) refuses an entry whose date, kind,
summary or pages are wrong, a page that does not exist among them. The build
(scripts/content_api.py) writes feed.xml from it with `atom_feed`: every date comes from
the file, never from the clock, so builds stay reproducible. A page a clinic's build
leaves out is left out of its feed too.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from yaml_tags import FastCheckedLoader, load_checked

FILE = "data/changelog.yml"
KINDS = {
    "page-added": "Page added",
    "warning-sign-changed": "Warning sign changed",
    "figure-changed": "Figure changed",
}
MAX_SUMMARY = 400
MARKUP = re.compile(r"[<>{}\[\]`\\|*_#]")
ATOM = "http://www.w3.org/2005/Atom"
FEED_NAMESPACE = uuid.UUID("5b0e8a3c-3b4e-4d8e-9a43-6f1c2d7e9b10")  # this guide's feeds; fixed forever


@dataclass(frozen=True)
class Change:
    date: dt.date
    kind: str
    pages: tuple[str, ...]
    summary: str
    line: int

    @property
    def key(self) -> str:
        """What names the entry for good: its date, kind and pages (its Atom id is made from it)."""
        return f"{self.date.isoformat()} {self.kind} {' '.join(self.pages)}"


class ChangelogError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(f"{FILE}:{line}: {message}")
        self.line, self.message = line, message


def entry_problems(entry: Any, line: int, pages: set[str] | None) -> Iterator[str]:
    if not isinstance(entry, dict):
        yield "an entry is not a `date:`, `kind:`, `pages:`, `summary:` block"
        return
    unknown = sorted(set(entry) - {"date", "kind", "pages", "summary"})
    if unknown:
        yield f"unknown field{'s' * (len(unknown) > 1)} {', '.join(map(repr, unknown))}"
    if not isinstance(entry.get("date"), dt.date) or isinstance(entry.get("date"), dt.datetime):
        yield "`date` is not a date (YYYY-MM-DD)"
    if entry.get("kind") not in KINDS:
        yield f"`kind` {entry.get('kind')!r} is not one of {', '.join(KINDS)}"
    named = entry.get("pages")
    if not isinstance(named, list) or not named or not all(isinstance(page, str) for page in named):
        yield "`pages` is not a list of page files, for example [nerve-pain/warning-signs.md]"
    elif pages is not None:
        for page in named:
            if page not in pages:
                yield f"the page {page!r} does not exist (docs-relative, for example nerve-pain/causes.md)"
    summary = entry.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        yield "`summary` is empty: say in one or two plain sentences what changed"
    elif len(summary) > MAX_SUMMARY or MARKUP.search(summary):
        yield f"`summary` must be plain text of at most {MAX_SUMMARY} characters"


def entries_with_lines(text: str) -> list[tuple[int, Any]]:
    """Each entry with its line, or ChangelogError."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = load_checked(text, FastCheckedLoader)  # an impossible date or a repeated key: refused at its line
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ChangelogError(mark.line + 1 if mark else 1, f"not valid YAML ({getattr(error, 'problem', error)})") from None
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise ChangelogError(1, "the file is not a list of entries (each starts with `- date:`)")
    return [(item.start_mark.line + 1, entry) for item, entry in zip(node.value, data)]


def load(root: Path, pages: set[str] | None = None) -> list[Change]:
    """The changelog, newest first; ChangelogError at the first bad entry (pages: those that exist)."""
    path = root / FILE
    if not path.is_file():
        return []
    changes = []
    for line, entry in entries_with_lines(path.read_text(encoding="utf-8")):
        for problem in entry_problems(entry, line, pages):
            raise ChangelogError(line, problem)
        changes.append(Change(entry["date"], entry["kind"], tuple(entry["pages"]), " ".join(entry["summary"].split()), line))
    return sorted(changes, key=lambda change: change.date, reverse=True)


# ---------------------------------------------------------------- the Atom feed

@dataclass(frozen=True)
class FeedPage:
    title: str
    href: str  # absolute when site_url is set, else relative to feed.xml


def _element(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = text
    return element


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(changes: list[Change], pages: Mapping[str, FeedPage], title: str, author: str,
              feed_href: str, home_href: str, identity: str) -> bytes:
    """feed.xml: one entry per change, naming only the pages in `pages` (those in the build).
    `identity` (the site's address, or its name) makes the feed's and entries' permanent ids."""
    ElementTree.register_namespace("", ATOM)
    kept = [(change, [pages[name] for name in change.pages if name in pages]) for change in changes]
    kept = [(change, named) for change, named in kept if named]
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    namespace = uuid.uuid5(FEED_NAMESPACE, identity)
    _element(feed, "id", namespace.urn)
    _element(feed, "title", f"{title}: what changed")
    _element(feed, "subtitle", "Pages added, warning signs changed and figures changed, for a clinic's clinical lead to re-approve.")
    _element(feed, "updated", _timestamp(kept[0][0].date) if kept else "1970-01-01T00:00:00Z")
    _element(_element(feed, "author"), "name", author)
    _element(feed, "link", rel="self", href=feed_href, type="application/atom+xml")
    _element(feed, "link", rel="alternate", href=home_href, type="text/html")
    _element(feed, "rights", "Text under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)")
    for change, named in kept:
        entry = _element(feed, "entry")
        _element(entry, "id", uuid.uuid5(namespace, change.key).urn)
        _element(entry, "title", f"{KINDS[change.kind]}: {'; '.join(page.title for page in named)}")
        _element(entry, "updated", _timestamp(change.date))
        _element(entry, "category", term=change.kind, label=KINDS[change.kind])
        for page in named:
            _element(entry, "link", rel="alternate" if page is named[0] else "related", href=page.href, title=page.title)
        _element(entry, "summary", change.summary)
    ElementTree.indent(feed)
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
