"""External links: https only, to the domains data/external-domains.yml allows; blocked domains
nowhere in any file; no bare web addresses in the text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

from checker.config import DOMAINS_FILE, MKDOCS_FILE, REFERENCES_FILE, Context, Domains
from checker.findings import Finding, finding, guarded
from checker.markdown import BARE_URL, SourceFile, may_hold_url
from checker.registry import check, rule
from checker.site import Run, is_external, link_scheme, template_files, template_links, unsafe_scheme

rule("external-link", "error", "file",
     "A link out of the site that is not https (mailto: and tel: pass) or not to a domain listed as "
     "allowed in data/external-domains.yml, and a blocked domain anywhere in any file (link, text, code "
     "or comment), even if also listed as allowed. URLs in data/references.yml are checked there.",
     "allow-an-external-web-site",
     "Use https and a domain listed in data/external-domains.yml (add one there with the reason).")
rule("bare-url", "error", "file",
     "https://... or www.... in running text, where a reader cannot click it.",
     "allow-an-external-web-site",
     "Make it a link with words a reader understands: [NHS inform](https://www.nhsinform.scot/).")


def url_host(target: str) -> str | None:
    try:
        return (urlsplit(target if "://" in target or target.startswith("//") else "https://" + target).hostname
                or "").lower().rstrip(".")
    except ValueError:
        return None


def external_link_problem(target: str, domains: Domains) -> str | None:
    """Why an external link may not be used, or None when it may."""
    scheme = "https" if target.startswith("//") else link_scheme(target)
    host = url_host(target)
    if host in domains.blocked:
        return None  # reported wherever the domain appears, by blocked_domain_findings
    if scheme in ("mailto", "tel"):
        return None
    if target.startswith("//"):
        return f"'{target}' has no scheme; write https:// in full"
    if scheme == "http":
        return f"'{target}' uses http; use https"
    if scheme != "https":
        return f"'{target}' uses {scheme}:, but links must use https (or mailto: and tel:)"
    if not host:
        return f"cannot read the domain of '{target}'"
    if host not in domains.allowed:
        return f"{host} is not on the list of domains we link to (data/external-domains.yml)"
    return None


def check_external_links(source: SourceFile, domains: Domains, links: Iterable[tuple[str, int]]) -> Iterator[Finding]:
    for target, offset in links:
        target = html.unescape(target.strip())
        if unsafe_scheme(target) or not is_external(target):
            continue
        problem = external_link_problem(target, domains)
        if problem:
            line, column = source.position(offset)
            yield finding(source.path, line, column, "external-link", problem)


def blocked_domain_findings(source: SourceFile, domains: Domains) -> Iterator[Finding]:
    """A blocked domain anywhere in a file: link, text, code or comment."""
    if not domains.blocked or not source.readable:
        return
    lowered = source.text.lower()
    for domain in domains.blocked:
        for match in re.finditer(re.escape(domain), lowered):
            line, column = source.position(match.start())
            yield finding(source.path, line, column, "external-link",
                          f"{domain} is blocked (data/external-domains.yml): it is spam and tracking, never link "
                          f"to it or name it", fix="Remove it; cite the original source instead.")


def check_bare_urls(source: SourceFile, prose: str) -> Iterator[Finding]:
    if not may_hold_url(prose):
        return
    for match in BARE_URL.finditer(prose):
        line, column = source.position(match.start())
        yield finding(source.path, line, column, "bare-url",
                      f"'{match.group().rstrip('.,;:')}' is a bare web address in the text")


def check_reference_urls(context: Context) -> Iterator[Finding]:
    for key, entry in context.references.urls.items():
        target = str(entry.value or "")
        if any(domain in target.lower() for domain in context.domains.blocked):
            continue  # reported by blocked_domain_findings
        problem = external_link_problem(target, context.domains) if target else f"the source {key} has an empty url"
        if problem:
            yield finding(REFERENCES_FILE, entry.line, entry.column, "external-link", problem)


def check_allow_list(root: Path, domains: Domains) -> Iterator[Finding]:
    """A blocked domain also listed under allowed still never passes: say so where it is listed."""
    overlap = domains.allowed & domains.blocked
    if not overlap:
        return
    text = (root / DOMAINS_FILE).read_text(encoding="utf-8")
    for domain in sorted(overlap):
        match = re.search(rf"^[ \t]+{re.escape(domain)}[ \t]*:", text, re.MULTILINE | re.IGNORECASE)
        line = text.count("\n", 0, match.start()) + 1 if match else 1
        yield finding(DOMAINS_FILE, line, 3, "external-link",
                      f"{domain} is blocked, so listing it under allowed has no effect",
                      fix="Remove it from allowed.")


@check("configuration", "external-link", where=REFERENCES_FILE)
def reference_urls(run: Run) -> Iterator[Finding]:
    yield from check_reference_urls(run.context)


@check("configuration", "external-link", where=DOMAINS_FILE)
def allow_list(run: Run) -> Iterator[Finding]:
    yield from check_allow_list(run.context.root, run.context.domains)


@check("configuration", "external-link", where="overrides")
def template_external_links(run: Run) -> Iterator[Finding]:
    for path in template_files(run.site):
        source = run.site.file(path)
        if source.readable:
            yield from check_external_links(source, run.context.domains, template_links(source))


@check("file", "external-link", "bare-url")
def file_external_links(run: Run, source: SourceFile) -> Iterator[Finding]:
    if source.path in run.context.settings.generated:
        return
    yield from check_external_links(source, run.context.domains, ((link.target, link.offset) for link in source.links))
    yield from check_bare_urls(source, run.visible_prose(source))


@check("site", "external-link", where=MKDOCS_FILE)
def blocked_domains(run: Run) -> Iterator[Finding]:
    """Every file of the pages, the templates, the reference list and mkdocs.yml."""
    for path in [*sorted(run.content_files), *template_files(run.site), REFERENCES_FILE, MKDOCS_FILE]:
        yield from guarded(path, blocked_domain_findings(run.site.file(path), run.context.domains))
