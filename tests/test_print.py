"""Handouts: every page printed through Chromium (print to PDF) is a clean, branded handout
on at most 2 sheets of A4 or US Letter; the diary and the question list fit on 1 sheet; the
clinic's name and phone are on it, and its QR code opens the page's public address."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp

import handouts
from handouts import sheets
from print_qr import add_codes_to_site
from serve_site import SiteServer, built_pages
from support import DOCS, split_front_matter

browser_test = pytest.mark.browser

SITE_URL = "https://clinic.example/patient-info/"
PAPER = ["A4", "Letter"]
ONE_SHEET = ["printables/pain-diary/", "printables/questions-to-ask/"]
PT_11_IN_PX = 11 * 96 / 72


@pytest.fixture(scope="module")
def printed_site(clinic_site, tmp_path_factory) -> Path:
    """The example clinic's build as `make build` leaves it: with its QR codes."""
    site = tmp_path_factory.mktemp("print") / "site"
    shutil.copytree(clinic_site, site)
    assert add_codes_to_site(site) == len(list(site.rglob("index.html")))
    return site


@pytest.fixture(scope="module")
def host(printed_site):
    with SiteServer(printed_site, "/") as server:
        yield server


@pytest.fixture(scope="module")
def tab(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    yield context.new_page()
    context.close()


@dataclass(frozen=True)
class Printout:
    """One page as the tests found it: printed on each paper size, its headings, and its
    print button on screen (None when the button is not visible)."""

    pdfs: dict[str, Path]
    headings: frozenset[str]
    button: dict | None


@pytest.fixture(scope="module")
def printouts(tab, host, printed_site, tmp_path_factory) -> dict[str, Printout]:
    """Every page loaded once and printed once on each paper size; the tests below read these PDFs."""
    folder = tmp_path_factory.mktemp("pdfs")
    found = {}
    for number, path in enumerate(built_pages(printed_site)):
        handouts.open_page(tab, host.url + path)
        button = tab.get_by_role("button", name="Print this page")
        pdfs = {}
        for paper in PAPER:
            pdfs[paper] = folder / f"{number}-{paper}.pdf"
            pdfs[paper].write_bytes(handouts.pdf_of(tab, paper))
        found[path] = Printout(
            pdfs=pdfs,
            headings=frozenset(tab.eval_on_selector_all("article h2, article h3", "hs => hs.map(h => h.innerText.trim())")),
            button=button.bounding_box() if button.is_visible() else None,
        )
    return found


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def qr_codes_on_last_sheet(pdf: Path, tmp_path: Path) -> list[str]:
    """Render the last sheet to a grey image (pdftoppm) and read its QR codes (zxing-cpp)."""
    last = sheets(pdf)
    prefix = tmp_path / "sheet"
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-f", str(last), "-l", str(last), str(pdf), str(prefix)], check=True)
    image = next(tmp_path.glob("sheet*.pgm")).read_bytes()
    magic, size, _maximum, pixels = image.split(b"\n", 3)
    assert magic == b"P5"
    width, height = map(int, size.split())
    return [result.text for result in zxingcpp.read_barcodes(memoryview(pixels).cast("B", shape=[height, width]))]


# ---------------------------------------------------------------- sheets

@browser_test
@pytest.mark.parametrize("paper", PAPER)
def test_every_page_prints_on_at_most_two_sheets(printouts, paper):
    too_long = {path or "(start page)": sheets(printout.pdfs[paper]) for path, printout in printouts.items()}
    too_long = {path: count for path, count in too_long.items() if count > 2}
    assert not too_long, f"pages longer than 2 {paper} sheets: {too_long}"


@browser_test
@pytest.mark.parametrize("paper", PAPER)
@pytest.mark.parametrize("path", ONE_SHEET)
def test_the_diary_and_the_question_list_print_on_one_sheet(printouts, paper, path):
    assert sheets(printouts[path].pdfs[paper]) == 1


@browser_test
@pytest.mark.parametrize("path", ONE_SHEET)
def test_the_diary_and_the_question_list_leave_room_to_write(tab, host, path):
    tab.goto(host.url + path)
    tab.emulate_media(media="print")
    heights = tab.eval_on_selector_all(".write-in td", "cells => cells.map(c => c.getBoundingClientRect().height)")
    tab.emulate_media(media="null")
    assert heights and min(heights) >= 50, f"cells to write in are only {min(heights)} px high"


def sheet_texts(pdf: Path) -> list[str]:
    """The text of each sheet (pdftotext separates sheets with a form feed)."""
    return pdf_text(pdf).split("\f")[:sheets(pdf)]


@browser_test
@pytest.mark.parametrize("paper", PAPER)
def test_no_heading_is_left_at_the_foot_of_a_sheet(printouts, paper):
    stranded = {}
    for path, printout in printouts.items():
        for number, text in enumerate(sheet_texts(printout.pdfs[paper])[:-1], start=1):
            lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
            if lines and lines[-1] in printout.headings:
                stranded[f"{path or '(start page)'} sheet {number}"] = lines[-1]
    assert not stranded, f"headings left at the foot of a {paper} sheet: {stranded}"


# ---------------------------------------------------------------- what is on the handout

@browser_test
def test_a_handout_has_the_clinic_name_phone_and_a_qr_code_that_opens_the_page(printouts, tmp_path):
    pdf = printouts["nerve-pain/warning-signs/"].pdfs["A4"]
    text = pdf_text(pdf)
    assert "Riverside Physiotherapy" in text and "01632 960 123" in text
    assert "Not yet reviewed by a clinician." in text and "Written " in text
    assert "clinic.example/patient-info/nerve-pain/warning-signs/" in text
    assert qr_codes_on_last_sheet(pdf, tmp_path) == [SITE_URL + "nerve-pain/warning-signs/"]


@browser_test
def test_a_handout_says_how_many_sources_the_page_rests_on_and_where_they_are_listed(printouts):
    """On paper the source list gives way to one line (the list is on the page the QR code opens)."""
    sources = split_front_matter((DOCS / "dry-needling" / "when-to-get-help.md").read_text(encoding="utf-8"))[0]["sources"]
    text = " ".join(pdf_text(printouts["dry-needling/when-to-get-help/"].pdfs["A4"]).split())
    assert f"This page rests on {len(sources)} sources. They are listed on the page online" in text
    assert "Brady S" not in text, "the citations themselves are on the online page"


@browser_test
def test_a_handout_leaves_out_screen_furniture_and_keeps_the_card_labels(printouts):
    text = pdf_text(printouts["nerve-pain/warning-signs/"].pdfs["A4"])
    for screen_only in ("Print this page", "Table of contents", "Related pages", "Search", "Skip to content"):
        assert screen_only not in text, screen_only
    for label in ("Non-urgent advice:", "Urgent advice:", "Immediate action required:"):
        assert label in text, label
    assert "https://" not in text, "long addresses printed inline"


@browser_test
def test_printed_body_text_is_at_least_11_point_and_cards_keep_their_borders(tab, host):
    tab.goto(host.url + "nerve-pain/warning-signs/")
    tab.emulate_media(media="print")
    size = tab.eval_on_selector("article p", "p => parseFloat(getComputedStyle(p).fontSize)")
    borders = {
        level: tab.eval_on_selector(f".care-card--{level}", "c => [getComputedStyle(c).borderTopWidth, getComputedStyle(c).breakInside]")
        for level in ("non-urgent", "urgent", "emergency")
    }
    tab.emulate_media(media="null")
    assert size >= PT_11_IN_PX - 0.01, f"body text is {size} px, under 11 pt"
    assert borders == {"non-urgent": ["4px", "avoid"], "urgent": ["6px", "avoid"], "emergency": ["8px", "avoid"]}


# ---------------------------------------------------------------- the print button

@browser_test
def test_every_content_page_has_a_print_button_that_prints_and_is_not_printed(tab, host, printouts):
    for path, printout in printouts.items():
        assert printout.button, f"{path or '(start page)'}: no visible print button"
        assert printout.button["width"] >= 24 and printout.button["height"] >= 24, f"{path}: button too small to tap"
    tab.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    tab.goto(host.url + "nerve-pain/warning-signs/")
    button = tab.get_by_role("button", name="Print this page")
    button.click()
    assert tab.evaluate("window.__printed") == 1
    tab.emulate_media(media="print")
    assert not button.is_visible()
    tab.emulate_media(media="null")


def test_without_clinic_settings_the_print_header_names_the_guide(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert '<span class="print-header__name">Nerve pain and physiotherapy</span>' in html
    assert "data-print-qr" not in html, "no QR code without a public address (site_url)"
    assert (DOCS / "assets" / "stylesheets" / "print.css").is_file()
