"""Small site trees for the checker's tests, built in tmp_path.

`SiteTree(tmp_path)` writes a tiny site that passes every rule: a start page and two
pages that link to each other, in the navigation, with valid front matter, citing the
only reference. Each test then breaks one thing and asks `tree.check()` what it finds.
The real data files (terms rule, domain list, checker settings) are copied, so the
tests follow the project's data rather than a copy of it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

import reviews
from checker.engine import run_checks
from checker.findings import Finding
from conftest import ROOT

TODAY = dt.date(2026, 11, 23)
CHECKER = ROOT / "scripts" / "check.py"


def run_checker(root: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The checker's command line on a tree, as of TODAY."""
    return subprocess.run([sys.executable, str(CHECKER), "--root", str(root), "--today", TODAY.isoformat(), *args],
                          cwd=cwd or root, capture_output=True, text=True, timeout=60)


def front_matter(title: str, **fields) -> str:
    values = {
        "title": title,
        "description": f"What {title.lower()} means for you, in plain words.",
        "written": dt.date(2026, 11, 1),
        "sources": ["ref-a"],
    }
    values.update(fields)
    values = {key: value for key, value in values.items() if value is not None}
    return "---\n" + yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n"


def page(title: str, body: str, **fields) -> str:
    return front_matter(title, **fields) + f"# {title}\n\n" + textwrap.dedent(body).strip() + "\n"


class SiteTree:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        for name in ("data/checker.yml", "data/external-domains.yml", "styles/NervePain/Terms.yml"):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name, root / name)
        self.nav: list = ["index.md", {"Page A": "a.md"}, {"Section": ["sub/b.md"]}]
        self.references = {"ref-a": {"citation": "A study.", "url": "https://doi.org/10.1/a", "supports": "a fact"}}
        self.write("docs/index.md", page("Start", "Read [page A](a.md) and [page B](sub/b.md)."))
        self.write("docs/a.md", page("Page A", """
            ## First part

            Back to the [start](index.md). See [page B](sub/b.md#second-part).
        """))
        self.write("docs/sub/b.md", page("Page B", """
            ## Second part

            Back to [page A](../a.md#first-part).
        """))
        self.write_config()

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def append(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.write_text(path.read_text(encoding="utf-8") + "\n" + textwrap.dedent(text).strip() + "\n",
                        encoding="utf-8")

    def line_of(self, relative: str, needle: str) -> int:
        """The 1-based line where `needle` first appears in a file."""
        text = (self.root / relative).read_text(encoding="utf-8")
        return text[: text.index(needle)].count("\n") + 1

    def write_config(self, **extra) -> None:
        config = {
            "site_name": "Test",
            "docs_dir": "docs",
            "markdown_extensions": ["attr_list", "md_in_html", {"toc": {"permalink": False}},
                                    {"pymdownx.snippets": {"base_path": ["snippets"], "check_paths": True}}],
            "nav": self.nav,
            **extra,
        }
        self.write("mkdocs.yml", yaml.safe_dump(config, sort_keys=False))
        self.write("data/references.yml", yaml.safe_dump({"extra": {"references": self.references}}, sort_keys=False))

    def sign_off(self, page: str, on: dt.date = dt.date(2026, 11, 1), by: str = "Sam Lee, physiotherapist",
                 clinic: str = "") -> str:
        """Record a review (or, with `clinic`, a clinic's approval) of docs/`page` as it is now."""
        return reviews.sign_off(self.root, page, by, clinic_settings=clinic, today=on)

    def check(self, today: dt.date = TODAY) -> list[Finding]:
        return list(run_checks(self.root, today).findings)

    def findings(self, rule: str, today: dt.date = TODAY) -> list[Finding]:
        return [f for f in self.check(today) if f.rule == rule]
