"""The Spanish guide in Chromium (issue 17): both languages in one folder as `make build`
leaves them (English at the root, Spanish in es/, QR codes, security headers), served as a
host serves them. Samples the pages whose template differs (warning signs, a long page, the
start page, the glossary, a printable): the template is the English one, tested in full in
tests/test_a11y.py and tests/test_print.py.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

import handouts
from handouts import sheets
from support import DESKTOP, PHONE, ROOT, VENV_BIN, build_site, search_result_links
from print_qr import add_codes_to_site
from serve_site import SiteServer
from test_a11y import AXE_OPTIONS, _describe
from test_print import qr_codes_on_last_sheet
from test_spanish import SITE_URL, spanish_config

pytestmark = pytest.mark.browser
SAMPLE = ["nerve-pain/warning-signs/", "dry-needling/before-needling/", "glossary/"]


@pytest.fixture(scope="module")
def both_languages(built_site, tmp_path_factory) -> Path:
    """The English build with the Spanish one in es/, its public address set (for QR codes),
    then print_qr.py and security_headers.py over both, as `make build` runs them."""
    work = tmp_path_factory.mktemp("both")
    site = work / "site"
    shutil.copytree(built_site, site)
    result = build_site(site / "es", spanish_config(work))
    assert result.returncode == 0, result.stderr
    assert add_codes_to_site(site / "es") == len(list((site / "es").rglob("index.html")))
    headers = subprocess.run([str(VENV_BIN / "python"), str(ROOT / "scripts" / "security_headers.py"), str(site),
                              "--nginx", str(work / "nginx.conf")], capture_output=True, text=True, cwd=ROOT)
    assert headers.returncode == 0, headers.stderr
    return site


@pytest.fixture(scope="module")
def host(both_languages):
    with SiteServer(both_languages, "/") as server:
        yield server.url


@pytest.fixture(scope="module")
def tab(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("address", SAMPLE)
def test_spanish_pages_pass_axe_under_the_security_policy_with_their_styles(tab, host, address):
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on("response", lambda response: problems.append(f"{response.status} {response.url}")
           if response.status >= 400 else None)
    tab.goto(host + "es/" + address)
    tab.wait_for_load_state("networkidle")
    assert tab.evaluate("document.documentElement.lang") == "es"
    # The stylesheets come from the English build (../assets/): the cards have their colours.
    assert tab.evaluate("[...document.styleSheets].some(s => (s.href || '').endsWith('/assets/stylesheets/extra.css'))")
    violations = Axe().run(tab, options=AXE_OPTIONS).response["violations"]
    assert not violations, _describe(violations)
    assert not problems, problems


@pytest.mark.parametrize("address", ["nerve-pain/warning-signs/", "dry-needling/before-needling/",
                                     "nerve-pain/managing-a-flare-up/", "printables/pain-diary/"])
def test_spanish_handouts_print_on_at_most_two_sheets_with_a_code_to_the_spanish_page(tab, host, tmp_path, address):
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(handouts.print_pdf(tab, host + "es/" + address, "A4"))
    assert sheets(pdf) <= (1 if address.startswith("printables/") else 2), address
    assert qr_codes_on_last_sheet(pdf, tmp_path) == [SITE_URL + "es/" + address]


def test_the_language_selector_leads_to_the_same_page_and_back(tab, host):
    tab.set_viewport_size(DESKTOP)
    try:
        tab.goto(host + "nerve-pain/causes/")
        tab.click(".md-header .md-select button")
        tab.click("a.md-select__link[hreflang=es]")
        tab.wait_for_url("**/es/nerve-pain/causes/")
        assert tab.evaluate("document.documentElement.lang") == "es"
        tab.click(".md-header .md-select button")
        tab.click("a.md-select__link[hreflang=en]")
        tab.wait_for_url(host + "nerve-pain/causes/")
    finally:
        tab.set_viewport_size(PHONE)


def test_spanish_search_finds_hormigueo_on_the_page_about_it(tab, host):
    tab.goto(host + "es/?q=hormigueo")
    links = search_result_links(tab, ["/es/dry-needling/what-you-may-feel/"])
    assert any("/es/dry-needling/what-you-may-feel/" in link for link in links), links
