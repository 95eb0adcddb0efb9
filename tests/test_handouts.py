"""The handout pack (scripts/handouts.py, `make handouts`): one PDF per patient page on A4 and
US Letter, each within its sheet limit, with the page's title and the clinic as author in the
PDF's metadata, the clinic's name, phone and review status on the page and a QR code that opens
the page; an index with escaped titles, and a zip of it all. A page over its limit fails by name.

To keep the time down, the whole pack is printed on A4 and three pages on Letter (the start
page, a long page with care cards, and the one-sheet diary); test_print.py prints every page on
both papers. The example clinic's build (conftest's clinic_site) has had no print_qr.py run on
it, as with Zensical: so these also prove the pack adds the QR codes itself."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from handouts import (PAPERS, ZIP_NAME, Handout, file_stem, main, make_pack, patient_pages, render_index,
                      sheet_limit, source_of)
from test_print import SITE_URL, pdf_text, qr_codes_on_last_sheet

CLINIC = "Riverside Physiotherapy"
LETTER_PAGES = ["", "nerve-pain/warning-signs/", "printables/pain-diary/"]
WARNING_SIGNS = "nerve-pain/warning-signs/"


@pytest.fixture(scope="module")
def a4_pack(browser, clinic_site, tmp_path_factory) -> tuple[Path, list[Handout], list[str]]:
    out = tmp_path_factory.mktemp("handouts-a4")
    return out, *make_pack(browser, clinic_site, out, ["A4"])


@pytest.fixture(scope="module")
def letter_pack(browser, clinic_site, tmp_path_factory) -> tuple[Path, list[Handout], list[str]]:
    out = tmp_path_factory.mktemp("handouts-letter")
    return out, *make_pack(browser, clinic_site, out, ["Letter"], LETTER_PAGES)


@pytest.fixture(params=["A4", "Letter"])
def pack(request, a4_pack, letter_pack) -> tuple[str, Path, list[Handout], list[str]]:
    return request.param, *(a4_pack if request.param == "A4" else letter_pack)


def page_title(site: Path, path: str) -> str:
    text = (site / path / "index.html").read_text(encoding="utf-8")
    return html.unescape(re.search(r"<title>(.*?)</title>", text, flags=re.DOTALL).group(1).strip())


@pytest.mark.browser
def test_the_a4_pack_has_one_pdf_per_patient_page_and_no_problems(a4_pack, clinic_site):
    out, handouts, problems = a4_pack
    pages = patient_pages(clinic_site)
    assert len(pages) > 20 and [handout.path for handout in handouts] == pages
    assert sorted(path.name for path in (out / "a4").iterdir()) == sorted(f"{file_stem(page)}.pdf" for page in pages)
    assert problems == []
    assert not (out / "letter").exists()


@pytest.mark.browser
def test_every_handout_keeps_within_its_sheets(pack):
    paper, out, handouts, _ = pack
    counts = {handout.path: len(PdfReader(out / PAPERS[paper] / f"{file_stem(handout.path)}.pdf").pages)
              for handout in handouts}
    assert all(1 <= count <= sheet_limit(path) for path, count in counts.items()), counts
    assert counts["printables/pain-diary/"] == 1
    assert {handout.path: handout.sheets[paper] for handout in handouts} == counts


@pytest.mark.browser
def test_every_pdf_has_the_pages_title_and_the_clinic_as_author(pack, clinic_site):
    paper, out, handouts, _ = pack
    for handout in handouts:
        metadata = PdfReader(out / PAPERS[paper] / f"{file_stem(handout.path)}.pdf").metadata
        assert metadata.title == page_title(clinic_site, handout.path), handout.path
        assert metadata.author == CLINIC, handout.path


@pytest.mark.browser
def test_a_handout_has_the_clinics_header_review_status_and_a_qr_code_that_opens_the_page(pack, tmp_path):
    paper, out, _, _ = pack
    pdf = out / PAPERS[paper] / f"{file_stem(WARNING_SIGNS)}.pdf"
    text = pdf_text(pdf)
    assert CLINIC in text and "01632 960 123" in text
    assert "Not yet reviewed by a clinician." in text
    assert qr_codes_on_last_sheet(pdf, tmp_path) == [SITE_URL + WARNING_SIGNS]


@pytest.mark.browser
def test_the_index_links_every_pdf_and_the_zip_holds_the_whole_pack(a4_pack):
    out, handouts, _ = a4_pack
    index = (out / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'href="([^"]+)"', index)
    assert sorted(linked) == sorted([ZIP_NAME] + [f"a4/{file_stem(h.path)}.pdf" for h in handouts])
    assert all((out / link).is_file() for link in linked)
    with zipfile.ZipFile(out / ZIP_NAME) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted(["index.html"] + [f"a4/{file_stem(h.path)}.pdf" for h in handouts])


@pytest.mark.browser
def test_the_neutral_guides_handouts_name_the_guide_as_author(browser, built_site, tmp_path):
    _, problems = make_pack(browser, built_site, tmp_path, ["A4"], ["glossary/"])
    assert problems == []
    metadata = PdfReader(tmp_path / "a4" / "glossary.pdf").metadata
    assert metadata.author == "Nerve pain and physiotherapy"


LONG_PAGE = """<!doctype html><html lang="en"><head><title>{title}</title></head><body>
<div class="print-header"><span class="print-header__name">Test clinic</span></div>
<article>{paragraphs}</article></body></html>"""


def fake_page(site: Path, path: str, title: str, paragraphs: int) -> None:
    folder = site / path
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(f"<p>Paragraph {n}: a line of text that a patient reads on paper.</p>" for n in range(paragraphs))
    (folder / "index.html").write_text(LONG_PAGE.format(title=title, paragraphs=body), encoding="utf-8")


@pytest.mark.browser
def test_a_page_over_its_sheet_limit_is_named_and_no_index_or_zip_is_written(browser, tmp_path):
    site = tmp_path / "site"
    fake_page(site, "", "Start", 10)
    fake_page(site, "long/", "A very long page", 200)  # 4 A4 sheets or so
    fake_page(site, "printables/diary/", "A diary", 60)  # 2 sheets: one too many for a printable
    out = tmp_path / "handouts"
    _, problems = make_pack(browser, site, out, ["A4"])
    assert len(problems) == 2, problems
    assert re.match(r'long/: error handout-length: "A very long page" prints on \d+ A4 sheets; a handout must fit on 2\. ',
                    problems[0])
    assert problems[1].startswith('printables/diary/: error handout-length: "A diary" prints on 2 A4 sheets; '
                                  "a printable must fit on 1.")
    assert not (out / "index.html").exists() and not (out / ZIP_NAME).exists()
    assert (out / "a4" / "long.pdf").is_file(), "the PDFs are kept, to look at"


def test_the_index_escapes_titles_and_names():
    handout = Handout("x/", title='<script>alert("x")</script> & Co', author="O'Neil & <b>Sons</b>", sheets={"A4": 1})
    index = render_index([handout], ["A4"])
    assert "<script>" not in index and "<b>" not in index
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in index
    assert "O&#x27;Neil &amp; &lt;b&gt;Sons&lt;/b&gt;" in index


def test_file_names_sheet_limits_and_where_a_page_comes_from():
    assert file_stem("") == "start" and file_stem("nerve-pain/warning-signs/") == "nerve-pain--warning-signs"
    assert sheet_limit("printables/questions-to-ask/") == 1 and sheet_limit("nerve-pain/") == 2
    assert source_of("nerve-pain/warning-signs/") == "docs/nerve-pain/warning-signs.md:1"
    assert source_of("nerve-pain/") == "docs/nerve-pain/index.md:1"
    assert source_of("") == "docs/index.md:1"
    assert source_of("made-elsewhere/") == "made-elsewhere/"


def test_without_a_built_site_it_says_what_to_run(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "no built site here; run `make build`" in capsys.readouterr().err
