"""Reading level: the Flesch-Kincaid grade of each patient page, care cards included
(scripts/readability.py page_grade), against the limit in data/checker.yml."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import readability
from checker.findings import Finding, finding, guarded
from checker.registry import check, rule
from checker.site import Run, Site

rule("reading-level", "error", "page",
     "The reading grade of a patient page, care cards included, above the limit in data/checker.yml "
     "(pages listed under reading_level.exempt there are not measured).",
     "writing-rules", "Use shorter sentences (20 words or fewer) and shorter, everyday words.")


def page_grades(texts: list[tuple[str, str]], snippets: list[Path]) -> dict[str, float | str]:
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

    def __init__(self, texts: list[tuple[str, str]], snippets: list[Path]):
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


def reading_level_findings(site: Site, name: str, grade: float | str) -> Iterator[Finding]:
    source = site.page_source(name)
    if isinstance(grade, str):
        yield finding(source.path, 1, 1, "internal-error", f"the reading grade failed on this file ({grade})")
        return
    limit = site.context.settings.reading_grade_max
    if grade > limit:
        title = re.search(r"^#[ \t]", source.text[source.body_start:], re.MULTILINE)
        line = source.position(source.body_start + title.start())[0] if title else 1
        yield finding(source.path, line, 1, "reading-level",
                      f"the reading grade is {grade:.1f}; aim for {limit:g} or lower")


@check("configuration", "reading-level")
def start_grading(run: Run) -> Iterator[Finding]:
    """Start the grades now (in a second process on a big site): they are read by `grades`."""
    site, settings = run.site, run.context.settings
    names = [name for name in site.page_names if site.page_source(name).readable
             and not any(fnmatch.fnmatch(name, pattern) for pattern in settings.reading_exempt)]
    run.later["grades"] = GradeJob([(name, site.page_source(name).text) for name in names],
                                   [run.context.root / folder for folder in run.context.config.snippet_dirs])
    return iter(())


@check("site", "reading-level", "internal-error")
def grades(run: Run) -> Iterator[Finding]:
    for name, grade in run.later["grades"].result().items():
        yield from guarded(run.site.page_path(name), reading_level_findings(run.site, name, grade))
