"""Structure: every page in the navigation, linked from another page's text, with its own title."""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterator
from urllib.parse import urlsplit

from checker.config import MKDOCS_FILE
from checker.findings import Finding, finding
from checker.markdown import front_matter_line
from checker.registry import check, rule
from checker.site import Page, Run, is_external

rule("orphan", "error", "site",
     "A page that no other page links to in its text (navigation does not count).",
     "change-a-page-in-five-steps", "Link to it from the text of a related page (a Related pages list will do).")
rule("not-in-nav", "error", "page",
     "A page missing from mkdocs.yml nav (and not matched by not_in_nav).",
     "change-a-page-in-five-steps", "Add it under nav: in mkdocs.yml, in the section it belongs to.")
rule("duplicate-title", "error", "site",
     "Two pages with the same title (reported on the later page, naming the first).",
     "the-page-template", "Give each page its own title: the question this page answers.")


@check("page", "duplicate-title")
def duplicate_titles(run: Run, page: Page) -> Iterator[Finding]:
    data, _ = run.front_matter(page)
    title = data.get("title") if data is not None else None
    if not isinstance(title, str) or not title.strip():
        return
    key = " ".join(title.lower().split())
    if key not in run.titles:
        run.titles[key] = page.name
        return
    line, column = front_matter_line(page.source, "title")
    yield finding(page.path, line, column, "duplicate-title",
                  f"the title '{title.strip()}' is also the title of {run.site.page_path(run.titles[key])}")


@check("site", "orphan", "not-in-nav", where=MKDOCS_FILE)
def structure(run: Run) -> Iterator[Finding]:
    """Pages missing from the navigation, and pages no other page links to (run.graph)."""
    site = run.site
    config = site.context.config
    in_nav = {posixpath.normpath(urlsplit(e.target).path) for e in config.nav if not is_external(e.target)}
    for name in site.page_names:
        path = site.page_path(name)
        if not site.page_source(name).readable:
            continue
        if config.has_nav and name not in in_nav and not any(fnmatch.fnmatch(name, p.strip("/"))
                                                             for p in config.not_in_nav):
            yield finding(path, 1, 1, "not-in-nav", "this page is not in the navigation (nav: in mkdocs.yml)")
        exempt = any(fnmatch.fnmatch(name, pattern) for pattern in site.context.settings.orphan_exempt)
        if not exempt and not run.graph.incoming.get(name):
            yield finding(path, 1, 1, "orphan", "no other page links to this page in its text")
