"""The checker agrees with an independent link checker, lychee, run offline on the built site."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from checker.config import DEFAULT_ROOT
from checker.engine import run_checks
from conftest import VENV_BIN, copy_site_sources
from policy import build_environment

LYCHEE = VENV_BIN / "lychee"


def lychee(site: Path) -> tuple[int, list[str]]:
    """lychee's exit status and the URLs it found broken (each language's 404.html uses root-relative
    URLs, as a host serves it at any address: skipped)."""
    result = subprocess.run(
        [str(LYCHEE), "--offline", "--include-fragments", "--index-files", "index.html", "--no-progress",
         "--exclude-path", re.escape(str(site)) + r"/(es/)?404\.html$", "--format", "json", str(site)],
        capture_output=True, text=True, timeout=120,
    )
    report = json.loads(result.stdout or "{}")
    broken = [entry["url"] for entries in (report.get("error_map") or {}).values() for entry in entries]
    return result.returncode, broken


def loose_build(config: Path, destination: Path) -> None:
    """A build that writes the site even with broken links (--no-strict), as lychee needs one."""
    env = build_environment()
    result = subprocess.run([str(VENV_BIN / "mkdocs"), "build", "--no-strict", "-f", str(config), "-d",
                             str(destination)], cwd=config.parent, capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr


def test_lychee_finds_no_broken_link_in_the_built_site(bilingual_site):
    """Both languages, as `make build` writes them: every language selector link resolves."""
    status, broken = lychee(bilingual_site)
    assert status == 0 and broken == [], broken


def test_the_checker_finds_no_broken_link_either():
    findings = run_checks(DEFAULT_ROOT).findings
    assert [f for f in findings if f.rule in ("internal-link", "anchor", "snippet")] == []


def test_a_broken_link_and_anchor_are_reported_by_both_checkers(tmp_path):
    config = copy_site_sources(tmp_path / "repo")
    page = config.parent / "docs" / "nerve-pain" / "causes.md"
    page.write_text(page.read_text(encoding="utf-8")
                    + "\n[a missing page](no-such-page.md)\n\n[a missing heading](warning-signs.md#no-such-heading)\n"
                    + '\n<a href="../warning-signs/#no-such-raw-heading">raw HTML, which MkDocs never checks</a>\n',
                    encoding="utf-8")
    findings = [f for f in run_checks(config.parent).findings if f.path == "docs/nerve-pain/causes.md"]
    ours = {(f.rule, m.group(1)) for f in findings
            for m in [re.search(r"(no-such-[a-z-]+)", f.message)] if m}
    assert ours == {("internal-link", "no-such-page"), ("anchor", "no-such-heading"),
                    ("anchor", "no-such-raw-heading")}

    loose_build(config, tmp_path / "site")
    status, broken = lychee(tmp_path / "site")
    assert status != 0
    theirs = {m.group(1) for url in broken for m in [re.search(r"(no-such-[a-z-]+)", url)] if m}
    assert theirs == {"no-such-page", "no-such-heading", "no-such-raw-heading"}, broken
