"""A US clinic's copy of the guide (issue 17, part 5): `locale: en-US` in its settings.

The copy says physical therapist, primary care doctor and US spelling in its text, never in
its addresses; the words come from data/terms.yml (en_us, en_us_words). A fictional US clinic
(phone numbers from the 555-01xx range kept for fiction) is made in a copy of the sources,
checked once and built once."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import check_clinic
import reviews
import us_english
from clinic_settings import check_settings
from conftest import CLINIC_EXAMPLE, ROOT, assemble_clinic as assemble_into, build_site, copy_site_sources
from support import review_table
from test_clinic_copy import _targets, html_pages, soup

TODAY = dt.date(2026, 12, 1)
US_SETTINGS = {  # the example clinic's lines, as a US clinic writes them
    "locale: en-GB": "locale: en-US",
    "site_name: Riverside Physiotherapy patient guide": "site_name: Riverside Physical Therapy patient guide",
    "name: Riverside Physiotherapy": "name: Riverside Physical Therapy",
    "phone: 01632 960 123": 'phone: "(555) 555-0123"',
    'emergency_number: "999"': 'emergency_number: "911"',
    "urgent_line_name: NHS 111": "urgent_line_name: Riverside nurse line",
    'urgent_line_number: "111"': 'urgent_line_number: "(555) 555-0142"',
}
OWN_PAGE = """---
title: Parking at our clinic
description: Where to park when you come to see us.
written: 2026-11-30
---

# Parking at our clinic

You can park behind the building. Your physical therapist can tell you more. Your physiotherapist will meet you.
"""
# The pages that quote the guide's sources by their own titles (a source keeps its name).
QUOTING = ("about/sources/index.html",)


def us_clinic(root: Path) -> Path:
    copy_site_sources(root)
    (root / "clinics").mkdir()
    text = CLINIC_EXAMPLE.read_text(encoding="utf-8")
    for old, new in US_SETTINGS.items():
        assert old in text, old
        text = text.replace(old, new)
    settings = root / "clinics" / "us.yml"
    settings.write_text(text, encoding="utf-8")
    # The clinic writes its own page in its own (US) words: the copy changes only the guide's.
    page = (ROOT / "clinics" / "example" / "docs" / "first-visit.md").read_text(encoding="utf-8")
    own = root / "clinics" / "us" / "docs" / "first-visit.md"
    own.parent.mkdir(parents=True)
    own.write_text(page.replace("Riverside Physiotherapy", "Riverside Physical Therapy")
                   .replace("physiotherapist", "physical therapist"), encoding="utf-8")
    return settings


@pytest.fixture(scope="module")
def us_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("us-clinic")
    settings = us_clinic(root)
    assert check_settings(settings, root / "docs") == []
    reviews.write_state_file(root)  # as `make build` does: the review table lists the clinic's own page
    site = root / "site"
    result = build_site(site, assemble_into(settings))
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def us_findings(tmp_path_factory) -> list:
    """The checker on a US copy whose clinic wrote a page of its own with both words."""
    root = tmp_path_factory.mktemp("us-checked")
    us_clinic(root)
    (root / "clinics" / "us" / "docs" / "parking.md").write_text(OWN_PAGE, encoding="utf-8")
    findings, _ = check_clinic.clinic_findings("clinics/us.yml", TODAY, root)
    return findings


def words() -> us_english.Words:
    return us_english.read_words()


def article_text(page: Path) -> str:
    """What a reader reads of a page's article, without its list of sources (a source keeps its name)."""
    article = soup(page).select_one("article")
    for sources in article.select(".page-sources"):
        sources.decompose()
    return " ".join(word for word in article.get_text(" ").split() if "/" not in word)  # addresses keep theirs


# ---------------------------------------------------------------- the built copy

def test_the_us_copy_says_physical_therapist_and_never_physiotherapist(us_site):
    said = {}
    for page in html_pages(us_site):
        name = page.relative_to(us_site).as_posix()
        if name in QUOTING:
            continue
        text = article_text(page)
        # The pages that name the other word on purpose keep doing so, the other way round.
        text = text.replace("In some countries a physical therapist is called a physiotherapist.", "")
        text = text.replace("In some countries physical therapy is called physiotherapy.", "")
        said[name] = text
        assert not re.search(r"physiotherap|\bGPs?\b|\bphysio\b|\bcolours?\b|programme", text, re.IGNORECASE), name
    assert "physical therapist" in said["nerve-pain/working-with-your-physiotherapist/index.html"]
    assert "What a primary care doctor can offer for nerve pain" in said["nerve-pain/what-a-gp-can-offer/index.html"]
    assert "Many people call it PT." in said["nerve-pain/index.html"]
    assert "Contact Riverside Physical Therapy on (555) 555-0123, or a primary care doctor, if:" in \
        said["nerve-pain/warning-signs/index.html"]
    assert "Call 911 or go to the emergency department now if:" in said["nerve-pain/warning-signs/index.html"]
    assert "Get an urgent appointment with a primary care doctor today, or call Riverside nurse line on " \
        "(555) 555-0142, if:" in said["nerve-pain/warning-signs/index.html"]
    assert not any("primary care doctor or doctor" in text for text in said.values()), "a GP or doctor -> a doctor twice"


def test_addresses_code_and_the_sources_titles_keep_the_guides_words(us_site):
    page = us_site / "nerve-pain" / "working-with-your-physiotherapist" / "index.html"
    assert page.is_file()
    links = [a["href"] for a in soup(us_site / "nerve-pain" / "index.html").select("a[href]")]
    assert "working-with-your-physiotherapist/" in links and "what-a-gp-can-offer/" in links
    sources = article_text(us_site / "about" / "sources" / "index.html")
    assert "a prospective survey of chartered physiotherapists" in sources
    assert "Chartered Society of Physiotherapy" in sources and "Back pain: when to see a GP" in sources


def test_the_page_says_it_is_in_us_english(us_site):
    page = soup(us_site / "index.html")
    assert page.html["lang"] == "en-US"
    assert '"inLanguage": "en-US"' in str(page)
    assert "physical therapy" in soup(us_site / "404.html").select_one('meta[name="description"]')["content"]
    nav = [a.get_text(" ", strip=True) for a in page.select("nav a")]
    assert "Working with your physical therapist" in nav and "What a primary care doctor can offer" in nav


def test_the_review_status_table_names_each_page_as_the_us_copy_does(us_site):
    """The table's titles are the US copy's pages' own titles (and so its navigation's), its
    own page among them, as the clinic wrote it; the words UK-only nowhere (the first test)."""
    rows = review_table(us_site)
    for title, target, _ in rows:
        assert soup(target).title.get_text().startswith(f"{title} - "), (title, target)
    titles = [title for title, _, _ in rows]
    assert "Working with your physical therapist" in titles and "Questions to ask your physical therapist" in titles
    assert "What a primary care doctor can offer for nerve pain" in titles
    assert not [title for title in titles if re.search(r"physiotherap|\bGP\b", title)]
    assert rows[-1] == ("Your first visit to Riverside Physical Therapy", us_site / "our-clinic/first-visit/index.html",
                        ["Riverside Physical Therapy's own page, not reviewed by this guide", "Written 1 December 2026",
                         "Not approved"])


def test_the_glossary_and_tooltips_are_the_us_terms(us_site):
    glossary = article_text(us_site / "glossary" / "index.html")
    assert "Physical therapist" in glossary and "Primary care doctor" in glossary and "Sensitization" in glossary
    assert "A trained healthcare professional who gives physical therapy." in glossary
    tooltips = {abbr.get_text(): abbr["title"] for page in html_pages(us_site) for abbr in soup(page).select("article abbr")}
    assert "GP" not in tooltips and tooltips.get("ER", "").startswith("Emergency department")


def _signs(page: Path) -> list[tuple[str, list[str]]]:
    """Each care card's level and signs, and each table of warning signs' rows, as text."""
    article = soup(page).select_one("article")
    cards = [(" ".join(card["class"]), [li.get_text(" ", strip=True) for li in card.select("li")])
             for card in article.select(".care-card")]
    tables = [("table", [" ".join(row.get_text(" ", strip=True).split()) for row in table.select("tr")])
              for table in article.select("table") if "What you notice" in table.get_text()]
    return cards + tables


def test_every_page_keeps_every_warning_sign_at_its_level(us_site, clinic_site):
    """The same cards and tables as the UK clinic's copy, each sign in its own words swapped for US ones."""
    swap = words()
    compared = 0
    for page in html_pages(clinic_site):
        relative = page.relative_to(clinic_site)
        expected = [(level, [us_english.swap_plain(sign, swap) for sign in signs]) for level, signs in _signs(page)]
        assert _signs(us_site / relative) == expected, relative
        compared += sum(len(signs) for _, signs in expected)
    assert compared >= 40, "the pages hold care cards and tables of warning signs"


def test_every_link_of_the_us_copy_resolves(us_site):
    broken = [f"{page.relative_to(us_site)}: {link}" for page in html_pages(us_site)
              for link, target in _targets(us_site, page) if not target.is_file()]
    assert not broken, broken


def test_the_neutral_guide_stays_uk_english(built_site):
    page = soup(built_site / "nerve-pain" / "working-with-your-physiotherapist" / "index.html")
    assert page.html["lang"] == "en"
    assert "Your physiotherapist needs to know" in page.get_text()


# ---------------------------------------------------------------- the checker and the settings

def test_the_checker_takes_the_us_words_and_flags_a_uk_word_in_a_us_copy(us_findings):
    assert {f.path for f in us_findings} == {"clinics/us/docs/parking.md"}, "the guide's pages say the US words"
    terms = [f for f in us_findings if f.rule == "terminology"]
    assert [(f.line, f.column) for f in terms] == [(9, OWN_PAGE.split("\n")[8].index("physiotherapist") + 1)], terms
    assert "Use 'physical therapist' instead of 'physiotherapist'" in terms[0].message


@pytest.mark.parametrize("value", ["en_US", "fr", '""', "true"])
def test_a_bad_locale_is_one_message_at_its_line(tmp_path, value):
    settings = tmp_path / "clinics" / "x.yml"
    settings.parent.mkdir()
    text = CLINIC_EXAMPLE.read_text(encoding="utf-8").replace("locale: en-GB", f"locale: {value}")
    settings.write_text(text, encoding="utf-8")
    line = text.split("\n").index(f"    locale: {value}") + 1
    problems = check_settings(settings, ROOT / "docs")
    assert [(p.path.endswith("clinics/x.yml"), p.line) for p in problems] == [(True, line)], problems
    assert "en-GB or en-US" in problems[0].message or "en-US" in problems[0].message


def test_case_is_kept_and_an_abbreviation_starts_a_sentence_with_a_capital():
    swap = words()
    assert us_english.swap_plain("Physiotherapy helps. See a GP.", swap) == "Physical therapy helps. See a primary care doctor."
    text = "GP visits help.\n\nYour physiotherapist and [a GP](what-a-gp-can-offer.md) `physio`.\n"
    assert us_english.swap_prose("x.md", text, swap) == (
        "Primary care doctor visits help.\n\nYour physical therapist and [a primary care doctor](what-a-gp-can-offer.md) "
        "`physio`.\n")
