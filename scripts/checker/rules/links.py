"""Links and anchors: every internal link, image, reference and snippet include of a page (and
of what it includes, resolved from each page that includes it), the nav entries of mkdocs.yml
and the links in the theme templates, resolved as MkDocs and a browser resolve them."""

from __future__ import annotations

import difflib
import html
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from checker.config import MKDOCS_FILE, Context
from checker.findings import Finding, close_match, finding
from checker.markdown import Include, Link, SourceFile
from checker.registry import check, rule
from checker.site import LinkGraph, Page, Run, Site, is_external, page_url, template_files, template_links, \
    unsafe_scheme

rule("internal-link", "error", "page",
     "A link that the build would break or MkDocs' strict build would refuse: Markdown links and images, "
     "reference links and their definitions, raw HTML href= and src= (resolved against the page's built "
     "address: a raw .md link is never rewritten), nav entries in mkdocs.yml, and href/src in the theme "
     "templates. Folder links and links with no extension, absolute /links and links that leave docs/ "
     "fail. A link in a snippet is resolved from each page that includes it and reported once, in the snippet.",
     "change-a-page-in-five-steps",
     "Link to the page's .md file, relative to this file, as in [causes](../nerve-pain/causes.md).")
rule("anchor", "error", "page",
     "A #fragment that names no id on its page: heading ids as the build makes them (toc slugify, _1, "
     "_2 for repeats, headings of included snippets in document order), attr_list ids and raw HTML ids.",
     "change-a-page-in-five-steps",
     "Use the id of a heading on that page: its words in lower case, joined by hyphens.")
rule("snippet", "error", "page",
     "A --8<-- \"file\" line whose file is in none of the snippet base paths (pymdownx.snippets "
     "check_paths stops the build).",
     "writing-rules", "Name a file under snippets/, as in --8<-- \"cards/emergency-nerve.md\".")


@dataclass(frozen=True)
class LinkResult:
    finding: Finding | None
    target_name: str | None = None  # the name of the page linked to


def relative_link(from_page: str, to_page: str) -> str:
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def close_link(from_page: str, wanted: str, pages: Iterable[str]) -> str:
    """'Did you mean …?' for a missing page, written as the link to type on `from_page`."""
    matches = difflib.get_close_matches(wanted, list(pages), n=1, cutoff=0.6)
    return f" Did you mean '{relative_link(from_page, matches[0])}'?" if matches else ""


def check_anchor(site: Site, where: SourceFile, offset: int, name: str, fragment: str, shown: str,
                 suffix: str) -> Finding | None:
    ids = site.anchors(name)
    if fragment in ids or unquote(fragment) in ids:
        return None
    line, column = where.position(offset)
    return finding(where.path, line, column, "anchor",
                   f"'{shown}': there is no heading or id '#{fragment}' on {site.page_path(name)}{suffix}."
                   f"{close_match(fragment, ids)}")


def check_markdown_link(site: Site, name: str, where: SourceFile, link: Link, suffix: str) -> LinkResult:
    """A Markdown link or image, resolved from `page` as MkDocs resolves it."""
    line, column = where.position(link.offset)
    # A relative link has no scheme and no //host, so urlsplit's split is just this:
    address, _, fragment = link.target.partition("#")
    path = unquote(address.split("?", 1)[0])
    if not path:
        if not fragment:
            return LinkResult(None if link.kind == "refdef" else
                              finding(where.path, line, column, "internal-link", f"the link has no target{suffix}"))
        return LinkResult(check_anchor(site, where, link.offset, name, fragment, link.target, suffix), name)
    if path.startswith("/"):
        guess = path.lstrip("/")
        hint = f" Write '{relative_link(name, guess)}'." if guess in site.docs_files else ""
        return LinkResult(finding(where.path, line, column, "internal-link",
                                  f"'{link.target}' is an absolute link, which MkDocs rejects and which breaks "
                                  f"when a clinic hosts the guide under its own path{suffix}.{hint}"))
    target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path))
    if target in site.docs_files:
        if target.endswith(".md"):
            if fragment:
                return LinkResult(check_anchor(site, where, link.offset, target, fragment, link.target, suffix), target)
            return LinkResult(None, target)
        return LinkResult(None)
    if path.endswith("/") or not posixpath.splitext(path)[1]:
        folder = target.rstrip("/")
        options = [f"{folder}/index.md", f"{folder}.md"]
        existing = next((o for o in options if o in site.docs_files), None)
        hint = f" Write '{relative_link(name, existing)}'." if existing else ""
        return LinkResult(finding(where.path, line, column, "internal-link",
                                  f"'{link.target}' is not a file: MkDocs only rewrites links to .md files "
                                  f"and fails the strict build{suffix}.{hint}"))
    outside = target.startswith("../") or target == ".."
    reason = "points outside docs/" if outside else f"there is no {site.docs}/{target}"
    return LinkResult(finding(where.path, line, column, "internal-link",
                              f"'{link.target}': {reason}{suffix}.{close_link(name, target, site.docs_files)}"))


def check_built_link(site: Site, base: str, where: SourceFile | None, line: int, column: int,
                     target: str, suffix: str, path_label: str) -> LinkResult:
    """A raw HTML or template link, resolved against the built address `base` as a browser does."""
    try:
        parts = urlsplit(urljoin("https://site.invalid/" + base, target))
    except ValueError:
        return LinkResult(finding(path_label, line, column, "internal-link",
                                  f"cannot read the link target '{target}'{suffix}"))
    raw_path = urlsplit(target).path if "://" not in target else ""
    if raw_path.endswith(".md"):
        return LinkResult(finding(path_label, line, column, "internal-link",
                                  f"'{target}' in raw HTML is not rewritten by MkDocs, so it breaks on the built "
                                  f"site{suffix}. Use a Markdown link [text]({raw_path}), or the built address "
                                  f"(a page's folder, as in ../causes/)", fix=""))
    url_path = unquote(parts.path).lstrip("/")
    target_name = site.page_by_url.get(url_path) or site.page_by_url.get(url_path + "/")
    if target_name is None and url_path in site.docs_files and not url_path.endswith(".md"):
        return LinkResult(None)
    if target_name is None:
        return LinkResult(finding(path_label, line, column, "internal-link",
                                  f"'{target}': no page or file is built at /{url_path}{suffix}. Built pages live "
                                  f"at their folder: docs/a/b.md is at a/b/, docs/a/index.md at a/", fix=""))
    if parts.fragment and where is not None:
        offset = where.line_starts[line - 1] + column - 1
        return LinkResult(check_anchor(site, where, offset, target_name, parts.fragment, target, suffix), target_name)
    return LinkResult(None, target_name)


def check_link(site: Site, name: str, where: SourceFile, link: Link, suffix: str) -> LinkResult:
    """One internal link of `where`, as it is on `page` (which includes `where`, or is it)."""
    target = link.target.strip()
    if unsafe_scheme(target) or is_external(target):
        return LinkResult(None)
    if link.kind == "html":
        line, column = where.position(link.offset)
        return check_built_link(site, page_url(name), where, line, column, html.unescape(target), suffix,
                                where.path)
    if link.kind == "autolink":
        return LinkResult(None)
    return check_markdown_link(site, name, where, link, suffix)


def generated_note(context: Context, path: str) -> str:
    source = context.settings.generated.get(path)
    return f" (this file is generated from {source}: fix it there, then run `make generate`)" if source else ""


def check_page_links(site: Site, name: str, graph: LinkGraph) -> Iterator[Finding]:
    """Links, anchors, snippet includes and reference uses of a page and of what it includes."""
    own = site.page_source(name)
    for source in [own, *site.included_files(own)]:
        if not source.readable:
            continue
        suffix = "" if source is own else f" (when included in {site.page_path(name)})"
        suffix += generated_note(site.context, source.path)
        for link in source.links:
            result = check_link(site, name, source, link, suffix)
            if result.finding:
                yield result.finding
            if result.target_name:
                graph.add(name, result.target_name)
        for item in source.outline:
            if isinstance(item, Include) and site.resolve_snippet(item.name) is None:
                line, column = source.position(item.offset)
                bases = ", ".join(f"{b}/" for b in site.context.config.snippet_dirs)
                yield finding(source.path, line, column, "snippet",
                              f"the snippet '{item.name}' does not exist in {bases}, so the build stops")
        for label, offset in source.undefined_references:
            line, column = source.position(offset)
            yield finding(source.path, line, column, "internal-link",
                          f"the reference link [{label}] has no definition, so it shows as plain text",
                          fix=f"Add a line '[{label}]: page.md' below the paragraph, or use [text](page.md).")


def check_nav(site: Site) -> Iterator[Finding]:
    """Every nav entry in mkdocs.yml names a page that exists (anchors included)."""
    for entry in site.context.config.nav:
        target = entry.target.strip()
        if is_external(target) or unsafe_scheme(target):
            continue
        try:
            parts = urlsplit(target)
        except ValueError:
            yield finding(MKDOCS_FILE, entry.line, entry.column, "internal-link", f"cannot read nav entry '{target}'")
            continue
        path = unquote(parts.path)
        if path.startswith("/"):
            yield finding(MKDOCS_FILE, entry.line, entry.column, "internal-link",
                          f"nav entry '{target}' is absolute; name the page relative to {site.docs}/")
        elif posixpath.normpath(path) not in site.docs_files:
            yield finding(MKDOCS_FILE, entry.line, entry.column, "internal-link",
                          f"nav entry '{target}': there is no {site.docs}/{path}.{close_match(path, site.page_names)}",
                          fix="Name a page file relative to the docs folder, as in nerve-pain/causes.md.")
        elif parts.fragment and path.endswith(".md"):
            ids = site.anchors(posixpath.normpath(path))
            if parts.fragment not in ids:
                yield finding(MKDOCS_FILE, entry.line, entry.column, "anchor",
                              f"nav entry '{target}': no heading or id '#{parts.fragment}' on "
                              f"{site.page_path(path)}.{close_match(parts.fragment, ids)}")


def check_templates(site: Site) -> Iterator[Finding]:
    for path in template_files(site):
        source = site.file(path)
        if not source.readable:
            yield source.problem  # type: ignore[misc]
            continue
        for target, offset in template_links(source):
            if is_external(target) or unsafe_scheme(target):
                continue
            line, column = source.position(offset)
            result = check_built_link(site, "", None, line, column, target, "", path)
            if result.finding:
                yield result.finding


@check("page", "internal-link", "anchor", "snippet")
def page_links(run: Run, page: Page) -> Iterator[Finding]:
    yield from check_page_links(run.site, page.name, run.graph)


@check("configuration", "internal-link", "anchor", where=MKDOCS_FILE)
def nav_links(run: Run) -> Iterator[Finding]:
    yield from check_nav(run.site)


@check("configuration", "internal-link", "unreadable", where="overrides")
def template_links_resolve(run: Run) -> Iterator[Finding]:
    yield from check_templates(run.site)
