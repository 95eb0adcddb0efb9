"""The checker: one command that says exactly what is wrong in the guide, and how to fix it.

    python scripts/check.py                     check the whole site
    python scripts/check.py docs/index.md ...   report only on these files (or folders)
    python scripts/check.py --changed           files changed against origin/main (or HEAD),
                                                plus the pages that link to or include them
    python scripts/check.py --format json|github
    python scripts/check.py --fix               rewrite discouraged terms to preferred ones (from the
                                                bytes that were checked: a file saved since is skipped,
                                                and named; line endings and mode bits are kept)
    python scripts/check.py --list-rules        every rule: severity, scope, reason and link

Output: `path:line:col: severity rule: message` (1-based, paths relative to the repository).
Exit status: 0 no errors (warnings allowed), 1 errors found, 2 the checker could not run.
It reads the Markdown sources, not the built site, so it works with any builder.

Partial runs (paths or --changed) still read the whole site; they report findings in the
selected files, and always report the findings of the rules of scope `site` (a change in one
file, removing the last link or citation or reusing a title, makes them appear in another).
Data files, mkdocs.yml and the terminology rule with an alias, a repeated key or an impossible
date stop the checker with `file:line:column: problem`, exit status 2. Settings live in
data/checker.yml.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from atomic_file import write_atomically
from checker.config import DEFAULT_ROOT, load_context
from checker.engine import Report, run_checks
from checker.findings import FORMATS, ArgumentError, ConfigError, Edit, Finding, Parser, exit_status, \
    format_findings
from checker.registry import all_rules, always_reported
from checker.rules.links import check_link
from checker.site import LinkGraph, Site

# A change to one of these can change any finding: --changed then checks everything.
SITE_WIDE_INPUTS = ("mkdocs.yml", "data/", "styles/", "scripts/check.py", "scripts/checker/", "scripts/generate.py",
                    "scripts/readability.py", "scripts/yaml_tags.py")


# ------------------------------------------------------------------ choosing files

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


def expand_selection(root: Path, selected: set[str], today: dt.date | None) -> set[str] | None:
    """Selected files plus the pages that link to them or include them; None means everything."""
    if any(path == prefix or path.startswith(prefix) for path in selected for prefix in SITE_WIDE_INPUTS):
        return None
    context = load_context(root, today)
    site = Site(context)
    wanted = set(selected)
    for name in site.page_names:
        source = site.page_source(name)
        if not source.readable:
            continue
        files = [source, *site.included_files(source)]
        graph = LinkGraph()
        for where in files:
            for link in where.links:
                result = check_link(site, name, where, link, "")
                if result.target_name:
                    graph.add(name, result.target_name)
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
    reported_anyway = always_reported()
    return [f for f in findings if f.path in selection or f.rule in reported_anyway]


# ------------------------------------------------------------------ fixing

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


# ------------------------------------------------------------------ output and the command line

def summary(findings: list[Finding], files: int) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return f"check: no problems in {files} file{'s' * (files != 1)}."
    files_with_findings = len({f.path for f in findings})
    return (f"check: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"in {files_with_findings} file{'s' * (files_with_findings != 1)}. "
            "Each line says where, what, and how to fix it.")


def rules_text() -> str:
    """Every rule: id, severity, scope and link, then its reason (for --list-rules)."""
    lines = []
    for item in sorted(all_rules().values(), key=lambda r: r.id):
        lines.append(f"{item.id}  {item.severity}  {item.scope}  {item.link}")
        lines += textwrap.wrap(item.reason, 96, initial_indent="    ", subsequent_indent="    ")
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = Parser(prog="check.py", description=__doc__.split("\n\n")[0],
                    epilog="rules (--list-rules says more): " + ", ".join(sorted(all_rules())),
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="files or folders to report on (default: everything)")
    parser.add_argument("--changed", action="store_true",
                        help="report on files changed against origin/main (or HEAD) and the pages linking to them")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--fix", action="store_true", help="rewrite discouraged terms to the preferred ones")
    parser.add_argument("--list-rules", action="store_true", help="print every rule with its severity, reason and link")
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
    if args.list_rules:
        print(rules_text())
        return 0
    root = args.root.resolve()
    try:
        selection: set[str] | None = selected_paths(root, args.paths) if args.paths else None
        if args.changed:
            selection = expand_selection(root, changed_files(root) | (selection or set()), args.today)
        report = run_checks(root, args.today)
        skipped: list[str] = []
        if args.fix and report.edits:
            skipped = fix(root, report, selection)
            report = run_checks(root, args.today)
    except (ConfigError, OSError) as error:
        print(f"check.py: cannot run: {error}", file=sys.stderr)
        return 2
    findings = filter_findings(report.findings, selection)
    output = format_findings(findings, args.format)
    if output or args.format == "json":
        print(output)
    print(summary(findings, report.files_checked), file=sys.stderr)
    return 1 if skipped else exit_status(findings)


def fix(root: Path, report: Report, selection: set[str] | None) -> list[str]:
    """Apply --fix, say what was fixed and skipped; returns the files skipped."""
    result = apply_edits(root, report, selection)
    if result.fixed:
        print(f"check: fixed terms in {', '.join(result.fixed)}", file=sys.stderr)
    for path in result.skipped:
        print(f"check: skipped {path}: it changed after it was checked, so --fix left it as it is. "
              "Run the checker again.", file=sys.stderr)
    return result.skipped
