#!/usr/bin/env python3
"""The checker: one command that says exactly what is wrong in the guide, and how to fix it.

    python scripts/check.py                     check the whole site
    python scripts/check.py docs/index.md ...   report only on these files (or folders)
    python scripts/check.py --changed           files changed against origin/main (or HEAD),
                                                plus the pages that link to or include them
    python scripts/check.py --format json|github
    python scripts/check.py --fix               rewrite discouraged terms to preferred ones (from the
                                                bytes that were checked: a file saved since is skipped,
                                                and named; line endings and mode bits are kept)

Output: `path:line:col: severity rule: message` (1-based, paths relative to the repository).
Exit status: 0 no errors (warnings allowed), 1 errors found, 2 the checker could not run.
It reads the Markdown sources, not the built site, so it works with any builder.

Cases handled, rule by rule (the codes, severities, reasons and fixes are in RULES):

internal-link   Markdown links [t](page.md), images ![a](img.png), <angle targets>, "titles";
                reference links [t][ref] and their definitions [ref]: page.md, and [t][ref]
                with no definition; raw HTML href= and src= (resolved against the page's
                built address, as a browser does; a raw `.md` link is not rewritten by MkDocs,
                so it is an error); nav entries in mkdocs.yml; href/src in overrides/
                templates ({{ base_url }} is the site root; other template expressions are
                skipped). Paths resolve as MkDocs resolves them: relative to the file, ../,
                %-escapes, query strings ignored; folder links (nerve-pain/) and links with no
                extension are "unrecognized" by MkDocs and fail its strict build; absolute
                /links are rejected; links that leave docs/ are missing.
                A link inside an included snippet is resolved from each page that includes it
                (as the build does) and reported once, in the snippet, at its own line.
anchor          #fragments on the same page or another page: heading ids with the rules of the
                build (markdown.extensions.toc.slugify on the heading's text, _1, _2 for
                repeats), attr_list ids ({#id}, {: #id}), raw HTML id= and <a name=>; headings
                of included snippets count, in document order.
snippet         --8<-- "file" lines whose file is missing from the snippet base paths
                (pymdownx.snippets check_paths stops the build).
external-link   http:// and other schemes (https only; mailto: and tel: pass); domains not
                in data/external-domains.yml `allowed`; the `blocked` domains anywhere in any
                file (link, text, code or comment), even if also listed as allowed; URLs in
                data/references.yml are checked there (the generated sources list is not).
bare-url        https://... or www.... in running text, where a reader cannot click it.
terminology     the Vale substitution rule in styles/NervePain/Terms.yml (swap map,
                ignorecase, exceptions, level, message), matched at word boundaries with one
                combined regex; skips front matter (except title and description), code spans
                and fences, HTML comments and tags, link targets, URLs, attribute lists,
                snippet lines and text between <!-- vale NervePain.Terms = NO --> and
                <!-- vale NervePain.Terms = YES --> (also `vale off`/`vale on`, `vale
                NervePain = NO`). The message names the preferred term, with the capital
                letter kept; --fix writes it.
front-matter    no front matter, broken YAML, a required field missing or empty, a `written`
                date that is not a date or is in the future, a description too long,
                sources that are not a list of keys, and the retired review fields
                (last_reviewed, next_review, reviewed_by: reviews are records now); a date
                that does not exist (2026-02-30), a key written twice, YAML aliases, nesting
                deeper than yaml_tags.MAX_DEPTH.
review-due      a page's next review (its record in data/reviews.yml plus the policy there)
                within the warning window (a warning).
review-overdue  a page's next review in the past.
review-stale    a page whose fingerprint no longer matches its review record (a warning),
                naming what changed: the page itself, an included snippet, a snippet now
                included or no longer included (scripts/reviews.py makes the fingerprints).
review-record   data/reviews.yml or a clinic's approvals that cannot be read, a record of a
                page that does not exist, a review dated in the future.
citation        a `sources:` key that is not in data/references.yml.
unused-reference  a reference that no page cites.
orphan          a page that no other page links to in its text (navigation does not count).
not-in-nav      a page missing from mkdocs.yml nav (and not matched by not_in_nav).
duplicate-title two pages with the same title (reported on the later page, naming the first).
unsafe-html     <script>, <iframe>, <object>, <embed>, <style>, on*= event attributes, and
                javascript:, vbscript: or data: URLs in links (also entity-encoded); any tag
                or comment in a front-matter title or description, a nav title, site_name or
                site_description (shown as text in the header, the tab and search results).
symlink         a symbolic link under docs/ that leads outside docs/ (the build would publish
                what it points to), that loops, or that leads nowhere.
reading-level   Flesch-Kincaid grade of a patient page, care cards included
                (scripts/readability.py page_grade), above the limit in data/checker.yml.
generated       a file made by scripts/generate.py that differs from what its source makes
                (stale_sources(); the message names the source to edit), or the theme's
                review states (overrides/generated/review-state.html, made by
                scripts/reviews.py) out of date with the records and the pages.
unreadable      a file that is not UTF-8 text, is binary, or cannot be read.
(Data files, mkdocs.yml and the terminology rule with an alias, a repeated key or an
impossible date stop the checker with `file:line:column: problem`, exit status 2.)
internal-error  the checker itself failed on a file: reported as a finding, never a traceback.

Every pattern runs in linear time on any input (code spans are found by a scan, see
code_and_comment_spans); tests/test_hostile_checker.py times long runs of each character.

Partial runs (paths or --changed) still read the whole site; they report findings in the
selected files, and always report orphan, unused-reference and duplicate-title findings,
because a change in one file (removing the last link or citation, reusing a title) makes
them appear in another. Settings live in data/checker.yml.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import datetime as dt
import difflib
import fnmatch
import html
import importlib.util
import json
import os
import posixpath
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import yaml
from markdown.extensions.toc import slugify, unique

SCRIPTS_DIR = Path(__file__).resolve().parent
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

from atomic_file import write_atomically  # noqa: E402  (one atomic write, shared)
import readability  # noqa: E402  (the shared reading-level measure, next to this file)
import reviews  # noqa: E402  (review records and fingerprints, next to this file)
import changelog  # noqa: E402  (hook, issue 16: data/changelog.yml, its rule and feed)
import diagnosis_codes  # noqa: E402  (hook, issue 16: diagnosis codes in front matter)
import translations  # noqa: E402  (issue 17 hook: translated pages and their English sources)
from yaml_tags import RefusedYaml, checked_timestamp, load_checked  # noqa: E402

DEFAULT_ROOT = SCRIPTS_DIR.parent
SETTINGS_FILE = "data/checker.yml"
DOMAINS_FILE = "data/external-domains.yml"
REFERENCES_FILE = "data/references.yml"
MKDOCS_FILE = "mkdocs.yml"
GUIDE = "CONTRIBUTING.md"


# ------------------------------------------------------------------ the table of rules

@dataclass(frozen=True)
class Rule:
    severity: str  # "error" or "warning"
    reason: str  # where an editor reads why the rule exists
    fix: str  # what to do, appended to every message of the rule


RULES: Mapping[str, Rule] = MappingProxyType({
    "internal-link": Rule("error", f"{GUIDE}#change-a-page-in-five-steps",
                          "Link to the page's .md file, relative to this file, as in [causes](../nerve-pain/causes.md)."),
    "anchor": Rule("error", f"{GUIDE}#change-a-page-in-five-steps",
                   "Use the id of a heading on that page: its words in lower case, joined by hyphens."),
    "snippet": Rule("error", f"{GUIDE}#writing-rules",
                    "Name a file under snippets/, as in --8<-- \"cards/emergency-nerve.md\"."),
    "external-link": Rule("error", f"{GUIDE}#allow-an-external-web-site",
                          "Use https and a domain listed in data/external-domains.yml (add one there with the reason)."),
    "bare-url": Rule("error", f"{GUIDE}#allow-an-external-web-site",
                     "Make it a link with words a reader understands: [NHS inform](https://www.nhsinform.scot/)."),
    "terminology": Rule("error", f"{GUIDE}#words-we-use",
                        "For a deliberate use, switch the rule off around it "
                        "(CONTRIBUTING.md, \"Words we use\")."),
    "front-matter": Rule("error", f"{GUIDE}#the-page-template",
                         "Fix the field between the --- lines at the top of the page."),
    "review-due": Rule("warning", f"{GUIDE}#clinical-review",
                       "Ask a clinician to review the page, then record it: "
                       "make sign-off PAGE=<page> BY=\"Name, role\"."),
    "review-overdue": Rule("error", f"{GUIDE}#clinical-review",
                           "Have the page reviewed, then record it: make sign-off PAGE=<page> BY=\"Name, role\"."),
    "review-stale": Rule("warning", f"{GUIDE}#clinical-review",
                         "The page shows \"changed since its review\" until a clinician reviews it again and "
                         "signs it off: make sign-off PAGE=<page> BY=\"Name, role\"."),
    "review-record": Rule("error", f"{GUIDE}#clinical-review",
                          "Records are written by `make sign-off`; run it again for the page rather than edit one."),
    "citation": Rule("error", f"{GUIDE}#add-a-source",
                     "Use a key from data/references.yml, or add the source there first."),
    "unused-reference": Rule("error", f"{GUIDE}#add-a-source",
                             "Cite it in the `sources:` of the page that rests on it, or remove it."),
    "orphan": Rule("error", f"{GUIDE}#change-a-page-in-five-steps",
                   "Link to it from the text of a related page (a Related pages list will do)."),
    "not-in-nav": Rule("error", f"{GUIDE}#change-a-page-in-five-steps",
                       "Add it under nav: in mkdocs.yml, in the section it belongs to."),
    "duplicate-title": Rule("error", f"{GUIDE}#the-page-template",
                            "Give each page its own title: the question this page answers."),
    "unsafe-html": Rule("error", f"{GUIDE}#writing-rules",
                        "Remove it: pages use Markdown and the care-card snippets, never scripts or embeds."),
    "reading-level": Rule("error", f"{GUIDE}#writing-rules",
                          "Use shorter sentences (20 words or fewer) and shorter, everyday words."),
    "symlink": Rule("error", f"{GUIDE}#writing-rules",
                    "Put the file itself in docs/ (a copy, not a link), or remove the link."),
    "generated": Rule("error", f"{GUIDE}#add-a-glossary-term",
                      "Run `make generate` and commit the result; never edit generated files by hand."),
    "unreadable": Rule("error", f"{GUIDE}#the-page-template",
                       "Save the file as UTF-8 text (or remove it if it is not a page)."),
    # Issue 17 hook: the rules of scripts/translations.py (it yields their findings).
    "translation-stale": Rule("warning", "scripts/translations.py",
                              "Update the translation, then run: python scripts/translations.py stamp <page>."),
    "translation-missing": Rule("error", "scripts/translations.py",
                                "Translate the page into docs-<lang>/ at the same path (or ask a translator), "
                                "then run: python scripts/translations.py stamp <page> --by \"Name\"."),
    "internal-error": Rule("error", "scripts/check.py",
                           "This is a bug in the checker: please report it with the file."),
    # Hook (issue 16, h16a): diagnosis codes in front matter and data/changelog.yml have their rules
    # in their own modules; each module's RULES holds (severity, reason, fix).
    **{name: Rule(*spec) for name, spec in {**diagnosis_codes.RULES, **changelog.RULES}.items()},
    # h18 hook: the findings of scripts/check_clinic.py (a clinic's own pages and leave-outs).
    "clinic-copy": Rule("error", f"{GUIDE}#a-clinic-approves-pages",
                        "See HOSTING.md, \"Your own pages and the sections you leave out\"."),
})

# Rules whose findings appear in one file because of a change in another.
ALWAYS_REPORTED_RULES = frozenset({"orphan", "unused-reference", "duplicate-title"})


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    rule: str
    severity: str
    message: str


def finding(path: str, line: int, column: int, rule: str, problem: str, fix: str | None = None,
            severity: str | None = None) -> Finding:
    """A finding whose message says the problem, then how to fix it."""
    spec = RULES[rule]
    problem = problem.strip()
    text = problem + ("" if problem.endswith((".", "?", "!")) else ".") + " " + (fix if fix is not None else spec.fix)
    return Finding(path, max(line, 1), max(column, 1), rule, severity or spec.severity, text.strip())


class ConfigError(Exception):
    """The checker cannot run: a configuration or data file is missing or malformed."""


# ------------------------------------------------------------------ settings and data

@dataclass(frozen=True)
class Settings:
    required_fields: Mapping[str, str]
    description_max: int
    review_warning_days: int
    reading_grade_max: float
    reading_exempt: tuple[str, ...]
    orphan_exempt: tuple[str, ...]
    terminology_rule: str
    generated: Mapping[str, str]
    templates_dir: str


def load_yaml_file(path: Path, what: str) -> Any:
    """A data file, read with load_checked: no aliases, no repeated keys, no impossible dates."""
    try:
        return load_checked(path.read_text(encoding="utf-8"), _TagTolerantLoader)
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read {what} {yaml_error_text(path, error)}") from None


def yaml_error_text(path: Path, error: Exception) -> str:
    """`path:line:column: problem` for a YAML error with a mark, else `path: error`."""
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, RefusedYaml) and mark is not None:
        return f"{path}:{mark.line + 1}:{mark.column + 1}: {error.problem}"
    return f"{path}: {error}"


def load_settings(root: Path) -> Settings:
    data = load_yaml_file(root / SETTINGS_FILE, "checker settings")
    try:
        front = data["front_matter"]
        required = front["required"]
        if not isinstance(required, dict):
            raise TypeError("front_matter.required must map field names to examples")
        return Settings(
            required_fields=MappingProxyType({str(k): str(v) for k, v in required.items()}),
            description_max=int(front["description_max_chars"]),
            review_warning_days=int(data["review"]["warning_days"]),
            reading_grade_max=float(data["reading_level"]["max_grade"]),
            reading_exempt=tuple(data["reading_level"].get("exempt") or ()),
            orphan_exempt=tuple(data["structure"].get("orphan_exempt") or ()),
            terminology_rule=str(data["terminology"]["rule_file"]),
            generated=MappingProxyType({str(k): str(v) for k, v in (data.get("generated") or {}).items()}),
            templates_dir=str(data.get("templates_dir") or "overrides"),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ConfigError(f"{SETTINGS_FILE}: missing or malformed setting: {error}") from None


# libyaml's safe loader when PyYAML has it: the same results, ten times faster on 1,000 pages.
FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TagTolerantLoader(FAST_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """Reads mkdocs.yml without running its !ENV or !!python tags."""


_TagTolerantLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_TagTolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_TagTolerantLoader.add_constructor("tag:yaml.org,2002:timestamp", checked_timestamp)


class FrontMatterLoader(FAST_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """Reads a page's front matter: an impossible date is a refusal at its line, not a crash."""


FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", checked_timestamp)


@dataclass(frozen=True)
class TermRule:
    """A Vale substitution rule: one combined regex, and the preferred term of each key."""
    name: str
    path: str
    pattern: re.Pattern[str] | None
    preferred: tuple[str, ...]  # by group index t0, t1, ... (when some key is a regex)
    literals: Mapping[str, str] | None  # matched text (lower case if ignorecase) -> preferred, for a trie
    message: str
    severity: str
    exceptions: frozenset[str]
    ignorecase: bool


def load_term_rule(root: Path, rule_file: str) -> TermRule:
    path = root / rule_file
    data = load_yaml_file(path, "terminology rule")
    if not isinstance(data, dict) or data.get("extends") != "substitution" or not isinstance(data.get("swap"), dict):
        raise ConfigError(f"{rule_file}: not a Vale substitution rule (needs extends: substitution and a swap map)")
    ignorecase = bool(data.get("ignorecase", False))
    keys = sorted(((str(k), str(v)) for k, v in data["swap"].items()), key=lambda kv: -len(kv[0]))
    parts = []
    for index, (key, _) in enumerate(keys):
        try:
            re.compile(key)
        except re.error as error:
            raise ConfigError(f"{rule_file}: swap key {key!r} is not a valid regex: {error}") from None
        parts.append(f"(?P<t{index}>{key})")
    flags = re.IGNORECASE if ignorecase else 0
    literals = {literal_text(key): value for key, value in keys}
    if parts and all(literals):
        # Every key is a plain word or phrase (as generate.py writes them): one trie-shaped
        # regex tests a single character at each word boundary instead of every key.
        literals = {(k.lower() if ignorecase else k): v for k, v in literals.items()}
        pattern = re.compile(r"\b" + trie_regex(list(literals)) + r"\b", flags)
    else:
        literals = None
        pattern = re.compile(r"\b(?:" + "|".join(parts) + r")\b", flags) if parts else None
    level = str(data.get("level", "warning"))
    severity = "error" if level == "error" else "warning"
    style = Path(rule_file).parent.name
    return TermRule(
        name=f"{style}.{Path(rule_file).stem}" if style else Path(rule_file).stem,
        path=rule_file,
        pattern=pattern,
        preferred=tuple(v for _, v in keys),
        literals=MappingProxyType(literals) if literals is not None else None,
        message=str(data.get("message", "Use '%s' instead of '%s'.")),
        severity=severity,
        exceptions=frozenset(str(e).lower() if ignorecase else str(e) for e in data.get("exceptions") or ()),
        ignorecase=ignorecase,
    )


def literal_text(key: str) -> str:
    """The text a swap key matches when it is a plain (escaped) phrase; '' when it is a regex."""
    if re.search(r"[.^$*+?{}\[\]|()]", re.sub(r"\\.", "", key)) or key.endswith("\\"):
        return ""
    return re.sub(r"\\(.)", r"\1", key)


def trie_regex(words: list[str]) -> str:
    """One regex for a set of phrases, shaped as a trie: (?:c(?:hronic|linician)|d...)."""
    trie: dict = {}
    for word in words:
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}

    def branch(node: dict) -> str:
        alternatives = [re.escape(character) + branch(child) for character, child in sorted(node.items()) if character]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 and "" not in node else "(?:" + "|".join(alternatives) + ")"
        return body + "?" if "" in node else body

    return branch(trie)


@dataclass(frozen=True)
class Domains:
    allowed: frozenset[str]
    blocked: frozenset[str]


def load_domains(root: Path) -> Domains:
    data = load_yaml_file(root / DOMAINS_FILE, "external domain list")
    if not isinstance(data, dict) or not isinstance(data.get("allowed") or {}, dict) \
            or not isinstance(data.get("blocked") or {}, dict):
        raise ConfigError(f"{DOMAINS_FILE}: needs `allowed:` and `blocked:` maps of domain: reason")
    return Domains(
        allowed=frozenset(str(d).lower() for d in (data.get("allowed") or {})),
        blocked=frozenset(str(d).lower() for d in (data.get("blocked") or {})),
    )


@dataclass(frozen=True)
class YamlEntry:
    """A value from a YAML file, with where it is."""
    key: str
    value: Any
    line: int
    column: int


def scalar_positions(node: yaml.Node, wanted: str) -> dict[str, YamlEntry]:
    """In a mapping node, the position of each key's `wanted` sub-key value (url, ...)."""
    found: dict[str, YamlEntry] = {}
    if not isinstance(node, yaml.MappingNode):
        return found
    for key_node, value_node in node.value:
        if isinstance(value_node, yaml.MappingNode):
            for sub_key, sub_value in value_node.value:
                if getattr(sub_key, "value", None) == wanted and isinstance(sub_value, yaml.ScalarNode):
                    found[str(key_node.value)] = YamlEntry(str(key_node.value), sub_value.value,
                                                           sub_value.start_mark.line + 1,
                                                           sub_value.start_mark.column + 1)
    return found


@dataclass(frozen=True)
class References:
    keys: Mapping[str, YamlEntry]  # key -> where the key is
    urls: Mapping[str, YamlEntry]  # key -> where its url is


def load_references(root: Path) -> References:
    path = root / REFERENCES_FILE
    load_yaml_file(path, "reference list")  # refuses aliases, repeated keys and impossible dates
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_TagTolerantLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read {REFERENCES_FILE}: {error}") from None
    references = mapping_child(mapping_child(node, "extra"), "references")
    keys: dict[str, YamlEntry] = {}
    if isinstance(references, yaml.MappingNode):
        for key_node, _ in references.value:
            keys[str(key_node.value)] = YamlEntry(str(key_node.value), None, key_node.start_mark.line + 1,
                                                  key_node.start_mark.column + 1)
    elif references is not None:
        raise ConfigError(f"{REFERENCES_FILE}: extra.references must map keys to sources")
    return References(MappingProxyType(keys), MappingProxyType(scalar_positions(references, "url")
                                                               if references is not None else {}))


def mapping_child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) == key:
            return value_node
    return None


@dataclass(frozen=True)
class NavEntry:
    target: str
    line: int
    column: int


@dataclass(frozen=True)
class SiteConfig:
    docs_dir: str  # repo-relative
    snippet_dirs: tuple[str, ...]  # repo-relative
    auto_append: tuple[str, ...]
    nav: tuple[NavEntry, ...]
    has_nav: bool
    not_in_nav: tuple[str, ...]
    titles: tuple[NavEntry, ...] = ()  # nav titles, site_name and site_description, shown as text


def entry_at(node: yaml.Node) -> NavEntry:
    return NavEntry(str(node.value), node.start_mark.line + 1, node.start_mark.column + 1)


def nav_items(node: yaml.Node | None) -> Iterator[tuple[bool, NavEntry]]:
    """(is_title, entry) for every title and every page or URL in the nav, with its position."""
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from nav_items(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield True, entry_at(key)
            yield from nav_items(value)
    elif isinstance(node, yaml.ScalarNode) and node.value:
        yield False, entry_at(node)


def nav_entries(node: yaml.Node | None) -> Iterator[NavEntry]:
    """Every page or URL named in the nav, with its position in mkdocs.yml."""
    return (entry for is_title, entry in nav_items(node) if not is_title)


def load_site_config(root: Path) -> SiteConfig:
    path = root / MKDOCS_FILE
    config = load_yaml_file(path, "MkDocs configuration")
    if not isinstance(config, dict):
        raise ConfigError(f"{MKDOCS_FILE}: not a YAML mapping")
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_TagTolerantLoader)
    except yaml.YAMLError as error:  # pragma: no cover (load succeeded above)
        raise ConfigError(f"cannot read {MKDOCS_FILE}: {error}") from None
    snippet_dirs: tuple[str, ...] = (".",)
    auto_append: tuple[str, ...] = ()
    for extension in config.get("markdown_extensions") or []:
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            options = extension["pymdownx.snippets"] or {}
            base = options.get("base_path", ["."])
            snippet_dirs = tuple([base] if isinstance(base, str) else base)
            auto_append = tuple(options.get("auto_append") or ())
    not_in_nav = config.get("not_in_nav") or ""
    return SiteConfig(
        docs_dir=posixpath.normpath(str(config.get("docs_dir") or "docs")),
        snippet_dirs=tuple(posixpath.normpath(str(d)) for d in snippet_dirs),
        auto_append=auto_append,
        nav=tuple(nav_entries(mapping_child(node, "nav"))),
        has_nav="nav" in config,
        not_in_nav=tuple(line.strip() for line in str(not_in_nav).splitlines() if line.strip()),
        titles=(*(entry for is_title, entry in nav_items(mapping_child(node, "nav")) if is_title),
                *(entry_at(value) for key in ("site_name", "site_description")
                  if isinstance(value := mapping_child(node, key), yaml.ScalarNode))),
    )


# ------------------------------------------------------------------ reading and parsing one file

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
UNSAFE_TAGS = frozenset({"script", "iframe", "object", "embed", "style"})
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
LINK_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "background", "data"})
VALE_SWITCH = re.compile(r"<!--\s*vale\s([^>]*?)-->", re.IGNORECASE)
ADMONITION_TYPE = re.compile(r"^([ \t]*(?:!!!|\?\?\?\+?)[ \t]+)([\w-]+)", re.MULTILINE)
FRONT_MATTER_VALUE = re.compile(r"^(?:title|description):(.*)$", re.MULTILINE)


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
    runs: BacktickRuns | None = None
    position = 0
    while match := CODE_START.search(text, position):
        start, token = match.start(), match.group()
        fence = token.lstrip(" \t")
        if token == "<!--":
            close = text.find("-->", start + 4)
            end: int | None = len(text) if close < 0 else close + 3
        elif (start == 0 or text[start - 1] == "\n") and fence[:3] in ("```", "~~~"):
            end = fence_end(text, match)
        else:
            end = None
        if end is None and fence.startswith("`"):  # a code span (or a fence with no line after it)
            start = match.end() - len(fence)
            runs = runs or BacktickRuns(text)
            end = runs.span_end(start, len(fence))
        if end is None:
            position = match.end()  # a stray run of backticks is plain text
            continue
        yield start, end
        position = end


def mask_code_and_comments(text: str) -> str:
    """The text with fenced code, code spans and HTML comments blanked out (newlines kept)."""
    pieces, previous = [], 0
    for start, end in code_and_comment_spans(text):
        pieces += [text[previous:start], NOT_NEWLINE.sub(" ", text[start:end])]
        previous = end
    pieces.append(text[previous:])
    return "".join(pieces)


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


# ------------------------------------------------------------------ the site

@dataclass(frozen=True)
class Context:
    """What every rule may read: the settings, the data files, and today's date."""
    root: Path
    settings: Settings
    config: SiteConfig
    terms: TermRule
    domains: Domains
    references: References
    today: dt.date


class Site:
    """The pages under docs/, the snippets they include, and what is known about each."""

    def __init__(self, context: Context):
        self.context = context
        self.root = context.root
        self.docs = context.config.docs_dir
        docs_path = self.root / self.docs
        if not docs_path.is_dir():
            raise ConfigError(f"docs folder not found: {docs_path}")
        self.docs_files, self.link_problems = docs_tree(docs_path, self.docs)
        self.page_names: list[str] = sorted(name for name in self.docs_files if name.endswith(".md"))
        self.files: dict[str, SourceFile] = {}
        self.page_by_url: dict[str, str] = {page_url(name): name for name in self.page_names}
        self._anchor_cache: dict[str, set[str]] = {}
        self._snippet_cache: dict[str, str | None] = {}

    def file(self, relative: str) -> SourceFile:
        """A file by repo-relative path, read once."""
        if relative not in self.files:
            self.files[relative] = SourceFile(self.root, relative)
        return self.files[relative]

    def page(self, name: str) -> SourceFile:
        return self.file(f"{self.docs}/{name}" if self.docs != "." else name)

    def page_path(self, name: str) -> str:
        return f"{self.docs}/{name}" if self.docs != "." else name

    def resolve_snippet(self, name: str) -> str | None:
        """The repo-relative path of a snippet, searched in the base paths as pymdownx does."""
        if name not in self._snippet_cache:
            found = None
            clean = name.split(":", 1)[0] if not (self.root / name).exists() else name
            for base in self.context.config.snippet_dirs:
                candidate = posixpath.normpath(posixpath.join(base, clean))
                if not candidate.startswith("../") and (self.root / candidate).is_file():
                    found = candidate
                    break
            self._snippet_cache[name] = found
        return self._snippet_cache[name]

    def included_files(self, source: SourceFile, depth: int = 0) -> Iterator[SourceFile]:
        """The snippet files a file includes, recursively, in order."""
        if depth > 8 or not source.readable:
            return
        for item in source.outline:
            if isinstance(item, Include):
                path = self.resolve_snippet(item.name)
                if path:
                    snippet = self.file(path)
                    yield snippet
                    yield from self.included_files(snippet, depth + 1)

    def page_sources(self, name: str) -> list[SourceFile]:
        """A page's own file, then every snippet it pulls in (auto_append last)."""
        page = self.page(name)
        files = [page, *self.included_files(page)]
        for appended in self.context.config.auto_append:
            path = self.resolve_snippet(appended)
            if path:
                files.append(self.file(path))
        return files

    def flattened_outline(self, source: SourceFile, depth: int = 0) -> Iterator[Heading]:
        if depth > 8 or not source.readable:
            return
        for item in source.outline:
            if isinstance(item, Heading):
                yield item
            else:
                path = self.resolve_snippet(item.name)
                if path:
                    yield from self.flattened_outline(self.file(path), depth + 1)

    def anchors(self, name: str) -> set[str]:
        """Every id on a built page: headings (slug + _n), attr_list ids, raw HTML ids."""
        if name not in self._anchor_cache:
            sources = self.page_sources(name)
            explicit = set().union(*(s.explicit_ids for s in sources if s.readable))
            used = set(explicit)
            ids = set(explicit)
            for source in sources:
                if source.readable:
                    ids |= source.html_ids
            counters: dict[str, int] = {}
            for heading in self.flattened_outline(self.page(name)):
                if heading.explicit_id:
                    ids.add(heading.explicit_id)
                    used.add(heading.explicit_id)
                else:
                    ids.add(unique(heading.slug, used, counters))
            self._anchor_cache[name] = ids
        return self._anchor_cache[name]


def docs_tree(docs: Path, label: str) -> tuple[set[str], list[Finding]]:
    """The files under docs/ as MkDocs finds them (it follows symbolic links), and a `symlink`
    finding for each link that leaves docs/ (the build would publish what it points to) or loops."""
    docs_real = docs.resolve()
    files: set[str] = set()
    problems: dict[str, Finding] = {}

    def visit(folder: Path, relative: str, ancestors: frozenset[Path]) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                problem = symlink_problem(path, docs_real, ancestors)
                if problem:
                    where = path.parent.resolve().joinpath(entry.name).relative_to(docs_real).as_posix()
                    problems.setdefault(where, finding(f"{label}/{where}", 1, 1, "symlink", problem))
                    continue
            if entry.is_dir():
                visit(path, f"{relative}{entry.name}/", ancestors | {path.resolve()})
            elif entry.is_file():
                files.add(relative + entry.name)

    visit(docs, "", frozenset({docs_real}))
    return files, sorted(problems.values())


def symlink_problem(link: Path, docs_real: Path, ancestors: frozenset[Path]) -> str | None:
    """Why a symbolic link under docs/ may not stay, or None when it leads to a file or folder in docs/."""
    try:
        written = os.readlink(link)
        target = link.resolve(strict=True)
    except FileNotFoundError:
        return f"the symbolic link leads to '{written}', which does not exist"
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11's "Symlink loop"
        return "the symbolic link loops: it leads back to itself, so the build would never finish"
    if not target.is_relative_to(docs_real):
        return f"the symbolic link leads outside docs/ (to '{written}'), so the build would publish what it points to"
    if target in ancestors:
        return (f"the symbolic link leads back to a folder that holds it ('{written}'), "
                "so the build would never finish")
    return None


def page_url(name: str) -> str:
    """The built address of a page, relative to the site root (use_directory_urls)."""
    stem = name[:-3]
    folder, _, base = stem.rpartition("/")
    if base in ("index", "README"):
        return f"{folder}/" if folder else ""
    return stem + "/"


# ------------------------------------------------------------------ rule: links and anchors

@dataclass(frozen=True)
class LinkResult:
    finding: Finding | None
    target_page: str | None = None


SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*+):")
CONTROL_OR_SPACE = re.compile(r"[\x00-\x20]")


def link_scheme(target: str) -> str:
    match = SCHEME.match(target)
    return match.group(1).lower() if match else ""


def unsafe_scheme(target: str) -> str | None:
    if ":" not in target and "&" not in target:
        return None
    compact = CONTROL_OR_SPACE.sub("", html.unescape(target)).lower()
    return next((scheme for scheme in UNSAFE_SCHEMES if compact.startswith(scheme)), None)


def is_external(target: str) -> bool:
    """A link that leaves the site: any scheme, or a // address (mailto: and tel: included)."""
    return target.startswith("//") or link_scheme(target) != ""


def close_match(wanted: str, candidates: Iterable[str]) -> str:
    matches = difflib.get_close_matches(wanted, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean '{matches[0]}'?" if matches else ""


def relative_link(from_page: str, to_page: str) -> str:
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def close_link(from_page: str, wanted: str, pages: Iterable[str]) -> str:
    """'Did you mean …?' for a missing page, written as the link to type on `from_page`."""
    matches = difflib.get_close_matches(wanted, list(pages), n=1, cutoff=0.6)
    return f" Did you mean '{relative_link(from_page, matches[0])}'?" if matches else ""


def check_anchor(site: Site, where: SourceFile, offset: int, page: str, fragment: str, shown: str,
                 suffix: str) -> Finding | None:
    ids = site.anchors(page)
    if fragment in ids or unquote(fragment) in ids:
        return None
    line, column = where.position(offset)
    return finding(where.path, line, column, "anchor",
                   f"'{shown}': there is no heading or id '#{fragment}' on {site.page_path(page)}{suffix}."
                   f"{close_match(fragment, ids)}")


def check_markdown_link(site: Site, page: str, where: SourceFile, link: Link, suffix: str) -> LinkResult:
    """A Markdown link or image, resolved from `page` as MkDocs resolves it."""
    line, column = where.position(link.offset)
    # A relative link has no scheme and no //host, so urlsplit's split is just this:
    address, _, fragment = link.target.partition("#")
    path = unquote(address.split("?", 1)[0])
    if not path:
        if not fragment:
            return LinkResult(None if link.kind == "refdef" else
                              finding(where.path, line, column, "internal-link", f"the link has no target{suffix}"))
        return LinkResult(check_anchor(site, where, link.offset, page, fragment, link.target, suffix), page)
    if path.startswith("/"):
        guess = path.lstrip("/")
        hint = f" Write '{relative_link(page, guess)}'." if guess in site.docs_files else ""
        return LinkResult(finding(where.path, line, column, "internal-link",
                                  f"'{link.target}' is an absolute link, which MkDocs rejects and which breaks "
                                  f"when a clinic hosts the guide under its own path{suffix}.{hint}"))
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if target in site.docs_files:
        if target.endswith(".md"):
            if fragment:
                return LinkResult(check_anchor(site, where, link.offset, target, fragment, link.target, suffix), target)
            return LinkResult(None, target)
        return LinkResult(None)
    if path.endswith("/") or not posixpath.splitext(path)[1]:
        folder = target.rstrip("/")
        options = [f"{folder}/index.md", f"{folder}.md"]
        existing = next((o for o in options if o in site.docs_files), None)
        hint = f" Write '{relative_link(page, existing)}'." if existing else ""
        return LinkResult(finding(where.path, line, column, "internal-link",
                                  f"'{link.target}' is not a file: MkDocs only rewrites links to .md files "
                                  f"and fails the strict build{suffix}.{hint}"))
    outside = target.startswith("../") or target == ".."
    reason = "points outside docs/" if outside else f"there is no {site.docs}/{target}"
    return LinkResult(finding(where.path, line, column, "internal-link",
                              f"'{link.target}': {reason}{suffix}.{close_link(page, target, site.docs_files)}"))


def check_built_link(site: Site, base: str, where: SourceFile | None, line: int, column: int,
                     target: str, suffix: str, path_label: str) -> LinkResult:
    """A raw HTML or template link, resolved against the built address `base` as a browser does."""
    try:
        parts = urlsplit(urljoin("https://site.invalid/" + base, target))
    except ValueError:
        return LinkResult(finding(path_label, line, column, "internal-link",
                                  f"cannot read the link target '{target}'{suffix}"))
    raw_path = urlsplit(target).path if "://" not in target else ""
    if raw_path.endswith(".md"):
        return LinkResult(finding(path_label, line, column, "internal-link",
                                  f"'{target}' in raw HTML is not rewritten by MkDocs, so it breaks on the built "
                                  f"site{suffix}. Use a Markdown link [text]({raw_path}), or the built address "
                                  f"(a page's folder, as in ../causes/)", fix=""))
    url_path = unquote(parts.path).lstrip("/")
    target_page = site.page_by_url.get(url_path) or site.page_by_url.get(url_path + "/")
    if target_page is None and url_path in site.docs_files and not url_path.endswith(".md"):
        return LinkResult(None)
    if target_page is None:
        return LinkResult(finding(path_label, line, column, "internal-link",
                                  f"'{target}': no page or file is built at /{url_path}{suffix}. Built pages live "
                                  f"at their folder: docs/a/b.md is at a/b/, docs/a/index.md at a/", fix=""))
    if parts.fragment and where is not None:
        offset = where.line_starts[line - 1] + column - 1
        return LinkResult(check_anchor(site, where, offset, target_page, parts.fragment, target, suffix), target_page)
    return LinkResult(None, target_page)


def check_link(site: Site, page: str, where: SourceFile, link: Link, suffix: str) -> LinkResult:
    """One internal link of `where`, as it is on `page` (which includes `where`, or is it)."""
    target = link.target.strip()
    if unsafe_scheme(target) or is_external(target):
        return LinkResult(None)
    if link.kind == "html":
        line, column = where.position(link.offset)
        return check_built_link(site, page_url(page), where, line, column, html.unescape(target), suffix,
                                where.path)
    if link.kind == "autolink":
        return LinkResult(None)
    return check_markdown_link(site, page, where, link, suffix)


@dataclass
class LinkGraph:
    """Which pages link to which, from their text (snippets count for the page including them)."""
    incoming: dict[str, set[str]] = field(default_factory=dict)

    def add(self, source: str, target: str) -> None:
        if source != target:
            self.incoming.setdefault(target, set()).add(source)


def generated_note(context: Context, path: str) -> str:
    source = context.settings.generated.get(path)
    return f" (this file is generated from {source}: fix it there, then run `make generate`)" if source else ""


def check_page_links(site: Site, page: str, graph: LinkGraph) -> Iterator[Finding]:
    """Links, anchors, snippet includes and reference uses of a page and of what it includes."""
    own = site.page(page)
    for source in [own, *site.included_files(own)]:
        if not source.readable:
            continue
        suffix = "" if source is own else f" (when included in {site.page_path(page)})"
        suffix += generated_note(site.context, source.path)
        for link in source.links:
            result = check_link(site, page, source, link, suffix)
            if result.finding:
                yield result.finding
            if result.target_page:
                graph.add(page, result.target_page)
        for item in source.outline:
            if isinstance(item, Include) and site.resolve_snippet(item.name) is None:
                line, column = source.position(item.offset)
                bases = ", ".join(f"{b}/" for b in site.context.config.snippet_dirs)
                yield finding(source.path, line, column, "snippet",
                              f"the snippet '{item.name}' does not exist in {bases}, so the build stops")
        for label, offset in source.undefined_references:
            line, column = source.position(offset)
            yield finding(source.path, line, column, "internal-link",
                          f"the reference link [{label}] has no definition, so it shows as plain text",
                          fix=f"Add a line '[{label}]: page.md' below the paragraph, or use [text](page.md).")


def check_nav(site: Site) -> Iterator[Finding]:
    """Every nav entry in mkdocs.yml names a page that exists (anchors included)."""
    for entry in site.context.config.nav:
        target = entry.target.strip()
        if is_external(target) or unsafe_scheme(target):
            continue
        try:
            parts = urlsplit(target)
        except ValueError:
            yield finding(MKDOCS_FILE, entry.line, entry.column, "internal-link", f"cannot read nav entry '{target}'")
            continue
        path = unquote(parts.path)
        if path.startswith("/"):
            yield finding(MKDOCS_FILE, entry.line, entry.column, "internal-link",
                          f"nav entry '{target}' is absolute; name the page relative to {site.docs}/")
        elif posixpath.normpath(path) not in site.docs_files:
            yield finding(MKDOCS_FILE, entry.line, entry.column, "internal-link",
                          f"nav entry '{target}': there is no {site.docs}/{path}.{close_match(path, site.page_names)}",
                          fix="Name a page file relative to the docs folder, as in nerve-pain/causes.md.")
        elif parts.fragment and path.endswith(".md"):
            ids = site.anchors(posixpath.normpath(path))
            if parts.fragment not in ids:
                yield finding(MKDOCS_FILE, entry.line, entry.column, "anchor",
                              f"nav entry '{target}': no heading or id '#{parts.fragment}' on "
                              f"{site.page_path(path)}.{close_match(parts.fragment, ids)}")


TEMPLATE_LINK = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
BASE_URL = re.compile(r"^\{\{-?\s*base_url\s*-?\}\}")


def template_files(site: Site) -> list[str]:
    folder = site.root / site.context.settings.templates_dir
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(site.root).as_posix() for p in folder.rglob("*.html") if p.is_file())


def blank_between(text: str, opener: str, closer: str) -> str:
    """The text with each `opener ... closer` blanked out (newlines kept); an unclosed opener stays."""
    pieces, position = [], 0
    while (start := text.find(opener, position)) >= 0 and (end := text.find(closer, start + len(opener))) >= 0:
        end += len(closer)
        pieces += [text[position:start], NOT_NEWLINE.sub(" ", text[start:end])]
        position = end
    return "".join(pieces) + text[position:]


def template_links(source: SourceFile) -> Iterator[tuple[str, int]]:
    """(target, offset) of each static href/src; {{ base_url }} becomes the site root."""
    text = HTML_COMMENT.sub(blank_out, blank_between(source.text, "{#", "#}"))
    for match in TEMPLATE_LINK.finditer(text):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        rooted = BASE_URL.sub("", value)
        if rooted != value:
            value = "/" + rooted.lstrip("/")
        if "{{" in value or "{%" in value or value.startswith("#"):
            continue
        yield value, match.start(1)


def check_templates(site: Site) -> Iterator[Finding]:
    for path in template_files(site):
        source = site.file(path)
        if not source.readable:
            yield source.problem  # type: ignore[misc]
            continue
        links = list(template_links(source))
        yield from check_external_links(source, site.context.domains, links)
        for target, offset in links:
            if is_external(target) or unsafe_scheme(target):
                continue
            line, column = source.position(offset)
            result = check_built_link(site, "", None, line, column, target, "", path)
            if result.finding:
                yield result.finding


# ------------------------------------------------------------------ rule: external links

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


# ------------------------------------------------------------------ rule: terminology

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
        pieces = [text[front.end():]]
        head = NOT_NEWLINE.sub(" ", source.text[: front.end()])
        for value in FRONT_MATTER_VALUE.finditer(source.text, 0, front.end()):
            start, end = stripped_span(value, 1)
            head = head[:start] + source.text[start:end] + head[end:]
        text = head + pieces[0]
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


@dataclass(frozen=True)
class Edit:
    path: str
    start: int
    end: int
    replacement: str


def match_case(preferred: str, matched: str) -> str:
    if matched[:1].isupper() and not preferred[:1].isupper():
        return preferred[:1].upper() + preferred[1:]
    return preferred


def check_terminology(source: SourceFile, rule: TermRule, text: str) -> Iterator[tuple[Finding, Edit | None]]:
    if rule.pattern is None:
        return
    for match in rule.pattern.finditer(text):
        matched = match.group()
        if rule.literals is not None:
            preferred = rule.literals.get(matched.lower() if rule.ignorecase else matched, "")
            if not preferred:
                continue  # a Unicode case fold the trie matched but lower() spells differently
        else:
            group = match.lastgroup if match.lastgroup and match.lastgroup.startswith("t") else next(
                name for name, value in match.groupdict().items() if value is not None)
            preferred = rule.preferred[int(group[1:])]
        compare = matched.lower() if rule.ignorecase else matched
        if compare in rule.exceptions or compare == (preferred.lower() if rule.ignorecase else preferred):
            continue
        choices = [match_case(choice.strip(), matched) for choice in preferred.split("|")]
        try:
            message = rule.message % ("' or '".join(choices), matched)
        except (TypeError, ValueError):
            message = f"Use '{choices[0]}' instead of '{matched}'."
        line, column = source.position(match.start())
        yield (finding(source.path, line, column, "terminology", message, severity=rule.severity,
                       fix=f"For a deliberate use, switch {rule.name} off around it: "
                           f"<!-- vale {rule.name} = NO -->...<!-- vale {rule.name} = YES -->."),
               Edit(source.path, match.start(), match.end(), choices[0]) if len(choices) == 1 else None)


# ------------------------------------------------------------------ rule: safety

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


TITLE_FIX = "Write it in plain words, without < and >."


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


# ------------------------------------------------------------------ rule: front matter and reviews

FRONT_MATTER_KEY = re.compile(r"^([^\s:#][^:\n]*):[ \t]*", re.MULTILINE)


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
        data = load_checked(match.group(1) or "", FrontMatterLoader, first_line=2)
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


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def field_example(example: str, today: dt.date) -> str:
    """An example line from data/checker.yml, with {today} and {next_year} filled in."""
    try:
        next_year = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        next_year = today.replace(year=today.year + 1, day=28)
    return example.replace("{today}", today.isoformat()).replace("{next_year}", next_year.isoformat())


def check_front_matter(source: SourceFile, data: dict, context: Context) -> Iterator[Finding]:
    settings = context.settings
    path = source.path
    missing = [key for key in settings.required_fields if key not in data]
    if missing:
        names = ", ".join(f"'{key}'" for key in missing)
        examples = " | ".join(field_example(settings.required_fields[key], context.today) for key in missing)
        yield finding(path, 1, 1, "front-matter",
                      f"the field{'s' * (len(missing) > 1)} {names} {'are' if len(missing) > 1 else 'is'} missing",
                      fix=f"Add {'these lines' if len(missing) > 1 else 'this line'}: {examples}")
    for key, example in settings.required_fields.items():
        example = field_example(example, context.today)
        line, column = front_matter_line(source, key)
        value = data.get(key)
        if key not in data:
            continue
        elif key == "written":
            if as_date(value) is None:
                yield finding(path, line, column, "front-matter", f"'{key}' is not a date (YYYY-MM-DD)",
                              fix=f"Write it as: {example}")
        elif key == "sources":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                yield finding(path, line, column, "front-matter", "'sources' is not a list of reference keys",
                              fix=f"Write it as: {example}")
        elif not isinstance(value, str) or not value.strip():
            yield finding(path, line, column, "front-matter", f"'{key}' is empty or not text", fix=f"Write it as: {example}")
    description = data.get("description")
    if isinstance(description, str) and len(description) > settings.description_max:
        line, column = front_matter_line(source, "description")
        yield finding(path, line, column, "front-matter",
                      f"the description is {len(description)} characters; keep it to {settings.description_max} "
                      f"or fewer, as search results cut off the rest", fix="Shorten it to one plain sentence or two.")
    written = as_date(data.get("written"))
    if written and written > context.today:
        line, column = front_matter_line(source, "written")
        yield finding(path, line, column, "front-matter", f"written ({written}) is in the future",
                      fix="Use the date the page was written.")
    yield from retired_review_fields(source, data)


# ------------------------------------------------------------------ rule: review records

RETIRED_REVIEW_FIELDS = ("last_reviewed", "next_review", "reviewed_by")


def retired_review_fields(source: SourceFile, data: dict) -> Iterator[Finding]:
    """A review typed into front matter proves nothing: reviews are records now."""
    for key in RETIRED_REVIEW_FIELDS:
        if key in data:
            line, column = front_matter_line(source, key)
            yield finding(source.path, line, column, "front-matter",
                          f"'{key}' no longer belongs in the front matter: a review is a record in "
                          f"{reviews.RECORDS_FILE}, made by `make sign-off`",
                          fix="Delete the line. Keep `written:` with the date the page was written.")


def review_findings(site: Site) -> Iterator[Finding]:
    """Each review record against the page as it is now (fingerprints: scripts/reviews.py),
    clinics' approvals that cannot be read, and the theme's review data file if out of date."""
    root, today = site.root, site.context.today
    try:
        records = reviews.load_records(root, reviews.RECORDS_FILE)
        clinics = reviews.load_clinics(root)
    except reviews.RecordsError as error:
        yield finding(error.path, error.line, 1, "review-record", error.message)
        return
    state_file = root / reviews.STATE_FILE
    if not records.pages and not clinics and not state_file.exists():
        return  # a tree that keeps no reviews (a test tree, the benchmark corpus)
    current = {page.page: page for page in reviews.current_pages(site)}
    for held in [records, *(clinic.approvals for clinic in clinics)]:
        for record in held.pages.values():
            if record.page not in current:
                yield finding(held.path, record.line, 1, "review-record", f"there is no page docs/{record.page}",
                              fix="Remove its record if the page is gone, or put the page back.")
    for name, record in records.pages.items():
        if name not in current:
            continue
        state = reviews.page_state(current[name], record, records.months)
        yield from review_state_findings(site.page_path(name), state, today, site.context.settings.review_warning_days)
        if record.date > today:
            yield finding(records.path, record.line, 1, "review-record",
                          f"the review of {name} is dated {record.date}, in the future")
    if not reviews.state_file_is_current(root, site):
        yield finding(reviews.STATE_FILE, 1, 1, "generated",
                      "this file is out of date with data/reviews.yml and the pages it fingerprints",
                      fix="Run `make generate` and commit the result (make build does it for you).")


def review_state_findings(path: str, state: reviews.PageState, today: dt.date, warning_days: int) -> Iterator[Finding]:
    record = state.record
    assert record is not None and state.due is not None
    if state.state == reviews.CHANGED:
        yield finding(path, 1, 1, "review-stale",
                      f"changed since its review by {record.by} on {record.date}: {'; '.join(state.changed)}")
    if state.due < today:
        yield finding(path, 1, 1, "review-overdue",
                      f"the review of {record.date} was due again on {state.due}, {(today - state.due).days} days ago")
    elif (state.due - today).days <= warning_days:
        yield finding(path, 1, 1, "review-due",
                      f"the next review is due on {state.due}, in {(state.due - today).days} days")


def cited_keys(data: dict) -> list[str]:
    """The reference keys a page's front matter cites."""
    cited = data.get("sources")
    return [key for key in cited if isinstance(key, str)] if isinstance(cited, list) else []


def citation_findings(source: SourceFile, cited: list[str], references: References) -> Iterator[Finding]:
    sources_line = re.search(r"^sources[ \t]*:", source.text[: source.body_start], re.MULTILINE)
    for key in cited:
        if key in references.keys:
            continue
        line, column = 1, 1
        if sources_line:
            found = re.compile(rf"(?<![\w-]){re.escape(key)}(?![\w-])").search(
                source.text, sources_line.end(), source.body_start)
            line, column = source.position(found.start() if found else sources_line.start())
        yield finding(source.path, line, column, "citation",
                      f"'{key}' is not in {REFERENCES_FILE}.{close_match(key, references.keys)}")


# ------------------------------------------------------------------ rule: reading level and generated files

def page_grades(texts: list[tuple[str, str]], snippets: Path) -> dict[str, float | str]:
    """Reading grade of each (name, Markdown) with readability.page_grade; an error's text if it fails."""
    grades: dict[str, float | str] = {}
    for name, text in texts:
        try:
            grades[name] = readability.page_grade(text, snippets)
        except Exception as error:  # noqa: BLE001: reported as an internal-error finding
            grades[name] = f"{type(error).__name__}: {error}"
    return grades


class GradeJob:
    """Reading grades of many pages, in a second process when the machine has a second core.

    textstat is the slowest part of a run on a big site and needs nothing but each page's
    text, so it runs alongside the other rules (fork start method; otherwise in this process).
    """

    PARALLEL_FROM = 200  # pages; below this a second process costs more than it saves

    def __init__(self, texts: list[tuple[str, str]], snippets: Path):
        self.texts, self.snippets = texts, snippets
        self.future: Any = None
        self.pool: Any = None
        if len(texts) >= self.PARALLEL_FROM and (os.cpu_count() or 1) > 1:
            try:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor
                self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
                self.future = self.pool.submit(page_grades, texts, snippets)
            except (ImportError, ValueError, OSError):
                self.pool = self.future = None

    def result(self) -> dict[str, float | str]:
        if self.future is not None:
            try:
                return self.future.result()
            except Exception:  # noqa: BLE001: a broken worker process; grade here instead
                pass
            finally:
                self.pool.shutdown(wait=False)
        return page_grades(self.texts, self.snippets)


def reading_level_findings(site: Site, page: str, grade: float | str) -> Iterator[Finding]:
    source = site.page(page)
    if isinstance(grade, str):
        yield finding(source.path, 1, 1, "internal-error", f"the reading grade failed on this file ({grade})")
        return
    limit = site.context.settings.reading_grade_max
    if grade > limit:
        title = re.search(r"^#[ \t]", source.text[source.body_start:], re.MULTILINE)
        line = source.position(source.body_start + title.start())[0] if title else 1
        yield finding(source.path, line, 1, "reading-level",
                      f"the reading grade is {grade:.1f}; aim for {limit:g} or lower")


def load_generator(root: Path) -> Any | None:
    """The tree's own scripts/generate.py (so a copy of the repository checks its own files)."""
    path = root / "scripts" / "generate.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"_checked_generate_{abs(hash(str(path)))}", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def check_generated(context: Context) -> Iterator[Finding]:
    try:
        generator = load_generator(context.root)
        stale = generator.stale_sources() if generator else {}
    except Exception as error:  # the generator reads data files an editor may have broken
        yield finding("data/terms.yml", 1, 1, "generated", f"cannot compare the generated files: {error}",
                      fix="Fix the data file, then run `make generate`.")
        return
    root = context.root.resolve()
    for path, source in stale.items():
        path = Path(path).resolve()
        relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        source_file = Path(source.file).resolve()
        edit = source_file.relative_to(root).as_posix() if source_file.is_relative_to(root) else str(source_file)
        yield finding(relative, 1, 1, "generated", f"this file differs from what {source.name} makes",
                      fix=f"Edit {edit}, then run `make generate`; never edit this file by hand.")


# ------------------------------------------------------------------ running every rule

@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    edits: tuple[Edit, ...]
    files_checked: int
    snapshots: Mapping[str, bytes] = field(default_factory=dict)  # the bytes each file's edits were computed on


def load_context(root: Path, today: dt.date | None = None) -> Context:
    settings = load_settings(root)
    return Context(
        root=root,
        settings=settings,
        config=load_site_config(root),
        terms=load_term_rule(root, settings.terminology_rule),
        domains=load_domains(root),
        references=load_references(root),
        today=today or dt.date.today(),
    )


def guarded(path: str, rule_run: Iterable[Finding]) -> list[Finding]:
    """Run one rule on one file; a checker bug becomes a finding, never a traceback."""
    try:
        return list(rule_run)
    except RecursionError:
        return [finding(path, 1, 1, "internal-error", "the checker ran too deep on this file")]
    except Exception as error:  # noqa: BLE001: bad content must never crash the checker
        return [finding(path, 1, 1, "internal-error", f"the checker failed on this file ({type(error).__name__}: "
                                                      f"{error})")]


def content_rules(site: Site, source: SourceFile, edits: list[Edit]) -> Iterator[Finding]:
    """The rules that look at one file's own words and links, once per file."""
    context = site.context
    generated = source.path in context.settings.generated
    yield from check_safety(source)
    if generated:
        return
    links = [(link.target, link.offset) for link in source.links]
    yield from check_external_links(source, context.domains, links)
    visible = prose_without_urls(source)
    yield from check_bare_urls(source, visible)
    for result, edit in check_terminology(source, context.terms, prose(source, context.terms.name, visible)):
        yield result
        if edit:
            edits.append(edit)


def run_checks(root: Path, today: dt.date | None = None, context: Context | None = None) -> Report:
    """Every rule on the whole site under `root`. Raises ConfigError when it cannot run.
    h18 hook: scripts/check_clinic.py passes a `context` whose docs folder is a clinic's copy."""
    context = context or load_context(root, today)
    site = Site(context)
    findings: list[Finding] = []
    edits: list[Edit] = []
    graph = LinkGraph()
    titles: dict[str, str] = {}
    cited: set[str] = set()

    findings += site.link_problems
    findings += guarded(MKDOCS_FILE, check_nav(site))
    findings += guarded(MKDOCS_FILE, check_config_html(context.config))
    findings += guarded(context.settings.templates_dir, check_templates(site))
    findings += guarded(REFERENCES_FILE, check_reference_urls(context))
    findings += guarded(DOMAINS_FILE, check_allow_list(root, context.domains))
    findings += guarded("data/terms.yml", check_generated(context))
    findings += guarded(reviews.RECORDS_FILE, review_findings(site))
    # Hook (issue 16, h16a): scripts/diagnosis_codes.py and scripts/changelog.py.
    findings += guarded(site.docs, diagnosis_codes.checker_findings(site, finding))
    findings += guarded(changelog.FILE, changelog.checker_findings(site, finding))
    patient_pages = [page for page in site.page_names if site.page(page).readable
                     and not any(fnmatch.fnmatch(page, pattern) for pattern in context.settings.reading_exempt)]
    grades = GradeJob([(page, site.page(page).text) for page in patient_pages],
                      root / context.config.snippet_dirs[0])

    content_files: dict[str, SourceFile] = {}
    for page in site.page_names:
        source = site.page(page)
        if not source.readable:
            findings.append(source.problem)  # type: ignore[arg-type]
            continue
        findings += guarded(source.path, check_page_links(site, page, graph))
        for included in site.page_sources(page):
            content_files.setdefault(included.path, included)
        data, problem = parse_front_matter(source)
        if problem:
            findings.append(problem)
        if data is not None:
            findings += guarded(source.path, check_front_matter(source, data, context))
            findings += guarded(source.path, check_title_html(source, data))
            keys = cited_keys(data)
            cited.update(keys)
            findings += guarded(source.path, citation_findings(source, keys, context.references))
            title = data.get("title")
            if isinstance(title, str) and title.strip():
                key = " ".join(title.lower().split())
                if key in titles:
                    line, column = front_matter_line(source, "title")
                    findings.append(finding(source.path, line, column, "duplicate-title",
                                            f"the title '{title.strip()}' is also the title of "
                                            f"{site.page_path(titles[key])}"))
                else:
                    titles[key] = page

    for path, source in sorted(content_files.items()):
        if not source.readable:
            if source.path.startswith(f"{site.docs}/"):
                continue  # reported above
            findings.append(source.problem)  # type: ignore[arg-type]
            continue
        findings += guarded(path, content_rules(site, source, edits))
    for path in [*sorted(content_files), *template_files(site), REFERENCES_FILE, MKDOCS_FILE]:
        findings += guarded(path, blocked_domain_findings(site.file(path), context.domains))

    for page, grade in grades.result().items():
        findings += guarded(site.page_path(page), reading_level_findings(site, page, grade))
    findings += guarded(REFERENCES_FILE, unused_reference_findings(context.references, cited))
    findings += guarded(MKDOCS_FILE, structure_findings(site, graph))
    findings += guarded(MKDOCS_FILE, translations.findings(root, site))  # issue 17 hook: translations
    snapshots = MappingProxyType({edit.path: content_files[edit.path].raw for edit in edits})
    return Report(tuple(deduplicate(findings)), tuple(edits), len(content_files), snapshots)


def unused_reference_findings(references: References, cited: set[str]) -> Iterator[Finding]:
    for key, entry in references.keys.items():
        if key not in cited:
            yield finding(REFERENCES_FILE, entry.line, entry.column, "unused-reference",
                          f"no page cites the source '{key}'")


def structure_findings(site: Site, graph: LinkGraph) -> Iterator[Finding]:
    config = site.context.config
    in_nav = {posixpath.normpath(urlsplit(e.target).path) for e in config.nav if not is_external(e.target)}
    for page in site.page_names:
        path = site.page_path(page)
        if not site.page(page).readable:
            continue
        if config.has_nav and page not in in_nav and not any(fnmatch.fnmatch(page, p.strip("/"))
                                                             for p in config.not_in_nav):
            yield finding(path, 1, 1, "not-in-nav", "this page is not in the navigation (nav: in mkdocs.yml)")
        exempt = any(fnmatch.fnmatch(page, pattern) for pattern in site.context.settings.orphan_exempt)
        if not exempt and not graph.incoming.get(page):
            yield finding(path, 1, 1, "orphan", "no other page links to this page in its text")


def deduplicate(findings: Iterable[Finding]) -> list[Finding]:
    """The same problem once: the first finding for each file, line, column and rule."""
    seen: dict[tuple[str, int, int, str], Finding] = {}
    for item in findings:
        seen.setdefault((item.path, item.line, item.column, item.rule), item)
    return sorted(seen.values())


# ------------------------------------------------------------------ choosing files, fixing, printing

def changed_files(root: Path) -> set[str]:
    """Files changed against the merge base with origin/main (or HEAD), including untracked ones."""
    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)

    base = git("merge-base", "HEAD", "origin/main")
    reference = base.stdout.strip() if base.returncode == 0 and base.stdout.strip() else "HEAD"
    diff = git("diff", "--name-only", reference)
    untracked = git("ls-files", "--others", "--exclude-standard")
    if diff.returncode != 0 or untracked.returncode != 0:
        raise ConfigError(f"--changed needs git: {(diff.stderr or untracked.stderr).strip()}")
    return {line.strip() for line in (diff.stdout + untracked.stdout).splitlines() if line.strip()}


SITE_WIDE_INPUTS = ("mkdocs.yml", "data/", "styles/", "scripts/check.py", "scripts/generate.py",
                    "scripts/readability.py", "scripts/yaml_tags.py")


def expand_selection(root: Path, selected: set[str], today: dt.date | None) -> set[str] | None:
    """Selected files plus the pages that link to them or include them; None means everything."""
    if any(path == prefix or path.startswith(prefix) for path in selected for prefix in SITE_WIDE_INPUTS):
        return None
    context = load_context(root, today)
    site = Site(context)
    wanted = set(selected)
    for page in site.page_names:
        source = site.page(page)
        if not source.readable:
            continue
        files = [source, *site.included_files(source)]
        graph = LinkGraph()
        for where in files:
            for link in where.links:
                result = check_link(site, page, where, link, "")
                if result.target_page:
                    graph.add(page, result.target_page)
        targets = {site.page_path(t) for t in graph.incoming}
        if targets & selected or {f.path for f in files[1:]} & selected:
            wanted.add(source.path)
    return wanted


def selected_paths(root: Path, arguments: list[str]) -> set[str]:
    chosen = set()
    for argument in arguments:
        path = Path(argument)
        path = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not path.exists():
            raise ConfigError(f"no such file or folder: {argument}")
        try:
            relative = path.relative_to(root.resolve())
        except ValueError:
            raise ConfigError(f"{argument} is outside the repository {root}") from None
        if path.is_dir():
            chosen |= {p.relative_to(root.resolve()).as_posix() for p in path.rglob("*") if p.is_file()}
        else:
            chosen.add(relative.as_posix())
    return chosen


def filter_findings(findings: Iterable[Finding], selection: set[str] | None) -> list[Finding]:
    if selection is None:
        return list(findings)
    return [f for f in findings if f.path in selection or f.rule in ALWAYS_REPORTED_RULES]


def edited_text(snapshot: bytes, edits: Iterable[Edit]) -> str:
    """The file's text with the edits made. Edits count offsets in the text as SourceFile reads it
    (no byte-order mark, every line ending a newline); they are mapped back onto the file's own
    text, so its line endings (CRLF, CR or mixed) and byte-order mark stay as they were."""
    raw = snapshot.decode("utf-8")
    mark = 1 if raw.startswith("\ufeff") else 0
    crlf = [match.start() - mark - index for index, match in enumerate(re.finditer("\r\n", raw))]

    def raw_offset(offset: int) -> int:
        return offset + mark + bisect.bisect_left(crlf, offset)

    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        raw = raw[: raw_offset(edit.start)] + edit.replacement + raw[raw_offset(edit.end):]
    return raw


@dataclass(frozen=True)
class FixResult:
    fixed: list[str]
    skipped: list[str]  # files that changed after the check: left alone


def apply_edits(root: Path, report: Report, selection: set[str] | None) -> FixResult:
    """Rewrite discouraged terms, from the bytes each file held when it was checked."""
    by_file: dict[str, list[Edit]] = {}
    for edit in report.edits:
        if selection is None or edit.path in selection:
            by_file.setdefault(edit.path, []).append(edit)
    fixed, skipped = [], []
    for path, file_edits in sorted(by_file.items()):
        snapshot = report.snapshots.get(path)
        if snapshot is None:
            skipped.append(path)
            continue
        text = edited_text(snapshot, file_edits)
        (fixed if write_atomically(root / path, text, expected=snapshot) else skipped).append(path)
    return FixResult(fixed, skipped)


def github_escape(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_findings(findings: list[Finding], style: str) -> str:
    if style == "json":
        return json.dumps([{**dataclasses.asdict(f), "link": RULES[f.rule].reason} for f in findings], indent=2,
                          ensure_ascii=False)
    if style == "github":
        return "\n".join(
            f"::{f.severity} file={github_escape(f.path, True)},line={f.line},col={f.column},"
            f"title={github_escape(f.rule, True)}::{github_escape(f.message)}" for f in findings)
    return "\n".join(f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}" for f in findings)


def summary(findings: list[Finding], files: int) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return f"check: no problems in {files} file{'s' * (files != 1)}."
    files_with_findings = len({f.path for f in findings})
    return (f"check: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"in {files_with_findings} file{'s' * (files_with_findings != 1)}. "
            "Each line says where, what, and how to fix it.")


class ArgumentError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a message, through main()
        raise ArgumentError(message)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = Parser(prog="check.py", description=__doc__.split("\n\n")[0],
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="files or folders to report on (default: everything)")
    parser.add_argument("--changed", action="store_true",
                        help="report on files changed against origin/main (or HEAD) and the pages linking to them")
    parser.add_argument("--format", choices=("text", "json", "github"), default="text")
    parser.add_argument("--fix", action="store_true", help="rewrite discouraged terms to the preferred ones")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="the date reviews are compared with (YYYY-MM-DD; default: today)")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the repository to check")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_arguments(argv)
    except ArgumentError as error:
        print(f"check.py: {error} (try --help)", file=sys.stderr)
        return 2
    root = args.root.resolve()
    try:
        selection: set[str] | None = None
        if args.paths:
            selection = selected_paths(root, args.paths)
        if args.changed:
            changed = changed_files(root)
            expanded = expand_selection(root, changed | (selection or set()), args.today)
            selection = expanded
        report = run_checks(root, args.today)
        skipped: list[str] = []
        if args.fix and report.edits:
            result = apply_edits(root, report, selection)
            skipped = result.skipped
            if result.fixed:
                print(f"check: fixed terms in {', '.join(result.fixed)}", file=sys.stderr)
            for path in skipped:
                print(f"check: skipped {path}: it changed after it was checked, so --fix left it as it is. "
                      "Run the checker again.", file=sys.stderr)
            report = run_checks(root, args.today)
    except ConfigError as error:
        print(f"check.py: cannot run: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"check.py: cannot run: {error}", file=sys.stderr)
        return 2
    findings = filter_findings(report.findings, selection)
    output = format_findings(findings, args.format)
    if output or args.format == "json":
        print(output)
    print(summary(findings, report.files_checked), file=sys.stderr)
    return 1 if skipped or any(f.severity == "error" for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
