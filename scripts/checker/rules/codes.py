"""Diagnosis codes in front matter (`codes:`): each in a known code system, in its format, with
its official name, and on one page only. What a code looks like is scripts/diagnosis_codes.py's
(the build's look-up, scripts/content_api.py, reads the codes with it too)."""

from __future__ import annotations

from collections.abc import Iterator

import diagnosis_codes
from checker.findings import Finding, finding
from checker.registry import check, rule
from checker.site import Run

rule("diagnosis-code", "error", "page",
     "A `codes:` entry in front matter that the look-up could not use: a code system other than icd10 and "
     "icd10cm, a code not in its system's format, an empty display name or one holding markup, a code "
     "listed on two pages.",
     "diagnosis-codes",
     "Write `codes:` as in CONTRIBUTING.md, \"Diagnosis codes\": a code system, then each code "
     "with its official name, copied from the code list.")


@check("site", "diagnosis-code", where="docs")
def page_codes(run: Run) -> Iterator[Finding]:
    """Every page's codes (a site check: a code is refused on the second page that lists it)."""
    site = run.site
    owner: dict[tuple[str, str], str] = {}
    for name in site.page_names:
        source = site.page_source(name)
        if not source.readable:
            continue
        for line, column, problem, code in diagnosis_codes.page_code_problems(source.text):
            if problem:
                yield finding(source.path, line, column, "diagnosis-code", problem)
                continue
            key = (code.system, code.code)
            if key in owner:
                yield finding(source.path, line, column, "diagnosis-code",
                              f"{diagnosis_codes.SYSTEMS[code.system].name} {code.code} is also listed on "
                              f"{owner[key]}: a code leads to one page only",
                              fix="Keep it on the page that answers it best; remove it here.")
            else:
                owner[key] = source.path
