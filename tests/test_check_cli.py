"""The checker's command line: output formats, exit status, chosen files, --changed and --fix."""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker import cli
from checker.findings import github_escape
from checker.engine import run_checks
from checker.markdown import heading_text, slugify
from checker.registry import all_rules
from check_tree import SiteTree, page, run_checker
from conftest import ROOT

CHECKER = ROOT / "scripts" / "check.py"


@pytest.fixture
def tree(tmp_path) -> SiteTree:
    return SiteTree(tmp_path / "site")


def run(tree: SiteTree, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_checker(tree.root, *args, cwd=cwd)


def test_clean_site_exits_0_with_a_message(tree):
    result = run(tree)
    assert result.returncode == 0
    assert result.stdout == ""
    assert "no problems" in result.stderr


def test_errors_exit_1_in_path_line_col_severity_rule_message_form(tree):
    tree.append("docs/a.md", "See [gone](gone.md).")
    result = run(tree)
    assert result.returncode == 1
    line = tree.line_of("docs/a.md", "See [gone]")
    assert result.stdout.startswith(f"docs/a.md:{line}:5: error internal-link: 'gone.md': there is no docs/gone.md.")
    assert "1 error, 0 warnings in 1 file." in result.stderr
    assert "Traceback" not in result.stderr


def test_warnings_alone_exit_0(tree):
    for name in ("index.md", "a.md", "sub/b.md"):
        tree.sign_off(name)
    result = subprocess.run([sys.executable, str(CHECKER), "--root", str(tree.root), "--today", "2027-10-20"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.count("warning review-due") == 3


def test_json_format_is_a_list_of_findings(tree):
    tree.append("docs/a.md", "See [gone](gone.md).")
    result = run(tree, "--format", "json")
    assert result.returncode == 1
    [item] = json.loads(result.stdout)
    assert {"path", "line", "column", "rule", "severity", "message"} <= item.keys()
    assert (item["path"], item["rule"], item["severity"]) == ("docs/a.md", "internal-link", "error")


def test_json_format_of_a_clean_site_is_an_empty_list(tree):
    result = run(tree, "--format", "json")
    assert json.loads(result.stdout) == [] and result.returncode == 0


def test_github_format_writes_workflow_commands(tree):
    tree.append("docs/a.md", "See [gone](gone.md), with 50% more: text.")
    result = run(tree, "--format", "github")
    line = tree.line_of("docs/a.md", "See [gone]")
    assert result.stdout.startswith(f"::error file=docs/a.md,line={line},col=5,title=internal-link::'gone.md'")


def test_github_escaping():
    assert github_escape("a%b\nc") == "a%25b%0Ac"
    assert github_escape("a:b,c", property_value=True) == "a%3Ab%2Cc"


@pytest.mark.parametrize("args", [["--format", "xml"], ["--no-such-option"], ["--today", "yesterday"],
                                  ["docs/no-such-file.md"]])
def test_bad_arguments_exit_2_with_a_message(tree, args):
    result = run(tree, *args)
    assert result.returncode == 2
    assert result.stderr.startswith("check.py:") and "Traceback" not in result.stderr


@pytest.mark.parametrize("broken", [
    ("mkdocs.yml", "nav: [unclosed\n"),
    ("data/checker.yml", "front_matter: {}\n"),
    ("styles/NervePain/Terms.yml", "extends: existence\n"),
    ("data/external-domains.yml", "allowed: [a, b]\n"),
    ("data/references.yml", "extra: {references: [\n"),
])
def test_bad_configuration_exits_2_naming_the_file(tree, broken):
    name, text = broken
    tree.write(name, text)
    result = run(tree)
    assert result.returncode == 2
    assert "cannot run" in result.stderr and Path(name).name.split(".")[0] in result.stderr
    assert "Traceback" not in result.stderr


def test_paths_limit_the_report_to_those_files(tree):
    tree.append("docs/a.md", "[gone](gone.md)")
    tree.append("docs/sub/b.md", "[gone](gone.md)")
    result = run(tree, "docs/sub/b.md")
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["docs/sub/b.md"]
    assert run(tree, "docs/index.md").returncode == 0
    assert len(run(tree, "docs").stdout.splitlines()) == 2


def test_site_wide_findings_are_reported_in_a_partial_run(tree):
    tree.write("docs/c.md", "---\n---\n")
    tree.nav.append("c.md")
    tree.write_config()
    tree.references["ref-b"] = {"citation": "B.", "supports": "b"}
    tree.write_config()
    rules = {line.split()[2] for line in run(tree, "docs/a.md").stdout.splitlines()}
    assert rules == {"orphan:", "unused-reference:"}


def git(tree: SiteTree, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", *args], cwd=tree.root, check=True, capture_output=True, env=env)


def test_changed_reports_changed_files_and_the_pages_that_link_to_them(tree):
    tree.write("docs/c.md", page("Page C", "[start](index.md) [old](old.md)"))
    tree.nav.append("c.md")
    tree.write_config()
    tree.append("docs/index.md", "[C](c.md)")
    git(tree, "init", "-q")
    git(tree, "add", ".")
    git(tree, "commit", "-q", "-m", "start with an old problem in c.md")
    # c.md's old problem is not reported; a heading renamed in b.md breaks a.md's link.
    tree.write("docs/sub/b.md", (tree.root / "docs/sub/b.md").read_text().replace("## Second part", "## Part two"))
    result = run(tree, "--changed")
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["docs/a.md"]
    assert "#second-part" in result.stdout


def test_changed_with_nothing_changed_exits_0(tree):
    git(tree, "init", "-q")
    git(tree, "add", ".")
    git(tree, "commit", "-q", "-m", "start")
    tree.append("docs/index.md", "[old](old.md)")
    git(tree, "commit", "-q", "-am", "old problem")
    assert run(tree, "--changed").returncode == 0


def test_changed_outside_git_exits_2(tree):
    result = run(tree, "--changed")
    assert result.returncode == 2 and "git" in result.stderr


def test_without_fix_the_checker_never_writes(tree):
    tree.append("docs/a.md", "Chronic pain.")
    before = {p: p.read_bytes() for p in tree.root.rglob("*") if p.is_file()}
    stamps = {p: p.stat().st_mtime_ns for p in before}
    run(tree)
    after = {p: p.read_bytes() for p in tree.root.rglob("*") if p.is_file()}
    assert before == after and stamps == {p: p.stat().st_mtime_ns for p in after}


def test_fix_rewrites_discouraged_terms_keeping_capitals(tree):
    tree.append("docs/a.md", "Chronic pain and a physical therapist. `chronic` in code stays.")
    result = run(tree, "--fix")
    assert result.returncode == 0, result.stdout
    text = (tree.root / "docs/a.md").read_text()
    assert "Long-term pain and a physiotherapist. `chronic` in code stays." in text
    assert "fixed terms in docs/a.md" in result.stderr


def test_fix_leaves_the_file_untouched_when_the_write_fails(tree, monkeypatch):
    tree.append("docs/a.md", "Chronic pain.")
    original = (tree.root / "docs/a.md").read_bytes()
    report = run_checks(tree.root)

    def broken_replace(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        cli.apply_edits(tree.root, report, None)
    assert (tree.root / "docs/a.md").read_bytes() == original
    assert [p.name for p in (tree.root / "docs").iterdir() if p.name.endswith(".tmp")] == []


def test_fix_only_touches_selected_files(tree):
    tree.append("docs/a.md", "Chronic pain.")
    tree.append("docs/sub/b.md", "Chronic pain.")
    run(tree, "--fix", "docs/a.md")
    assert "Long-term pain." in (tree.root / "docs/a.md").read_text()
    assert "Chronic pain." in (tree.root / "docs/sub/b.md").read_text()


def test_make_check_runs_the_checker():
    assert "scripts/check.py" in (ROOT / "Makefile").read_text()


def test_every_rule_points_to_a_section_that_explains_it():
    """Each rule's reason link (GitLab-Vale style) names a real heading of CONTRIBUTING.md or a file."""
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    headings = {slugify(heading_text(m.group(1)), "-")
                for m in re.finditer(r"^#{1,6}\s+(.*?)\s*$", guide, re.MULTILINE)}
    for code, rule in all_rules().items():
        path, _, anchor = rule.link.partition("#")
        assert (ROOT / path).is_file(), code
        assert not anchor or anchor in headings, f"{code}: no heading #{anchor} in {path}"
        assert rule.severity in ("error", "warning") and rule.fix.endswith("."), code
