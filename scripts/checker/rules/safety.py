"""Safety: no script, embed or event attribute in a page, no javascript:, vbscript: or data:
link, and no markup in a title that the theme shows as text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from checker.config import MKDOCS_FILE, SiteConfig
from checker.findings import Finding, finding
from checker.markdown import HTML_ATTRIBUTE, SourceFile, front_matter_line
from checker.registry import check, rule
from checker.site import Page, Run, unsafe_scheme

rule("unsafe-html", "error", "file",
     "<script>, <iframe>, <object>, <embed>, <style>, on*= event attributes, and javascript:, vbscript: "
     "or data: URLs in links (also entity-encoded); any tag or comment in a front-matter title or "
     "description, a nav title, site_name or site_description (shown as text in the header, the tab and "
     "search results).",
     "writing-rules",
     "Remove it: pages use Markdown and the care-card snippets, never scripts or embeds.")

UNSAFE_TAGS = frozenset({"script", "iframe", "object", "embed", "style"})
TITLE_FIX = "Write it in plain words, without < and >."
MARKUP = re.compile(r"<[ \t]*+[A-Za-z/!?]")  # a tag, a closing tag, a comment or a declaration


def markup_problem(what: str, value: str) -> str | None:
    """Why a title that is shown as text may not hold markup (any tag), or None."""
    match = MARKUP.search(value)
    if match is None:
        return None
    shown = value[match.start(): match.start() + 30]
    return (f"the {what} holds HTML ('{shown}'): titles reach the page header, the browser tab and search "
            f"results, where markup can run script")


def check_title_html(source: SourceFile, data: dict) -> Iterator[Finding]:
    """unsafe-html in the front matter's title and description."""
    for key in ("title", "description"):
        value = data.get(key)
        problem = markup_problem(key, value) if isinstance(value, str) else None
        if problem:
            line, column = front_matter_line(source, key)
            yield finding(source.path, line, column, "unsafe-html", problem, fix=TITLE_FIX)


def check_config_html(config: SiteConfig) -> Iterator[Finding]:
    """unsafe-html in the nav titles, site_name and site_description of mkdocs.yml."""
    for entry in config.titles:
        problem = markup_problem("title", entry.target)
        if problem:
            yield finding(MKDOCS_FILE, entry.line, entry.column, "unsafe-html", problem, fix=TITLE_FIX)


def check_safety(source: SourceFile) -> Iterator[Finding]:
    for name, attributes, start, attributes_start in source.tags:
        if name in UNSAFE_TAGS:
            line, column = source.position(start)
            yield finding(source.path, line, column, "unsafe-html",
                          f"raw <{name}> in a page: the site's security policy blocks it and it can harm readers")
        for attribute in HTML_ATTRIBUTE.finditer(attributes):
            key = attribute.group(1).lower()
            if key.startswith("on"):
                line, column = source.position(attributes_start + attribute.start(1))
                yield finding(source.path, line, column, "unsafe-html",
                              f"the event attribute {key}= runs script in the reader's browser")
    for link in source.links:
        scheme = unsafe_scheme(link.target)
        if scheme:
            line, column = source.position(link.offset)
            yield finding(source.path, line, column, "unsafe-html",
                          f"a {scheme} URL in a link runs or embeds code; link to a page or an https address",
                          fix="Remove it.")


@check("configuration", "unsafe-html", where=MKDOCS_FILE)
def config_titles(run: Run) -> Iterator[Finding]:
    yield from check_config_html(run.context.config)


@check("page", "unsafe-html")
def page_titles(run: Run, page: Page) -> Iterator[Finding]:
    data, _ = run.front_matter(page)
    if data is not None:
        yield from check_title_html(page.source, data)


@check("file", "unsafe-html")
def file_safety(run: Run, source: SourceFile) -> Iterator[Finding]:
    yield from check_safety(source)
