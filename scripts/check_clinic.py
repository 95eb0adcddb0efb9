#!/usr/bin/env python3
"""Check a clinic's copy of the guide: its own pages by every rule, and what leaving out does.

    python scripts/check_clinic.py clinics/example.yml [--format text|json|github] [--today YYYY-MM-DD]

`make build CLINIC=...` runs it after scripts/assemble_clinic.py. It assembles the copy into
build/<clinic>/ and runs every rule of scripts/check.py on it (its docs folder is the copy's),
then names the files to edit: clinics/<clinic>/docs/<page>.md for the clinic's own pages,
docs/... and snippets/... for the guide's, each at the line of the original. It reports:

  - every finding in the clinic's own pages: front matter, reading level, words we use,
    links to each other and to guide pages, HTML safety, duplicate titles; their links to the
    clinic's own web site (website, booking_url) are allowed, and they need no link from
    another page's text (the "Our clinic" section of the navigation leads to them);
  - findings in the guide's files that the guide itself does not have (`make check` reports
    those), that is, what leaving out does: a link the copy could not turn into plain words;
  - clinic-copy: a kept page whose every link to a section's warning-sign page leads to a
    left-out one (its readers would lose their way to the warning signs), and an
    `if kept` marker or a {clinic.field} that cannot be used;
  - for each other language the clinic lists (its `languages` setting): the same of that
    language's copy (build/<clinic>/<code>/), at the translated files (docs-es/...): its
    markers, its care cards' fields, and a link the copy could not turn into plain words (a
    page it leads to is not in the copy). The translations themselves are checked with the
    guide (`make check`: stale, missing, terminology, reading ease).

Output and exit status as scripts/check.py: 0 no errors, 1 errors, 2 it cannot run.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import posixpath
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

SCRIPTS_DIR = Path(__file__).resolve().parent
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

import reviews  # noqa: E402
import translations  # noqa: E402
from assemble_clinic import (AS_WRITTEN, INLINE_LINK, OWN_SECTION, RULE, US_RULE, Assembly,  # noqa: E402
                             assemble_all, link_target_page, write)
from checker.cli import summary  # noqa: E402
from checker.config import Context, NavEntry, load_context, load_term_rule  # noqa: E402
from checker.engine import run_checks  # noqa: E402
from checker.findings import FORMATS, ConfigError, Finding, deduplicate, format_findings, rule_link  # noqa: E402
from checker.rules.links import check_link  # noqa: E402
from checker.site import Site  # noqa: E402
from clinic_settings import guide_pages, warning_sign_pages  # noqa: E402

ROOT = SCRIPTS_DIR.parent
# clinic-copy is this command's rule, not the guide's checker's (as clinic_settings.py's rules are):
# `make check` never sees a clinic's copy.
COPY_GUIDE = "CONTRIBUTING.md#a-clinic-approves-pages"


def copy_finding(path: str, line: int, column: int, problem: str, fix: str = "") -> Finding:
    """A clinic-copy finding: the problem, then how to fix it (as the checker's finding() writes them)."""
    problem = problem.strip()
    text = f"{problem}{'' if problem.endswith(('.', '?', '!')) else '.'} {fix}".strip()
    return Finding(path, max(line, 1), max(column, 1), RULE, "error", text)


def link(rule: str) -> str:
    return COPY_GUIDE if rule == RULE else rule_link(rule)


def clinic_context(assembly: Assembly, today: dt.date | None) -> Context:
    """The checker's context for the assembled copy: its docs and snippets, its navigation, the
    clinic's own web site allowed on its pages, and its own pages reached from the navigation;
    a US English copy's words from its own terminology rule (US words in, UK words out)."""
    root = assembly.root
    context = load_context(root, today)
    out = assembly.out.relative_to(root).as_posix()
    nav = tuple(entry for entry in context.config.nav
                if posixpath.normpath(urlsplit(entry.target).path) not in assembly.left_out)
    nav += tuple(NavEntry(page, 1, 1) for page in assembly.own_pages)
    config = dataclasses.replace(context.config, docs_dir=f"{out}/docs", nav=nav,
                                 snippet_dirs=(f"{out}/snippets", *context.config.snippet_dirs))
    base = context.config.snippet_dirs[0] + "/"  # the copy holds every snippet of this folder
    generated = dict(context.settings.generated)
    generated.update({f"{out}/snippets/{path.removeprefix(base)}": source
                      for path, source in context.settings.generated.items() if path.startswith(base)})
    settings = dataclasses.replace(context.settings, generated=MappingProxyType(generated),
                                   orphan_exempt=(*context.settings.orphan_exempt, f"{OWN_SECTION}/*"))
    hosts = {urlsplit(value).hostname for key in ("website", "booking_url")
             if isinstance(value := assembly.clinic.get(key), str)} - {None}
    domains = dataclasses.replace(context.domains, allowed=context.domains.allowed | frozenset(hosts))
    terms = load_term_rule(root, f"{out}/{US_RULE}") if assembly.us else context.terms
    return dataclasses.replace(context, config=config, settings=settings, domains=domains, terms=terms)


def original(assembly: Assembly, item: Finding) -> Finding:
    """A finding in the copy, moved to the file and line it came from."""
    path, line = assembly.origin(item.path, item.line)
    out = assembly.out.relative_to(assembly.root).as_posix()
    return dataclasses.replace(item, path=path, line=line, message=item.message.replace(f"{out}/", ""))


def about_the_copy_only(assembly: Assembly, item: Finding) -> bool:
    """Findings that only say the copy is not the guide: the theme's review data is made from
    the guide, a left-out page keeps its review record and its changelog entries, and the
    guide's sources stay listed on its Sources page when the pages that cite them are left out."""
    if item.rule == "unused-reference" or (item.rule == "generated" and item.path == reviews.STATE_FILE):
        return True
    if translated(assembly.root, item):
        return True
    if assembly.us and us_english_only(item):
        return True
    if item.rule == "changelog":  # data/changelog.yml names the guide's pages, the left-out ones too
        return any(f"'{page}'" in item.message for page in assembly.left_out)
    return item.rule == "review-record" and any(f"docs/{page}" in item.message for page in assembly.left_out)


def us_english_only(item: Finding) -> bool:
    """In a US copy: the snippets it keeps as written (the care cards' neutral lines, which the
    theme replaces with the clinic's US lines, and the list of sources), and a guide page's
    description that the longer US words (primary care doctor for GP) take past the length
    search results show: the page's own words are the guide's."""
    neutral = item.rule == "terminology" and item.path.startswith(tuple(f"snippets/{name}" for name in AS_WRITTEN))
    return neutral or (item.rule == "front-matter" and item.path.startswith("docs/")
                       and item.message.startswith("the description is"))


def translated(root: Path, item: Finding) -> bool:
    """A finding of the translations check: the guide's translations are checked with the guide
    (`make check`); a clinic's other languages are checked by other_language_findings."""
    return (item.rule in ("translation-stale", "translation-missing") or item.path == translations.STATE_FILE
            or item.path.startswith(translated_folders(root)))


@functools.cache
def translated_folders(root: Path) -> tuple[str, ...]:
    """docs-es/, ...: the folders of the guide's translated pages."""
    return tuple(f"{language.docs}/" for language in translations.languages(root))


def lost_warning_signs(assembly: Assembly, today: dt.date | None) -> Iterator[Finding]:
    """A kept page that links to warning-sign pages, all of them left out."""
    root = assembly.root
    pages = guide_pages(root / "docs")
    signs = warning_sign_pages(root / "docs", pages)
    if not signs & assembly.left_out:
        return
    site = Site(load_context(root, today))
    for page in sorted(set(pages) - assembly.left_out - signs):
        links = []
        own = site.page_source(page)
        for source in [own, *site.included_files(own)]:
            for link in source.links if source.readable else ():
                target = check_link(site, page, source, link, "").target_name
                if target in signs:
                    links.append((target, source, link))
        if links and all(target in assembly.left_out for target, _, _ in links):
            target, source, link = links[0]
            line, column = source.position(link.offset)
            kept = sorted(signs - assembly.left_out)
            yield copy_finding(source.path, line, column,
                               f"{page} links to the warning signs only on {target}, which this clinic leaves out, "
                                "so its readers would lose their way to them",
                               fix=f"Add a link to {', '.join(kept) or 'a kept warning-sign page'} on {page}, or keep "
                                   f"{target} (remove its section from leave_out in {assembly.settings}).")


REFERENCE_LINK = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)")


def other_language_findings(assembly: Assembly) -> Iterator[Finding]:
    """Another language's copy: what assembling it found, and each link to a page the copy does
    not have (a reference-style link to a left-out page, which MkDocs would stop on), at the
    translated file's line."""
    yield from (copy_finding(p.path, p.line, p.column, p.message) for p in assembly.problems)
    for page, copy in assembly.pages.items():
        for (line, (path, number)) in zip(copy.lines, copy.origins):
            targets = [(m.start(2), m.group(2)) for m in INLINE_LINK.finditer(line)]
            targets += [(m.start(1), m.group(1)) for m in [REFERENCE_LINK.match(line)] if m]
            for column, target in targets:
                name = link_target_page(page, target)
                if name and name.endswith(".md") and name not in assembly.pages:
                    yield copy_finding(path, number, column + 1, f"this link leads to {name}, which the clinic's "
                                       f"{assembly.language.name} copy does not have (its leave_out)",
                                       fix="Write it as an inline link [words](page.md), which the copy turns into "
                                           "plain words, or wrap it in <!-- if kept: section --> ... <!-- end if -->.")


def clinic_findings(settings: str, today: dt.date | None = None, root: Path = ROOT) -> tuple[list[Finding], int]:
    """The findings about a clinic's copy, at the clinic's and the guide's own files; the number of files checked."""
    assembly, *others = assemble_all(settings, root=root)
    found = [copy_finding(p.path, p.line, p.column, p.message) for p in assembly.problems]
    write(assembly)
    report = run_checks(root, today, context=clinic_context(assembly, today))
    guide = {(f.path, f.line, f.rule, f.message) for f in run_checks(root, today).findings}
    own = {source for source in assembly.own_pages.values()}
    for item in map(lambda f: original(assembly, f), report.findings):
        if about_the_copy_only(assembly, item):
            continue
        if item.path in own or (item.path, item.line, item.rule, item.message) not in guide:
            found.append(item)
    found += lost_warning_signs(assembly, today)
    for other in others:
        found += other_language_findings(other)
    return deduplicate(found), report.files_checked + sum(len(other.pages) for other in others)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("settings", help="the clinic's settings file, clinics/<clinic>.yml")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    path = Path(args.settings).resolve()
    if path.parent != (ROOT / "clinics").resolve() or path.suffix != ".yml" or not path.is_file():
        print(f"{args.settings}: no such clinic settings file in clinics/ (for example clinics/example.yml)", file=sys.stderr)
        return 2
    try:
        findings, files = clinic_findings(f"clinics/{path.name}", args.today)
    except (ConfigError, OSError, UnicodeDecodeError, ValueError) as error:
        print(f"check_clinic.py: cannot run: {error}", file=sys.stderr)
        return 2
    output = format_findings(findings, args.format, link)
    if output or args.format == "json":
        print(output)
    print(summary(findings, files).replace("check:", f"check {path.name}:", 1), file=sys.stderr)
    return 1 if any(f.severity == "error" for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
