"""Translated pages (docs-<lang>/, issue 17): each records the English it was made from, and
says so when that English has changed; an English page has a translation in every language the
site lists; and each translated page passes its language's terminology rule and reading ease.
The languages, fingerprints and the theme's data are scripts/translations.py's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import readability
import reviews
import translations
from checker.config import MKDOCS_FILE, load_term_rule
from checker.findings import Finding, finding
from checker.markdown import SourceFile, front_matter_line, prose
from checker.registry import check, rule
from checker.rules.terminology import check_terminology
from checker.site import Run, Site

rule("translation-stale", "warning", "page",
     "A translated page whose English page (or a care card, sign table or picture it shows) has changed "
     "since it was translated, or whose English page is gone: the page shows a notice linking to the English.",
     "scripts/translations.py",
     "Update the translation, then run: python scripts/translations.py stamp <page>.")
rule("translation-missing", "error", "page",
     "An English page with no translation at the same path in a language the site lists "
     "(mkdocs.yml extra.alternate, with its mkdocs.<code>.yml).",
     "scripts/translations.py",
     "Translate the page into docs-<lang>/ at the same path (or ask a translator), "
     "then run: python scripts/translations.py stamp <page> --by \"Name\".")


@check("site", "translation-stale", "translation-missing", "front-matter", "generated", "terminology",
       "reading-level", where=MKDOCS_FILE)
def translated_pages(run: Run) -> Iterator[Finding]:
    yield from translation_findings(run.site.root, run.site)


def translation_findings(root: Path, site: Site) -> Iterator[Finding]:
    """Every finding about the translations of the English pages of `site`."""
    try:
        listed = translations.languages(root)
    except translations.TranslationError as error:
        path, _, message = str(error).partition(": ")
        yield finding(path.split(":")[0], 1, 1, "front-matter", message,
                      fix="Fix the setting, or remove the language from extra.alternate.")
        return
    prints = translations.english_fingerprints(site)
    state = root / translations.STATE_FILE
    if listed and (not state.is_file() or state.read_text(encoding="utf-8") != translations.render_state(site)):
        yield finding(translations.STATE_FILE, 1, 1, "generated",
                      "the English pages changed since this file was made, so a stale translation "
                      "would not say so", fix="Run `make generate` (scripts/translations.py generate).")
    for language in listed:
        yield from language_findings(root, site, language, prints)


def language_findings(root: Path, site: Site, language: translations.Language,
                      prints: Mapping[str, str]) -> Iterator[Finding]:
    docs = root / language.docs
    for name in sorted(prints):
        if not (docs / name).is_file():
            yield finding(site.page_path(name), 1, 1, "translation-missing",
                          f"the site lists {language.name} ({language.code}), but this page has no "
                          f"translation: {language.docs}/{name} does not exist")
    terms = load_term_rule(root, language.rule_file) if (root / language.rule_file).is_file() else None
    for path in sorted(docs.rglob("*.md")):
        source = SourceFile(root, path.relative_to(root).as_posix())
        if not source.readable:
            yield source.problem  # type: ignore[misc]
            continue
        name = path.relative_to(docs).as_posix()
        yield from record_findings(source, site.page_path(name), prints.get(name))
        if terms is not None:
            yield from (result for result, _ in check_terminology(source, terms, prose(source, terms.name)))
        yield from reading_findings(source, name, root, language)


def record_findings(source: SourceFile, english: str, current: str | None) -> Iterator[Finding]:
    """The translation's front matter, and whether the English changed since."""
    meta = reviews.front_matter_of(source)  # a broken one: the terminology and reading checks still run

    def at(key: str) -> tuple[str, int, int]:
        return (source.path, *front_matter_line(source, key))

    stamp = translations.STAMP
    if current is None:
        path, line, column = at("translation_of")
        yield finding(path, line, column, "translation-stale", f"there is no English page {english} any more, so "
                      "this translation has no source", fix="Remove the translation, or restore the English page.")
        return
    missing = [key for key in translations.FIELDS if not meta.get(key)]
    if missing:
        path, line, column = at(missing[0])
        yield finding(path, line, column, "front-matter", f"a translated page records its source: "
                      f"{', '.join(missing)} missing",
                      fix=f"Run {stamp} {source.path} --by \"Name\" to record the English it matches.")
        return
    if meta["translation_of"] != english:
        path, line, column = at("translation_of")
        yield finding(path, line, column, "front-matter", f"translation_of is '{meta['translation_of']}', but this "
                      f"page translates {english} (a translation keeps the English page's path)",
                      fix=f"Set translation_of: {english}.")
    review_problem = translations.review_state_problem(meta["translation_review"])
    if review_problem:
        path, line, column = at("translation_review")
        yield finding(path, line, column, "front-matter", review_problem,
                      fix=f"Write translation_review: {translations.NOT_REVIEWED}, or {{by: \"Name, role\", on: "
                          "YYYY-MM-DD}} once a fluent clinician has checked the meaning against the English.")
    if meta["translation_fingerprint"] != current:
        path, line, column = at("translation_fingerprint")
        yield finding(path, line, column, "translation-stale",
                      f"{english} has changed since this page was translated from it (or a care card, sign "
                      "table or picture it shows has), so this translation may no longer say the same; the "
                      "page shows a notice linking to the English",
                      fix=f"Update the translation to say what {english} says now, then record it: "
                          f"{stamp} {source.path}.")


def reading_findings(source: SourceFile, name: str, root: Path, language: translations.Language) -> Iterator[Finding]:
    if name in translations.READING_EXEMPT:
        return
    ease = readability.page_reading_ease(source.text, translations.snippet_dirs(root, language))
    if ease < readability.MIN_READING_EASE_ES:
        yield finding(source.path, 1, 1, "reading-level",
                      f"reading ease {ease} (Fernandez-Huerta) is below {readability.MIN_READING_EASE_ES:g}")
