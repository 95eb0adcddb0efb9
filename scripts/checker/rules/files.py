"""Files: what every page and snippet must be before any other rule can read it (UTF-8 text,
inside docs/), and the checker's own failures, reported as findings, never as a traceback."""

from __future__ import annotations

from collections.abc import Iterator

from checker.findings import Finding
from checker.registry import check, rule
from checker.site import Run

rule("symlink", "error", "file",
     "A symbolic link under docs/ that leads outside docs/ (the build would publish what it points to), "
     "that loops, or that leads nowhere.",
     "writing-rules", "Put the file itself in docs/ (a copy, not a link), or remove the link.")
rule("unreadable", "error", "file",
     "A file that is not UTF-8 text, is binary, or cannot be read.",
     "the-page-template", "Save the file as UTF-8 text (or remove it if it is not a page).")
rule("internal-error", "error", "file",
     "The checker itself failed on a file (a bug in the checker).",
     "scripts/checker/README.md", "This is a bug in the checker: please report it with the file.")


@check("configuration", "symlink")
def symlinks(run: Run) -> Iterator[Finding]:
    """Found while the site was read (site.docs_tree)."""
    yield from run.site.link_problems
