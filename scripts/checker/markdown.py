"""The one Markdown model: a source file read once, and what the build would see in it.

SourceFile gives, each computed once when first asked: the text (UTF-8, newlines as \n), the
front matter (parse_front_matter), code spans, fences (``` and ~~~) and HTML comments
(code_and_comment_spans, mask_code_and_comments), links, reference definitions, raw HTML
tags and ids, headings (with their slugs, as markdown.extensions.toc makes them) and snippet
includes (--8<-- "x.md" or 'x.md') in document order, and the prose a reader sees
(prose_without_urls, prose). The checker's rules and scripts/readability.py read pages only
through this module, so they cannot disagree about what a page holds.

Every pattern runs in linear time on any input (code spans are found by a scan, see
code_and_comment_spans); tests/test_hostile_checker.py times long runs of each character.
"""

from __future__ import annotations

import bisect
import html
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from markdown.extensions.toc import slugify

from checker.findings import Finding, finding
from yaml_tags import FastCheckedLoader, RefusedYaml, load_checked

# How deep snippets may include snippets (a loop stops here, as pymdownx.snippets stops one).
MAX_INCLUDE_DEPTH = 8

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
NOT_NEWLINE = re.compile(r"[^\n]")

SNIPPET_LINE = re.compile(r"""^[ \t]*-{1,}8<-{1,}[ \t]+(["'])([^"'\n]+)\1[ \t]*$""", re.MULTILINE)
ATX_HEADING = re.compile(r"^[ \t]*(#{1,6})(?!#)(.*?)$", re.MULTILINE)
SETEXT_UNDERLINE = re.compile(r"\n[ \t]{0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)
ATTR_LIST = re.compile(r"\{:?([^{}\n]*)\}")
ATTR_TOKEN = re.compile(r"""^(?:[#.][\w-]+|[\w-]+=(?:"[^"]*"|'[^']*'|\S+))$""")
HTML_TAG = re.compile(r"<([A-Za-z][\w-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
HTML_ATTRIBUTE = re.compile(r"""(?:^|\s)([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
INLINE_LINK = re.compile(  # possessive (*+): the spaces around the target are never read twice
    r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*+(<[^<>\n]*>|(?:[^\s()]|\([^\s()]*\))*+)"
    r"""(?:\s++(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*+\)""")
REFERENCE_USE = re.compile(r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\[([^\[\]\n]*)\]")
REFERENCE_DEF = re.compile(r"^[ ]{0,3}\[([^\[\]\n^]+)\]:[ \t]*(<[^<>\n]*>|\S+)[^\n]*$", re.MULTILINE)
AUTOLINK = re.compile(r"<((?:https?|ftp|mailto|tel|javascript|data):[^<>\s]*)>", re.IGNORECASE)
BARE_URL = re.compile(r"(?<![\w/@.-])(?:(?:https?|ftp)://|www\.)[^\s<>()\[\]\"'`]+", re.IGNORECASE)
LINK_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "background", "data"})
VALE_SWITCH = re.compile(r"<!--\s*vale\s([^>]*?)-->", re.IGNORECASE)
ADMONITION_TYPE = re.compile(r"^([ \t]*(?:!!!|\?\?\?\+?)[ \t]+)([\w-]+)", re.MULTILINE)
FRONT_MATTER_VALUE = re.compile(r"^(?:title|description):(.*)$", re.MULTILINE)
FRONT_MATTER_KEY = re.compile(r"^([^\s:#][^:\n]*):[ \t]*", re.MULTILINE)


def blank_out(match: re.Match[str]) -> str:
    """The matched text with every character but newlines turned into a space."""
    return NOT_NEWLINE.sub(" ", match.group())


def stripped_span(match: re.Match[str], group: int) -> tuple[int, int]:
    """Where a group's text is, without the spaces and tabs around it."""
    value = match.group(group)
    return (match.start(group) + len(value) - len(value.lstrip(" \t")),
            match.end(group) - len(value) + len(value.rstrip(" \t")))


# Code and comments are found by a scan, not by one regex: a regex for code spans backtracks
# exponentially on a stray backtick followed by a long run of backticks.
CODE_START = re.compile(r"^[ \t]*(?:`{3,}|~{3,})|<!--|`+", re.MULTILINE)
FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.MULTILINE)
BACKTICKS = re.compile(r"`+")
PARAGRAPH_BREAK = re.compile(r"\n(?=[ \t]*\n)")  # a newline followed by a blank line


class BacktickRuns:
    """Every run of backticks in a text, by length, and where its paragraphs end: found once,
    so the end of each code span is a lookup (linear time on any run of backticks)."""

    def __init__(self, text: str):
        self.by_length: dict[int, list[int]] = {}
        for match in BACKTICKS.finditer(text):
            self.by_length.setdefault(match.end() - match.start(), []).append(match.start())
        self.breaks = [match.start() for match in PARAGRAPH_BREAK.finditer(text)]

    def span_end(self, start: int, length: int) -> int | None:
        """The end of the code span that the run of `length` backticks at `start` opens, or None
        when it does not close: the next run of exactly that length, in the same paragraph."""
        runs = self.by_length.get(length, [])
        index = bisect.bisect_right(runs, start)
        if index == len(runs):
            return None
        close = runs[index]
        paragraph = bisect.bisect_left(self.breaks, start + length)
        if paragraph < len(self.breaks) and self.breaks[paragraph] < close:
            return None
        return close + length


def fence_end(text: str, match: re.Match[str]) -> int | None:
    """The end of the fenced block whose opening line `match` starts (None: no line after it)."""
    newline = text.find("\n", match.end())
    if newline < 0:
        return None
    fence = match.group().lstrip(" \t")
    for closing in FENCE_LINE.finditer(text, newline + 1):
        if closing.group(1).startswith(fence):
            end = text.find("\n", closing.end())
            return len(text) if end < 0 else end
    return len(text)


def code_and_comment_spans(text: str) -> Iterator[tuple[int, int]]:
    """Fenced code, HTML comments and code spans, left to right, as (start, end) offsets."""
    return ((start, end) for start, end, _ in marked_spans(text))


def block_spans(text: str) -> Iterator[tuple[int, int]]:
    """Fenced code blocks and HTML comments only (code spans stay: their words are read)."""
    return ((start, end) for start, end, kind in marked_spans(text) if kind != "code")


def marked_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of each fence, comment and code span; kind is fence, comment or code."""
    runs: BacktickRuns | None = None
    position = 0
    while match := CODE_START.search(text, position):
        start, token = match.start(), match.group()
        fence = token.lstrip(" \t")
        kind = "comment" if token == "<!--" else "fence"
        if token == "<!--":
            close = text.find("-->", start + 4)
            end: int | None = len(text) if close < 0 else close + 3
        elif (start == 0 or text[start - 1] == "\n") and fence[:3] in ("```", "~~~"):
            end = fence_end(text, match)
        else:
            end = None
        if end is None and fence.startswith("`"):  # a code span (or a fence with no line after it)
            start, kind = match.end() - len(fence), "code"
            runs = runs or BacktickRuns(text)
            end = runs.span_end(start, len(fence))
        if end is None:
            position = match.end()  # a stray run of backticks is plain text
            continue
        yield start, end, kind
        position = end


def mask_code_and_comments(text: str, spans: Callable[[str], Iterator[tuple[int, int]]] | None = None) -> str:
    """The text with fenced code, code spans and HTML comments (or the given `spans`) blanked
    out, newlines kept."""
    pieces, previous = [], 0
    for start, end in (spans or code_and_comment_spans)(text):
        pieces += [text[previous:start], NOT_NEWLINE.sub(" ", text[start:end])]
        previous = end
    pieces.append(text[previous:])
    return "".join(pieces)


# ------------------------------------------------------------------ snippets (pymdownx.snippets)

def resolve_include(root: Path, bases: tuple[str, ...], name: str) -> str | None:
    """The root-relative path of a snippet, searched in the base paths as pymdownx does
    (a `file:lines` suffix is dropped unless a file is named so), or None when it is missing."""
    clean = name.split(":", 1)[0] if not (root / name).exists() else name
    for base in bases:
        candidate = posixpath.normpath(posixpath.join(base, clean))
        if not candidate.startswith("../") and (root / candidate).is_file():
            return candidate
    return None


def expand_includes(text: str, read: Callable[[str], str | None], depth: int = 0) -> str:
    """The text with each `--8<-- "file"` line replaced by that file (read(name); None: dropped),
    recursively up to MAX_INCLUDE_DEPTH, as the build does. Lines in code or comments stay."""
    masked = mask_code_and_comments(text) if "8<" in text else ""
    if depth > MAX_INCLUDE_DEPTH or not masked:
        return text
    pieces, previous = [], 0
    for match in SNIPPET_LINE.finditer(masked):
        included = read(match.group(2).strip())
        pieces += [text[previous:match.start()],
                   expand_includes(included, read, depth + 1) if included is not None else ""]
        previous = match.end()
    return "".join(pieces) + text[previous:]


@dataclass(frozen=True)
class Link:
    target: str
    offset: int  # where the link starts in the file's text
    kind: str  # markdown, image, refdef, autolink, html


@dataclass(frozen=True)
class Heading:
    slug: str  # the slug of its text (ignored when explicit_id is set)
    explicit_id: str | None
    offset: int


@dataclass(frozen=True)
class Include:
    name: str
    offset: int


class SourceFile:
    """One text file, read once; every parse of it is computed once, when first needed."""

    def __init__(self, root: Path, relative: str):
        self.path = relative
        self.absolute = root / relative
        self.text = ""
        self.raw = b""  # the bytes as read: --fix writes only if the file still holds them
        self.problem: Finding | None = None
        self._read()

    def _read(self) -> None:
        try:
            data = self.absolute.read_bytes()
        except OSError as error:
            self.problem = finding(self.path, 1, 1, "unreadable", f"cannot read the file: {error.strerror or error}")
            return
        self.raw = data
        if b"\x00" in data:
            line = data.count(b"\n", 0, data.index(b"\x00")) + 1
            self.problem = finding(self.path, line, 1, "unreadable", "binary data (a NUL byte), not a text page")
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
            self.problem = finding(self.path, line, column, "unreadable",
                                   f"not UTF-8 text (byte 0x{data[error.start]:02x})")
            return
        self.text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")

    @property
    def readable(self) -> bool:
        return self.problem is None

    @cached_property
    def line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset into the text."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    @cached_property
    def front_matter_match(self) -> re.Match[str] | None:
        return FRONT_MATTER.match(self.text)

    @cached_property
    def body_start(self) -> int:
        match = self.front_matter_match
        return match.end() if match else 0

    @cached_property
    def front_matter_keys(self) -> dict[str, int]:
        """Offset of each top-level front matter field's value (the first, if repeated)."""
        keys: dict[str, int] = {}
        for match in FRONT_MATTER_KEY.finditer(self.text, 0, self.body_start):
            keys.setdefault(match.group(1).rstrip(" \t"), match.end())
        return keys

    @cached_property
    def code_masked(self) -> str:
        """The text with front matter, fenced code, code spans and HTML comments blanked out."""
        head = NOT_NEWLINE.sub(" ", self.text[: self.body_start])
        return head + mask_code_and_comments(self.text[self.body_start:])

    @cached_property
    def tags(self) -> list[tuple[str, str, int, int]]:
        """Raw HTML tags outside code: (name, attributes, offset of <, offset of attributes)."""
        return [(m.group(1).lower(), m.group(2), m.start(), m.start(2)) for m in HTML_TAG.finditer(self.code_masked)]

    @cached_property
    def reference_definitions(self) -> dict[str, tuple[str, int]]:
        if "]:" not in self.code_masked:
            return {}
        return {normalise_label(m.group(1)): (m.group(2).strip("<>"), m.start())
                for m in REFERENCE_DEF.finditer(self.code_masked)}

    @cached_property
    def links(self) -> list[Link]:
        """Every link, image, reference definition, autolink and raw HTML href/src outside code."""
        text = self.code_masked
        links = []
        if "](" in text:
            for m in INLINE_LINK.finditer(text):
                image = m.start() > 0 and text[m.start() - 1] == "!"
                links.append(Link(m.group(2).strip("<>"), m.start() - image, "image" if image else "markdown"))
        links += [Link(target, offset, "refdef") for target, offset in self.reference_definitions.values()]
        links += [Link(m.group(1), m.start(), "autolink") for m in AUTOLINK.finditer(text)]
        for name, attributes, start, attributes_start in self.tags:
            for attribute in HTML_ATTRIBUTE.finditer(attributes):
                key = attribute.group(1).lower()
                if key in LINK_ATTRIBUTES and (key != "data" or name == "object"):
                    value = next(g for g in attribute.groups()[1:] if g is not None)
                    links.append(Link(value, attributes_start + attribute.start(1), "html"))
        return sorted(links, key=lambda link: link.offset)

    @cached_property
    def undefined_references(self) -> list[tuple[str, int]]:
        if "][" not in self.code_masked:
            return []
        defined = self.reference_definitions
        missing = []
        for match in REFERENCE_USE.finditer(self.code_masked):
            label = normalise_label(match.group(2) or match.group(1))
            if label not in defined:
                start = match.start() - (match.start() > 0 and self.code_masked[match.start() - 1] == "!")
                missing.append((match.group(2) or match.group(1), start))
        return missing

    @cached_property
    def outline(self) -> list[Heading | Include]:
        """Headings and snippet includes, in document order."""
        text = self.code_masked
        items: list[Heading | Include] = [Include(m.group(2).strip(), m.start()) for m in SNIPPET_LINE.finditer(text)]
        for match in ATX_HEADING.finditer(text, self.body_start):
            raw = self.text[match.start(2):match.end(2)]  # the masked text has code spans blanked
            raw = re.sub(r"[ \t]#+[ \t]*$|^#+[ \t]*$", "", raw.rstrip())
            items.append(heading_from_text(raw, match.start()))
        for match in SETEXT_UNDERLINE.finditer(text, self.body_start):
            start = text.rfind("\n", 0, match.start()) + 1
            if start < self.body_start or not text[start:match.start()].strip():
                continue
            line = self.text[start:match.start()]
            if re.match(r"^[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|#|\||>|<|!!!|\?\?\?|-{3,}|={3,}|:)", line):
                continue
            items.append(heading_from_text(line.strip(), start))
        return sorted(items, key=lambda item: item.offset)

    @cached_property
    def explicit_ids(self) -> set[str]:
        """Ids set with attr_list ({#id} or {: #id}) anywhere outside code."""
        ids = set()
        for match in ATTR_LIST.finditer(self.code_masked, self.body_start):
            ids.update(attr_list_ids(match.group(1)))
        return ids

    @cached_property
    def html_ids(self) -> set[str]:
        """Ids of raw HTML elements (id=, and name= on <a>), which the build keeps."""
        ids = set()
        for name, attributes, _, _ in self.tags:
            for attribute in HTML_ATTRIBUTE.finditer(attributes):
                key = attribute.group(1).lower()
                if key == "id" or (key == "name" and name == "a"):
                    ids.add(html.unescape(next(g for g in attribute.groups()[1:] if g is not None)))
        return ids


def normalise_label(label: str) -> str:
    return " ".join(label.lower().split())


HEADING_ATTR_LIST = re.compile(r"\{:?([^{}\n]*)\}[ \t]*$")


def is_attr_list(content: str) -> bool:
    """`#id .class key=value` tokens, as attr_list reads them between { and }."""
    tokens = content.split()
    return bool(tokens) and all(ATTR_TOKEN.match(token) for token in tokens)


def attr_list_ids(content: str) -> list[str]:
    if not is_attr_list(content):
        return []
    return [token[1:] for token in content.split() if token.startswith("#")]


INLINE_IMAGE = re.compile(r"!\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\([^()\n]*(?:\([^()\n]*\)[^()\n]*)*\)")
INLINE_LINK_TEXT = re.compile(r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\](?:\([^()\n]*(?:\([^()\n]*\)[^()\n]*)*\)|\[[^\[\]\n]*\])")
UNDERSCORES = re.compile(r"_+")
WORD_CHARACTER = re.compile(r"\w")
BACKSLASH_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|:\"'])")
PLACEHOLDER = "\x02{}\x03"


HEADING_MARKUP = re.compile(r"[`!\[\]<>*_\\&]")


def heading_text(raw: str) -> str:
    """The text of a heading as the build's toc extension sees it, before slugify."""
    if not HEADING_MARKUP.search(raw):
        return " ".join(raw.split())
    codes: list[str] = []
    pieces, previous = [], 0
    for start, end in code_and_comment_spans(raw):
        if raw.startswith("`", start):
            ticks = BACKTICKS.match(raw, start).end() - start  # type: ignore[union-attr]
            codes.append(raw[start + ticks:end - ticks].strip())
            pieces += [raw[previous:start], PLACEHOLDER.format(len(codes) - 1)]
        elif raw.endswith("-->", 0, end):
            pieces.append(raw[previous:start])  # an HTML comment
        else:
            continue  # an HTML comment that is never closed is text
        previous = end
    text = "".join(pieces) + raw[previous:]
    text = INLINE_IMAGE.sub("", text)
    text = INLINE_LINK_TEXT.sub(lambda m: m.group(1), text)
    text = re.sub(r"</?[A-Za-z][^<>]*>", "", text)
    text = UNDERSCORES.sub(emphasis_underscores, text)
    text = text.replace("*", "")
    text = BACKSLASH_ESCAPE.sub(r"\1", text)
    text = re.sub("\x02(\\d+)\x03", lambda m: codes[int(m.group(1))], text)
    return html.unescape(" ".join(text.split()))


def emphasis_underscores(match: re.Match[str]) -> str:
    """What emphasis leaves of a run of underscores: none at a word's edge, all inside a word."""
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else " "
    if not WORD_CHARACTER.match(before) and before != "\\":
        return ""
    if end < len(text) and WORD_CHARACTER.match(text[end]):
        return match.group()
    return "_" if before == "\\" else ""


def heading_from_text(raw: str, offset: int) -> Heading:
    explicit = None
    attr = None if "{" not in raw else HEADING_ATTR_LIST.search(raw)
    if attr and is_attr_list(attr.group(1)):
        ids = attr_list_ids(attr.group(1))
        explicit = ids[-1] if ids else None
        raw = raw[: attr.start()]
    return Heading(slugify(heading_text(raw), "-"), explicit, offset)


# ------------------------------------------------------------------ front matter

def front_matter_line(source: SourceFile, key: str) -> tuple[int, int]:
    """Line and column of a front matter field's value (1, 1 when the field is not there)."""
    offset = source.front_matter_keys.get(key)
    return (1, 1) if offset is None else source.position(offset)


def parse_front_matter(source: SourceFile) -> tuple[dict | None, Finding | None]:
    match = source.front_matter_match
    if not match:
        if source.text.startswith("---"):
            return None, finding(source.path, 1, 1, "front-matter",
                                 "the front matter has no closing --- line")
        return None, finding(source.path, 1, 1, "front-matter", "the page has no front matter",
                             fix="Start the file with a --- line, the fields title, description, written "
                                 "and sources, then a --- line.")
    try:
        data = load_checked(match.group(1) or "", FastCheckedLoader, first_line=2)
    except RefusedYaml as error:
        mark = error.problem_mark
        return None, finding(source.path, mark.line + 2 if mark else 1, mark.column + 1 if mark else 1,
                             "front-matter", f"in the front matter, {error.problem}")
    except yaml.YAMLError as error:
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        column = mark.column + 1 if mark else 1
        problem = getattr(error, "problem", None) or "invalid YAML"
        return None, finding(source.path, line, column, "front-matter",
                             f"the front matter is not valid YAML ({problem})",
                             fix="Write one `field: value` a line; put quotes around a value that holds a colon.")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, finding(source.path, 2, 1, "front-matter", "the front matter is not a list of `field: value` lines")
    return data, None


# ------------------------------------------------------------------ prose: the text a reader sees

PROSE_NOISE = re.compile(  # each branch starts with a literal character, so the scan is quick
    r"<[A-Za-z/!][^<>]*>"  # HTML tags, autolinks
    r"|\]\((?:[^()\n]|\([^()\n]*\))*\)"  # link targets
    r"|\]\[[^\[\]\n]*\]"  # reference labels
    r"|\{:?[ \t]*[#.:][^{}\n]*\}")  # attribute lists
PROSE_NOISE_LINES = re.compile(
    r"^[ ]{0,3}\[[^\[\]\n]+\]:[^\n]*$"  # reference definitions
    r"|^[ \t]*-{1,}8<-{1,}[^\n]*$",  # snippet lines
    re.MULTILINE)


def vale_off_spans(text: str, rule_name: str) -> list[tuple[int, int]]:
    """Spans where the rule is switched off with Vale comments."""
    style = rule_name.split(".")[0].lower()
    spans, start = [], None
    for match in VALE_SWITCH.finditer(text):
        words = match.group(1).strip().replace(" ", "").lower()
        off = words in ("off", f"{rule_name.lower()}=no", f"{style}=no")
        on = words in ("on", f"{rule_name.lower()}=yes", f"{style}=yes")
        if off and start is None:
            start = match.start()
        elif on and start is not None:
            spans.append((start, match.end()))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def prose_without_urls(source: SourceFile) -> str:
    """Text a reader sees: code, comments, tags, link targets and markup blanked out, URLs kept."""
    text = PROSE_NOISE.sub(blank_out, source.code_masked)
    if "]:" in text or "8<" in text:
        text = PROSE_NOISE_LINES.sub(blank_out, text)
    if "!!!" in text or "???" in text:
        text = ADMONITION_TYPE.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
    front = source.front_matter_match
    if front:
        head = NOT_NEWLINE.sub(" ", source.text[: front.end()])
        for value in FRONT_MATTER_VALUE.finditer(source.text, 0, front.end()):
            start, end = stripped_span(value, 1)
            head = head[:start] + source.text[start:end] + head[end:]
        text = head + text[front.end():]
    return text


def may_hold_url(text: str) -> bool:
    return "://" in text or "www." in text or "WWW." in text


def prose(source: SourceFile, rule_name: str, without_urls: str | None = None) -> str:
    """Text the terminology rule reads: prose_without_urls, URLs and switched-off text blanked out."""
    text = without_urls if without_urls is not None else prose_without_urls(source)
    if may_hold_url(text):
        text = BARE_URL.sub(blank_out, text)
    for start, end in vale_off_spans(source.text, rule_name):
        text = text[:start] + NOT_NEWLINE.sub(" ", text[start:end]) + text[end:]
    return text


