#!/usr/bin/env python3
"""Clinical review records: who reviewed a page, when, and a fingerprint of what they saw.

    python scripts/reviews.py sign-off --page docs/nerve-pain/causes.md --by "Name, role"
                                       [--registration "HCPC PH12345"] [--clinic clinics/x.yml]
    python scripts/reviews.py generate [--check]
    python scripts/reviews.py report [--clinic clinics/x.yml] [--output review-report.csv]
    python scripts/reviews.py clinic-check clinics/x.yml

`make sign-off`, `make generate`, `make review-report` and `make build CLINIC=...` run these.

How it fits together:
  - data/reviews.yml holds the guide's review policy (how many months a review holds) and one
    record per reviewed page: the reviewer ("Name, role"), an optional registration number,
    the date, and the fingerprint of the page plus every snippet it includes (care cards,
    contact lines, generated text, the auto-appended tooltips), each file's own fingerprint
    beside it so the checker can name what changed. Only `sign-off` writes it.
  - clinics/<clinic>.reviews.yml holds a clinic's own approvals, in the same form, beside the
    clinic's settings file (clinics/<clinic>.yml): of the guide's pages under `pages:`, and of
    the clinic's own pages (clinics/<clinic>/docs/*.md, see scripts/assemble_clinic.py) under
    `own_pages:`, keyed as they are built (our-clinic/first-visit.md). An own page's
    fingerprint covers its file as the clinic wrote it and the snippets it includes. A clinic
    whose copy is in another language too (extra.clinic.languages: [en, es]) approves that
    language's pages on their own, under `translations:` then the language code (es:), named
    as under its docs folder (nerve-pain/causes.md for docs-es/nerve-pain/causes.md): each
    bound to the page as that language's build reads it (mkdocs.es.yml: its file, and the
    snippets it includes from snippets/es first). The guide's own check of a translation is
    not a sign-off: it is the page's translation_review (scripts/translations.py).
  - overrides/generated/review-state.html is made from both and from the pages as they are
    now: each page's state (not yet reviewed, reviewed, changed since its review), the
    reviewer and the dates, and each clinic's approvals (those of translated pages apart, by
    language, with their dates in its words: its config's extra.ui). The theme imports it (a plain Jinja
    `import`, so Zensical renders it too, with no MkDocs hook). It holds no date of today, so
    builds stay reproducible; `make build` writes it first, and the checker reports it when
    it is out of date (rule `generated`).
  - A fingerprint is the SHA-256 of each file's text (UTF-8, newlines as \\n), and of the list
    of those in the order the page includes them. The files are found as the checker finds
    them (scripts/checker/site.py, Site.page_sources): --8<-- "x.md" and --8<-- 'x.md' lines,
    recursively, in the snippet base paths of mkdocs.yml, then auto_append.

Exit status: 0 done; 1 refused or out of date (a one-line reason; nothing written); 2 a data
file cannot be read.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

SCRIPTS_DIR = Path(__file__).resolve().parent
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

from atomic_file import write_atomically  # noqa: E402
from checker.findings import ConfigError  # noqa: E402
from checker.markdown import parse_front_matter  # noqa: E402
from yaml_tags import TagIgnoringLoader  # noqa: E402

ROOT = SCRIPTS_DIR.parent
RECORDS_FILE = "data/reviews.yml"
STATE_FILE = "overrides/generated/review-state.html"
CLINICS_DIR = "clinics"
CLINIC_RECORDS_SUFFIX = ".reviews.yml"
OWN_PAGES = "own_pages"  # the section of a clinic's approvals that holds those of its own pages
TRANSLATIONS = "translations"  # the section that holds its approvals of translated pages, by language code
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")  # es, pt-BR: the codes of extra.alternate
REPORT_FILE = "review-report.csv"
# The policy of a guide with no records file yet (sign-off writes it there, where it is changed).
DEFAULT_MONTHS = 12
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
# "Name, role": text, a comma, text. No markup, no line breaks, nothing a template or a
# spreadsheet could read as code.
PERSON = re.compile(r"[^,]*\S[^,]*,\s*\S.*")
MARKUP = re.compile(r"[<>&\"`\[\]{}|\\*_#~^=]")
MAX_PERSON = 120
# The states a page (or a clinic's approval) can be in, as the theme and the report name them.
UNREVIEWED, REVIEWED, CHANGED = "unreviewed", "reviewed", "changed"
NOT_APPROVED, APPROVED = "not approved", "approved"
OWN_STATE = "clinic's own page"  # in the report: a clinic's page, approved by the clinic, not reviewed by the guide
# Checker rules that a sign-off itself settles, so they never refuse one.
SETTLED_BY_SIGN_OFF = frozenset({"review-overdue", "review-due", "review-stale", "generated"})

RECORDS_HEADER = """\
# Clinical review records of the guide. `make sign-off PAGE=docs/<page>.md BY="Name, role"`
# writes this file; do not edit a record by hand (CONTRIBUTING.md, "Clinical review").
# Each record says who reviewed the page, when, and the fingerprint (SHA-256) of exactly
# what they saw: the page and every snippet it includes, each file listed with its own.
# An edit to any of them shows the page as "changed since its review" until the next sign-off.
"""
POLICY_COMMENT = """\
# How long a review holds: the next review is due this many months after it. One policy
# for every page; `make check` warns 30 days before (data/checker.yml) and fails after.
"""
CLINIC_HEADER = """\
# {clinic}'s own approvals of the guide's pages, for its patients. Written by
# `make sign-off CLINIC={settings} PAGE=docs/<page>.md BY="Name, role"`; do not edit
# by hand (CONTRIBUTING.md, "A clinic approves pages"). Each approval is bound to the
# fingerprint of what the approver saw; an edit shows as "changed since approval".
"""
STATE_HEADER = """\
{#- Generated by scripts/reviews.py from data/reviews.yml, clinics/*.reviews.yml and the pages
    they fingerprint (make generate). Do not edit. The theme imports it:
    partials/source-file.html (review line, print footer, review status table) and
    main.html (JSON-LD). Keys are page addresses (nerve-pain/causes/); a clinic's approvals
    of translated pages are apart, by language code (clinic_translations). A page's title_us
    is its title in a US copy's words (us_locale); own_pages are each clinic's own pages. -#}
"""


class Refused(Exception):
    """A sign-off that cannot be recorded; nothing has been written."""


class RecordsError(Exception):
    """A records or settings file that cannot be used, at a line."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


# ---------------------------------------------------------------- records

@dataclass(frozen=True)
class Record:
    page: str  # docs-relative, as in nerve-pain/causes.md
    by: str  # "Name, role"
    registration: str
    date: dt.date
    fingerprint: str
    files: Mapping[str, str]  # repository-relative path -> SHA-256, in the order included
    line: int = 1


@dataclass(frozen=True)
class Records:
    path: str  # repository-relative
    months: int | None  # the review policy; None in a clinic's approvals
    pages: Mapping[str, Record]
    section: str = "pages"  # own_pages: a clinic's approvals of its own pages; translations: of translated ones
    language: str = ""  # under translations: the language code (es), its pages named as under docs-es/


def person_problem(text: str, what: str = "BY") -> str | None:
    """Why `text` cannot be a reviewer's "Name, role", or None when it can."""
    if not text.strip():
        return f'{what} is empty: give the reviewer as "Name, role", for example BY="Sam Lee, physiotherapist"'
    if any(ord(c) < 32 or c in "\u2028\u2029\x7f" for c in text):
        return f"{what} holds a line break or a control character: give one line"
    if MARKUP.search(text):
        return f"{what} holds markup ({MARKUP.search(text).group()}): use plain words only"
    if len(text) > MAX_PERSON:
        return f"{what} is {len(text)} characters; keep it to {MAX_PERSON}"
    if what == "BY" and not PERSON.fullmatch(text.strip()):
        return f'{what} must be "Name, role", for example BY="Sam Lee, physiotherapist"'
    return None


def _positions(text: str, *section: str) -> dict[str, int]:
    """The 1-based line of each page key under `pages:` (or another section: own_pages, or
    translations then a language code)."""
    try:
        node = yaml.compose(text, Loader=TagIgnoringLoader)
    except yaml.YAMLError:
        return {}
    for name in section:
        node = next((value for key, value in node.value if key.value == name), None) \
            if isinstance(node, yaml.MappingNode) else None
    return {k.value: k.start_mark.line + 1 for k, _ in node.value} if isinstance(node, yaml.MappingNode) else {}


def _record(path: str, page: Any, entry: Any, line: int) -> Record:
    def fail(message: str) -> RecordsError:
        return RecordsError(path, line, f"the record of {page}: {message}")

    if not isinstance(page, str) or not page.endswith(".md"):
        raise RecordsError(path, line, f"{page!r} is not a page: name it as under docs/, as in nerve-pain/causes.md")
    if not isinstance(entry, dict):
        raise fail("it is not a list of fields")
    by, registration = entry.get("by"), entry.get("registration") or ""
    if not isinstance(by, str) or person_problem(by, "by"):
        raise fail(person_problem(by, "by") if isinstance(by, str) else "`by` is missing")
    if not isinstance(registration, str) or (registration and person_problem(registration, "registration")):
        raise fail("`registration` must be plain text on one line")
    date = entry.get("date")
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise fail("`date` is not a date (YYYY-MM-DD)")
    fingerprint, files = entry.get("fingerprint"), entry.get("files")
    if not isinstance(fingerprint, str) or not HEX_DIGEST.fullmatch(fingerprint):
        raise fail("`fingerprint` is not a SHA-256 (64 hexadecimal digits)")
    if not isinstance(files, dict) or not files or not all(
            isinstance(k, str) and isinstance(v, str) and HEX_DIGEST.fullmatch(v) for k, v in files.items()):
        raise fail("`files` must list each file with its SHA-256")
    if combined_fingerprint(files) != fingerprint:
        raise fail("`fingerprint` does not match its `files`: the record was edited by hand")
    return Record(page, by.strip(), registration.strip(), date, fingerprint, dict(files), line)


def read_records_file(root: Path, relative: str) -> tuple[str | None, dict]:
    """A records file's text and data (None and {} when it does not exist). Raises RecordsError."""
    path = root / relative
    if not path.exists():
        return None, {}
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except (OSError, UnicodeDecodeError) as error:
        raise RecordsError(relative, 1, f"cannot read it: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise RecordsError(relative, mark.line + 1 if mark else 1, f"not valid YAML ({getattr(error, 'problem', error)})") from None
    if not isinstance(data, dict):
        raise RecordsError(relative, 1, "not a YAML mapping with `pages:`")
    return text, data


def load_records(root: Path, relative: str, policy: bool = True, section: str = "pages") -> Records:
    """The records in `relative` (none when the file does not exist). Raises RecordsError."""
    text, data = read_records_file(root, relative)
    if text is None:
        return Records(relative, DEFAULT_MONTHS if policy else None, {}, section)
    months = None
    if policy:
        months = (data.get("policy") or {}).get("review_every_months") if isinstance(data.get("policy"), dict) else None
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 60:
            raise RecordsError(relative, 1, "policy: review_every_months must be a whole number of months from 1 to 60")
    pages = data.get(section) or {}
    if not isinstance(pages, dict):
        raise RecordsError(relative, 1, f"`{section}:` must map each page to its record")
    lines = _positions(text, section)
    records = {page: _record(relative, page, entry, lines.get(page, 1)) for page, entry in pages.items()}
    return Records(relative, months, records, section)


def load_translations(root: Path, relative: str) -> dict[str, Records]:
    """A clinic's approvals of translated pages (`translations:`), by language code: each
    language's pages named as under its docs folder (nerve-pain/causes.md for
    docs-es/nerve-pain/causes.md), apart from the English `pages:` of the same names."""
    text, data = read_records_file(root, relative)
    text, languages = text or "", data.get(TRANSLATIONS) or {}
    where = _positions(text, TRANSLATIONS)
    if not isinstance(languages, dict):
        raise RecordsError(relative, 1, f"`{TRANSLATIONS}:` must map each language code (es) to its pages")
    found = {}
    for code, pages in languages.items():
        if not isinstance(code, str) or not LANGUAGE_CODE.fullmatch(code) or not isinstance(pages, dict):
            raise RecordsError(relative, where.get(str(code), 1), f"`{TRANSLATIONS}: {code}:` must be a language "
                                                                  "code (es) that maps each page to its record")
        lines = _positions(text, TRANSLATIONS, code)
        found[code] = Records(relative, None, {page: _record(relative, page, entry, lines.get(page, 1))
                                               for page, entry in pages.items()}, TRANSLATIONS, code)
    return found


def yaml_text(value: str) -> str:
    """A string as a YAML double-quoted scalar (JSON's quoting is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def yaml_key(path: str) -> str:
    """A file path as a YAML key: plain when it is only letters, digits, -, _, . and /."""
    return path if re.fullmatch(r"[\w.-][\w./-]*", path, re.ASCII) else yaml_text(path)


def render_records(records: Records, header: str) -> str:
    """The records file: a fixed header, the policy, then one block per page, sorted."""
    out = [header]
    if records.months is not None:
        out += ["\npolicy:\n", "".join("  " + line + "\n" for line in POLICY_COMMENT.splitlines()),
                f"  review_every_months: {records.months}\n"]
    return "".join(out) + render_section(records)


def render_section(records: Records) -> str:
    """One `pages:` (or `own_pages:`) block of records, sorted."""
    return "\n" + records.section + ":" + ("" if records.pages else " {}") + "\n" + render_blocks(records, "  ")


def render_translations(translations: Mapping[str, Records]) -> str:
    """The `translations:` section, one block a language that has approvals; "" when none has."""
    kept = [records for _, records in sorted(translations.items()) if records.pages]
    if not kept:
        return ""
    return f"\n{TRANSLATIONS}:\n" + "".join(f"\n  {records.language}:\n" + render_blocks(records, "    ")
                                           for records in kept)


def render_blocks(records: Records, indent: str) -> str:
    """One block per page, sorted: who, when, the fingerprint and each file's."""
    out = []
    for page in sorted(records.pages):
        record = records.pages[page]
        out.append(f"\n{indent}{yaml_key(page)}:\n{indent}  by: {yaml_text(record.by)}\n")
        if record.registration:
            out.append(f"{indent}  registration: {yaml_text(record.registration)}\n")
        out.append(f"{indent}  date: {record.date.isoformat()}\n{indent}  fingerprint: {record.fingerprint}\n"
                   f"{indent}  files:\n")
        out += [f"{indent}    {yaml_key(path)}: {digest}\n" for path, digest in record.files.items()]
    return "".join(out)


# ---------------------------------------------------------------- fingerprints and states

def text_fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def combined_fingerprint(files: Mapping[str, str]) -> str:
    """One SHA-256 for the page: its files' fingerprints and paths, in the order included."""
    return text_fingerprint("".join(f"{digest}  {path}\n" for path, digest in files.items()))


@dataclass(frozen=True)
class CurrentPage:
    page: str  # docs-relative
    key: str  # its address, as the theme computes it: nerve-pain/causes/
    title: str
    written: dt.date | None
    files: Mapping[str, str]

    @property
    def fingerprint(self) -> str:
        return combined_fingerprint(self.files)


def current_pages(site: Any) -> list[CurrentPage]:
    """Every page of a checker Site (scripts/checker/site.py), in navigation order, as it is now."""
    in_nav = [entry.target for entry in site.context.config.nav if entry.target in site.page_names]
    order = list(dict.fromkeys(in_nav + site.page_names))
    address = {name: url for url, name in site.page_by_url.items()}  # the checker's rule: nerve-pain/causes/
    return [current_page(name, address.get(name, name), site.page_source(name), site.page_sources(name))
            for name in order]


def front_matter_of(source: Any) -> dict:
    """A file's front matter (a checker SourceFile) as the checker reads it; {} when it cannot be
    read (the checker reports why)."""
    return (parse_front_matter(source)[0] if source.readable else None) or {}


def current_page(name: str, key: str, page: Any, sources: list[Any]) -> CurrentPage:
    """A page as it is now: its title and date from its front matter (the page's SourceFile), its
    files' fingerprints."""
    files = {source.path: text_fingerprint(source.text) for source in sources if source.readable}
    meta = front_matter_of(page)
    written = meta.get("written")
    title = meta.get("title")
    return CurrentPage(
        page=name, key=key, title=title if isinstance(title, str) and title.strip() else name,
        written=written if isinstance(written, dt.date) and not isinstance(written, dt.datetime) else None,
        files=files)


def own_current_pages(root: Path, settings: str, site: Any) -> list[CurrentPage]:
    """A clinic's own pages (clinics/<clinic>/docs/*.md) as the clinic wrote them, keyed as they
    are built (our-clinic/first-visit/), with the snippets they include."""
    from assemble_clinic import own_pages
    from checker.site import page_url  # here, not at the top: the checker imports this module

    pages = []
    for built, path in own_pages(root, settings).items():
        source = site.file(path)
        appended = [site.file(found) for name in site.context.config.auto_append if (found := site.resolve_snippet(name))]
        pages.append(current_page(built, page_url(built), source, [source, *site.included_files(source), *appended]))
    return pages


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def changes(recorded: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """What differs from what the reviewer saw, file by file, in words."""
    found = [f"{path} changed" for path, digest in now.items() if path in recorded and recorded[path] != digest]
    found += [f"it now includes {path}" for path in now if path not in recorded]
    found += [f"it no longer includes {path}" for path in recorded if path not in now]
    if not found and list(recorded) != list(now):
        found.append("its snippets are now included in another order")
    return found


@dataclass(frozen=True)
class PageState:
    state: str  # UNREVIEWED, REVIEWED or CHANGED
    record: Record | None = None
    due: dt.date | None = None
    changed: tuple[str, ...] = ()


def page_state(current: CurrentPage, record: Record | None, months: int | None) -> PageState:
    if record is None:
        return PageState(UNREVIEWED)
    due = add_months(record.date, months) if months else None
    if record.fingerprint == current.fingerprint:
        return PageState(REVIEWED, record, due)
    return PageState(CHANGED, record, due, tuple(changes(record.files, current.files)))


def long_date(day: dt.date | None, words: Mapping[str, Any] | None = None) -> str:
    """1 December 2026 (no locale: the same words on every machine); in another language, as its
    config's extra.ui says: `date: "{day} de {month} de {year}"` and its twelve `months`."""
    if not day:
        return ""
    months, pattern = (words or {}).get("months"), (words or {}).get("date")
    if not (isinstance(months, list) and len(months) == 12 and isinstance(pattern, str)):
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return pattern.replace("{day}", str(day.day)).replace("{year}", str(day.year)).replace("{month}", str(months[day.month - 1]))


# ---------------------------------------------------------------- other languages

@dataclass(frozen=True)
class LanguagePages:
    """A translation's pages as they are now (docs-es/), fingerprinted as its build reads them."""
    language: Any  # scripts/translations.py Language: code, name, config (mkdocs.es.yml), docs (docs-es)
    pages: list[CurrentPage]  # named as under its docs folder, keyed by address, as the English
    words: Mapping[str, Any]  # its config's extra.ui: the theme's words, its dates'


def translated_languages(root: Path, codes: Iterable[str] | None = None) -> list[Any]:
    """The guide's other languages (scripts/translations.py), or only those among `codes`."""
    from translations import languages  # here, not at the top: it imports this module

    return languages(root, codes=codes)


def language_pages(site: Any, language: Any) -> LanguagePages:
    """A language's pages, found as the checker finds the English (scripts/checker/site.py) but
    with its build's settings (mkdocs.es.yml): its docs folder, its snippet paths (snippets/es
    first), its auto_append tooltips and its navigation's order."""
    from checker.config import load_site_config  # here, not at the top: the checker imports this module
    from checker.site import Site

    translated = Site(replace(site.context, config=load_site_config(site.root, language.config)))
    config = yaml.load((site.root / language.config).read_text(encoding="utf-8"), Loader=TagIgnoringLoader) or {}
    words = (config.get("extra") or {}).get("ui") if isinstance(config, dict) else None
    return LanguagePages(language, current_pages(translated), words if isinstance(words, dict) else {})


# ---------------------------------------------------------------- clinics

@dataclass(frozen=True)
class Clinic:
    settings: str  # repository-relative settings file, clinics/example.yml
    name: str
    require_local_approval: bool
    approvals: Records
    own: Records | None = None  # its approvals of its own pages (own_pages:)
    translations: Mapping[str, Records] = field(default_factory=dict)  # of translated pages, by language code
    languages: tuple[str, ...] = ("en",)  # the languages of its copy (extra.clinic.languages)
    locale: str = ""  # extra.clinic.locale: en-US for a copy in US English (scripts/us_english.py)


def clinic_records_path(settings: str) -> str:
    return settings[: -len(".yml")] + CLINIC_RECORDS_SUFFIX


def load_clinic(root: Path, settings: str) -> Clinic:
    """A clinic's name, its require_local_approval setting and its approvals."""
    path = root / settings
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=TagIgnoringLoader) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise RecordsError(settings, 1, f"cannot read the clinic's settings: {error}") from None
    clinic = (data.get("extra") or {}).get("clinic") if isinstance(data, dict) and isinstance(data.get("extra"), dict) else None
    name = clinic.get("name") if isinstance(clinic, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise RecordsError(settings, 1, "no `extra: clinic: name:`: a clinic approves pages under its name")
    required = clinic.get("require_local_approval", False)
    if not isinstance(required, bool):
        raise RecordsError(settings, 1, "extra.clinic.require_local_approval must be true or false")
    from clinic_settings import clinic_languages

    records = clinic_records_path(settings)
    return Clinic(settings, name.strip(), required, load_records(root, records, policy=False),
                  load_records(root, records, policy=False, section=OWN_PAGES), load_translations(root, records),
                  tuple(clinic_languages(clinic)), str(clinic.get("locale") or ""))


def clinic_settings_files(root: Path) -> list[str]:
    """Every clinic's settings file that has approvals beside it, sorted."""
    folder = root / CLINICS_DIR
    if not folder.is_dir():
        return []
    return sorted(f"{CLINICS_DIR}/{path.name[: -len(CLINIC_RECORDS_SUFFIX)]}.yml"
                  for path in folder.glob(f"*{CLINIC_RECORDS_SUFFIX}"))


def clinic_path(root: Path, raw: str) -> str:
    """A clinic's settings file, repository-relative: clinics/<clinic>.yml. Raises Refused."""
    path = Path(raw.strip())
    absolute = (path if path.is_absolute() else root / path).resolve()
    folder = (root / CLINICS_DIR).resolve()
    if absolute.parent != folder or absolute.suffix != ".yml" or absolute.name.endswith(CLINIC_RECORDS_SUFFIX) \
            or not absolute.is_file():
        raise Refused(f"{raw.strip()}: no such clinic settings file in {CLINICS_DIR}/ (for example CLINIC=clinics/example.yml)")
    return f"{CLINICS_DIR}/{absolute.name}"


def load_clinics(root: Path) -> list[Clinic]:
    clinics = [load_clinic(root, settings) for settings in clinic_settings_files(root)]
    seen: dict[str, str] = {}
    for clinic in clinics:
        if clinic.name in seen:
            raise RecordsError(clinic.settings, 1, f"the clinic name {clinic.name!r} is also used by {seen[clinic.name]}: "
                                                   "the theme finds a clinic's approvals by its name")
        seen[clinic.name] = clinic.settings
    return clinics


def approval_state(current: CurrentPage, clinic: Clinic, own: bool = False, language: str = "") -> PageState:
    """The clinic's approval of a page of the guide, of one of its own pages (own), or of a
    page in another language (language: its code; current is then that language's page)."""
    if language:
        held = clinic.translations.get(language) or Records(clinic.approvals.path, None, {}, TRANSLATIONS, language)
    else:
        held = clinic.own if own and clinic.own else clinic.approvals
    record = held.pages.get(current.page)
    if record is None:
        return PageState(NOT_APPROVED)
    if record.fingerprint == current.fingerprint:
        return PageState(APPROVED, record)
    return PageState(CHANGED, record, None, tuple(changes(record.files, current.files)))


# ---------------------------------------------------------------- the file the theme reads

def jinja_literal(value: Any) -> str:
    """A value as a Jinja literal that both Jinja2 and MiniJinja (Zensical) read back the same.
    Strings are JSON-quoted, with braces, percent, hash and angle brackets escaped too."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{jinja_literal(k)}: {jinja_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(jinja_literal(v) for v in value) + "]"
    text = json.dumps(str(value), ensure_ascii=False)
    return re.sub(r"[{}%#<>&\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", text)


def state_entry(current: CurrentPage, state: PageState, words: Any = None) -> dict[str, str]:
    """A page's entry for the theme; with `words` (scripts/us_english.py), its title in a US
    copy (title_us) too, where the US words change it, as the copy's own title says it."""
    entry = {"title": current.title, "file": current.page[: -len(".md")] + ".html", "state": state.state,
             "written": long_date(current.written)}
    if words and (us := us_title(current.title, words)) != current.title:
        entry["title_us"] = us
    if state.record:
        name, _, role = state.record.by.partition(",")
        entry.update(by=state.record.by, name=name.strip(), role=role.strip(), registration=state.record.registration,
                     reviewed=long_date(state.record.date), reviewed_iso=state.record.date.isoformat(),
                     due=long_date(state.due))
    return entry


def approval_entry(state: PageState, words: Mapping[str, Any] | None = None) -> dict[str, str]:
    assert state.record is not None
    return {"state": state.state, "by": state.record.by, "registration": state.record.registration,
            "approved": long_date(state.record.date, words)}


def render_state_file(pages: list[CurrentPage], records: Records, clinics: list[Clinic],
                      own: Mapping[str, list[CurrentPage]] | None = None,
                      translated: Mapping[str, LanguagePages] | None = None, words: Any = None) -> str:
    """`own`: each clinic's own pages (by the clinic's name), listed in its copy's review
    status table (own_pages: their order and entries, state OWN_STATE), their approvals shown
    in its build; `translated`: each other language's pages (by its code), whose approvals
    show in that language's build of the clinic's copy (clinic_translations, dates in the
    language's words); `words`: the US words (scripts/us_english.py) of each title_us."""
    from us_english import LOCALE

    entries = {p.key: state_entry(p, page_state(p, records.pages.get(p.page), records.months), words) for p in pages}
    listed = {name: jinja_block({"order": jinja_literal([p.key for p in found]),
                                 "pages": jinja_block({p.key: state_entry(p, PageState(OWN_STATE)) for p in found}, "    ")},
                                "  ", raw=True)
              for name, found in (own or {}).items() if found}
    approvals = {
        clinic.name: {p.key: approval_entry(state) for p, is_own in [*((p, False) for p in pages),
                                                                      *((p, True) for p in (own or {}).get(clinic.name, []))]
                      if (state := approval_state(p, clinic, is_own)).state != NOT_APPROVED}
        for clinic in clinics
    }
    in_languages = {
        clinic.name: {code: jinja_block({p.key: approval_entry(state, language.words) for p in language.pages
                                         if (state := approval_state(p, clinic, language=code)).state != NOT_APPROVED},
                                        "    ")
                      for code, language in sorted((translated or {}).items()) if code in clinic.translations}
        for clinic in clinics if clinic.translations
    }
    return "".join([
        STATE_HEADER,
        "{%- set order = " + jinja_literal([p.key for p in pages]) + " -%}\n",
        "{%- set pages = " + jinja_block(entries, "") + " -%}\n",
        "{%- set clinics = " + jinja_block({name: jinja_block(approved, "  ") for name, approved in approvals.items()}, "", raw=True)
        + " -%}\n",
        "{%- set clinic_translations = " + jinja_block({name: jinja_block(codes, "  ", raw=True)
                                                         for name, codes in in_languages.items()}, "", raw=True)
        + " -%}\n",
        "{%- set own_pages = " + jinja_block(listed, "", raw=True) + " -%}\n",
        "{%- set us_locale = " + jinja_literal(LOCALE) + " -%}\n",
    ])


def jinja_block(mapping: Mapping[str, Any], indent: str, raw: bool = False) -> str:
    """A mapping as a Jinja dict literal, one entry a line (no trailing comma: MiniJinja)."""
    if not mapping:
        return "{}"
    entries = [f"{indent}  {jinja_literal(key)}: {value if raw else jinja_literal(value)}" for key, value in mapping.items()]
    return "{\n" + ",\n".join(entries) + f"\n{indent}}}"


# ---------------------------------------------------------------- reading the site as the checker does

def open_site(root: Path, today: dt.date | None = None) -> Any:
    """The checker's view of the site (scripts/checker/site.py): pages, snippets, navigation."""
    from checker.config import load_context  # here, not at the top: the checker imports this module
    from checker.site import Site

    return Site(load_context(root, today))


def expected_state_file(root: Path, site: Any | None = None) -> str:
    site = site or open_site(root)
    clinics = load_clinics(root)
    own = {name: own_current_pages(root, settings, site) for name, settings in own_page_clinics(root).items()}
    codes = {code for clinic in clinics for code in clinic.translations}
    translated = {language.code: language_pages(site, language)
                  for language in (translated_languages(root, codes) if codes else [])}
    return render_state_file(current_pages(site), load_records(root, RECORDS_FILE), clinics, own, translated,
                             us_words(root))


def own_page_clinics(root: Path) -> dict[str, str]:
    """Each clinic with pages of its own (clinics/<clinic>/docs/*.md): its name -> its settings
    file, sorted by file. A settings file without a name is left to the clinic's settings
    check, which names its line; a name two such clinics share raises RecordsError (the
    theme finds a clinic's own pages by its name)."""
    from assemble_clinic import own_pages

    found: dict[str, str] = {}
    for path in sorted((root / CLINICS_DIR).glob("*.yml")) if (root / CLINICS_DIR).is_dir() else []:
        settings = f"{CLINICS_DIR}/{path.name}"
        if path.name.endswith(CLINIC_RECORDS_SUFFIX) or not own_pages(root, settings):
            continue
        try:
            name = load_clinic(root, settings).name
        except RecordsError:
            continue
        if name in found:
            raise RecordsError(settings, 1, f"the clinic name {name!r} is also used by {found[name]}: the theme "
                                            "finds a clinic's own pages by its name")
        found[name] = settings
    return found


def us_words(root: Path) -> Any:
    """The US words of data/terms.yml (scripts/us_english.py), or None in a tree without it."""
    import us_english

    return us_english.read_words(root) if (root / us_english.TERMS_FILE).is_file() else None


def us_title(title: str, words: Any) -> str:
    """A page's title as a US copy says it (scripts/assemble_clinic.py swaps a title as prose)."""
    import us_english

    return us_english.swap_plain(title, words)


def state_file_is_current(root: Path, site: Any | None = None) -> bool:
    path = root / STATE_FILE
    return path.is_file() and path.read_text(encoding="utf-8") == expected_state_file(root, site)


def write_state_file(root: Path, site: Any | None = None) -> bool:
    """Write the theme's review data if it changed; True when it was written."""
    text = expected_state_file(root, site)
    path = root / STATE_FILE
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    write_atomically(path, text)
    return True


# ---------------------------------------------------------------- sign-off

def normalise_page(root: Path, raw: str, folder: str = "docs") -> str:
    """docs/nerve-pain/causes.md or nerve-pain/causes.md -> nerve-pain/causes.md, if it exists
    (in `folder`: docs, or a translation's docs-es)."""
    page = raw.strip().replace("\\", "/").removeprefix("./").removeprefix(f"{folder}/")
    if not page:
        raise Refused("give the page, for example PAGE=docs/nerve-pain/causes.md")
    docs = (root / folder).resolve()
    target = (docs / page).resolve()
    if not page.endswith(".md") or not target.is_relative_to(docs) or not target.is_file():
        raise Refused(f"{raw.strip()}: there is no such page under {folder}/ (name its .md file, "
                      f"for example PAGE={folder}/nerve-pain/causes.md)")
    return target.relative_to(docs).as_posix()


def translation_of(root: Path, raw: str) -> Any | None:
    """The language (scripts/translations.py) whose folder a page is named in (docs-es/...), or None."""
    path = raw.strip().replace("\\", "/").removeprefix("./")
    if path.startswith("docs/") or "/" not in path:
        return None
    return next((language for language in translated_languages(root) if path.startswith(language.docs + "/")), None)


def translation_refusal(raw: str, language: Any, clinic: Clinic | None) -> Refused:
    """Why a translated page cannot be signed off as asked: the guide reviews a translation in its
    front matter; a clinic approves only the languages of its copy."""
    shown = raw.strip().removeprefix("./")
    if clinic is None:
        return Refused(f"{shown} is a translation: the guide records a fluent clinician's check of its meaning in "
                       "its front matter, translation_review: {by: \"Name, role\", on: YYYY-MM-DD} (CONTRIBUTING.md, "
                       "\"Translations\"); a clinic approves it with CLINIC=clinics/<clinic>.yml")
    return Refused(f"{shown}: {clinic.name}'s copy is not in {language.name} ({language.code}): add it to "
                   f"`languages:` under `extra: clinic:` in {clinic.settings} first, for example "
                   f"languages: [en, {language.code}]")


def checker_errors(root: Path, paths: Iterable[str], today: dt.date) -> list[str]:
    """The checker's errors in these files, except those a sign-off settles."""
    from checker.engine import run_checks  # here, not at the top: the checker imports this module

    try:
        report = run_checks(root, today)
    except ConfigError as error:
        raise Refused(f"the checker cannot run: {error}") from None
    wanted = set(paths)
    return [f"{f.path}:{f.line}:{f.column}: {f.rule}: {f.message}" for f in report.findings
            if f.severity == "error" and f.path in wanted and f.rule not in SETTLED_BY_SIGN_OFF]


def own_page_of(root: Path, clinic: Clinic, raw: str) -> str | None:
    """The built name (our-clinic/first-visit.md) of a clinic's own page given by its file, or None."""
    from assemble_clinic import own_pages

    path = raw.strip().replace("\\", "/").removeprefix("./")
    return next((built for built, source in own_pages(root, clinic.settings).items() if source == path), None)


def own_page_errors(root: Path, settings: str, path: str, today: dt.date) -> list[str]:
    """The clinic checker's errors in one of the clinic's own pages (scripts/check_clinic.py)."""
    import check_clinic

    findings, _ = check_clinic.clinic_findings(settings, today, root)
    return [f"{f.path}:{f.line}:{f.column}: {f.rule}: {f.message}" for f in findings
            if f.severity == "error" and f.path == path and f.rule not in SETTLED_BY_SIGN_OFF]


def render_clinic_records(clinic: Clinic, approvals: Records, own: Records | None,
                          translations: Mapping[str, Records] | None = None) -> str:
    """A clinic's approvals file: its approvals of the guide's pages, then of its own pages, then
    of translated pages, by language."""
    header = CLINIC_HEADER.format(clinic=" ".join(clinic.name.split()), settings=clinic.settings)
    return (render_records(approvals, header) + (render_section(own) if own and own.pages else "")
            + render_translations(translations or {}))


def sign_off(root: Path, page: str, by: str, registration: str = "", clinic_settings: str = "",
             today: dt.date | None = None) -> str:
    """Record a review (or a clinic's approval) of `page` as it is now; returns what was done.
    A clinic also approves a translated page (docs-es/...) of a language its copy lists."""
    today = today or dt.date.today()
    clinic = load_clinic(root, clinic_path(root, clinic_settings)) if clinic_settings.strip() else None
    own = own_page_of(root, clinic, page) if clinic else None
    language = None if own else translation_of(root, page)
    if language and (clinic is None or language.code not in clinic.languages):
        raise translation_refusal(page, language, clinic)
    shown = page.strip().removeprefix("./") if own else ""
    page = own or normalise_page(root, page, language.docs if language else "docs")
    shown = shown or f"{language.docs if language else 'docs'}/{page}"
    for text, what in ((by, "BY"), (registration, "REG")):
        if text or what == "BY":
            if problem := person_problem(text, what):
                raise Refused(problem)
    site = open_site(root, today)
    if own and clinic:
        current = next(p for p in own_current_pages(root, clinic.settings, site) if p.page == own)
        errors = own_page_errors(root, clinic.settings, shown, today)
    else:
        pages = language_pages(site, language).pages if language else current_pages(site)
        current = next(p for p in pages if p.page == page)
        errors = checker_errors(root, current.files, today)
    if errors:
        raise Refused(f"the checker finds {len(errors)} error{'s' * (len(errors) > 1)} on {shown}; fix "
                      f"{'them' if len(errors) > 1 else 'it'} first ({errors[0]})")
    record = Record(page, " ".join(by.split()), " ".join(registration.split()), today, current.fingerprint,
                    dict(current.files))
    if clinic:
        approvals, own_records, translations = clinic.approvals, clinic.own, clinic.translations
        if own:
            own_records = Records(approvals.path, None, {**(own_records.pages if own_records else {}), page: record},
                                  OWN_PAGES)
        elif language:
            held = translations.get(language.code) or Records(approvals.path, None, {}, TRANSLATIONS, language.code)
            translations = {**translations, language.code: replace(held, pages={**held.pages, page: record})}
        else:
            approvals = Records(approvals.path, None, {**approvals.pages, page: record})
        write_atomically(root / approvals.path, render_clinic_records(clinic, approvals, own_records, translations))
        said = f"Approved {shown} for use at {clinic.name} by {record.by} on {long_date(today)}."
        written = approvals.path
    else:
        records = load_records(root, RECORDS_FILE)
        updated = Records(records.path, records.months, {**records.pages, page: record})
        write_atomically(root / RECORDS_FILE, render_records(updated, RECORDS_HEADER))
        said = (f"Reviewed docs/{page}: by {record.by} on {long_date(today)}. "
                f"Next review due {long_date(add_months(today, records.months or DEFAULT_MONTHS))}.")
        written = RECORDS_FILE
    write_state_file(root, site)
    return f"{said}\nCommit {written} and {STATE_FILE} in your pull request."


# ---------------------------------------------------------------- report and clinic check

REPORT_COLUMNS = ["page", "title", "state", "reviewed_by", "registration", "reviewed_on", "next_review_due",
                  "what_changed"]
CLINIC_COLUMNS = ["clinic", "approval", "approved_by", "approver_registration", "approved_on"]


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@dataclass(frozen=True)
class PublishedPage:
    """A page of a clinic's copy (or of the guide), the file it is made from, and its language."""
    current: CurrentPage
    file: str  # repository-relative: docs/..., clinics/<clinic>/docs/..., docs-es/...
    own: bool = False  # the clinic's own page
    language: str = ""  # a translation's language code; "" for the English


def published_pages(root: Path, site: Any, clinic: Clinic | None) -> list[PublishedPage]:
    """The guide's pages; with a clinic, those of its copy: the guide's pages it keeps (none it
    leaves out), its own pages (named by their files, English only), then the pages it keeps of
    each other language it lists (named by their files, docs-es/...)."""
    from assemble_clinic import own_pages
    from clinic_settings import left_out_pages

    if clinic is None:
        return [PublishedPage(p, f"docs/{p.page}") for p in current_pages(site)]
    gone = left_out_pages(read_leave_out(root, clinic.settings), root / "docs")
    files = own_pages(root, clinic.settings)
    return [*(PublishedPage(p, f"docs/{p.page}") for p in current_pages(site) if p.page not in gone),
            *(PublishedPage(p, files[p.page], own=True) for p in own_current_pages(root, clinic.settings, site)),
            *(PublishedPage(p, f"{language.docs}/{p.page}", language=language.code)
              for language in translated_languages(root, clinic.languages)
              for p in language_pages(site, language).pages if p.page not in gone)]


def translation_cells(site: Any, item: PublishedPage, english: Mapping[str, str]) -> list[str]:
    """A translated page's review columns: its fluent clinician's check (front matter
    translation_review, scripts/translations.py), and whether its English changed since."""
    meta = front_matter_of(site.file(item.file))
    review = meta.get("translation_review")
    checked = review if isinstance(review, dict) and review.get("by") else {}
    stale = meta.get("translation_fingerprint") != english.get(item.current.page)
    return ["translation reviewed" if checked else "translation not reviewed", str(checked.get("by") or ""), "",
            str(checked.get("on") or ""), "", f"docs/{item.current.page} changed since it was translated" if stale else ""]


def report_rows(root: Path, clinic: Clinic | None) -> list[list[str]]:
    """One row a page. With a clinic: the pages of its copy (none it leaves out), then its own
    pages, named by their files, which the guide's reviewers do not review ("clinic's own"), then
    its pages in each other language it lists (docs-es/...), with their translation's review.
    A US copy's English pages are titled as the copy titles them (its own pages as written)."""
    from translations import english_fingerprints
    from us_english import LOCALE

    records = load_records(root, RECORDS_FILE)
    site = open_site(root)
    published = published_pages(root, site, clinic)
    english = english_fingerprints(site) if any(item.language for item in published) else {}
    words = us_words(root) if clinic and clinic.locale == LOCALE else None
    rows = []
    for item in published:
        current = item.current
        if item.language:
            row = [item.file, current.title, *translation_cells(site, item, english)]
        else:
            state = PageState(OWN_STATE) if item.own else page_state(current, records.pages.get(current.page), records.months)
            record = state.record
            title = us_title(current.title, words) if words and not item.own else current.title
            row = [item.file, title, state.state, record.by if record else "",
                   record.registration if record else "", record.date.isoformat() if record else "",
                   state.due.isoformat() if state.due else "", "; ".join(state.changed)]
        if clinic:
            approval = approval_state(current, clinic, item.own, item.language)
            given = approval.record
            row += [clinic.name, approval.state, given.by if given else "", given.registration if given else "",
                    given.date.isoformat() if given else ""]
        rows.append(row)
    return rows


def render_report(rows: list[list[str]], with_clinic: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS + (CLINIC_COLUMNS if with_clinic else []))
    writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in rows])
    return out.getvalue()


def pages_lacking_approval(root: Path, clinic: Clinic) -> list[tuple[str, str]]:
    """(page file, why) for each page of the clinic's copy, in each of its languages, without a
    current approval by the clinic (published_pages: its own pages after the guide's, then the
    other languages'; the pages it leaves out not at all)."""
    lacking = []
    for item in published_pages(root, open_site(root), clinic):
        state = approval_state(item.current, clinic, item.own, item.language)
        if state.state == NOT_APPROVED:
            lacking.append((item.file, "not approved"))
        elif state.state == CHANGED:
            lacking.append((item.file, f"changed since approval on {state.record.date}: {'; '.join(state.changed)}"))
    return lacking


def read_leave_out(root: Path, settings: str) -> list[str]:
    """The sections and pages a clinic leaves out (extra.clinic.leave_out)."""
    from assemble_clinic import read_clinic

    entries = read_clinic(root, settings).get("leave_out") or []
    return [entry for entry in entries if isinstance(entry, str)] if isinstance(entries, list) else []


def clinic_check(root: Path, settings: str) -> tuple[int, list[str]]:
    """Exit status and lines: stale approvals are warnings; with require_local_approval every
    page must have a current approval, or the build stops with the list."""
    clinic = load_clinic(root, settings)
    lacking = pages_lacking_approval(root, clinic)
    if clinic.require_local_approval and lacking:
        lines = [f"{settings}: error local-approval: require_local_approval is true and {len(lacking)} "
                 f"page{'s' * (len(lacking) > 1)} lack{'s' * (len(lacking) == 1)} a current approval by {clinic.name}. "
                 f"Approve each (every language of the copy), named by its file as listed, with "
                 f"`make sign-off CLINIC={settings} PAGE=<file> BY=\"Name, role\"`:"]
        lines += [f"  {page}: {why}" for page, why in lacking]
        return 1, lines
    stale = [(page, why) for page, why in lacking if why != "not approved"]
    return 0, [f"{page}: warning local-approval: {why} by {clinic.name}" for page, why in stale]


# ---------------------------------------------------------------- command line

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    sign = commands.add_parser("sign-off", help="record a review of a page as it is now")
    sign.add_argument("--page", default="")
    sign.add_argument("--by", default="")
    sign.add_argument("--registration", default="")
    sign.add_argument("--clinic", default="")
    sign.add_argument("--today", default="", help=argparse.SUPPRESS)  # for tests: YYYY-MM-DD
    generate = commands.add_parser("generate", help=f"write {STATE_FILE}")
    generate.add_argument("--check", action="store_true", help="exit 1 if it is out of date, write nothing")
    report = commands.add_parser("report", help="every page's review state as CSV")
    report.add_argument("--clinic", default="")
    report.add_argument("--output", default=REPORT_FILE)
    clinic = commands.add_parser("clinic-check", help="a clinic's approvals before its build")
    clinic.add_argument("settings")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    root = Path(args.root)
    if args.command == "sign-off":
        today = dt.date.fromisoformat(args.today) if args.today else None
        print(sign_off(root, args.page, args.by, args.registration, args.clinic, today))
        return 0
    if args.command == "generate":
        if args.check:
            if state_file_is_current(root):
                return 0
            print(f"{STATE_FILE}: out of date; run `make generate`")
            return 1
        if write_state_file(root):
            print(f"wrote {STATE_FILE}")
        return 0
    if args.command == "report":
        clinic = load_clinic(root, clinic_path(root, args.clinic)) if args.clinic.strip() else None
        output = Path(args.output)
        write_atomically(output if output.is_absolute() else Path.cwd() / output,
                         render_report(report_rows(root, clinic), clinic is not None))
        print(f"wrote {args.output}")
        return 0
    status, lines = clinic_check(root, clinic_path(root, args.settings))
    for line in lines:
        print(line, file=sys.stderr if status else sys.stdout)
    return status


def main(argv: list[str] | None = None) -> int:
    from translations import TranslationError  # here, not at the top: it imports this module

    args = parse_args(argv)
    try:
        return run(args)
    except Refused as problem:
        print(f"{args.command}: nothing written: {problem}", file=sys.stderr)
        return 1
    except RecordsError as problem:
        print(f"{problem}", file=sys.stderr)
        return 2
    except (ConfigError, TranslationError) as error:  # the site or a language's config cannot be read: one line
        print(f"{args.command}: cannot run: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
