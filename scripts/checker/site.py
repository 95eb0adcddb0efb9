"""The site model: the pages under docs/ and the snippets they include, their built addresses
(page_url), the ids on each built page (anchors), links' schemes, the link graph, the theme
templates, and the state one run of the checker shares between its checks (Run).

Words kept apart: a page's *name* is docs-relative (nerve-pain/causes.md), its *path* is
repository-relative (docs/nerve-pain/causes.md), its *url* is where the build puts it
(nerve-pain/causes/), and a Page is the three with the page's SourceFile.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown.extensions.toc import unique

from checker.config import Context
from checker.findings import ConfigError, Edit, Finding, finding
from checker.markdown import (HTML_COMMENT, MAX_INCLUDE_DEPTH, NOT_NEWLINE, Heading, Include, SourceFile,
                              blank_out, parse_front_matter, prose_without_urls,
                              resolve_include)


def page_url(name: str) -> str:
    """The built address of a page, relative to the site root, as MkDocs makes it with
    use_directory_urls: a/b.md -> a/b/, a/index.md and a/README.md -> a/, index.md -> ''
    (only a file named exactly index or README is its folder's page: a/reindex.md -> a/reindex/)."""
    stem = name[:-3]
    folder, _, base = stem.rpartition("/")
    if base in ("index", "README"):
        return f"{folder}/" if folder else ""
    return stem + "/"


@dataclass(frozen=True)
class Page:
    name: str  # docs-relative: nerve-pain/causes.md
    path: str  # repository-relative: docs/nerve-pain/causes.md
    source: SourceFile

    @property
    def url(self) -> str:
        return page_url(self.name)


class Site:
    """The pages under docs/, the snippets they include, and what is known about each."""

    def __init__(self, context: Context):
        self.context = context
        self.root = context.root
        self.docs = context.config.docs_dir
        docs_path = self.root / self.docs
        if not docs_path.is_dir():
            raise ConfigError(f"docs folder not found: {docs_path}")
        self.docs_files, self.link_problems = docs_tree(docs_path, self.docs)
        self.page_names: list[str] = sorted(name for name in self.docs_files if name.endswith(".md"))
        self.files: dict[str, SourceFile] = {}
        self.page_by_url: dict[str, str] = {page_url(name): name for name in self.page_names}
        self._anchor_cache: dict[str, set[str]] = {}
        self._snippet_cache: dict[str, str | None] = {}

    def file(self, relative: str) -> SourceFile:
        """A file by repo-relative path, read once."""
        if relative not in self.files:
            self.files[relative] = SourceFile(self.root, relative)
        return self.files[relative]

    def page_path(self, name: str) -> str:
        """docs/<name>: a page's path in the repository."""
        return f"{self.docs}/{name}" if self.docs != "." else name

    def page_source(self, name: str) -> SourceFile:
        return self.file(self.page_path(name))

    def page(self, name: str) -> Page:
        return Page(name, self.page_path(name), self.page_source(name))

    def resolve_snippet(self, name: str) -> str | None:
        """The repo-relative path of a snippet, searched in the base paths as pymdownx does."""
        if name not in self._snippet_cache:
            self._snippet_cache[name] = resolve_include(self.root, self.context.config.snippet_dirs, name)
        return self._snippet_cache[name]

    def included_files(self, source: SourceFile, depth: int = 0) -> Iterator[SourceFile]:
        """The snippet files a file includes, recursively, in order."""
        if depth > MAX_INCLUDE_DEPTH or not source.readable:
            return
        for item in source.outline:
            if isinstance(item, Include):
                path = self.resolve_snippet(item.name)
                if path:
                    snippet = self.file(path)
                    yield snippet
                    yield from self.included_files(snippet, depth + 1)

    def page_sources(self, name: str) -> list[SourceFile]:
        """A page's own file, then every snippet it pulls in (auto_append last)."""
        own = self.page_source(name)
        files = [own, *self.included_files(own)]
        for appended in self.context.config.auto_append:
            path = self.resolve_snippet(appended)
            if path:
                files.append(self.file(path))
        return files

    def flattened_outline(self, source: SourceFile, depth: int = 0) -> Iterator[Heading]:
        if depth > MAX_INCLUDE_DEPTH or not source.readable:
            return
        for item in source.outline:
            if isinstance(item, Heading):
                yield item
            else:
                path = self.resolve_snippet(item.name)
                if path:
                    yield from self.flattened_outline(self.file(path), depth + 1)

    def anchors(self, name: str) -> set[str]:
        """Every id on a built page: headings (slug + _n), attr_list ids, raw HTML ids."""
        if name not in self._anchor_cache:
            sources = self.page_sources(name)
            explicit = set().union(*(s.explicit_ids for s in sources if s.readable))
            used = set(explicit)
            ids = set(explicit)
            for source in sources:
                if source.readable:
                    ids |= source.html_ids
            counters: dict[str, int] = {}
            for heading in self.flattened_outline(self.page_source(name)):
                if heading.explicit_id:
                    ids.add(heading.explicit_id)
                    used.add(heading.explicit_id)
                else:
                    ids.add(unique(heading.slug, used, counters))
            self._anchor_cache[name] = ids
        return self._anchor_cache[name]


def docs_tree(docs: Path, label: str) -> tuple[set[str], list[Finding]]:
    """The files under docs/ as MkDocs finds them (it follows symbolic links), and a `symlink`
    finding for each link that leaves docs/ (the build would publish what it points to) or loops."""
    docs_real = docs.resolve()
    files: set[str] = set()
    problems: dict[str, Finding] = {}

    def visit(folder: Path, relative: str, ancestors: frozenset[Path]) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                problem = symlink_problem(path, docs_real, ancestors)
                if problem:
                    where = path.parent.resolve().joinpath(entry.name).relative_to(docs_real).as_posix()
                    problems.setdefault(where, finding(f"{label}/{where}", 1, 1, "symlink", problem))
                    continue
            if entry.is_dir():
                visit(path, f"{relative}{entry.name}/", ancestors | {path.resolve()})
            elif entry.is_file():
                files.add(relative + entry.name)

    visit(docs, "", frozenset({docs_real}))
    return files, sorted(problems.values())


def symlink_problem(link: Path, docs_real: Path, ancestors: frozenset[Path]) -> str | None:
    """Why a symbolic link under docs/ may not stay, or None when it leads to a file or folder in docs/."""
    try:
        written = os.readlink(link)
        target = link.resolve(strict=True)
    except FileNotFoundError:
        return f"the symbolic link leads to '{written}', which does not exist"
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11's "Symlink loop"
        return "the symbolic link loops: it leads back to itself, so the build would never finish"
    if not target.is_relative_to(docs_real):
        return f"the symbolic link leads outside docs/ (to '{written}'), so the build would publish what it points to"
    if target in ancestors:
        return (f"the symbolic link leads back to a folder that holds it ('{written}'), "
                "so the build would never finish")
    return None


# ------------------------------------------------------------------ addresses and links

SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*+):")
CONTROL_OR_SPACE = re.compile(r"[\x00-\x20]")
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


def link_scheme(target: str) -> str:
    match = SCHEME.match(target)
    return match.group(1).lower() if match else ""


def unsafe_scheme(target: str) -> str | None:
    if ":" not in target and "&" not in target:
        return None
    compact = CONTROL_OR_SPACE.sub("", html.unescape(target)).lower()
    return next((scheme for scheme in UNSAFE_SCHEMES if compact.startswith(scheme)), None)


def is_external(target: str) -> bool:
    """A link that leaves the site: any scheme, or a // address (mailto: and tel: included)."""
    return target.startswith("//") or link_scheme(target) != ""


@dataclass
class LinkGraph:
    """Which pages link to which, from their text (snippets count for the page including them)."""
    incoming: dict[str, set[str]] = field(default_factory=dict)

    def add(self, source: str, target: str) -> None:
        if source != target:
            self.incoming.setdefault(target, set()).add(source)


# ------------------------------------------------------------------ theme templates

TEMPLATE_LINK = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
BASE_URL = re.compile(r"^\{\{-?\s*base_url\s*-?\}\}")


def template_files(site: Site) -> list[str]:
    folder = site.root / site.context.settings.templates_dir
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(site.root).as_posix() for p in folder.rglob("*.html") if p.is_file())


def blank_between(text: str, opener: str, closer: str) -> str:
    """The text with each `opener ... closer` blanked out (newlines kept); an unclosed opener stays."""
    pieces, position = [], 0
    while (start := text.find(opener, position)) >= 0 and (end := text.find(closer, start + len(opener))) >= 0:
        end += len(closer)
        pieces += [text[position:start], NOT_NEWLINE.sub(" ", text[start:end])]
        position = end
    return "".join(pieces) + text[position:]


def template_links(source: SourceFile) -> Iterator[tuple[str, int]]:
    """(target, offset) of each static href/src; {{ base_url }} becomes the site root."""
    text = HTML_COMMENT.sub(blank_out, blank_between(source.text, "{#", "#}"))
    for match in TEMPLATE_LINK.finditer(text):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        rooted = BASE_URL.sub("", value)
        if rooted != value:
            value = "/" + rooted.lstrip("/")
        if "{{" in value or "{%" in value or value.startswith("#"):
            continue
        yield value, match.start(1)


# ------------------------------------------------------------------ one run

@dataclass
class Run:
    """What the checks of one run share: the site, and what earlier checks found for later ones."""
    site: Site
    graph: LinkGraph = field(default_factory=LinkGraph)  # filled by the page links, read by orphan
    cited: set[str] = field(default_factory=set)  # reference keys pages cite, read by unused-reference
    titles: dict[str, str] = field(default_factory=dict)  # title key -> the page name that has it first
    edits: list[Edit] = field(default_factory=list)  # what --fix would write
    later: dict[str, Any] = field(default_factory=dict)  # work started early, collected later (grades)
    content_files: dict[str, SourceFile] = field(default_factory=dict)  # path -> every file a page is made of
    _front_matter: dict[str, tuple[dict | None, Finding | None]] = field(default_factory=dict)
    _visible: dict[str, str] = field(default_factory=dict)

    @property
    def context(self) -> Context:
        return self.site.context

    def front_matter(self, page: Page) -> tuple[dict | None, Finding | None]:
        """The page's front matter (or None) and the finding that says why it cannot be read."""
        if page.name not in self._front_matter:
            self._front_matter[page.name] = parse_front_matter(page.source)
        return self._front_matter[page.name]

    def visible_prose(self, source: SourceFile) -> str:
        """prose_without_urls of a file, computed once (bare-url and terminology read it)."""
        if source.path not in self._visible:
            self._visible[source.path] = prose_without_urls(source)
        return self._visible[source.path]
