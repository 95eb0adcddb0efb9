"""Clinical reviews: each page's review record (data/reviews.yml) against the page as it is
now, by the fingerprints scripts/reviews.py makes; clinics' approvals; the theme's review data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import reviews
import translations
from checker.findings import Finding, finding
from checker.registry import check, rule
from checker.site import Run, Site

rule("review-due", "warning", "page",
     "A page's next review (its record in data/reviews.yml plus the policy there) within the warning "
     "window of data/checker.yml.",
     "clinical-review",
     "Ask a clinician to review the page, then record it: make sign-off PAGE=<page> BY=\"Name, role\".")
rule("review-overdue", "error", "page",
     "A page's next review in the past.",
     "clinical-review", "Have the page reviewed, then record it: make sign-off PAGE=<page> BY=\"Name, role\".")
rule("review-stale", "warning", "page",
     "A page whose fingerprint no longer matches its review record, naming what changed: the page itself, "
     "an included snippet, a snippet now included or no longer included.",
     "clinical-review",
     "The page shows \"changed since its review\" until a clinician reviews it again and "
     "signs it off: make sign-off PAGE=<page> BY=\"Name, role\".")
rule("review-record", "error", "configuration",
     "data/reviews.yml or a clinic's approvals that cannot be read, a record of a page that does not "
     "exist (in English or in a translation), a review dated in the future.",
     "clinical-review", "Records are written by `make sign-off`; run it again for the page rather than edit one.")


def review_findings(site: Site) -> Iterator[Finding]:
    """Each review record against the page as it is now (fingerprints: scripts/reviews.py),
    clinics' approvals that cannot be read, and the theme's review data file if out of date."""
    root, today = site.root, site.context.today
    try:
        records = reviews.load_records(root, reviews.RECORDS_FILE)
        clinics = reviews.load_clinics(root)
        reviews.own_page_clinics(root)  # a clinic name two clinics with own pages share: at its line
    except reviews.RecordsError as error:
        yield finding(error.path, error.line, 1, "review-record", error.message)
        return
    state_file = root / reviews.STATE_FILE
    if not records.pages and not clinics and not state_file.exists():
        return  # a tree that keeps no reviews (a test tree, the benchmark corpus)
    current = {state.page: state for state in reviews.current_pages(site)}
    for held in [records, *(clinic.approvals for clinic in clinics)]:
        for record in held.pages.values():
            if record.page not in current:
                yield finding(held.path, record.line, 1, "review-record", f"there is no page docs/{record.page}",
                              fix="Remove its record if the page is gone, or put the page back.")
    yield from translated_record_findings(root, clinics)
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


def translated_record_findings(root: Path, clinics: list[reviews.Clinic]) -> Iterator[Finding]:
    """A clinic's approval of a translated page (translations: es:) whose page or language is gone."""
    held = [records for clinic in clinics for records in clinic.translations.values() if records.pages]
    if not held:
        return
    try:
        folders = {language.code: language.docs for language in reviews.translated_languages(root)}
    except translations.TranslationError:
        return  # the translation rules report the configuration that cannot be read
    for records in held:
        folder = folders.get(records.language)
        for record in records.pages.values():
            if folder is None:
                yield finding(records.path, record.line, 1, "review-record",
                              f"the guide is not written in '{records.language}', so there is no page {record.page} in it",
                              fix="Remove the approvals of that language, or list the language in mkdocs.yml extra.alternate.")
            elif not (root / folder / record.page).is_file():
                yield finding(records.path, record.line, 1, "review-record", f"there is no page {folder}/{record.page}",
                              fix="Remove its record if the page is gone, or put the page back.")


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


@check("configuration", "review-record", "review-due", "review-overdue", "review-stale", "generated",
       where=reviews.RECORDS_FILE)
def review_records(run: Run) -> Iterator[Finding]:
    yield from review_findings(run.site)
