"""`make offline`: a copy for a waiting-room tablet with no network. It opens from file://,
its links work, and search works, with nothing fetched from anywhere else."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from policy import build_environment
from support import CLINIC_EXAMPLE, DESKTOP, ROOT, VENV_BIN, assemble_clinic, search_result_links, slim


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory):
    """The example clinic's offline copy (`make offline CLINIC=clinics/example.yml`), built once."""
    site = tmp_path_factory.mktemp("offline") / "site-offline"
    env = build_environment(OFFLINE="true")
    config = assemble_clinic(CLINIC_EXAMPLE, tmp_path_factory.mktemp("offline-assembled"))  # as make offline does
    result = subprocess.run([str(VENV_BIN / "mkdocs"), "build", "--strict", "-f", str(config), "-d", str(site)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    slim(site)  # as `make offline` does
    return site


def test_the_offline_copy_uses_plain_file_links_and_its_own_search_index(offline_site):
    assert (offline_site / "nerve-pain" / "warning-signs.html").is_file()
    assert (offline_site / "search" / "search_index.js").is_file()
    html = (offline_site / "index.html").read_text(encoding="utf-8")
    assert "unpkg.com" not in html and 'src="assets/javascripts/iframe-worker/shim.js"' in html


@pytest.mark.browser
def test_the_offline_copy_works_from_file_with_search(browser, offline_site):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on("request", lambda request: None if request.url.startswith(("file:", "data:", "about:", "blob:"))
            else problems.append(f"network: {request.url}"))
    page.goto((offline_site / "index.html").as_uri())
    page.get_by_role("link", name="warning signs: nerve pain").first.click()
    # A click returns before the next page has loaded; wait for it (a busy machine is slow).
    page.wait_for_url("**/nerve-pain/warning-signs.html")
    expect(page.locator(".care-card--emergency").first).to_be_visible()
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("zap", delay=30)
    hrefs = search_result_links(page, ["what-you-may-feel.html"])
    assert any("what-you-may-feel.html" in href for href in hrefs), hrefs
    context.close()
    assert not problems, problems


def test_offline_handouts_point_at_the_online_pages(offline_site):
    """The offline copy has file names (causes.html); its QR codes and printed addresses
    still open the online page (nerve-pain/causes/)."""
    html = (offline_site / "nerve-pain" / "causes.html").read_text(encoding="utf-8")
    assert 'data-print-qr="https://clinic.example/patient-info/nerve-pain/causes/"' in html
    assert "Read it online: clinic.example/patient-info/nerve-pain/causes/<" in html.replace("\n", "").replace("  ", "")


def test_make_writes_a_clinic_build_to_the_repository_site_folder():
    """mkdocs reads a relative -d from the config file's folder (clinics/), so the Makefile
    passes an absolute one: the clinic's copy lands in site/, where HOSTING.md says."""
    for target, folder in (("build", "site"), ("offline", "site-offline")):
        dry_run = subprocess.run(["make", "-n", target, f"CLINIC={CLINIC_EXAMPLE.relative_to(ROOT)}"],
                                 cwd=ROOT, capture_output=True, text=True, check=True).stdout
        assert f"-f build/example/mkdocs.yml -d {ROOT}/{folder}" in dry_run, dry_run
        assert "scripts/assemble_clinic.py clinics/example.yml" in dry_run, dry_run


@pytest.mark.browser
def test_the_offline_copy_looks_up_a_code_from_file(browser, offline_site, tmp_path):
    """lookup/ and codes/ (scripts/content_api.py) link to files, not folders, in the offline copy."""
    import shutil

    import content_api

    site = tmp_path / "site-offline"
    shutil.copytree(offline_site, site)
    content_api.build(site, ROOT / "mkdocs.yml")
    page = browser.new_page()
    page.goto((site / "lookup" / "index.html").as_uri() + "?mainSearchCriteria.v.c=M54.31")
    page.wait_for_url((site / "nerve-pain" / "index.html").as_uri())
    page.goto((site / "codes" / "icd10" / "M54.3" / "index.html").as_uri())
    page.wait_for_url((site / "nerve-pain" / "index.html").as_uri())
    page.close()
