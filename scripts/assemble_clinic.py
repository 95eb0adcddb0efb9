#!/usr/bin/env python3
"""Assemble a clinic's own copy of the guide, before the build: its own pages, its leave-outs.

    python scripts/assemble_clinic.py clinics/example.yml [--out build/example]

`make build CLINIC=clinics/<clinic>.yml` (and serve, offline, zensical) runs this, then builds
build/<clinic>/mkdocs.yml with MkDocs or Zensical: a plain folder, no hook or plugin. It writes

  build/<clinic>/docs/       the guide's pages (docs/) without the pages the settings'
                             `leave_out` names, and the clinic's own pages and files
                             (clinics/<clinic>/docs/: pages, pictures, its logo) in
                             docs/our-clinic/;
  build/<clinic>/snippets/   the snippets, with the links that had to change (searched first);
  build/<clinic>/mkdocs.yml  INHERIT the clinic's settings file, with this docs folder, the
                             navigation without the left-out pages and with an "Our clinic"
                             section, the left-out pages' addresses (extra.left_out, for the
                             review status table) and their sections' medical topics emptied.

In the copies only (docs/ is never changed):
  - a link to a left-out page becomes its words, as plain text;
  - a block between `<!-- if kept: dry-needling -->` and `<!-- end if -->` (one or more
    sections or pages, separated by commas) is dropped when any of them is left out, and an
    `<!-- otherwise: words -->` line inside it gives the words shown instead;
  - in the clinic's own pages, {clinic.phone} (any field of extra.clinic) becomes its value;
  - each care card's call to action (snippets/contact/<level>-action.md) is the clinic's
    wording (mkdocs.yml extra.care_cards.clinic) with its name and numbers, HTML-escaped:
    the card's heading is raw HTML (markdown="0"), so the text reaches the page as typed.
  - with `locale: en-US`, the guide's pages and snippets say the US words (scripts/us_english.py,
    from data/terms.yml): the copy gets its own glossary, tooltips and terminology rule
    (build/<clinic>/styles/NervePain/Terms.yml, read by scripts/check_clinic.py), the
    navigation's titles and the care cards' clinic lines in US English, and theme.language
    en-US (overrides/partials/languages/en-US.html: <html lang="en-US">, Material's English
    words). The care cards' neutral lines (snippets/contact/) stay as they are: the theme
    finds them by their exact text to show the clinic's numbers in their place; so does the
    list of sources (a source's title is its own, "chartered physiotherapists").
Care cards have no links (scripts/warning_signs.py), so they reach every kept page whole.

Each other language the clinic lists (extra.clinic.languages, English only without it) gets
its copy in build/<clinic>/<code>/ (docs/, snippets/, mkdocs.yml), made the same way from the
guide's translated pages (mkdocs.<code>.yml's docs_dir, at the same paths): the same
leave-outs and markers, its care cards' wording from mkdocs.<code>.yml extra.care_cards.clinic
with the clinic's numbers, its logo copied in. Its mkdocs.yml INHERITs mkdocs.<code>.yml (a
file inherits one file) and adds the clinic's checked values: extra.clinic, the logo, and
site_url + "<code>/". The clinic's own pages are written in English: they are in the English
copy only, listed in extra.untranslated, where the language selector is not offered. Every
copy's extra.alternate (the selector) holds the clinic's languages only, so a copy in English
only has none. The Makefile builds each into <site>/<code>/ (LANGUAGES, scripts/languages.py).

Every line of a copy remembers the file and line it came from (Assembly.origins), so the
checker (scripts/check_clinic.py) names the clinic's own files. A problem is one
`path:line:col: error clinic-copy: ...` line; exit status 1 (nothing is built), 2 if the
settings cannot be read.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import posixpath
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

SCRIPTS_DIR = Path(__file__).resolve().parent
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

from checker.findings import Finding  # noqa: E402
from clinic_settings import CLINIC_FIELDS, ENGLISH, OWN_SECTION, clinic_languages, left_out_pages, value_problem  # noqa: E402
from translations import Language, TranslationError, languages as translated_languages  # noqa: E402
from yaml_tags import TagIgnoringLoader  # noqa: E402
import us_english  # noqa: E402

ROOT = SCRIPTS_DIR.parent
OWN_TITLE = "Our clinic"  # their section in the navigation
MADE_BY = "made by scripts/assemble_clinic.py"
STAMP = ".assembled"  # marks a folder this script may empty and write again
FIGURES = "illustrations"  # in docs/assets/, included as snippets: their words are swapped in a US copy too
US_FIGURES = f"snippets/en-us/{FIGURES}"  # pictures whose US words need a layout of their own
# Snippets a US copy does not swap: the care cards' calls to action (the clinic's own, made in
# US words by care_card_actions) and the list of sources, whose titles are theirs.
AS_WRITTEN = ("contact/", "generated/sources.md")
US_RULE = "styles/NervePain/Terms.yml"  # in a US copy's folder: the checker's terminology rule for it

# [words](target "title"){ attr } but not ![image](...): group 1 the words, group 2 the target.
INLINE_LINK = re.compile(r"(?<!!)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*<?([^()<>\s]*)>?(?:\s+\"[^\"\n]*\")?\s*\)"
                         r"(?:\{[^{}\n]*\})?")
LINK_ITEM = re.compile(r"^[ \t]*(?:[-*+]|[0-9]+[.)])[ \t]+(" + INLINE_LINK.pattern + r")[ \t]*$")
SNIPPET_LINE = re.compile(r"""^[ \t]*-+8<-+[ \t]+(["'])([^"'\n]+)\1[ \t]*$""", re.MULTILINE)
IF_KEPT = re.compile(r"^[ \t]*<!--[ \t]*if kept:(.*?)-->[ \t]*$")
OTHERWISE = re.compile(r"^[ \t]*<!--[ \t]*otherwise:(.*?)-->[ \t]*$")
END_IF = re.compile(r"^[ \t]*<!--[ \t]*end if[ \t]*-->[ \t]*$")
PLACEHOLDER = re.compile(r"\{clinic\.([A-Za-z_]+)\}")
TEXT_FIELDS = ("text", "phone", "email", "https")  # fields a page may show
RULE = "clinic-copy"  # the checker's rule for these problems (scripts/check_clinic.py)
# The English copy's sources; each other language's come from scripts/translations.py (mkdocs.<code>.yml).
ENGLISH_SOURCES = Language(ENGLISH, "English", "mkdocs.yml", "docs")


def problem(path: str, line: int, column: int, message: str) -> Finding:
    return Finding(path, line, column, RULE, "error", message)


@dataclass
class Copy:
    """One assembled file: its text, and for each of its lines the file and line it came from."""

    source: str  # repository-relative
    lines: list[str]
    origins: list[tuple[str, int]]

    @classmethod
    def of(cls, root: Path, source: str) -> "Copy":
        lines = (root / source).read_text(encoding="utf-8").removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
        return cls(source, lines, [(source, number) for number in range(1, len(lines) + 1)])

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Assembly:
    root: Path  # the guide's repository
    settings: str  # clinics/<clinic>.yml
    out: Path
    clinic: dict[str, Any]
    left_out: set[str]
    own_pages: dict[str, str]  # our-clinic/first-visit.md -> clinics/<clinic>/docs/first-visit.md
    pages: dict[str, Copy] = field(default_factory=dict)  # docs-relative -> copy
    snippets: dict[str, Copy] = field(default_factory=dict)  # snippet-relative -> changed copy
    problems: list[Finding] = field(default_factory=list)
    replaced: dict[str, str] = field(default_factory=dict)  # copy-relative path -> its text in a US copy
    language: Language = ENGLISH_SOURCES  # the English copy (build/<clinic>/), or another (build/<clinic>/<code>/)

    @property
    def english(self) -> bool:
        return self.language.code == ENGLISH

    @property
    def us(self) -> bool:
        """Whether the copy is in US English (`locale: en-US`): its English pages only."""
        return self.english and self.clinic.get("locale") == us_english.LOCALE

    def origin(self, assembled: str, line: int) -> tuple[str, int]:
        """The file and line an assembled file's line came from (assembled: repository-relative)."""
        relative = Path(assembled)
        out = self.out.relative_to(self.root) if self.out.is_relative_to(self.root) else self.out
        for folder, copies in (("docs", self.pages), ("snippets", self.snippets)):
            prefix = (out / folder).as_posix() + "/"
            name = relative.as_posix()
            if name.startswith(prefix) and name[len(prefix):] in copies:
                origins = copies[name[len(prefix):]].origins
                return origins[min(max(line, 1), len(origins)) - 1]
            if name.startswith(prefix + OWN_SECTION + "/") and folder == "docs":
                return f"{clinic_folder(self.settings)}/docs/{name[len(prefix + OWN_SECTION) + 1:]}", line
            if name.startswith(prefix):
                return f"{self.language.docs if folder == 'docs' else folder}/{name[len(prefix):]}", line
        return assembled, line


# ---------------------------------------------------------------- reading the clinic

def read_settings(root: Path, settings: str) -> dict[str, Any]:
    """The whole settings file (checked by scripts/clinic_settings.py before any build reads it)."""
    data = yaml.load((root / settings).read_text(encoding="utf-8"), Loader=TagIgnoringLoader) or {}
    return data if isinstance(data, dict) else {}


def read_clinic(root: Path, settings: str) -> dict[str, Any]:
    clinic = (read_settings(root, settings).get("extra") or {}).get("clinic")
    return clinic if isinstance(clinic, dict) else {}


def clinic_folder(settings: str) -> str:
    """clinics/example.yml -> clinics/example (its own pages are in clinics/example/docs/)."""
    return settings[: -len(".yml")]


def settings_of(config_file: Path, root: Path = ROOT) -> str | None:
    """The clinic settings file (clinics/<clinic>.yml) a build configuration stands for: the
    file itself, or the one an assembled build/<clinic>/mkdocs.yml inherits; None for the guide."""
    config = config_file.resolve()
    if (config.parent / STAMP).is_file():
        data = yaml.load(config.read_text(encoding="utf-8"), Loader=TagIgnoringLoader) or {}
        if isinstance(data, dict) and isinstance(data.get("INHERIT"), str):
            config = (config.parent / data["INHERIT"]).resolve()
    return f"clinics/{config.name}" if config.parent == (root / "clinics").resolve() else None


def own_pages(root: Path, settings: str) -> dict[str, str]:
    folder = root / clinic_folder(settings) / "docs"
    return {f"{OWN_SECTION}/{path.name}": path.relative_to(root).as_posix()
            for path in sorted(folder.glob("*.md")) if path.is_file()}


# ---------------------------------------------------------------- changing a copy

def link_target_page(page: str, target: str) -> str | None:
    """The docs-relative page a relative link on `page` leads to (None for web links and anchors)."""
    if not target or target.startswith(("#", "/")) or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target):
        return None
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else None


def unlink_left_out(copy: Copy, page: str, left_out: set[str]) -> None:
    """A list item that is only a link to a left-out page goes; any other such link on `page`
    becomes its words."""
    def words(match: re.Match[str]) -> str:
        return match.group(1) if link_target_page(page, match.group(2)) in left_out else match.group(0)

    def gone(line: str) -> bool:
        item = LINK_ITEM.match(line)
        return bool(item) and link_target_page(page, INLINE_LINK.fullmatch(item.group(1)).group(2)) in left_out

    kept = [(line, origin) for line, origin in zip(copy.lines, copy.origins) if not gone(line)]
    copy.lines = [INLINE_LINK.sub(words, line) if "](" in line else line for line, _ in kept]
    copy.origins = [origin for _, origin in kept]


def is_left_out(name: str, left_out: set[str], pages: set[str]) -> bool | None:
    """Whether a section or page named in a marker is left out; None when there is no such thing."""
    name = name.strip().strip("/")
    if name.endswith(".md"):
        return name in left_out if name in pages else None
    inside = {page for page in pages if page.startswith(name + "/")}
    return bool(inside & left_out) if inside else None


def apply_markers(copy: Copy, left_out: set[str], pages: set[str], problems: list[Finding]) -> None:
    """Drop each `<!-- if kept: ... -->` block whose section or page is left out."""
    lines, origins = [], []
    block: tuple[int, bool, list[tuple[str, tuple[str, int]]]] | None = None  # (marker's index, dropped, words instead)
    for index, (line, origin) in enumerate(zip(copy.lines, copy.origins)):
        opening, otherwise, closing = IF_KEPT.match(line), OTHERWISE.match(line), END_IF.match(line)
        if opening:
            if block:
                problems.append(problem(origin[0], origin[1], 1, "an `if kept` block inside another: close the first "
                                                                "with <!-- end if --> before opening the next"))
                continue
            names = [name for name in opening.group(1).split(",") if name.strip()]
            found = [is_left_out(name, left_out, pages) for name in names]
            for name, state in zip(names, found):
                if state is None:
                    problems.append(problem(origin[0], origin[1], line.index(name.strip()) + 1,
                                            f"<!-- if kept: ... --> names {name.strip()!r}, which is no section or page "
                                            "of docs/: write a folder (dry-needling) or a page (dry-needling/index.md)"))
            block = (index, any(found) or not names, [])
        elif otherwise and block:
            block[2].append((otherwise.group(1).strip(), origin))
        elif closing and block:
            if not block[1]:
                lines += copy.lines[block[0]: index + 1]
                origins += copy.origins[block[0]: index + 1]
            else:
                lines += [words for words, _ in block[2]]
                origins += [where for _, where in block[2]]
            block = None
        elif closing or otherwise:
            problems.append(problem(origin[0], origin[1], 1, "this marker has no <!-- if kept: section --> line above it"))
        elif not block:
            lines.append(line)
            origins.append(origin)
    if block:
        source, number = copy.origins[block[0]]
        problems.append(problem(source, number, 1, "this `if kept` block has no <!-- end if --> line: add one after "
                                                   "its last line"))
        lines += copy.lines[block[0]:]
        origins += copy.origins[block[0]:]
    copy.lines, copy.origins = lines, origins


def fill_placeholders(copy: Copy, clinic: dict[str, Any], problems: list[Finding]) -> None:
    """{clinic.phone} and the like, in a clinic's own page, become the setting's value."""
    def value(match: re.Match[str], source: str, number: int) -> str:
        name = match.group(1)
        field_ = CLINIC_FIELDS.get(name)
        setting = clinic.get(name)
        if field_ is None or field_.kind not in TEXT_FIELDS or not isinstance(setting, str) \
                or value_problem(field_.kind, setting):
            shown = [key for key, spec in CLINIC_FIELDS.items() if spec.kind in TEXT_FIELDS]
            choices = f"; use one of {', '.join('{clinic.' + k + '}' for k in shown)}"
            why = ("is not a setting a page can show" + choices if field_ is None or field_.kind not in TEXT_FIELDS else
                   "is not set in the clinic's settings" + choices if not isinstance(setting, str) else
                   "holds a value the settings check refuses: run python scripts/clinic_settings.py on the settings")
            problems.append(problem(source, number, match.start() + 1, f"{{clinic.{name}}} {why}"))
            return match.group(0)
        return " ".join(setting.split())

    copy.lines = [PLACEHOLDER.sub(lambda m, o=origin: value(m, o[0], o[1]), line)
                  for line, origin in zip(copy.lines, copy.origins)]


# ---------------------------------------------------------------- care cards

CARD_FIELD = re.compile(r"\{([a-z_]+)\}")


def care_card_actions(root: Path, settings: str, clinic: dict[str, Any], problems: list[Finding],
                      words: "us_english.Words | None" = None, config_file: str = "mkdocs.yml") -> dict[str, Copy]:
    """The clinic's call to action on each level of care card, as the snippet the cards include
    (contact/<level>-action.md, found in the copy's snippets first), in US words when `words`
    are given (before the clinic's values go in: its name is its own). Each value is one the
    settings check accepts, HTML-escaped: the card heading is raw HTML, not Markdown."""
    import generate  # the guide's reader of the care-card wording

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        setting = clinic.get(name)
        if name not in CLINIC_FIELDS or not isinstance(setting, str) or value_problem(CLINIC_FIELDS[name].kind, setting):
            problems.append(problem(settings, 1, 1, f"extra.clinic.{name} is missing or refused, and the care cards "
                                                    "need it: run python scripts/clinic_settings.py on the settings"))
            return match.group(0)
        return html.escape(" ".join(setting.split()), quote=False)

    note = f"<!-- The clinic's {{level}} call to action, {MADE_BY} from {config_file} extra.care_cards.clinic. -->"
    actions = {}
    for level, wording in generate.load_care_card_actions(root / config_file, "clinic").items():
        name = generate.contact_name(level)
        wording = us_english.swap_plain(wording, words) if words else wording
        lines = [note.replace("{level}", level), CARD_FIELD.sub(value, wording), ""]
        actions[name] = Copy(name, lines, [(settings, 1)] * len(lines))
    return actions


# ---------------------------------------------------------------- snippets

def snippet_bases(root: Path, config_file: str = "mkdocs.yml") -> list[str]:
    """The snippet folders of mkdocs.yml or a language's config (pymdownx.snippets base_path), in order."""
    config = yaml.load((root / config_file).read_text(encoding="utf-8"), Loader=TagIgnoringLoader) or {}
    for extension in config.get("markdown_extensions") or []:
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            base = (extension["pymdownx.snippets"] or {}).get("base_path", ["."])
            return [base] if isinstance(base, str) else list(base)
    return ["."]


def included_snippets(root: Path, text: str, bases: list[str], depth: int = 0) -> list[tuple[str, str]]:
    """(base, name) of each Markdown snippet a text includes, recursively."""
    found = []
    for match in SNIPPET_LINE.finditer(text):
        name = match.group(2)
        for base in bases:
            path = root / base / name
            if path.is_file() and name.endswith(".md"):
                found.append((base, name))
                if depth < 8:
                    found += included_snippets(root, path.read_text(encoding="utf-8"), bases, depth + 1)
                break
    return found


# ---------------------------------------------------------------- the configuration

def nav_without(items: list, left_out: set[str]) -> list:
    """The navigation without the left-out pages, and without a section left empty."""
    kept = []
    for item in items:
        if isinstance(item, dict):
            title, value = next(iter(item.items()))
            if isinstance(value, list):
                value = nav_without(value, left_out)
                if value:
                    kept.append({title: value})
            elif value not in left_out:
                kept.append(item)
        elif item not in left_out:
            kept.append(item)
    return kept


def build_config(root: Path, assembly: Assembly) -> dict[str, Any]:
    """What build/<clinic>/mkdocs.yml says on top of the clinic's settings file; or, for another
    language, what build/<clinic>/<code>/mkdocs.yml says on top of the guide's mkdocs.<code>.yml
    (a file INHERITs one file only): the clinic's values that the settings check passed."""
    out, language = assembly.out, assembly.language
    guide = yaml.load((root / language.config).read_text(encoding="utf-8"), Loader=TagIgnoringLoader)
    nav = nav_without(guide["nav"], assembly.left_out)
    if assembly.own_pages:
        nav.insert(1, {OWN_TITLE: list(assembly.own_pages)})
    back = lambda path: os.path.relpath(root / path, out)  # noqa: E731
    config: dict[str, Any] = {
        "INHERIT": back(assembly.settings if assembly.english else language.config),
        "docs_dir": "docs",
        "theme": {"custom_dir": back("overrides")},
        "watch": [back(folder) for folder in (language.docs, "snippets", "data", clinic_folder(assembly.settings))
                  if (root / folder).is_dir()],
        "nav": nav,
    }
    topics = (guide.get("extra") or {}).get("medical_topics") or {}
    # A null topic names none in the JSON-LD `about`: a left-out section's, and the clinic's own pages'.
    gone = {folder: None for folder in topics if left_out_pages([folder], root / "docs") <= assembly.left_out}
    gone |= {OWN_SECTION: None} if assembly.own_pages else {}
    extra: dict[str, Any] = {"medical_topics": gone} if gone else {}
    extra |= languages_config(guide, assembly)
    if not assembly.english:
        site_url, logo = clinic_values(root, assembly)
        config |= {"site_url": site_url} if site_url else {}
        config["theme"] |= {"logo": logo} if logo else {}
        extra["clinic"] = assembly.clinic
        # The clinic's site_name is written in English: this language names the guide after it
        # in its own words (mkdocs.<code>.yml extra.clinic_site_name, "Guía para pacientes de {clinic}").
        named = (guide.get("extra") or {}).get("clinic_site_name")
        config |= {"site_name": named.replace("{clinic}", assembly.clinic["name"])} if isinstance(named, str) else {}
    if assembly.us:
        words = us_english.read_words(root)
        config["nav"] = nav_in_us_english(nav, words)
        config["theme"]["language"] = us_english.LOCALE
        settings = yaml.load((root / assembly.settings).read_text(encoding="utf-8"), Loader=TagIgnoringLoader) or {}
        for key in ("site_name", "site_description"):  # the guide's, unless the clinic wrote its own
            if key not in settings and isinstance(guide.get(key), str):
                config[key] = us_english.swap_plain(guide[key], words)
    if assembly.left_out:
        extra["left_out"] = [page_address(page) for page in sorted(assembly.left_out)]  # for the review status table
    if extra:
        config["extra"] = extra
    return config


def languages_config(guide: dict[str, Any], assembly: Assembly) -> dict[str, Any]:
    """The copy's languages: the language selector (extra.alternate) with the clinic's languages
    only, so a copy in English only offers none (overrides/partials/languages.html); and the
    addresses whose pages are in this language only (extra.untranslated: the clinic's own
    pages), where neither the selector nor the sitemap offers another language."""
    chosen = clinic_languages(assembly.clinic)
    alternate = [entry for entry in (guide.get("extra") or {}).get("alternate") or []
                 if isinstance(entry, dict) and entry.get("lang") in chosen]
    untranslated = {"untranslated": [OWN_SECTION + "/"]} if assembly.own_pages and len(alternate) > 1 else {}
    return {"alternate": alternate} | untranslated


def clinic_values(root: Path, assembly: Assembly) -> tuple[str | None, str | None]:
    """What a language's copy takes from the clinic's file besides extra.clinic: its public
    address, with the language's folder, and its logo (copied into the copy by write()). The
    site's name and description are the language's own: the clinic's are written in English."""
    settings = read_settings(root, assembly.settings)
    site_url, logo = settings.get("site_url"), (settings.get("theme") or {}).get("logo")
    return (f"{site_url}{assembly.language.code}/" if isinstance(site_url, str) and site_url else None,
            logo if isinstance(logo, str) else None)


def logo_source(root: Path, settings: str) -> str | None:
    """The clinic's logo file, repository-relative: in docs/, or in its own folder (our-clinic/...)."""
    logo = (read_settings(root, settings).get("theme") or {}).get("logo")
    if not isinstance(logo, str):
        return None
    own = logo.removeprefix(OWN_SECTION + "/")
    return f"{clinic_folder(settings)}/docs/{own}" if own != logo else f"docs/{logo}"


def nav_in_us_english(items: list, words: us_english.Words) -> list:
    """The navigation with its titles in US English (addresses unchanged)."""
    def title(item):
        if not isinstance(item, dict):
            return item
        name, value = next(iter(item.items()))
        return {us_english.swap_plain(name, words): nav_in_us_english(value, words) if isinstance(value, list) else value}
    return [title(item) for item in items]


def terms_data(root: Path) -> dict:
    """data/terms.yml: the source of the US words, glossary and terminology rule."""
    return yaml.load((root / us_english.TERMS_FILE).read_text(encoding="utf-8"), Loader=TagIgnoringLoader) or {}


def us_figure(root: Path, path: Path, words: us_english.Words) -> str:
    """A picture in US words: laid out by hand in snippets/en-us/illustrations/ where the US
    words need other lines (the same drawing, tests/test_illustrations.py), else the English
    with its words swapped."""
    laid_out = root / US_FIGURES / path.name
    if laid_out.is_file():
        return laid_out.read_text(encoding="utf-8")
    return us_english.swap_figure(path.name, path.read_text(encoding="utf-8"), words)


def us_files(root: Path) -> dict[str, str]:
    """The files a US copy writes over the guide's: its glossary and tooltips (in
    snippets/generated/) and its terminology rule, made from data/terms.yml as `make generate`
    makes the guide's, and the illustrations (docs/assets/illustrations/) with US words, in its
    snippets folder (searched first)."""
    import generate  # the guide's renderers

    data = terms_data(root)
    words = us_english.load_words(data)
    terms = us_english.us_terms(data, words)
    note = generate.Source(root / us_english.TERMS_FILE).note
    glossary = generate.render_glossary(terms)
    spelled = [{"term": us, "variants": [uk]} for uk, us in (data.get("en_us_words") or {}).items()]
    # The copy's snippets folder is searched first, so its figures are the ones pages include.
    figures = {f"snippets/{FIGURES}/{path.name}": us_figure(root, path, words)
               for path in sorted((root / "docs" / "assets" / FIGURES).glob("*.svg"))}
    return figures | {
        "snippets/generated/glossary.md": us_english.swap_prose("glossary.md", note(generate.MARKDOWN_COMMENT) + glossary,
                                                                words),
        "snippets/generated/abbreviations.md": note(generate.MARKDOWN_COMMENT) + generate.render_abbreviations(terms),
        US_RULE: note(generate.YAML_COMMENT) + generate.render_vale_rule(terms + spelled),
    }


def page_address(page: str) -> str:
    """A page's address under the site root: nerve-pain/causes.md -> nerve-pain/causes/, a/index.md -> a/."""
    stem = page[: -len(".md")]
    return stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"


def snippets_config(root: Path, out: Path, config_file: str = "mkdocs.yml") -> str:
    """markdown_extensions of mkdocs.yml (or a language's config), as text, with this folder's
    snippets searched first. Copied line for line, so !ENV tags and comments stay as the file
    has them. Snippet folders are read from where the builder runs, so this one is written as
    an absolute path."""
    text = (root / config_file).read_text(encoding="utf-8")
    block = re.search(r"^markdown_extensions:\n(?:(?:[ \t].*)?\n)+", text, re.MULTILINE)
    if not block:
        raise ValueError(f"{config_file} has no markdown_extensions")
    first = json.dumps((out / "snippets").as_posix())
    changed, count = re.subn(r"(base_path:[ \t]*\[)", lambda m: f"{m.group(1)}{first}, ", block.group(0), count=1)
    if count != 1:
        raise ValueError(f"{config_file}: write pymdownx.snippets base_path as a list in brackets, [snippets, "
                         "docs/assets], so the clinic's copy can put its own snippets first")
    return changed


# ---------------------------------------------------------------- assembling

def assemble(settings: str, out: Path | None = None, root: Path = ROOT,
             language: Language = ENGLISH_SOURCES) -> Assembly:
    """The clinic's copy in one language in memory (nothing written): pages, changed snippets,
    problems. The English copy holds the clinic's own pages (written in English); another
    language's copy holds the guide's pages in that language (its config's docs_dir), the same
    leave-outs, and its care cards' wording (its config's extra.care_cards.clinic)."""
    folder = clinic_folder(settings)
    clinic = read_clinic(root, settings)
    entries = clinic.get("leave_out") or []
    docs = root / "docs"
    left_out = left_out_pages([entry for entry in entries if isinstance(entry, str)], docs)
    english = language.code == ENGLISH
    assembly = Assembly(root, settings, (out or default_out(root, settings, language)).resolve(), clinic, left_out,
                        own_pages(root, settings) if english else {}, language=language)
    guide = {path.relative_to(docs).as_posix() for path in docs.rglob("*.md") if path.is_file()}
    translated = root / language.docs
    written = {path.relative_to(translated).as_posix() for path in translated.rglob("*.md") if path.is_file()}
    clash = guide & set(assembly.own_pages)
    for page in sorted(clash):
        assembly.problems.append(problem(assembly.own_pages[page], 1, 1, f"the guide already has docs/{page}: "
                                                                         "give your page another file name"))
    own_folder = root / folder / "docs"
    for path in sorted(own_folder.rglob("*.md")) if own_folder.is_dir() else []:
        if path.parent != own_folder:
            assembly.problems.append(problem(path.relative_to(root).as_posix(), 1, 1,
                                             f"put your pages in {folder}/docs/ itself, not in a folder inside it: "
                                             "your copy shows them in one section, Our clinic"))
    all_pages = guide | set(assembly.own_pages)
    sources = {page: f"{language.docs}/{page}" for page in sorted(written - left_out)} | assembly.own_pages
    bases = snippet_bases(root, language.config)
    words = us_english.read_words(root) if assembly.us else None
    assembly.replaced = us_files(root) if assembly.us else {}
    if clinic.get("name"):
        assembly.snippets.update(care_card_actions(root, settings, clinic, assembly.problems, words, language.config))
    for page, source in sources.items():
        copy = Copy.of(root, source)
        apply_markers(copy, left_out, all_pages, assembly.problems)
        if page in assembly.own_pages:
            fill_placeholders(copy, clinic, assembly.problems)
        elif words:  # the guide's words; the clinic writes its own pages in its own words
            in_us_english(copy, words)
        unlink_left_out(copy, page, left_out)
        assembly.pages[page] = copy
        for base, name in included_snippets(root, copy.text, bases):
            known = name in assembly.snippets
            snippet = assembly.snippets.get(name) or Copy.of(root, f"{base}/{name}")
            before = snippet.text
            if words and not known and not name.startswith(AS_WRITTEN) and f"snippets/{name}" not in assembly.replaced:
                in_us_english(snippet, words)
            unlink_left_out(snippet, page, left_out)
            if snippet.text != before or known:
                assembly.snippets[name] = snippet
    return assembly


def default_out(root: Path, settings: str, language: Language = ENGLISH_SOURCES) -> Path:
    """build/<clinic>/ for the English copy, build/<clinic>/<code>/ for another language's."""
    out = root / "build" / Path(clinic_folder(settings)).name
    return out if language.code == ENGLISH else out / language.code


def assemble_all(settings: str, out: Path | None = None, root: Path = ROOT) -> list[Assembly]:
    """The clinic's copy in each of its languages, English first; another language's copy is
    in the English copy's folder, under its code (build/<clinic>/es/)."""
    english = assemble(settings, out, root)
    return [english] + [assemble(settings, english.out / language.code, root, language)
                        for language in translated_languages(root, codes=clinic_languages(english.clinic))]


def in_us_english(copy: Copy, words: us_english.Words) -> None:
    """The copy's prose in US English (each line stays where it was)."""
    copy.lines = us_english.swap_prose(copy.source, copy.text, words).split("\n")


def copy_files(source: Path, target: Path, wanted) -> None:
    """The files of a folder (not symbolic links) whose relative path is wanted."""
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source).as_posix()
        if path.is_file() and not path.is_symlink() and wanted(relative):
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)


def write(assembly: Assembly) -> Path:
    """Write the assembled folder; returns its mkdocs.yml."""
    out, root = assembly.out, assembly.root
    if out.exists() and any(out.iterdir()) and not (out / STAMP).is_file():
        raise FileExistsError(f"{out} exists and was not made by this script: move it away, or choose --out")
    for part in ("docs", "snippets", Path(US_RULE).parts[0]):
        shutil.rmtree(out / part, ignore_errors=True)
    (out / "docs").mkdir(parents=True)
    (out / STAMP).write_text(f"{MADE_BY} from {assembly.settings}; emptied and written again on each run\n",
                             encoding="utf-8")
    if assembly.english:
        copy_files(root / "docs", out / "docs", lambda relative: not relative.endswith(".md"))
        copy_files(root / clinic_folder(assembly.settings) / "docs", out / "docs" / OWN_SECTION,
                   lambda relative: not relative.endswith(".md"))
        copy_files(root / snippet_bases(root)[0], out / "snippets", lambda relative: True)
    else:  # the language's pages; their stylesheets are the English copy's (one folder up)
        copy_files(root / assembly.language.docs, out / "docs", lambda relative: not relative.endswith(".md"))
        logo = logo_source(root, assembly.settings)
        if logo and (root / logo).is_file():
            target = out / "docs" / read_settings(root, assembly.settings)["theme"]["logo"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / logo, target)
    for folder, copies in (("docs", assembly.pages), ("snippets", assembly.snippets)):
        for relative, copy in copies.items():
            target = out / folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(copy.text, encoding="utf-8")
    for relative, text in assembly.replaced.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(text, encoding="utf-8")
    config = build_config(root, assembly)
    text = (f"# The build of {assembly.settings}, {MADE_BY}; do not edit (it is written again on every build).\n"
            + yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=1000)
            + snippets_config(root, out, assembly.language.config))
    (out / "mkdocs.yml").write_text(text, encoding="utf-8")
    return out / "mkdocs.yml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("settings", help="the clinic's settings file, clinics/<clinic>.yml")
    parser.add_argument("--out", type=Path, default=None, help="the folder to write (default build/<clinic>)")
    args = parser.parse_args(argv)
    path = Path(args.settings).resolve()
    if path.parent != (ROOT / "clinics").resolve() or path.suffix != ".yml" or not path.is_file():
        print(f"{args.settings}: no such clinic settings file in clinics/ (for example clinics/example.yml)", file=sys.stderr)
        return 2
    settings = f"clinics/{path.name}"
    try:
        assemblies = assemble_all(settings, args.out)
        problems = [problem for assembly in assemblies for problem in assembly.problems]
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        configs = [write(assembly) for assembly in assemblies]
        remove_other_languages(assemblies)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, TranslationError) as error:
        print(f"{settings}:1:1: error {RULE}: cannot assemble the clinic's copy: {error}", file=sys.stderr)
        return 2
    for assembly, config in zip(assemblies, configs):
        shown = config.relative_to(ROOT) if config.is_relative_to(ROOT) else config
        print(f"assembled {shown} ({assembly.language.name}: {len(assembly.pages)} pages, {len(assembly.own_pages)} "
              f"of them the clinic's own, {len(assembly.left_out)} left out)")
    return 0


def remove_other_languages(assemblies: list[Assembly]) -> None:
    """A language the clinic no longer lists: its old copy goes (only a folder this script wrote)."""
    english, kept = assemblies[0], {assembly.language.code for assembly in assemblies}
    for language in translated_languages(english.root):
        old = english.out / language.code
        if language.code not in kept and (old / STAMP).is_file():
            shutil.rmtree(old)


if __name__ == "__main__":
    sys.exit(main())
