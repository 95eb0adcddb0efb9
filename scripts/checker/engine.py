"""The engine: run every registered check, scope by scope, on the whole site, into a Report.

There is no list of calls here: the checks come from the registry (checker.registry), in the
order the rule families register them. A check's bug is a finding (internal-error), never a
traceback; a configuration that cannot be used is a ConfigError (exit status 2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from checker.config import Context, load_context
from checker.findings import Edit, Finding, deduplicate, guarded
from checker.registry import checks
from checker.site import Run, Site


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    edits: tuple[Edit, ...]
    files_checked: int
    snapshots: Mapping[str, bytes] = field(default_factory=dict)  # the bytes each file's edits were computed on


def run_checks(root: Path, today: dt.date | None = None, context: Context | None = None) -> Report:
    """Every rule on the whole site under `root`. Raises ConfigError when it cannot run.
    `context` replaces the one read from `root` (scripts/check_clinic.py: a clinic's copy)."""
    run = Run(Site(context or load_context(root, today)))
    findings: list[Finding] = []
    for item in checks("configuration"):
        findings += guarded(item.where, item.run(run))
    findings += check_pages(run)
    findings += check_files(run)
    for item in checks("site"):
        findings += guarded(item.where, item.run(run))
    snapshots = MappingProxyType({edit.path: run.content_files[edit.path].raw for edit in run.edits})
    return Report(tuple(deduplicate(findings)), tuple(run.edits), len(run.content_files), snapshots)


def check_pages(run: Run) -> list[Finding]:
    """The page checks on each readable page; gathers the files each page is made of."""
    findings: list[Finding] = []
    page_checks = checks("page")
    for name in run.site.page_names:
        page = run.site.page(name)
        if not page.source.readable:
            findings.append(page.source.problem)  # type: ignore[arg-type]
            continue
        for source in run.site.page_sources(name):
            run.content_files.setdefault(source.path, source)
        for item in page_checks:
            findings += guarded(page.path, item.run(run, page))
    return findings


def check_files(run: Run) -> list[Finding]:
    """The file checks, once on each file some page is made of (pages, snippets, auto_append)."""
    findings: list[Finding] = []
    file_checks = checks("file")
    pages_folder = f"{run.site.docs}/"
    for path, source in sorted(run.content_files.items()):
        if not source.readable:
            if not path.startswith(pages_folder):  # an unreadable page is reported by check_pages
                findings.append(source.problem)  # type: ignore[arg-type]
            continue
        for item in file_checks:
            findings += guarded(path, item.run(run, source))
    return findings
