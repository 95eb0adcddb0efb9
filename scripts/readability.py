#!/usr/bin/env python3
"""Reading level of a page, as the reader sees it: Flesch-Kincaid grade of its prose.

    python scripts/readability.py docs/index.md [more pages ...]

A Spanish page (docs-es/) is measured with the Fernandez-Huerta reading ease instead
(page_reading_ease; 70 or more is "fairly easy"), its snippets read from snippets/es/ first,
as the Spanish build reads them.

The page's own Markdown is turned into plain sentences first: front matter, code,
HTML tags, link targets and abbreviation definitions go; included snippets (care
cards) come in; every heading, list item, table cell and paragraph ends a sentence.
Computed offline with textstat 0.7.3 (later versions download a word list).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path


SCRIPTS_DIR = Path(__file__).resolve().parent
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

from checker.markdown import (FRONT_MATTER, block_spans, expand_includes, mask_code_and_comments,  # noqa: E402
                              resolve_include)

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS_DIR = ROOT / "snippets"

# Every pattern here runs in linear time on any input: no part may scan past the next
# "<", "[", "(" or "{" that starts another match, and no two repeats overlap
# (tests/test_hostile_checker.py feeds long runs of each character). Front matter, fences
# (``` and ~~~), comments and snippet lines are found by the checker's Markdown model.
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
TARGET = r"\((?:[^()\n]|\([^()\n]*\))*\)"  # a link target, with one level of brackets
IMAGE = re.compile(r"!\[([^\[\]]*)\]" + TARGET)
LINK = re.compile(r"\[([^\[\]]+)\]" + TARGET)
REFERENCE_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
AUTOLINK = re.compile(r"<https?://[^<>]+>")
ATTR_LIST = re.compile(r"\{[ \t]*[:#.][^{}]*\}")
ABBREVIATION_DEF = re.compile(r"^\*\[[^\]\n]+\]:.*$", re.MULTILINE)
LINK_DEF = re.compile(r"^[ \t]*\[[^\]\n]+\]:[ \t]*+(?:\n[ \t]*+)?\S.*$", re.MULTILINE)
ADMONITION = re.compile(r'^\s*(?:!!!|\?\?\?\+?)\s+[\w-]+(?:\s+"([^"]*)")?\s*$')
BLOCK_MARK = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+|>\s?)")
TABLE_CELL_RULE = re.compile(r":?-{3,}:?")
SENTENCE_ENDS = (".", "!", "?", ":", ";")
EMPHASIS = re.compile(r"[*_`]+")


def is_table_rule(line: str) -> bool:
    """A table's header rule, such as |---|:---:|."""
    if "---" not in line:
        return False
    cells = line.strip().removeprefix("|").removesuffix("|").split("|")
    return all(TABLE_CELL_RULE.fullmatch(cell.strip()) for cell in cells)


def expand_snippets(markdown: str, snippets_dir: Path | Sequence[Path] = SNIPPETS_DIR) -> str:
    """Replace each `--8<-- "file"` (or 'file') line with that file, found in the snippet
    folders (mkdocs.yml's base_path) as the build finds it."""
    folders = (snippets_dir,) if isinstance(snippets_dir, Path) else tuple(snippets_dir)

    def read(name: str) -> str | None:
        for folder in folders:
            path = resolve_include(folder, (".",), name)
            if path:
                return normalised((folder / path).read_text(encoding="utf-8", errors="replace"))
        return None

    return expand_includes(normalised(markdown), read)


def normalised(text: str) -> str:
    """Newlines as \\n, as the Markdown model reads a file."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def inline_text(line: str) -> str:
    """The words of one line of Markdown, without markup. (Each pattern runs only when its
    first character is on the line: most lines are plain words, and a big site has many.)"""
    if "[" in line:
        line = IMAGE.sub(r"\1", line)
        line = LINK.sub(r"\1", line)
        line = REFERENCE_LINK.sub(r"\1", line)
    if "<" in line:
        line = AUTOLINK.sub("", line)
        line = HTML_TAG.sub(" ", line)
    if "{" in line:
        line = ATTR_LIST.sub("", line)
    line = EMPHASIS.sub("", line)
    return " ".join(line.split())


def prose_blocks(markdown: str) -> list[str]:
    """Headings, list items, table cells and paragraphs, each as one block of text."""
    markdown = normalised(markdown)
    front = FRONT_MATTER.match(markdown)
    text = mask_code_and_comments(markdown[front.end():] if front else markdown, block_spans)
    text = ABBREVIATION_DEF.sub("", text)
    text = LINK_DEF.sub("", text)
    blocks: list[str] = []
    paragraph: list[str] = []

    def close_paragraph() -> None:
        if paragraph:
            blocks.append(" ".join(paragraph))
            paragraph.clear()

    for raw in text.splitlines():
        admonition = ADMONITION.match(raw)
        if admonition:
            close_paragraph()
            if admonition.group(1):
                blocks.append(admonition.group(1))
            continue
        if not raw.strip() or is_table_rule(raw):
            close_paragraph()
            continue
        if raw.strip().startswith("|"):
            close_paragraph()
            blocks.extend(cell for cell in (inline_text(c) for c in raw.strip().strip("|").split("|")) if cell)
            continue
        if BLOCK_MARK.match(raw) or re.match(r"^\s*<(h\d|p|li|div)\b", raw):
            close_paragraph()
            words = inline_text(BLOCK_MARK.sub("", raw))
            if words:
                paragraph.append(words)
            continue
        words = inline_text(raw)
        if words:
            paragraph.append(words)
    close_paragraph()
    return [block for block in blocks if re.search(r"[A-Za-z]", block)]


def prose_text(markdown: str) -> str:
    """The page as plain sentences, each block ending with a full stop."""
    return " ".join(block if block.endswith(SENTENCE_ENDS) else block + "." for block in prose_blocks(markdown))


def measures():
    """textstat, imported where a page is measured: the import costs about 0.4 s (it loads
    pkg_resources), and the checker measures pages in a forked process of its own, so its
    main process, checking links meanwhile, never pays for it."""
    import textstat

    return textstat


def page_grade(markdown: str, snippets_dir: Path | Sequence[Path] = SNIPPETS_DIR) -> float:
    """Flesch-Kincaid grade of a page's prose, with its snippets included."""
    text = prose_text(expand_snippets(markdown, snippets_dir))
    if len(text.split()) < 10:
        return 0.0
    return round(float(measures().flesch_kincaid_grade(text)), 1)


# Fernandez-Huerta reading ease of Spanish pages: 70 or more is "fairly easy" (issue 17).
SPANISH_SNIPPET_DIRS = (SNIPPETS_DIR / "es", SNIPPETS_DIR)
MIN_READING_EASE_ES = 70.0


def page_reading_ease(markdown: str, snippet_dirs: Sequence[Path] = SPANISH_SNIPPET_DIRS) -> float:
    """Fernandez-Huerta reading ease of a Spanish page's prose, with its snippets included."""
    text = prose_text(expand_snippets(markdown, snippet_dirs))
    if len(text.split()) < 10:
        return 100.0
    textstat = measures()
    textstat.set_lang("es")
    try:
        return round(float(textstat.fernandez_huerta(text)), 1)
    finally:
        textstat.set_lang("en_US")  # textstat's language is global: the English grade needs it back


def main(argv: list[str]) -> int:
    """Print the grade of each page named (every page in docs/ if none); exit 2 on a bad name."""
    parser = argparse.ArgumentParser(description="Flesch-Kincaid grade of each page's prose, snippets included.")
    parser.add_argument("pages", nargs="*", help="Markdown files (default: every page in docs/)")
    names = parser.parse_args(argv).pages or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md"))
    for name in names:
        try:
            text = Path(name).read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            print(f"readability: cannot read {name}: {error.strerror}", file=sys.stderr)
            return 2
        if Path(name).as_posix().startswith("docs-es/") or "/docs-es/" in Path(name).as_posix():
            print(f"{page_reading_ease(text):5.1f}  {name}  (Fernandez-Huerta reading ease)")
        else:
            print(f"{page_grade(text):5.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
