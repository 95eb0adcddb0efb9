"""`make new-page` starts a page from the template and adds it to the navigation, safely.

Every test works on a copy of the repository in tmp_path, never on the real files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker.config import load_settings
from conftest import ROOT, build_site, load_mkdocs_config, nav_pages, split_front_matter

SCRIPT = Path("scripts") / "new_page.py"
DESCRIPTION_MAX = load_settings(ROOT).description_max  # data/checker.yml
EXISTING_PAGE = "nerve-pain/managing-a-flare-up.md"
FAKE_CHECKER = """\
import sys
from pathlib import Path
Path("checker-args.txt").write_text("\\n".join(sys.argv[1:]))
print(sys.argv[1] + ":1:1: error orphan: link to this page from at least one other page")
sys.exit(1)
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of what new_page.py reads and writes, without the real checker."""
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("mkdocs.yml", "Makefile", "docs", "data", "snippets", "overrides", "scripts", "styles"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    (copy / "scripts" / "check.py").unlink(missing_ok=True)
    return copy


def new_page(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """Runs the copy's scripts/new_page.py in this process (fast), as `python scripts/new_page.py`."""
    spec = importlib.util.spec_from_file_location("new_page_under_test", repo / SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = module.main([*args, "--root", str(repo)])
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


def added_lines(before: str, after: str) -> list[str]:
    """The lines of `after` that are not in `before`, when `after` only adds lines."""
    old, new = before.splitlines(), after.splitlines()
    added = [line for line in new if line not in old]
    assert [line for line in new if line not in added] == old, "lines other than the added ones changed"
    return added


def test_makes_the_page_written_today_and_claims_no_review(repo):
    result = new_page(repo, "--page", "nerve-pain/sleep.md", "--title", "Sleeping with nerve pain")
    assert result.returncode == 0, result.stderr
    meta, body = split_front_matter((repo / "docs/nerve-pain/sleep.md").read_text(encoding="utf-8"))
    assert meta["title"] == "Sleeping with nerve pain"
    assert meta["written"] == dt.date.today()
    assert not {"last_reviewed", "next_review", "reviewed_by"} & set(meta), "a review is a record, never front matter"
    assert meta["sources"] == []
    assert "# Sleeping with nerve pain" in body
    assert "make sign-off" in result.stdout


def test_the_template_has_the_same_front_matter_fields_as_the_existing_pages(repo):
    new_page(repo, "--page", "nerve-pain/sleep.md", "--title", "Sleeping with nerve pain")
    new_meta, _ = split_front_matter((repo / "docs/nerve-pain/sleep.md").read_text(encoding="utf-8"))
    old_meta, _ = split_front_matter((ROOT / "docs" / EXISTING_PAGE).read_text(encoding="utf-8"))
    assert list(new_meta) == list(old_meta)


def test_the_written_date_can_be_given(repo):
    new_page(repo, "--page", "nerve-pain/leap.md", "--title", "Leap day", "--today", "2028-02-29")
    meta, _ = split_front_matter((repo / "docs/nerve-pain/leap.md").read_text(encoding="utf-8"))
    assert meta["written"] == dt.date(2028, 2, 29)


def test_adds_one_navigation_line_at_the_end_of_the_named_section_and_changes_nothing_else(repo):
    before = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    result = new_page(
        repo, "--page", "nerve-pain/sleep.md", "--title", "Sleeping with nerve pain",
        "--section", "Nerve pain after physiotherapy",
    )
    assert result.returncode == 0, result.stderr
    after = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    assert added_lines(before, after) == ["      - Sleeping with nerve pain: nerve-pain/sleep.md"]
    assert [line for line in after.splitlines() if line.lstrip().startswith("#")] == [
        line for line in before.splitlines() if line.lstrip().startswith("#")
    ], "comments in mkdocs.yml are kept"
    section = next(item for item in load_mkdocs_config(repo / "mkdocs.yml")["nav"]
                   if "Nerve pain after physiotherapy" in item)
    assert nav_pages(section["Nerve pain after physiotherapy"])[-1] == "nerve-pain/sleep.md"


def test_finds_the_section_from_the_pages_folder(repo):
    result = new_page(repo, "--page", "dry-needling/aftercare.md", "--title", "Looking after yourself after needling")
    assert result.returncode == 0, result.stderr
    nav = load_mkdocs_config(repo / "mkdocs.yml")["nav"]
    section = next(item for item in nav if "Dry needling and nerves" in item)
    assert "dry-needling/aftercare.md" in nav_pages(section["Dry needling and nerves"])
    assert "Dry needling and nerves" in result.stdout


def test_a_short_navigation_title_and_a_title_with_a_colon_stay_valid_yaml(repo):
    title = 'Sleep: what helps, and what "rest" means'
    result = new_page(repo, "--page", "nerve-pain/sleep.md", "--title", title, "--nav-title", "Sleep: what helps")
    assert result.returncode == 0, result.stderr
    meta, _ = split_front_matter((repo / "docs/nerve-pain/sleep.md").read_text(encoding="utf-8"))
    assert meta["title"] == title
    nav = load_mkdocs_config(repo / "mkdocs.yml")["nav"]
    section = next(item for item in nav if "Nerve pain after physiotherapy" in item)["Nerve pain after physiotherapy"]
    assert section[-1] == {"Sleep: what helps": "nerve-pain/sleep.md"}


def test_refuses_to_overwrite_an_existing_page(repo):
    page = repo / "docs" / EXISTING_PAGE
    before_page, before_config = page.read_bytes(), (repo / "mkdocs.yml").read_bytes()
    result = new_page(repo, "--page", EXISTING_PAGE, "--title", "Managing a flare-up")
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert page.read_bytes() == before_page
    assert (repo / "mkdocs.yml").read_bytes() == before_config


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--page", "nerve-pain/x.md", "--title", "X", "--section", "No such section"],
         'Choose one of: "Nerve pain after physiotherapy"'),
        (["--page", "top-level.md", "--title", "X"], "say which navigation section"),
        (["--page", "nerve-pain/Sleep Well.md", "--title", "X"], "lower-case letters"),
        (["--page", "../outside.md", "--title", "X"], "no .."),
        (["--page", "nerve-pain/sleep.txt", "--title", "X"], "must end in .md"),
        (["--page", "nerve-pain/sleep.md", "--title", ""], "Give the page title"),
        (["--page", "nerve-pain/sleep.md", "--title", "X", "--description", "word " * 40],
         f"keep it to {DESCRIPTION_MAX} characters or fewer"),
    ],
)
def test_refuses_bad_input_with_a_message_and_changes_nothing(repo, args, says):
    before = (repo / "mkdocs.yml").read_bytes()
    pages_before = sorted((repo / "docs").rglob("*"))
    result = new_page(repo, *args)
    assert result.returncode == 1
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert (repo / "mkdocs.yml").read_bytes() == before
    assert sorted((repo / "docs").rglob("*")) == pages_before


def test_runs_the_checker_on_the_new_page_and_shows_what_it_says(repo):
    (repo / "scripts" / "check.py").write_text(FAKE_CHECKER, encoding="utf-8")
    result = new_page(repo, "--page", "nerve-pain/sleep.md", "--title", "Sleeping with nerve pain")
    assert result.returncode == 0, "the page was made; the checker's findings are next steps"
    assert (repo / "checker-args.txt").read_text() == "docs/nerve-pain/sleep.md"
    assert "docs/nerve-pain/sleep.md:1:1: error orphan" in result.stdout
    assert "Fix each problem the checker lists" in result.stdout


def test_says_so_when_the_checker_is_missing(repo):
    result = new_page(repo, "--page", "nerve-pain/sleep.md", "--title", "Sleeping with nerve pain")
    assert result.returncode == 0
    assert "checker (scripts/check.py) is not here yet" in result.stdout


def test_make_new_page_passes_quotes_and_apostrophes_safely(repo):
    title = "What's \"normal\" after a session"
    venv = Path(sys.executable).parent.parent
    # --assume-old: use the test run's virtual environment as it is; never reinstall it.
    result = subprocess.run(
        ["make", "--no-print-directory", f"--assume-old={venv}/.site", "new-page", f"VENV={venv}",
         "PAGE=nerve-pain/after-a-session.md", f"TITLE={title}"],
        cwd=repo, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    meta, _ = split_front_matter((repo / "docs/nerve-pain/after-a-session.md").read_text(encoding="utf-8"))
    assert meta["title"] == title


def test_a_new_page_builds_strictly_and_links_to_its_section(repo, tmp_path):
    new_page(repo, "--page", "nerve-pain/sleep.md", "--title", "Sleeping with nerve pain")
    text = (repo / "docs/nerve-pain/sleep.md").read_text(encoding="utf-8")
    assert "- [Is it normal for nerve pain to get worse after physiotherapy?](index.md)" in text
    result = build_site(tmp_path / "site", repo / "mkdocs.yml")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site/nerve-pain/sleep/index.html").is_file()


def test_the_real_checker_finds_nothing_in_a_new_page_but_the_missing_link_to_it(repo):
    """The template itself passes every rule; the editor is left only to link to the page."""
    shutil.copy(ROOT / "scripts" / "check.py", repo / "scripts" / "check.py")
    result = new_page(repo, "--page", "nerve-pain/sleep.md", "--title", "Sleeping with nerve pain",
                      "--description", "How nerve pain can affect your sleep, and what you can try.")
    assert result.returncode == 0, result.stderr
    checked = subprocess.run(
        [sys.executable, "scripts/check.py", "--format", "json", "docs/nerve-pain/sleep.md"],
        cwd=repo, capture_output=True, text=True, timeout=120,
    )
    findings = json.loads(checked.stdout)
    assert {(f["path"], f["rule"]) for f in findings} == {("docs/nerve-pain/sleep.md", "orphan")}, findings
