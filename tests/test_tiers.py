"""The two test tiers (ARCHITECTURE.md, "Tests"): `make test-fast` runs every test that needs
no browser, `make test` runs them all. This file holds the tiers honest, and runs the whole
checker on the real repository, so an error in docs/ fails even the fast tier."""

from __future__ import annotations

import json
import subprocess

import pytest

from support import ROOT, VENV_BIN


def test_the_whole_checker_finds_no_error_in_the_repository():
    """scripts/check.py as `make check` runs it: every rule on every page, snippet and data file."""
    result = subprocess.run([str(VENV_BIN / "python"), "scripts/check.py", "--format", "json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), f"the checker could not run (exit {result.returncode}):\n{result.stderr}"
    findings = json.loads(result.stdout)
    errors = [finding for finding in findings if finding.get("severity") == "error"]
    assert not errors, "\n".join(f"{f.get('path')}:{f.get('line')}: {f.get('rule')}: {f.get('message')}" for f in errors)
    assert result.returncode == 0, result.stdout


def test_the_checker_run_above_would_see_an_error(tmp_path):
    """The test above cannot pass by accident: the same command on a copy with one broken
    link exits 1 and names the page."""
    from support import copy_site_sources

    copy_site_sources(tmp_path)
    page = tmp_path / "docs" / "nerve-pain" / "causes.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [this](no-such-page.md).\n", encoding="utf-8")
    result = subprocess.run([str(VENV_BIN / "python"), str(ROOT / "scripts" / "check.py"), "--format", "json",
                             "--root", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert any(f.get("severity") == "error" and "causes.md" in str(f.get("path")) for f in json.loads(result.stdout))


def test_a_test_carries_the_browser_mark_exactly_when_it_opens_a_browser(collected_tests):
    """`make test-fast` leaves out `-m browser`: a browser test without the mark would slow
    it down (or fail where there is no Chromium), a mark on a test that opens no browser
    would hide that test from the fast tier. Checked over every test this run collected
    (the whole suite under `make test` and `make test-fast`), before `-m` leaves any out."""
    assert collected_tests, "conftest.py did not record the collected tests"
    unmarked, needless = [], []
    for item in collected_tests:
        marked = item.get_closest_marker("browser") is not None
        opens = "browser" in getattr(item, "fixturenames", ())
        if opens and not marked:
            unmarked.append(item.nodeid)
        elif marked and not opens:
            needless.append(item.nodeid)
    assert not unmarked, f"these tests open a browser: add @pytest.mark.browser: {unmarked}"
    assert not needless, f"these tests open no browser: remove @pytest.mark.browser: {needless}"


def recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]


def dry_run(target: str, *arguments: str) -> str:
    """The command `make <target>` would run (make -n), with the virtual environment taken as made."""
    venv = VENV_BIN.parent
    done = subprocess.run(["make", "-n", "-s", "-C", str(ROOT), f"VENV={venv}", f"--old-file={venv}/.test",
                           f"--old-file={venv}/.site", target, *arguments], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def test_make_test_fast_leaves_out_the_browser_tests_and_make_test_runs_everything():
    fast, everything = dry_run("test-fast"), dry_run("test")
    assert fast.endswith('-m "not browser"') and "-m pytest" in fast
    assert "-m pytest" in everything and " -m " not in everything.replace("-m pytest", "")
    assert "-n 2 --dist loadfile" in everything, "two processes by default (CI has two cores), a file in one"
    assert "-n " not in dry_run("test", "TEST_JOBS=0"), "TEST_JOBS=0 runs the tests in one process"
