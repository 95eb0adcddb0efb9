"""The same sources build with Zensical 0.0.73, Material's successor: no hook or plugin
carries anything essential, so a clinic's copy keeps its numbers and details there too.
What differs is listed in HOSTING.md ("What differs with Zensical")."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup

from conftest import CLINIC_EXAMPLE, ROOT, VENV_BIN, slim


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory):
    # Zensical wants its config and site folder inside the project root; both are
    # named for this process (gitignored), and the site is moved out afterwards.
    config = ROOT / f".zensical-test-{os.getpid()}.yml"
    built = ROOT / f"site-zensical-test-{os.getpid()}"
    written = subprocess.run([str(VENV_BIN / "python"), "scripts/zensical_config.py", str(CLINIC_EXAMPLE), "--site-dir", built.name],
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
