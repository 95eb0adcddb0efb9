#!/usr/bin/env python3
"""Start a new page: write it from the template and add it to the navigation.

    make new-page PAGE=nerve-pain/sleep.md TITLE="Sleeping with nerve pain"
    python scripts/new_page.py --page nerve-pain/sleep.md --title "Sleeping with nerve pain" \
        [--section "Nerve pain after physiotherapy"] [--nav-title "Sleep"] [--description "..."]

What it does, in order:
    1. checks the input: a docs/ path ending in .md, in lower case with hyphens; a title
    2. refuses if the page already exists or is already in the navigation
    3. finds the navigation section: the one given, or the one that already holds pages
       from the same folder (nerve-pain/ -> "Nerve pain after physiotherapy")
    4. writes the page with today's date as `written:` (the page says "Written <date>. Not
       yet reviewed by a clinician." until a review is recorded with `make sign-off`; a
       review is never front matter), and adds one line to `nav:` in mkdocs.yml. The rest of
       mkdocs.yml stays as it is, comments included: the script edits the text, it never
       rewrites the file from parsed YAML.
    5. runs the checker (scripts/check.py) on the new page and lists what is left to do.

Exit status: 0 the page was made; 1 nothing was changed (the message says why).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from atomic_file import write_atomically
from checker.config import load_settings
from checker.findings import ConfigError
from checker.markdown import SourceFile, parse_front_matter
from yaml_tags import TagIgnoringLoader

ROOT = Path(__file__).resolve().parent.parent
PAGE_PATH = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*\.md$")
NAV_LINE = re.compile(r"^nav:\s*(?:#.*)?$")
ITEM_LINE = re.compile(r"^(?P<indent>[ ]*)-[ ]+(?P<content>\S.*?)\s*$")

PAGE_TEMPLATE = """\
---
title: {title}
description: {description}
written: {written}
sources: []
---

# {heading}

<!--
  How to write this page (CONTRIBUTING.md has the rules and examples):
  1. Answer the question in the title first, in 1 or 2 short sentences. Talk to "you".
  2. Add sections with ## headings. Sentences of 20 words or fewer, paragraphs of
     3 sentences or fewer. Plain word first, medical word after, in brackets.
  3. Use only facts that a source in data/references.yml supports, and add its key
     to `sources:` above.
  4. Warning signs: include a care card from snippets/cards/ on a line of its own.
     Never copy or soften a card's text.
  5. Link to this page from at least one other page, and list related pages below.
  Delete this comment when you are done.
-->

## Related pages

{related}
"""


class Refused(Exception):
    """The input cannot be used; nothing has been written."""


@dataclass(frozen=True)
class NavItem:
    line: int  # 0-based index into the lines of mkdocs.yml
    indent: int
    title: str | None  # None for a bare page entry ("- nerve-pain/index.md")
    target: str | None  # page path, or None for a section


def yaml_scalar(text: str) -> str:
    """`text` as a YAML value: plain when that reads back the same, else double-quoted."""
    try:
        if text and text == text.strip() and yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def normalise_page_path(raw: str) -> str:
    """`docs/nerve-pain/sleep.md` or `nerve-pain/sleep.md` -> `nerve-pain/sleep.md`."""
    page = raw.strip().replace("\\", "/")
    page = page.removeprefix("./").removeprefix("docs/")
    if not page:
        raise Refused('Give the page path, for example PAGE=nerve-pain/sleep.md')
    if not page.endswith(".md"):
        raise Refused(f"{raw}: the page path must end in .md, for example nerve-pain/sleep.md")
    if not PAGE_PATH.match(page):
        raise Refused(
            f"{raw}: use lower-case letters, numbers and hyphens, with folders separated by /,"
            " for example nerve-pain/sleep.md (no spaces, no ..)"
        )
    return page


def check_text(label: str, value: str, limit: int | None = None) -> str:
    """One line of text, at most `limit` characters (the description's limit: data/checker.yml)."""
    value = value.strip()
    if "\n" in value or "\r" in value:
        raise Refused(f"the {label} must be one line")
    if limit is not None and len(value) > limit:
        raise Refused(f"the {label} has {len(value)} characters; keep it to {limit} characters or fewer")
    return value


def nav_block(lines: list[str]) -> tuple[int, int]:
    """Indexes (first, end) of the lines under `nav:` in mkdocs.yml."""
    starts = [i for i, line in enumerate(lines) if NAV_LINE.match(line.rstrip("\r\n"))]
    if len(starts) != 1:
        raise Refused("mkdocs.yml: found no `nav:` block written as a list, one entry a line")
    first = starts[0] + 1
    end = first
    while end < len(lines):
        text = lines[end].rstrip("\r\n")
        if text.strip() and not text.startswith((" ", "#")):
            break
        end += 1
    return first, end


def parse_item(index: int, line: str) -> NavItem | None:
    match = ITEM_LINE.match(line.rstrip("\r\n"))
    if not match:
        return None
    try:
        value = yaml.load(match["content"], Loader=TagIgnoringLoader)
    except yaml.YAMLError:
        return None
    indent = len(match["indent"])
    if isinstance(value, str):
        return NavItem(index, indent, None, value)
    if isinstance(value, dict) and len(value) == 1:
        title, target = next(iter(value.items()))
        return NavItem(index, indent, str(title), target if isinstance(target, str) else None)
    return None


def nav_items(lines: list[str]) -> list[NavItem]:
    first, end = nav_block(lines)
    return [item for i in range(first, end) if (item := parse_item(i, lines[i]))]


def children(items: list[NavItem], section: NavItem) -> list[NavItem]:
    """The entries nested under `section`, at any depth."""
    position = items.index(section)
    nested = []
    for item in items[position + 1 :]:
        if item.indent <= section.indent:
            break
        nested.append(item)
    return nested


def folders_of(items: list[NavItem], section: NavItem) -> set[str]:
    """The folders of the pages directly in `section` (not in its sub-sections)."""
    nested = children(items, section)
    return {
        item.target.rpartition("/")[0]
        for item in nested
        if item.target and item.indent == nested[0].indent
    }


def sections(items: list[NavItem]) -> list[NavItem]:
    return [item for item in items if item.title is not None and item.target is None and children(items, item)]


def choose_section(items: list[NavItem], page: str, wanted: str) -> NavItem:
    """The section named `wanted`, or the one holding pages from the page's folder."""
    all_sections = sections(items)
    names = ", ".join(f'"{s.title}"' for s in all_sections)
    if wanted:
        found = [s for s in all_sections if s.title == wanted]
        if not found:
            raise Refused(f'mkdocs.yml has no navigation section "{wanted}". Choose one of: {names}')
        if len(found) > 1:
            raise Refused(f'mkdocs.yml has {len(found)} sections called "{wanted}"; rename one first')
        return found[0]
    folder = page.rpartition("/")[0]
    holding = [s for s in all_sections if folder and folder in folders_of(items, s)]
    if len(holding) == 1:
        return holding[0]
    raise Refused(f'say which navigation section the page goes in, for example SECTION="{all_sections[0].title}". '
                  f"Sections: {names}")


def add_to_nav(text: str, page: str, nav_title: str, wanted_section: str) -> tuple[str, str]:
    """mkdocs.yml with one new line for `page` at the end of its section; and the section name."""
    lines = text.splitlines(keepends=True)
    items = nav_items(lines)
    if any(item.target == page for item in items):
        raise Refused(f"{page} is already in the navigation in mkdocs.yml")
    section = choose_section(items, page, wanted_section)
    nested = children(items, section)
    child_indent = nested[0].indent
    last = nested[-1].line
    # Keep lines that continue the last entry (deeper indent); stop at blank lines and comments.
    while last + 1 < len(lines):
        following = lines[last + 1].rstrip("\r\n")
        depth = len(following) - len(following.lstrip(" "))
        if not following.strip() or following.lstrip().startswith("#") or depth <= child_indent:
            break
        last += 1
    ending = "\r\n" if lines[last].endswith("\r\n") else "\n"
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += ending
    new_line = f"{' ' * child_indent}- {yaml_scalar(nav_title)}: {page}{ending}"
    lines.insert(last + 1, new_line)
    return "".join(lines), section.title or ""


def nav_pages(nav: list) -> list[str]:
    pages: list[str] = []
    for item in nav or []:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            pages.extend(nav_pages(value))
        elif isinstance(value, str):
            pages.append(value)
    return pages


def verify_nav_edit(before: str, after: str, page: str) -> None:
    """Only `nav:` changed, by exactly one page. Guards against a surprising mkdocs.yml."""
    old = yaml.load(before, Loader=TagIgnoringLoader) or {}
    new = yaml.load(after, Loader=TagIgnoringLoader) or {}
    old_nav, new_nav = old.pop("nav", None), new.pop("nav", None)
    if old != new:
        raise Refused("mkdocs.yml: adding the navigation line would change more than the navigation")
    added = sorted(set(nav_pages(new_nav)) - set(nav_pages(old_nav)))
    if added != [page] or len(nav_pages(new_nav)) != len(nav_pages(old_nav)) + 1:
        raise Refused("mkdocs.yml: could not add the page to the navigation safely; add it by hand")


def related_links(docs: Path, page: str) -> str:
    """A first "Related pages" entry: the section's start page, linked relative to the new page."""
    folder = page.rpartition("/")[0]
    candidates = [f"{folder}/index.md"] if folder else []
    candidates.append("index.md")
    for candidate in candidates:
        target = docs / candidate
        if target.is_file() and candidate != page:
            title = page_title(target) or "Start here"
            link = os.path.relpath(candidate, folder or ".").replace(os.sep, "/")
            return f"- [{title}]({link})"
    return "<!-- - [Title of a related page](related-page.md) -->"


def page_title(path: Path) -> str | None:
    """The title in a page's front matter, read as the checker reads it (None if it has none)."""
    meta, _ = parse_front_matter(SourceFile(path.parent, path.name))
    title = meta.get("title") if meta else None
    return title if isinstance(title, str) else None


def render_page(title: str, description: str, today: dt.date, related: str) -> str:
    return PAGE_TEMPLATE.format(
        title=yaml_scalar(title),
        description=yaml_scalar(description) if description else '""',
        written=today.isoformat(),
        heading=title,
        related=related,
    )


def create_page(root: Path, page: str, title: str, section: str, nav_title: str, description: str,
                today: dt.date) -> tuple[Path, str]:
    """Write the page and its navigation line; returns the page's path and its section."""
    docs = root / "docs"
    target = docs / page
    if target.exists():
        raise Refused(f"docs/{page} already exists; open it and edit it, or choose another name")
    config = root / "mkdocs.yml"
    with config.open(encoding="utf-8", newline="") as handle:
        before = handle.read()
    after, section_name = add_to_nav(before, page, nav_title, section)
    verify_nav_edit(before, after, page)
    text = render_page(title, description, today, related_links(docs, page))
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
        handle.write(text)
    try:
        write_atomically(config, after)
    except OSError:
        target.unlink(missing_ok=True)
        raise
    return target, section_name


def run_checker(root: Path, page_file: Path) -> int | None:
    """The checker's exit status on the new page, or None when scripts/check.py is missing."""
    checker = root / "scripts" / "check.py"
    if not checker.is_file():
        return None
    relative = page_file.relative_to(root).as_posix()
    print(f"\nChecking it: python scripts/check.py {relative}")
    result = subprocess.run([sys.executable, str(checker), relative], cwd=root, capture_output=True, text=True)
    print((result.stdout + result.stderr).rstrip())
    return result.returncode


def next_steps(page: str, description: str, checker_status: int | None, description_max: int) -> list[str]:
    steps = []
    if checker_status is None:
        steps.append("The checker (scripts/check.py) is not here yet: run `make check` once it is.")
    elif checker_status == 1:
        steps.append("Fix each problem the checker lists above (file:line:column, then what to do).")
    elif checker_status not in (0, 1):
        steps.append("The checker could not run (message above). Run `make check` to see it again.")
    if not description and checker_status is None:
        steps.append(f"Write the description in docs/{page}: one sentence, {description_max} characters or fewer.")
    steps += [
        f"Write the page in docs/{page}, then delete the comment under the heading.",
        "Add the keys of the sources you use to `sources:` (see CONTRIBUTING.md, Sources).",
        "Link to the new page from at least one other page, for example its section's start page.",
        "Preview with `make serve`, then run `make check` before you open a pull request.",
        "Ask a healthcare professional to review it; they record it with `make sign-off` "
        "(CONTRIBUTING.md, Clinical review).",
    ]
    return steps


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", default="", help="path under docs/, for example nerve-pain/sleep.md")
    parser.add_argument("--title", default="", help="the page title: the question it answers")
    parser.add_argument("--section", default="", help="navigation section (default: the one for the page's folder)")
    parser.add_argument("--nav-title", default="", help="shorter title for the navigation (default: the title)")
    parser.add_argument("--description", default="",
                        help="one sentence, as short as data/checker.yml's description_max_chars says")
    parser.add_argument("--today", default="", help=argparse.SUPPRESS)  # for tests: YYYY-MM-DD
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(args.root)
    try:
        page = normalise_page_path(args.page)
        title = check_text("title", args.title)
        if not title:
            raise Refused('Give the page title, for example TITLE="Sleeping with nerve pain"')
        nav_title = check_text("navigation title", args.nav_title) or title
        description_max = load_settings(root).description_max
        description = check_text("description", args.description, description_max)
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
        page_file, section = create_page(root, page, title, args.section.strip(), nav_title, description, today)
    except (Refused, ConfigError, OSError, UnicodeDecodeError, ValueError) as problem:
        print(f"new-page: nothing changed: {problem}", file=sys.stderr)
        return 1
    print(f"Made docs/{page} (written {today.isoformat()}, not yet reviewed).")
    print(f'Added it to the navigation in mkdocs.yml, at the end of "{section}".')
    status = run_checker(root, page_file)
    print("\nWhat to do next:")
    for number, step in enumerate(next_steps(page, description, status, description_max), start=1):
        print(f"  {number}. {step}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
