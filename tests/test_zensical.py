"""The same sources build with Zensical 0.0.73, Material's successor: no hook or plugin
carries anything essential, so a clinic's copy keeps its numbers and details there too.
What differs is listed in HOSTING.md ("What differs with Zensical")."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from handouts import make_pack
from serve_site import SiteServer, built_pages
from support import CLINIC_EXAMPLE, DESKTOP, PHONE, ROOT, VENV_BIN, assemble_clinic, missing_theme_hooks, slim
from test_print import SITE_URL, qr_codes_on_last_sheet


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory):
    # Zensical wants its config and site folder inside the project root; both are
    # named for this process (gitignored), and the site is moved out afterwards.
    # The clinic's copy is assembled as `make zensical CLINIC=...` does, inside the root too.
    config = ROOT / f".zensical-test-{os.getpid()}.yml"
    built = ROOT / f"site-zensical-test-{os.getpid()}"
    assembled = ROOT / "build" / f"zensical-test-{os.getpid()}"
    written = subprocess.run([str(VENV_BIN / "python"), "scripts/zensical_config.py",
                              str(assemble_clinic(CLINIC_EXAMPLE, assembled)), "--site-dir", built.name],
                             cwd=ROOT, capture_output=True, text=True, check=True)
    config.write_text(written.stdout, encoding="utf-8")
    try:
        result = subprocess.run([str(VENV_BIN / "zensical"), "build", "--strict", "-f", str(config)],
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        site = tmp_path_factory.mktemp("zensical") / "site"
        shutil.move(str(built), site)
        slim(site)  # as `make zensical` does
    finally:
        config.unlink()
        shutil.rmtree(built, ignore_errors=True)
        shutil.rmtree(assembled, ignore_errors=True)
    return site


def test_zensical_builds_every_page_that_mkdocs_builds(zensical_site, clinic_site):
    pages = lambda site: {p.relative_to(site).as_posix() for p in site.rglob("index.html")}
    assert pages(clinic_site) == pages(zensical_site)


def test_zensical_copy_keeps_the_clinics_numbers_details_and_review_line(zensical_site):
    soup = BeautifulSoup((zensical_site / "nerve-pain" / "warning-signs" / "index.html").read_text(encoding="utf-8"), "html.parser")
    headings = " ".join(h.get_text(" ") for h in soup.select(".care-card__heading"))
    assert "Call 999" in headings and "NHS 111" in headings and "Riverside Physiotherapy on 01632 960 123" in headings
    assert "your local emergency number" not in headings
    assert "Riverside Physiotherapy" in soup.select_one(".clinic-contact").get_text()
    assert "Not yet reviewed by a clinician." in soup.select_one(".page-review").get_text()
    assert soup.select(".visually-hidden")


def test_zensical_copy_has_the_pictures_inline(zensical_site, clinic_site):
    """The figure snippets put each SVG file inline (issue 12); Zensical does the same."""
    def pictures(site):
        return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8").count('<figure class="illustration">')
                for p in site.rglob("index.html")}
    expected = {page: count for page, count in pictures(clinic_site).items() if count}
    assert expected, "the MkDocs build has no pictures"
    assert {page: count for page, count in pictures(zensical_site).items() if count} == expected
    html = (zensical_site / "nerve-pain" / "warning-signs" / "index.html").read_text(encoding="utf-8")
    assert 'aria-labelledby="saddle-area-title"' in html and "<text" in html


def test_zensical_copy_gets_the_same_content_feed(zensical_site, clinic_site, tmp_path):
    """scripts/content_api.py reads any builder's output: the same pages, codes and feed (issue 16)."""
    import json

    import content_api

    def api(built, name: str) -> dict:
        site = tmp_path / name
        shutil.copytree(built, site)
        content_api.build(site, CLINIC_EXAMPLE)
        return {file: json.loads((site / "api" / file).read_text(encoding="utf-8")) for file in ("pages.json", "codes.json")}

    ours, mkdocs = api(zensical_site, "zensical"), api(clinic_site, "mkdocs")
    assert [page["url"] for page in ours["pages.json"]["pages"]] == [page["url"] for page in mkdocs["pages.json"]["pages"]]
    assert ours["codes.json"]["codes"] == mkdocs["codes.json"]["codes"]
    assert (tmp_path / "zensical" / "lookup" / "index.html").is_file() and (tmp_path / "zensical" / "feed.xml").is_file()


@pytest.mark.browser
def test_the_handout_pack_prints_from_the_zensical_build(browser, zensical_site, tmp_path):
    """scripts/handouts.py reads only the built pages: a Zensical build, on which print_qr.py has
    not run, gives the same handout, with the clinic as author and the page's QR code."""
    page = "nerve-pain/warning-signs/"
    _, problems = make_pack(browser, zensical_site, tmp_path, ["A4"], [page])
    pdf = tmp_path / "a4" / "nerve-pain--warning-signs.pdf"
    assert problems == []
    assert PdfReader(pdf).metadata.author == "Riverside Physiotherapy"
    assert qr_codes_on_last_sheet(pdf, tmp_path) == [SITE_URL + page]


def test_what_main_html_finds_by_the_themes_ids_is_in_the_zensical_build(zensical_site):
    assert not missing_theme_hooks(zensical_site)


@pytest.mark.browser
def test_every_zensical_page_loads_without_a_script_error_and_search_finds_everyday_words(browser, zensical_site):
    """A smoke test of the Zensical build in Chromium: every page loads with no script error
    and no failed request, and search (Zensical's own dialog, loaded on demand by
    overrides/main.html) finds a page by an everyday word."""
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"{tab.url}: {error}"))
    tab.on("console", lambda message: problems.append(f"{tab.url}: {message.text}") if message.type == "error" else None)
    tab.on("response", lambda response: problems.append(f"{response.status} {response.url}") if response.status >= 400 else None)
    try:
        with SiteServer(zensical_site) as server:
            for path in built_pages(zensical_site):
                tab.goto(server.url + path)
                tab.locator("h1").first.wait_for()
            tab.set_viewport_size(DESKTOP)  # the search box itself (a phone shows an icon instead)
            tab.goto(server.url)
            tab.locator(".md-search__button").first.click()
            tab.locator("input[role=combobox]").press_sequentially("zap", delay=30)
            found = tab.locator("a[href*='dry-needling/what-you-may-feel/']").filter(has_text="zap").first
            found.wait_for(timeout=15_000)
    finally:
        context.close()
    assert not problems, problems
