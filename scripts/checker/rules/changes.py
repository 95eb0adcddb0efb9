"""data/changelog.yml, what changed for clinics: each entry's date, kind, pages and summary. The
file's format, and the Atom feed the build makes from it, are scripts/changelog.py's."""

from __future__ import annotations

from collections.abc import Iterator

import changelog
from checker.findings import Finding, finding
from checker.registry import check, rule
from checker.site import Run

rule("changelog", "error", "configuration",
     "An entry of data/changelog.yml that the clinics' feed could not carry: a date that is not YYYY-MM-DD, "
     "an unknown kind, a page that does not exist, an empty or marked-up summary, a file that is not a list.",
     "tell-clinics-what-changed",
     "Fix the entry in data/changelog.yml: a date (YYYY-MM-DD), a kind (page-added, warning-sign-changed, "
     "figure-changed), the changed pages as docs-relative files, and a plain summary.")


@check("configuration", "changelog", where=changelog.FILE)
def changelog_entries(run: Run) -> Iterator[Finding]:
    path = run.site.root / changelog.FILE
    if not path.is_file():
        return
    try:
        entries = changelog.entries_with_lines(path.read_text(encoding="utf-8"))
    except changelog.ChangelogError as error:
        yield finding(changelog.FILE, error.line, 1, "changelog", error.message)
        return
    for line, entry in entries:
        for problem in changelog.entry_problems(entry, line, set(run.site.page_names)):
            yield finding(changelog.FILE, line, 1, "changelog", problem)
