"""Front matter and sources: the fields every page needs (data/checker.yml), well formed and
honest (no future dates, no typed-in reviews), and every cited source in data/references.yml,
every listed source cited by some page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import reviews
from checker.config import REFERENCES_FILE, Context, References
from checker.findings import Finding, close_match, finding
from checker.markdown import SourceFile, front_matter_line
from checker.registry import check, rule
from checker.site import Page, Run

rule("front-matter", "error", "page",
     "No front matter, broken YAML, a required field missing or empty, a `written` date that is not a "
     "date or is in the future, a description too long, sources that are not a list of keys, the retired "
     "review fields (last_reviewed, next_review, reviewed_by: reviews are records now); a date that does "
     "not exist (2026-02-30), a key written twice, YAML aliases, nesting deeper than yaml_tags.MAX_DEPTH.",
     "the-page-template", "Fix the field between the --- lines at the top of the page.")
rule("citation", "error", "page",
     "A `sources:` key that is not in data/references.yml.",
     "add-a-source", "Use a key from data/references.yml, or add the source there first.")
rule("unused-reference", "error", "site",
     "A source in data/references.yml that no page cites.",
     "add-a-source", "Cite it in the `sources:` of the page that rests on it, or remove it.")

RETIRED_REVIEW_FIELDS = ("last_reviewed", "next_review", "reviewed_by")


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
        if key not in data:
            continue  # reported above
        example = field_example(example, context.today)
        line, column = front_matter_line(source, key)
        value = data.get(key)
        if key == "written":
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


def retired_review_fields(source: SourceFile, data: dict) -> Iterator[Finding]:
    """A review typed into front matter proves nothing: reviews are records now."""
    for key in RETIRED_REVIEW_FIELDS:
        if key in data:
            line, column = front_matter_line(source, key)
            yield finding(source.path, line, column, "front-matter",
                          f"'{key}' no longer belongs in the front matter: a review is a record in "
                          f"{reviews.RECORDS_FILE}, made by `make sign-off`",
                          fix="Delete the line. Keep `written:` with the date the page was written.")


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


def unused_reference_findings(references: References, cited: set[str]) -> Iterator[Finding]:
    for key, entry in references.keys.items():
        if key not in cited:
            yield finding(REFERENCES_FILE, entry.line, entry.column, "unused-reference",
                          f"no page cites the source '{key}'")


@check("page", "front-matter")
def front_matter(run: Run, page: Page) -> Iterator[Finding]:
    data, problem = run.front_matter(page)
    if problem:
        yield problem
    if data is not None:
        yield from check_front_matter(page.source, data, run.context)


@check("page", "citation")
def citations(run: Run, page: Page) -> Iterator[Finding]:
    data, _ = run.front_matter(page)
    if data is not None:
        keys = cited_keys(data)
        run.cited.update(keys)
        yield from citation_findings(page.source, keys, run.context.references)


@check("site", "unused-reference", where=REFERENCES_FILE)
def unused_references(run: Run) -> Iterator[Finding]:
    yield from unused_reference_findings(run.context.references, run.cited)
