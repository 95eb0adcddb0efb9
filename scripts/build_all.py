#!/usr/bin/env python3
"""Build the neutral guide and every clinic's copy at once, in parallel, into sites/.

    python scripts/build_all.py [clinics/a.yml ...] [--out sites] [--jobs N] [--no-guide]
    python scripts/build_all.py --list      the clinics' names as JSON (the GitHub Actions matrix)

`make build-all` runs it. First the steps that read the whole repository, once:
`make review-state check`. Then, for the neutral guide (mkdocs.yml into sites/guide/) and for
each clinics/<clinic>.yml (into sites/<clinic>/), `make site-build`: the same steps as
`make build`, from the Makefile's one list (clinic settings check, approvals, strict build of
every language the guide or the clinic lists, English at the root and each other in
sites/<clinic>/<code>/, QR codes, security headers; sites/<clinic>-headers/nginx.conf for nginx). Each build is its own
process; --jobs of them (default: the machine's cores) run at once.

A clinic whose settings are bad fails alone with its file:line messages; the others still build.
Each build's whole output is in sites/<clinic>.log. A table follows: clinic, patient pages,
time, problems. Exit status: 0 every build passed, 1 one or more failed (or the repository-wide
check did), 2 a named settings file is not a clinic's (not clinics/<name>.yml).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from handouts import patient_pages
from reviews import CLINIC_RECORDS_SUFFIX, CLINICS_DIR

ROOT = Path(__file__).resolve().parent.parent
GUIDE = "guide"  # the neutral guide's folder in sites/
# What a build reads: a copy of these is a repository that builds (tests, scripts/bench_clinics.py).
SOURCES = ("Makefile", "mkdocs.yml", "mkdocs.es.yml", "docs", "docs-es", "data", "snippets", "overrides", "styles",
           "scripts")
PROBLEM = re.compile(r"\b(error|warning)\b", re.IGNORECASE)
MAKE_ITSELF = re.compile(r"^make(\[\d+\])?: ")  # make's own "*** [Makefile:..] Error 1"
SHOWN_PROBLEMS = 10


@dataclass
class Target:
    name: str  # guide, or the clinic's file name without .yml
    clinic: str  # clinics/<name>.yml, or "" for the neutral guide


@dataclass
class Result:
    target: Target
    status: int
    seconds: float
    pages: int | None
    problems: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.status:
            return "FAILED"
        return f"{len(self.problems)} warning{'s' * (len(self.problems) != 1)}" if self.problems else "none"


def copy_sources(destination: Path, names: tuple[str, ...] = SOURCES) -> Path:
    """A copy of what the build reads, in `destination`; returns it."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy(source, destination / name)
    return destination


def clinic_files(root: Path) -> list[str]:
    """Every clinic's settings file, clinics/<name>.yml, sorted by name (not its approvals, <name>.reviews.yml)."""
    return [f"{CLINICS_DIR}/{path.name}" for path in sorted((root / CLINICS_DIR).glob("*.yml"), key=lambda path: path.stem)
            if not path.name.endswith(CLINIC_RECORDS_SUFFIX)]


def targets(clinics: list[str], guide: bool) -> list[Target]:
    found = [Target(GUIDE, "")] if guide else []
    return found + [Target(Path(clinic).stem, clinic) for clinic in clinics]


def make(root: Path, *arguments: str) -> subprocess.CompletedProcess:
    """`make` in `root`, with this Python's virtual environment taken as installed; output captured."""
    venv = Path(sys.executable).parent.parent
    command = [os.environ.get("MAKE", "make"), "-s", "--no-print-directory", "-C", str(root),
               f"VENV={venv}", f"--old-file={venv}/.site", *arguments]
    # MAKEFLAGS cleared: under `make build-all`, each build is a make of its own, not a sub-make.
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": ""})


def problem_lines(output: str) -> list[str]:
    """The error and warning lines of a build's output (file:line messages), not make's own."""
    return [line.strip() for line in output.splitlines() if PROBLEM.search(line) and not MAKE_ITSELF.match(line)]


def build_one(root: Path, target: Target, out: Path) -> Result:
    """`make site-build` for one target into out/<name>/, its output kept in out/<name>.log."""
    site = out / target.name
    for stale in (site, out / f"{target.name}-headers"):  # never leave an old copy to be published
        shutil.rmtree(stale, ignore_errors=True)
    if target.name == GUIDE and target.clinic:
        return Result(target, 1, 0.0, None, [f"{target.clinic}:1: error: the name `{GUIDE}` is the neutral "
                                             f"guide's folder ({out}/{GUIDE}/); rename the clinic's file"])
    started = time.perf_counter()
    done = make(root, "site-build", f"CLINIC={target.clinic}", f"SITE={site}")
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    (out / f"{target.name}.log").write_text(output, encoding="utf-8")
    problems = problem_lines(output)
    if done.returncode and not problems:  # a failure that printed no error line: show its end
        problems = [line for line in output.strip().splitlines() if not MAKE_ITSELF.match(line)][-5:]
    pages = len(patient_pages(site)) if done.returncode == 0 else None
    return Result(target, done.returncode, seconds, pages, problems)


def build_all(root: Path, chosen: list[Target], out: Path, jobs: int) -> list[Result]:
    """Build every target, `jobs` at once; results in the order of `chosen`."""
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda target: build_one(root, target, out), chosen))


def table(results: list[Result]) -> str:
    width = max([len("clinic")] + [len(result.target.name) for result in results])
    lines = [f"{'clinic':<{width}}  {'pages':>5}  {'time':>8}  problems"]
    for result in results:
        pages = "-" if result.pages is None else str(result.pages)
        lines.append(f"{result.target.name:<{width}}  {pages:>5}  {result.seconds:6.1f} s  {result.summary}")
    for result in results:
        if result.status or result.problems:
            lines.append(f"\n{result.target.name} ({result.target.clinic or 'mkdocs.yml'}):")
            lines += [f"  {line}" for line in result.problems[:SHOWN_PROBLEMS]]
            if len(result.problems) > SHOWN_PROBLEMS:
                lines.append(f"  ... {len(result.problems) - SHOWN_PROBLEMS} more")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clinics", nargs="*", help="clinics/<name>.yml files (default: every one)")
    parser.add_argument("--out", type=Path, default=Path("sites"), help="where the sites go (default sites/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="builds at once (default: cores)")
    parser.add_argument("--no-guide", action="store_true", help="only the clinics, not the neutral guide")
    parser.add_argument("--list", action="store_true", help="print the clinics' names as JSON, build nothing")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = ROOT
    every = clinic_files(root)
    if args.list:  # .github/workflows/clinics.yml builds one runner per name
        print(json.dumps([Path(clinic).stem for clinic in every]))
        return 0
    unknown = [clinic for clinic in args.clinics if clinic not in every]
    if unknown:
        print(f"build-all: not a clinic's settings file: {', '.join(unknown)} "
              f"(give clinics/<name>.yml, as in {CLINICS_DIR}/example.yml)", file=sys.stderr)
        return 2
    chosen = targets(args.clinics or every, not args.no_guide)
    checked = make(root, "review-state", "check")
    if checked.returncode:
        print(checked.stdout + checked.stderr, end="", file=sys.stderr)
        print("build-all: the pages do not pass the checker; nothing built", file=sys.stderr)
        return 1
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    print(f"building {len(chosen)} site{'s' * (len(chosen) != 1)} into {args.out}/, {args.jobs} at once")
    started = time.perf_counter()
    results = build_all(root, chosen, out, args.jobs)
    print(table(results))
    failed = [result.target.name for result in results if result.status]
    print(f"\n{len(results) - len(failed)} built, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}"
          f" in {time.perf_counter() - started:.1f} s; each build's output is in {args.out}/<clinic>.log")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
