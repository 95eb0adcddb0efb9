#!/usr/bin/env python3
"""Check a clinic's settings file before the site is built with it.

    python scripts/clinic_settings.py [--format text|json|github] clinics/example.yml

`make build CLINIC=clinics/<name>.yml` runs this before MkDocs reads the file. Each problem
is one finding of the checker's kind (scripts/checker/findings.py), printed as
scripts/check.py prints them: `path:line:col: error rule: field: what to write instead`, or
JSON, or GitHub annotations. Exit status: 0 the settings are fine, 1 problems found, 2 the
file cannot be read (not UTF-8, not YAML, not a set of `key: value` lines) or the command
is wrong.

A clinic file is written by people who make mistakes and, sometimes, by people who mean
harm; its values reach every page, the care cards and the web server's headers. So:
  - the file holds only the settings below (SETTINGS, THEME_FIELDS, CLINIC_FIELDS): it
    inherits the whole guide (INHERIT: ../mkdocs.yml) and points docs_dir and
    theme.custom_dir back at the guide's folders;
  - every value is one line of text, in quotes where YAML would read something else: an
    unquoted 02071234567 is an octal number to YAML (283457911), `yes` is true, and a `#`
    starts a comment; lists and mappings only where the table says so;
  - every value has a length limit, and no value holds markup (< > " ` { }), control or
    invisible characters; the site name and description, which the theme prints as they
    are, hold no & either;
  - no YAML anchors or aliases (a few lines of them can expand to gigabytes), no key twice;
  - the fields a patient relies on are filled in: the clinic's name and phone, and the
    three numbers on the care cards, each a phone number;
  - the brand colour is a #rrggbb colour on which white text keeps WCAG AA contrast
    (4.5 to 1), since the header shows white text on it;
  - site_url is https://host/ or https://host/folder/, with no query or fragment (it makes
    the QR codes and the 404 page); website and booking_url are https;
  - frame_ancestors lists origins, https://host[:port] or https://*.host.example, which go
    into the Content-Security-Policy header (scripts/security_headers.py checks them
    again with origin_problem and site_url_problem before it writes a header);
  - the logo is an image file inside docs/ (no ../, no absolute path, no link out of it);
  - languages lists codes of the languages the guide is built in (mkdocs.yml extra.alternate),
    each once, en among them (a copy's English pages are at its root); without it a copy is
    in English only;
  - leave_out names sections (folders of docs/) or pages of the guide that exist, never
    the start page or the pages every host must show (NEVER_LEFT_OUT), and never a page
    that holds a section's warning signs unless the whole section goes with it
    (scripts/assemble_clinic.py builds the clinic's copy without them).

The checks read YAML nodes, never construct Python objects, so a bad file gives messages
and never a traceback.
"""

from __future__ import annotations

import difflib
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

SCRIPTS_DIR = Path(__file__).resolve().parent
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

from checker.findings import (FORMATS, ArgumentError, Finding, Parser, exit_status,  # noqa: E402
                              format_findings)

ROOT = SCRIPTS_DIR.parent
SETTINGS_GUIDE = "HOSTING.md#1-your-settings-one-file"  # where a clinic reads what each setting takes
MIN_CONTRAST = 4.5  # WCAG 2.2 AA, normal text
WHITE = "#ffffff"
MAX_FILE_BYTES = 4_000_000  # a settings file is a few kilobytes
MAX_ORIGINS = 10
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml reads a 1 MB value at once
STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"


@dataclass(frozen=True)
class Field:
    """One setting: what kind of value it takes, how long it may be, and an example."""

    kind: str  # flag (true or false), choice (one of `choices`), text, plain (printed by the theme as it is), phone, email, https, colour, site_url, logo, path; lists: origins, paths, pages (LIST_KINDS), languages (check_languages)
    limit: int
    example: str
    meaning: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()  # kind "choice": the values it may take, the first the default


# Every field of extra.clinic the theme reads.
CLINIC_FIELDS: dict[str, Field] = {
    "name": Field("text", 80, "Riverside Physiotherapy", "the clinic's name, shown in the footer and on handouts", True),
    "phone": Field("phone", 30, "01632 960 123", "the number patients call; shown in the footer and on the non-urgent care card", True),
    "emergency_number": Field("phone", 15, "999", "the number on the emergency care card, for example 999 or 911", True),
    "urgent_line_name": Field("text", 40, "NHS 111", "the urgent advice line on the urgent care card, for example NHS 111", True),
    "urgent_line_number": Field("phone", 15, "111", "the urgent advice line's number, for example 111", True),
    "email": Field("email", 100, "hello@clinic.example", "the clinic's email address"),
    "address": Field("text", 200, "12 River Street, Exampletown, EX1 2AB", "the clinic's postal address"),
    "website": Field("https", 200, "https://clinic.example/", "the clinic's own web site (https)"),
    "opening_hours": Field("text", 120, "Monday to Friday, 8am to 6pm", "when the clinic answers the phone"),
    "booking_url": Field("https", 200, "https://clinic.example/book/", "where patients book or contact the clinic (https)"),
    "colour": Field("colour", 7, "#00594f", "brand colour for the header, #rrggbb"),
    "frame_ancestors": Field("origins", 100, "https://clinic.example", "https origins allowed to show the guide in a frame"),
    # Read by scripts/reviews.py (clinic-check): the build stops while a page lacks the clinic's current approval.
    "require_local_approval": Field("flag", 5, "true", "true: the build stops while a page lacks the clinic's current approval"),
    # Read by scripts/assemble_clinic.py: sections (folders of docs/) or pages the clinic's copy leaves out.
    "leave_out": Field("pages", 100, "dry-needling", "sections or pages of the guide your copy leaves out"),
    # Read by scripts/assemble_clinic.py: en-US makes a US English copy (scripts/us_english.py).
    "locale": Field("choice", 5, "en-US", "the guide's English: en-GB (the default) or en-US", choices=("en-GB", "en-US")),
    # Read by scripts/languages.py (the Makefile's LANGUAGES) and scripts/assemble_clinic.py: the
    # languages of the copy, English at its root, each other in <site>/<code>/. Default: DEFAULT_LANGUAGES.
    "languages": Field("languages", 10, "[en, es]", "the languages of your copy: en, and any other the guide offers"),
}
ENGLISH = "en"  # every copy's first language, at its root: its pages, its own pages, its approvals
DEFAULT_LANGUAGES = (ENGLISH,)  # a copy publishes under the clinic's name only what it chose

# The top-level settings a clinic file may hold (theme and extra are read below).
SETTINGS: dict[str, Field] = {
    "INHERIT": Field("path", 40, "../mkdocs.yml", "so the file takes the whole guide and its updates", True),
    "docs_dir": Field("path", 40, "../docs", "paths in a clinic file are read from the clinics/ folder", True),
    "watch": Field("paths", 40, "../snippets"),
    "site_name": Field("plain", 80, "Riverside Physiotherapy patient guide"),
    "site_description": Field("plain", 300, "Plain-language patient guide to nerve pain"),
    "site_url": Field("site_url", 200, "https://clinic.example/patient-info/"),
}
THEME_FIELDS: dict[str, Field] = {
    "custom_dir": Field("path", 40, "../overrides", "without it the clinic's name and numbers are not shown", True),
    "logo": Field("logo", 200, "assets/clinic-logos/example.svg"),
}
REQUIRED_PATHS = {"INHERIT": "../mkdocs.yml", "docs_dir": "../docs", "custom_dir": "../overrides"}
OWN_SECTION = "our-clinic"  # the folder of a clinic's own pages and files in its copy (scripts/assemble_clinic.py)
# Pages every copy of the guide keeps: the start page (it leads to the warning signs), and
# what a host must show (disclaimer, privacy, accessibility) or pages rest on (sources).
NEVER_LEFT_OUT = ("index.md", "about/index.md", "about/disclaimer.md", "about/privacy.md", "about/accessibility.md",
                  "about/sources.md", "about/review-status.md")
# A page that includes a section's table of warning signs is that section's warning-sign page.
WARNING_SIGNS_INCLUDE = re.compile(r"""^[ \t]*-+8<-+[ \t]+(["'])generated/warning-signs-[^"'\n]+\1[ \t]*$""", re.MULTILINE)



@dataclass(frozen=True)
class Folders:
    """Where the settings' paths lead: the guide's docs/, and the clinic's own files
    (clinics/<clinic>/docs/, which its copy holds as our-clinic/)."""

    docs: Path
    own: Path | None = None


# ---------------------------------------------------------------- what a value may look like

MARKUP = set('<>"`{}')  # could open a tag, end an attribute, or fill in a care card's {field}
PLAIN_MARKUP = MARKUP | {"&"}  # the theme prints site_name and site_description as they are
TEXT_KINDS = ("text", "plain", "phone", "email")  # where "write it in quotes" is the fix for a number
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST = rf"{LABEL}(?:\.{LABEL})*"
PORT = r"(?::[0-9]{1,5})?"
ORIGIN = re.compile(rf"https://(?:\*\.{LABEL}\.)?{HOST}{PORT}")
URL_FOLDER = r"/(?:[A-Za-z0-9_~%-][A-Za-z0-9._~%-]*/)*"  # /, /patient-info/, /a/b/: no "." or ".." folders
SITE_URL = re.compile(rf"https://{HOST}{PORT}{URL_FOLDER}")
HTTPS_URL = re.compile(rf"https://{HOST}{PORT}(?:[/?#][^\s\"'<>`\\{{}}|^]*)?")
EMAIL = re.compile(rf"[A-Za-z0-9._%+-]{{1,64}}@{LABEL}(?:\.{LABEL})+")
PHONE = re.compile(r"\+?[0-9 ()./-]+")  # and at least one digit
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
LOGO_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
LOGO_TYPES = (".svg", ".png", ".jpg", ".jpeg", ".webp")
HEADER_BREAKERS = re.compile(r"[\s\"';,\\]")  # end a header, a quoted value or a CSP directive


class Unreadable(Exception):
    """The file is not a YAML mapping that can be checked at all (exit status 2)."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


# A finding before it gets the file's name: (node it is about, rule, message).
NodeProblem = tuple[yaml.Node, str, str]


def shown(text: str, limit: int = 40) -> str:
    """A value as a message quotes it: short, on one line, control characters as \\uXXXX."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


# ---------------------------------------------------------------- colour contrast

def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# ---------------------------------------------------------------- checks on one value
# Each returns what to write instead, or None when the value is fine. site_url_problem and
# origin_problem are also used by scripts/security_headers.py before it writes a header.

def character_problem(value: str, forbidden: set[str]) -> str | None:
    for character in value:
        if character in forbidden:
            return f"remove the {character!r}: it is markup in a web page" + (
                '; write "and" instead of &' if character == "&" else "")
        if character in "\r\n\t":
            return "write it on one line (use commas instead of line breaks)"
        if unicodedata.category(character) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
            return f"remove the invisible character U+{ord(character):04X}"
    return None


def https_address_problem(value: str, pattern: re.Pattern, example: str) -> str | None:
    """The first thing wrong with a web address, as the fix to make."""
    breaker = HEADER_BREAKERS.search(value)
    if breaker:
        what = "space or line break" if breaker.group().isspace() else repr(breaker.group())
        return f"remove the {what}: write the address alone, for example {example}"
    parts = urlsplit(value)
    if parts.scheme != "https":
        return f"start it with https://, for example {example}"
    if pattern is SITE_URL and (parts.query or parts.fragment or "?" in value or "#" in value):
        return f"remove the ?… or #… part: write the guide's own address, for example {example}"
    if pattern is SITE_URL and not value.endswith("/"):
        return f"end it with /, for example {shown(value)}/"
    if not pattern.fullmatch(value):
        return f"write it as {example} (letters, digits and - . _ ~ only)"
    return None


def site_url_problem(value: str) -> str | None:
    """site_url: https://host[:port]/ or https://host/folder/, nothing that could leave a header."""
    return https_address_problem(value, SITE_URL, SETTINGS["site_url"].example)


def origin_problem(value: str) -> str | None:
    """One frame_ancestors origin: https://host[:port] or https://*.host.example."""
    example = CLINIC_FIELDS["frame_ancestors"].example
    problem = https_address_problem(value, ORIGIN, example)
    if problem and "*" in value and problem.startswith("write it as"):
        return "a * may only stand for the first part of a host name, as in https://*.clinic.example"
    if problem:
        return problem
    if value.endswith("/"):
        return f"remove the / at the end: {value.rstrip('/')}"
    return None


def value_problem(kind: str, value: str) -> str | None:
    """What is wrong with a string value of this kind, or None."""
    if kind in ("text", "phone", "email", "colour"):
        problem = character_problem(value, MARKUP)
    elif kind == "plain":
        problem = character_problem(value, PLAIN_MARKUP)
    else:
        problem = None
    if problem:
        return problem
    if kind == "phone" and not (PHONE.fullmatch(value.strip()) and re.search("[0-9]", value)):
        return f'write the number to call with digits, spaces and + ( ) - only, for example "{CLINIC_FIELDS["phone"].example}"'
    if kind == "email" and not EMAIL.fullmatch(value):
        return f"write one email address, for example {CLINIC_FIELDS['email'].example}"
    if kind == "https":
        return https_address_problem(value, HTTPS_URL, "https://clinic.example/")
    if kind == "site_url":
        return site_url_problem(value)
    if kind == "colour":
        return colour_problem(value)
    return None


def choice_problem(value: str, field: Field) -> str | None:
    """A setting that takes one of a few values (locale)."""
    if value in field.choices:
        return None
    guess = difflib.get_close_matches(value.strip(), field.choices, n=1, cutoff=0.3)
    hint = f"; did you mean {guess[0]}?" if guess else ""
    return f"write one of {' or '.join(field.choices)} (got {shown(value)!r}){hint}"


def colour_problem(colour: str) -> str | None:
    if not COLOUR.fullmatch(colour):
        return f'write the brand colour as #rrggbb in quotes, for example "#00594f" (got {shown(colour)!r})'
    ratio = contrast_ratio(colour.lower(), WHITE)
    if ratio < MIN_CONTRAST:
        return (f"white text on {colour} has a contrast of {ratio:.1f} to 1; WCAG AA needs {MIN_CONTRAST} to 1. "
                "Choose a darker shade of your brand colour")
    return None


# ---------------------------------------------------------------- reading the file

def read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Unreadable(1, 1, f"the file is {size:,} bytes; a settings file is a few kilobytes")
    return path.read_bytes().decode("utf-8")


def unreadable_yaml(error: yaml.YAMLError) -> Unreadable:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    reason = getattr(error, "problem", None) or getattr(error, "context", None) or "not valid YAML"
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Unreadable(line, column, f"not valid YAML: {reason}")


def anchor_finding(text: str, loader: type) -> NodeProblem | None:
    """The first YAML anchor or alias: refused, since aliases can expand a few lines to gigabytes."""
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            node = yaml.ScalarNode(STR_TAG, "", event.start_mark, event.end_mark)
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            return (node, "clinic-yaml", f"{sign}{shown(event.anchor or '')}: YAML anchors and aliases are not "
                    "allowed in a clinic file; write each value out in full")
    return None


def findings_with(text: str, loader: type, folders: Folders) -> list[NodeProblem]:
    """Every finding in the file as one YAML parser reads it; Unreadable if it cannot be checked."""
    try:
        anchor = anchor_finding(text, loader)
        if anchor:
            return [anchor]  # nothing else is read: the nodes could be shared a billion times
        document = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as error:
        raise unreadable_yaml(error) from None
    if not isinstance(document, yaml.MappingNode):
        raise Unreadable(1, 1, "the file must be `key: value` lines; start from clinics/example.yml")
    return check_document(document, text.splitlines(), folders)


def read_findings(path: Path, folders: Folders) -> list[NodeProblem]:
    """Every finding in the file. libyaml reads even a 1 MB value at once; a file it finds
    nothing wrong with is read again by PyYAML's own parser, the one MkDocs uses, since the
    two differ on a few rare inputs (a tab before a value, for one)."""
    text = read_text(path)
    return findings_with(text, LOADER, folders) or findings_with(text, yaml.SafeLoader, folders)


def entries(node: yaml.MappingNode, found: list[NodeProblem], where: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping's keys and value nodes; a key written twice or a key that is not text is a finding."""
    seen: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            found.append((key_node, "clinic-field", f"{where}: write each setting as `name: value`"))
            continue
        key = key_node.value
        if key in seen:
            first = seen[key][0].start_mark.line + 1
            found.append((key_node, "clinic-yaml", f"{shown(key)}: set twice (first on line {first}); keep one"))
            continue
        seen[key] = (key_node, value_node)
    return seen


def mapping_or_finding(name: str, key_node: yaml.Node, value_node: yaml.Node, example: str,
                       found: list[NodeProblem]) -> yaml.MappingNode | None:
    if isinstance(value_node, yaml.MappingNode):
        return value_node
    found.append((key_node, "clinic-field", f"{name}: write `{name}:` with the settings under it, indented, as in clinics/example.yml ({example})"))
    return None


def scalar_text(name: str, field: Field, key_node: yaml.Node, node: yaml.Node, lines: list[str],
                found: list[NodeProblem]) -> str | None:
    """The string a scalar node holds, or None with a finding if it is anything else."""
    rule = rule_for(field)
    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a set of `key: value` lines"
        found.append((key_node, rule, f'{name}: write one line of text, not {kind}, for example "{field.example}"'))
        return None
    if node.tag == STR_TAG:
        value = node.value
        if not value.strip():
            found.append((key_node, rule, empty_message(name, field)))
            return None
        return value
    if node.tag == NULL_TAG or node.value == "":
        comment = source_after_key(lines, key_node)
        if comment.startswith("#"):
            found.append((key_node, rule, f'{name}: a # starts a comment in YAML; write it in quotes, "{shown(comment)}"'))
        else:
            found.append((key_node, rule, empty_message(name, field)))
        return None
    if node.tag.startswith("tag:yaml.org,2002:") and not node.style and field.kind in TEXT_KINDS:
        # YAML read a number, true/false or a date: 02071234567 is octal, so it would show 283457911.
        found.append((key_node, rule, f'{name}: write it in quotes, "{shown(node.value)}"'))
        return None
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    written = shown(node.value) if not node.style else f"{tag} {shown(node.value)}"
    found.append((key_node, rule, f'{name}: write it like "{field.example}" (got {written})'))
    return None


def source_after_key(lines: list[str], key_node: yaml.Node) -> str:
    """What the file's line holds after `key:` (for a value YAML read as a comment)."""
    line = lines[key_node.start_mark.line] if key_node.start_mark.line < len(lines) else ""
    after = line[key_node.end_mark.column:].lstrip()
    return after[1:].strip() if after.startswith(":") else ""


def empty_message(name: str, field: Field) -> str:
    if field.required:
        return f'{name}: is empty; write it in quotes, for example "{field.example}" ({field.meaning})'
    return f'{name}: is empty; write it in quotes, for example "{field.example}", or delete the line'


def rule_for(field: Field) -> str:
    if field.kind in LIST_KINDS:
        return LIST_KINDS[field.kind].rule
    return {"colour": "clinic-colour", "https": "clinic-url", "site_url": "clinic-url",
            "logo": "clinic-logo", "phone": "clinic-number", "path": "clinic-paths",
            "languages": "clinic-languages"}.get(field.kind, "clinic-field")


# ---------------------------------------------------------------- the checks

def check_value(name: str, field: Field, key_node: yaml.Node, node: yaml.Node, lines: list[str],
                found: list[NodeProblem], folders: Folders) -> None:
    """One setting: its shape, length and content."""
    if field.kind in LIST_KINDS:
        check_list(name, field, key_node, node, lines, found, folders.docs)
        return
    if field.kind == "languages":
        check_languages(name, field, key_node, node, lines, found, folders.docs)
        return
    if field.kind == "flag":
        if not (isinstance(node, yaml.ScalarNode) and node.tag == BOOL_TAG):
            found.append((key_node, "clinic-field", f"{name}: write `{name}: true` or `{name}: false`, without quotes"))
        return
    value = scalar_text(name, field, key_node, node, lines, found)
    if value is None:
        return
    if len(value) > field.limit:
        found.append((key_node, rule_for(field), f"{name}: at most {field.limit} characters (this one has {len(value):,}); shorten it"))
        return
    if field.kind == "path":
        wanted = REQUIRED_PATHS[name]
        if value != wanted:
            found.append((key_node, rule_for(field), f"{name}: write `{name}: {wanted}`: {field.meaning}"))
        return
    problem = (logo_problem(value, folders) if field.kind == "logo" else choice_problem(value, field)
               if field.kind == "choice" else value_problem(field.kind, value))
    if problem:
        found.append((key_node, rule_for(field), f"{name}: {problem}"))


@dataclass(frozen=True)
class ListKind:
    """A setting that takes a list: its rule, what to write instead of something else, and
    what is wrong with one item (the message's tail, or None)."""

    rule: str
    shape: str  # the fix when the value is not a list ({name} and {example} filled in)
    most: int
    empty_ok: bool  # `name:` with nothing after it means an empty list
    item_problem: Callable[[str, Field, Path, list[str]], str | None]


def origin_item_problem(origin: str, field: Field, docs_dir: Path, items: list[str]) -> str | None:
    problem = f"at most {field.limit} characters" if len(origin) > field.limit else origin_problem(origin)
    return problem and f"{problem} (an origin is https://host or https://*.host.example; got {shown(origin)!r})"


def path_item_problem(value: str, field: Field, docs_dir: Path, items: list[str]) -> str | None:
    if len(value) > field.limit or character_problem(value, MARKUP):
        return f"write a folder of the guide, for example {field.example}"
    return None


def guide_pages(docs_dir: Path) -> list[str]:
    """Every page of the guide, docs-relative (nerve-pain/causes.md), sorted."""
    return sorted(path.relative_to(docs_dir).as_posix() for path in docs_dir.rglob("*.md") if path.is_file())


def pages_under(entry: str, pages: list[str]) -> list[str]:
    """The pages a leave_out entry names: one page, or every page of a folder."""
    entry = entry.strip().strip("/")
    if entry.endswith(".md"):
        return [entry] if entry in pages else []
    return [page for page in pages if page.startswith(entry + "/")]


def warning_sign_pages(docs_dir: Path, pages: list[str]) -> set[str]:
    """The pages that hold a section's warning signs (they include its table of them)."""
    return {page for page in pages if WARNING_SIGNS_INCLUDE.search((docs_dir / page).read_text(encoding="utf-8", errors="replace"))}


def left_out_pages(entries: list[str], docs_dir: Path) -> set[str]:
    """Every page the entries of leave_out name (entries checked by check_settings)."""
    pages = guide_pages(docs_dir)
    return {page for entry in entries for page in pages_under(entry, pages)}


def leave_out_item_problem(value: str, field: Field, docs_dir: Path, items: list[str]) -> str | None:
    """A section or page of the guide that a copy can do without, or what to write instead."""
    if len(value) > field.limit or character_problem(value, MARKUP) or ".." in value.split("/") or value.startswith("/"):
        return f"write a section (a folder of docs/, as in {field.example}) or a page (as in dry-needling/before-needling.md)"
    pages = guide_pages(docs_dir)
    named = pages_under(value, pages)
    if not named:
        sections = sorted({page.split("/")[0] for page in pages if "/" in page})
        guess = difflib.get_close_matches(value.strip("/"), sections + pages, n=1)
        hint = f" Did you mean {guess[0]}?" if guess else ""
        return (f"there is no section or page {shown(value)!r} in docs/.{hint} The sections are {', '.join(sections)}; "
                "a page is named by its path, as in dry-needling/before-needling.md")
    kept_always = [page for page in named if page in NEVER_LEFT_OUT]
    if kept_always:
        return (f"every copy keeps {kept_always[0]} (the start page, and the pages every host must show): "
                "remove it from the list" + ("" if value.endswith(".md") else ", or name the other pages one by one"))
    gone = left_out_pages(items, docs_dir)
    for page in sorted(warning_sign_pages(docs_dir, named)):
        section = page.rsplit("/", 1)[0] if "/" in page else ""
        if not section or any(other not in gone for other in pages_under(section, pages)):
            return (f"{page} holds the warning signs of {section or 'the guide'}/, and a clinic's copy never loses them: "
                    f"leave out the whole section (leave_out: [{section}]) or keep this page")
    return None


LIST_KINDS: dict[str, ListKind] = {
    "origins": ListKind("clinic-url", 'write a list of web site origins, for example ["{example}"]', MAX_ORIGINS, True,
                        origin_item_problem),
    "paths": ListKind("clinic-paths", "write a list of folders, for example [../snippets, ../data]", 10, False,
                      path_item_problem),
    "pages": ListKind("clinic-pages", "write a list of sections or pages, for example [{example}]", 50, True,
                      leave_out_item_problem),
}


def check_list(name: str, field: Field, key_node: yaml.Node, node: yaml.Node, lines: list[str],
               found: list[NodeProblem], docs_dir: Path) -> None:
    """A list setting: a YAML list of text items, each checked by its kind's item_problem."""
    kind = LIST_KINDS[field.kind]
    if kind.empty_ok and node.tag == NULL_TAG and isinstance(node, yaml.ScalarNode):
        return  # `name:` alone: an empty list
    if not isinstance(node, yaml.SequenceNode):
        found.append((key_node, kind.rule, f"{name}: " + kind.shape.format(example=field.example)))
        return
    if len(node.value) > kind.most:
        found.append((key_node, kind.rule, f"{name}: at most {kind.most} " + ("web sites" if field.kind == "origins" else "entries")))
        return
    texts = [(item, scalar_text(name, field, item, item, lines, found)) for item in node.value]
    values = [value for _, value in texts if value is not None]
    for item, value in texts:
        problem = value is not None and kind.item_problem(value, field, docs_dir, values)
        if problem:
            found.append((item, kind.rule, f"{name}: {problem}"))


def guide_languages(root: Path = ROOT) -> dict[str, str]:
    """The languages the guide is built in: code -> name, English first, then each other that
    mkdocs.yml extra.alternate lists and has its mkdocs.<code>.yml (scripts/translations.py)."""
    import translations  # here: it reads the guide's configuration, which only this check needs

    return {ENGLISH: "English"} | {language.code: language.name for language in translations.languages(root)}


def clinic_languages(clinic: dict) -> list[str]:
    """The languages a clinic's copy is built in (extra.clinic.languages, checked by check_languages)."""
    chosen = clinic.get("languages")
    return [str(code) for code in chosen] if isinstance(chosen, list) and chosen else list(DEFAULT_LANGUAGES)


def check_languages(name: str, field: Field, key_node: yaml.Node, node: yaml.Node, lines: list[str],
                    found: list[NodeProblem], docs_dir: Path) -> None:
    """languages: a list of the guide's language codes, each once, English among them. The
    guide's configuration is read only for a code other than English."""
    if not isinstance(node, yaml.SequenceNode) or len(node.value) > field.limit:
        found.append((key_node, "clinic-languages", f"{name}: write a list of language codes, for example "
                      f"{field.example}"))
        return
    seen: dict[str, yaml.Node] = {}
    for item in node.value:
        code = scalar_text(name, field, item, item, lines, found)
        if code is None:
            continue
        problem = (f"{shown(code)!r} is listed twice (first on line {seen[code].start_mark.line + 1}); keep one"
                   if code in seen else None if code == ENGLISH else language_problem(code, docs_dir.parent))
        if problem:
            found.append((item, "clinic-languages", f"{name}: {problem}"))
        seen.setdefault(code, item)
    if ENGLISH not in seen:
        found.append((key_node, "clinic-languages", f"{name}: add {ENGLISH}: every copy has its English pages at its "
                      f"root (and your own pages, and your approvals), the other languages beside them, as in "
                      f"{field.example}"))


def language_problem(code: str, root: Path) -> str | None:
    """Why a language code is not one of the guide's, or None."""
    import translations

    try:
        offered = guide_languages(root)
    except translations.TranslationError as error:
        return f"the guide's languages cannot be read ({error})"
    if code in offered:
        return None
    guess = difflib.get_close_matches(code.strip().lower(), list(offered), n=1, cutoff=0.3)
    hint = f" Did you mean {guess[0]}?" if guess else ""
    choices = ", ".join(f"{known} ({language})" for known, language in offered.items())
    return f"{shown(code)!r} is not a language of the guide.{hint} It offers {choices}"


def logo_problem(logo: str, folders: Folders) -> str | None:
    """The logo must be an image file inside docs/, or among the clinic's own files
    (clinics/<clinic>/docs/, our-clinic/ in its copy), reached without leaving them."""
    if not LOGO_PATH.fullmatch(logo) or ".." in logo.split("/"):
        return ("write the path inside docs/ with letters, digits and - _ . only, "
                "for example assets/clinic-logos/example.svg")
    if not logo.lower().endswith(LOGO_TYPES):
        return f"use an image file ({', '.join(LOGO_TYPES)}), for example assets/clinic-logos/example.svg"
    own = logo.startswith(OWN_SECTION + "/") and folders.own is not None
    folder = (folders.own if own else folders.docs).resolve()
    relative = logo.removeprefix(OWN_SECTION + "/") if own else logo
    shown_folder = display_path(folder) + "/" if own else "docs/"
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder):
        return f"{shown_folder}{relative} leads outside {shown_folder}: put the logo file itself there"
    if not target.is_file():
        return (f"no file {shown_folder}{relative}: put your logo in your clinic's folder (clinics/<clinic>/docs/, "
                "written our-clinic/<file>) or in docs/assets/clinic-logos/")
    return None


def check_section(section: dict[str, tuple[yaml.Node, yaml.Node]], fields: dict[str, Field], where: str,
                  parent: yaml.Node, lines: list[str], found: list[NodeProblem], folders: Folders) -> None:
    """Every field of one mapping: known, present when required, and well formed."""
    for name, field in fields.items():
        if field.required and name not in section:
            found.append((parent, rule_for(field), f"{name}: add `{name}:` under {where}: {field.meaning or field.example}"))
    for name, (key_node, value_node) in section.items():
        if name not in fields:
            known = ", ".join(fields)
            found.append((key_node, "clinic-field", f"{shown(name)}: unknown setting under {where}; the known ones are {known}"))
            continue
        check_value(name, fields[name], key_node, value_node, lines, found, folders)


def check_document(document: yaml.MappingNode, lines: list[str], folders: Folders) -> list[NodeProblem]:
    found: list[NodeProblem] = []
    top = entries(document, found, "the file")
    settings = {name: top[name] for name in top if name not in ("theme", "extra")}
    check_section(settings, SETTINGS, "the top level (theme and extra hold the rest)", document, lines, found, folders)
    theme = sub_mapping(top, "theme", "custom_dir: ../overrides", document, found)
    if theme is not None:
        check_section(entries(theme, found, "theme"), THEME_FIELDS, "theme", top["theme"][0], lines, found, folders)
    extra = sub_mapping(top, "extra", "clinic:", document, found)
    if extra is not None:
        extra_entries = entries(extra, found, "extra")
        for name, (key_node, _) in extra_entries.items():
            if name != "clinic":
                found.append((key_node, "clinic-field", f"{shown(name)}: a clinic file sets only extra.clinic; "
                              "the wording of the guide and its care cards stays as the guide has it"))
        clinic = sub_mapping(extra_entries, "clinic", "name: Riverside Physiotherapy", top["extra"][0], found)
        if clinic is not None:
            check_section(entries(clinic, found, "extra.clinic"), CLINIC_FIELDS, "extra.clinic",
                          extra_entries["clinic"][0], lines, found, folders)
    return found


def sub_mapping(section: dict[str, tuple[yaml.Node, yaml.Node]], name: str, example: str,
                parent: yaml.Node, found: list[NodeProblem]) -> yaml.MappingNode | None:
    """A nested mapping that must be there (theme, extra, extra.clinic)."""
    if name not in section:
        found.append((parent, "clinic-field", f"{name}: add a `{name}:` section ({example}); see clinics/example.yml"))
        return None
    key_node, value_node = section[name]
    return mapping_or_finding(name, key_node, value_node, example, found)


def check_settings(path: Path, docs_dir: Path = ROOT / "docs") -> list[Finding]:
    """Every problem in one clinic settings file, each at the line to fix (all errors).

    Raises Unreadable when the file is not a YAML mapping at all."""
    found = read_findings(path, Folders(docs_dir, path.parent / path.stem / "docs"))
    name = display_path(path)
    return [Finding(name, node.start_mark.line + 1, node.start_mark.column + 1, rule, "error", message)
            for node, rule, message in found]


def display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def rule_link(rule: str) -> str:
    return SETTINGS_GUIDE


def main(argv: list[str]) -> int:
    """Print each problem (text, json or github); exit 0 fine, 1 problems, 2 cannot read or run."""
    parser = Parser(prog="clinic_settings.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("settings", help="the clinic's settings file, clinics/<your-clinic>.yml")
    parser.add_argument("--format", choices=FORMATS, default="text")
    try:
        args = parser.parse_args(argv)
    except ArgumentError as error:
        print(f"usage: python scripts/clinic_settings.py [--format text|json|github] clinics/<your-clinic>.yml "
              f"({error})", file=sys.stderr)
        return 2
    path = Path(args.settings)
    try:
        problems = check_settings(path)
    except (Unreadable, OSError, UnicodeDecodeError) as error:
        where = (error.line, error.column) if isinstance(error, Unreadable) else (1, 1)
        reason = (error.message if isinstance(error, Unreadable) else
                  error.strerror if isinstance(error, OSError) else "save it as UTF-8 text")
        unreadable = Finding(display_path(path), *where, "clinic-yaml", "error",
                             f"cannot read the clinic settings: {reason}")
        print(format_findings([unreadable], args.format, rule_link),
              file=sys.stderr if args.format == "text" else sys.stdout)
        return 2
    output = format_findings(problems, args.format, rule_link)
    if output or args.format == "json":
        print(output)
    return exit_status(problems)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
