"""A clinic makes the guide its own (issue 18): it leaves out a section, adds its own pages,
and still takes every update. The clinic's copy is assembled before the build
(scripts/assemble_clinic.py), so MkDocs and Zensical build it with no hook or plugin.

The example clinic (clinics/example.yml) ships one page of its own; the same clinic with
`leave_out: [dry-needling]` is made here, in a copy of the sources, and built once."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

import assemble_clinic
import check_clinic
import reviews
from clinic_settings import check_settings
from conftest import CLINIC_EXAMPLE, ROOT, assemble_clinic as assemble_into, build_site, copy_site_sources
from support import review_table

NEEDLING = "dry-needling"
OWN_PAGE = "our-clinic/first-visit/index.html"
TODAY = dt.date(2026, 12, 1)


def clinic_tree(root: Path, name: str, leave_out: str) -> Path:
    """A copy of the sources with the example clinic as clinics/<name>.yml, leaving out
    `leave_out`, and its own page; returns the settings file."""
    copy_site_sources(root)
    (root / "clinics").mkdir()
    settings = root / "clinics" / f"{name}.yml"
    text = CLINIC_EXAMPLE.read_text(encoding="utf-8")
    assert "    leave_out: []\n" in text
    settings.write_text(text.replace("    leave_out: []\n", f"    leave_out: [{leave_out}]\n"), encoding="utf-8")
    shutil.copytree(ROOT / "clinics" / "example" / "docs", root / "clinics" / name / "docs")
    return settings


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("index.html"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def no_needling(tmp_path_factory) -> tuple[Path, Path]:
    """The example clinic with dry needling left out: (its settings in a copy of the sources, its build)."""
    root = tmp_path_factory.mktemp("no-needling")
    settings = clinic_tree(root, "no-needling", NEEDLING)
    # Its logo lives with its pages, under clinics/, as everything a clinic changes does.
    shutil.copy(root / "docs" / "assets" / "clinic-logos" / "example.svg", root / "clinics" / "no-needling" / "docs" / "logo.svg")
    settings.write_text(settings.read_text(encoding="utf-8").replace("logo: assets/clinic-logos/example.svg",
                                                                     "logo: our-clinic/logo.svg"), encoding="utf-8")
    assert check_settings(settings, root / "docs") == []
    site = root / "site"
    result = build_site(site, assemble_into(settings))
    assert result.returncode == 0, result.stderr
    return settings, site


# ---------------------------------------------------------------- leaving out a section

def test_the_left_out_section_has_no_page_nav_entry_search_entry_or_sitemap_entry(no_needling):
    _, site = no_needling
    assert not (site / NEEDLING).exists()
    for page in html_pages(site):
        hrefs = [a["href"] for a in soup(page).select("a[href]") if "://" not in a["href"]]
        assert not [href for href in hrefs if f"{NEEDLING}/" in href], page.relative_to(site)
    locations = [doc["location"] for doc in json.loads((site / "search" / "search_index.json").read_text())["docs"]]
    assert locations and not [location for location in locations if location.startswith(NEEDLING)]
    assert NEEDLING not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "Dry needling and nerves" not in (site / "index.html").read_text(encoding="utf-8")


def test_the_logo_can_live_with_the_clinics_own_files(no_needling):
    _, site = no_needling
    assert soup(site / "nerve-pain" / "index.html").select_one(".md-logo img")["src"] == "../our-clinic/logo.svg"
    assert (site / "our-clinic" / "logo.svg").is_file()


def test_a_logo_missing_from_the_clinics_folder_is_refused_at_its_line(tmp_path):
    settings = tmp_path / "clinics" / "x.yml"
    settings.parent.mkdir()
    settings.write_text(CLINIC_EXAMPLE.read_text(encoding="utf-8").replace(
        "logo: assets/clinic-logos/example.svg", "logo: our-clinic/logo.svg"), encoding="utf-8")
    problems = check_settings(settings, ROOT / "docs")
    assert [p.rule for p in problems] == ["clinic-logo"] and "clinics/x/docs/logo.svg" in problems[0].message


def _json_ld(page: Path) -> dict:
    return json.loads(soup(page).select_one('script[type="application/ld+json"]').string)


def test_no_page_says_it_is_about_the_left_out_section(no_needling, clinic_site):
    _, site = no_needling
    for page in html_pages(site):
        own = page.relative_to(site).parts[0] == "our-clinic"
        expected = [] if own else ["Nerve pain (neuropathic pain)"]
        assert [topic["name"] for topic in _json_ld(page).get("about", [])] == expected, page
    with_needling = {topic["name"] for topic in _json_ld(clinic_site / "index.html")["about"]}
    assert "Dry needling" in with_needling


def _targets(site: Path, page: Path) -> list[tuple[str, Path]]:
    """Each same-site link of a built page and the file it needs, as a browser resolves it."""
    base = "https://site.invalid/" + page.relative_to(site).as_posix()
    found = []
    for element in soup(page).select("[href], [src]"):
        link = element.get("href") or element.get("src")
        address = urlsplit(urljoin(base, link))
        if address.netloc != "site.invalid" or link.startswith("#"):
            continue
        path = site / unquote(address.path).lstrip("/")
        found.append((link, path / "index.html" if address.path.endswith("/") else path))
    return found


def test_the_copy_has_no_broken_link(no_needling):
    _, site = no_needling
    broken = [f"{page.relative_to(site)}: {link}" for page in html_pages(site)
              for link, target in _targets(site, page) if not target.is_file()]
    assert not broken, broken


def test_a_link_to_a_left_out_page_becomes_its_words(no_needling):
    _, site = no_needling
    disclaimer = soup(site / "about" / "disclaimer" / "index.html").select_one("article")
    assert "when to get help after dry needling" in disclaimer.get_text()
    start = soup(site / "index.html").select_one("article")
    assert [a.get_text() for a in start.select("a") if "warning" in a.get_text().lower()] == ["Warning signs: nerve pain"]
    assert "Warning signs: dry needling" not in start.get_text(), "a list item that was only the link goes"
    own = soup(site / OWN_PAGE).select_one("article").get_text()
    assert "We do not offer dry needling." in own and "before you start dry needling" not in own


def _cards(page: Path) -> list[str]:
    """The care cards and the tables of warning signs (snippets/generated/warning-signs-*.md) of a built page."""
    text = page.read_text(encoding="utf-8")
    html = BeautifulSoup(text[text.find("<article"): text.find("</article>") + len("</article>")], "html.parser")
    tables = [table for table in html.select("table") if "What you notice" in table.get_text()]
    return [str(card) for card in html.select(".care-card")] + [str(table) for table in tables]


def test_every_kept_page_keeps_its_care_cards_whole(no_needling, clinic_site):
    """The same clinic with nothing left out shows the same cards, byte for byte, on each kept page."""
    _, site = no_needling
    compared = 0
    for page in html_pages(clinic_site):
        relative = page.relative_to(clinic_site)
        if relative.parts[0] == NEEDLING:
            continue
        expected = _cards(page)
        assert _cards(site / relative) == expected, relative
        compared += len(expected)
    assert compared >= 5, "the kept pages hold care cards and a table of warning signs"
    warning_signs = soup(site / "nerve-pain" / "warning-signs" / "index.html")
    assert warning_signs.select(".care-card--emergency") and warning_signs.select("table")


# ---------------------------------------------------------------- the clinic's own page

def test_the_review_status_table_lists_the_clinics_own_page_after_the_guides(clinic_site, built_site):
    """"Every page": the clinic's own page too, as its own (the guide does not review it), with
    the clinic's approval (none yet); the neutral guide's table lists the guide's pages only."""
    rows = review_table(clinic_site)
    assert rows[-1] == ("Your first visit to Riverside Physiotherapy", clinic_site / OWN_PAGE,
                        ["Riverside Physiotherapy's own page, not reviewed by this guide", "Written 1 December 2026",
                         "Not approved"])
    assert all(target.is_file() for _, target, _ in rows)
    neutral = review_table(built_site)
    assert [(title, cells) for title, _, cells in neutral] == [(title, cells[:-1]) for title, _, cells in rows[:-1]]
    assert not [target for _, target, _ in neutral if "our-clinic" in target.as_posix()]


def test_the_clinic_page_is_in_the_navigation_search_and_print(clinic_site):
    page = clinic_site / OWN_PAGE
    html = soup(page)
    assert html.select_one("h1").get_text() == "Your first visit to Riverside Physiotherapy"
    nav = soup(clinic_site / "index.html").select_one(".md-nav--primary")
    section = next(item for item in nav.select(".md-nav__item--section")
                   if item.select_one("label, .md-nav__link").get_text(" ", strip=True).startswith("Our clinic"))
    assert "Your first visit to Riverside Physiotherapy" in section.get_text(" ")
    index = json.loads((clinic_site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert any(doc["location"] == "our-clinic/first-visit/" for doc in index)
    assert "https://clinic.example/patient-info/our-clinic/first-visit/" in (clinic_site / "sitemap.xml").read_text()
    assert html.select_one('[data-print-qr="https://clinic.example/patient-info/our-clinic/first-visit/"]')
    text = html.select_one("article").get_text(" ")
    assert "12 River Street, Exampletown, EX1 2AB" in text and "01632 960 123" in text, "{clinic.x} is filled in"
    assert "{clinic." not in text
    assert html.select_one('a[href="https://clinic.example/book/"]')
    assert "about" not in _json_ld(page), "the clinic's own page is about the clinic, not a condition"
    assert [topic["name"] for topic in _json_ld(clinic_site / "nerve-pain" / "index.html")["about"]] == \
        ["Nerve pain (neuropathic pain)"]


def test_the_example_clinic_passes_its_check(capsys):
    assert check_clinic.main([str(CLINIC_EXAMPLE.relative_to(ROOT))]) == 0, capsys.readouterr().out


BAD_PAGE = """---
title: Parking at our clinic
description: Where to park.
written: 2026-11-30
---

# Parking at our clinic

You can park behind the building. Ask your physical therapist about it.
Read about [easing the pain](../nerve-pain/easing-the-pian.md) first.
"""


@pytest.fixture(scope="module")
def checked_tree(tmp_path_factory) -> list:
    """The no-needling clinic in another copy, with a bad page of its own and a guide page
    whose only warning-sign link is to the left-out section."""
    root = tmp_path_factory.mktemp("checked")
    settings = clinic_tree(root, "no-needling", NEEDLING)
    (root / "clinics" / "no-needling" / "docs" / "parking.md").write_text(BAD_PAGE, encoding="utf-8")
    (root / "clinics" / "no-needling" / "docs" / "more").mkdir()
    (root / "clinics" / "no-needling" / "docs" / "more" / "hidden.md").write_text(BAD_PAGE, encoding="utf-8")
    causes = root / "docs" / "nerve-pain" / "causes.md"
    text, count = re.subn(r"\]\(warning-signs\.md\)", "](../dry-needling/when-to-get-help.md)",
                          causes.read_text(encoding="utf-8"))
    assert count == 1
    causes.write_text(text, encoding="utf-8")
    findings, _ = check_clinic.clinic_findings("clinics/no-needling.yml", TODAY, root)
    return findings


def test_a_clinic_page_is_checked_by_every_rule_at_its_own_file_and_line(checked_tree):
    findings = checked_tree
    page = "clinics/no-needling/docs/parking.md"
    found = {(f.rule, f.line) for f in findings if f.path == page}
    assert ("front-matter", 1) in found, findings  # `sources` is missing
    assert ("terminology", 9) in found, findings  # physical therapist
    assert ("internal-link", 10) in found, findings  # easing-the-pian.md
    link = next(f for f in findings if f.path == page and f.rule == "internal-link")
    assert "Did you mean '../nerve-pain/easing-the-pain.md'?" in link.message
    assert not [f for f in findings if "build/" in f.path + f.message], "paths name the files to edit"
    nested = [f for f in findings if f.path == "clinics/no-needling/docs/more/hidden.md"]
    assert [f.rule for f in nested] == ["clinic-copy"] and "not in a folder inside it" in nested[0].message


def test_a_kept_page_whose_only_warning_sign_link_is_left_out_is_an_error(checked_tree):
    findings = checked_tree
    lost = [f for f in findings if f.rule == "clinic-copy" and f.path.startswith("docs/")]
    assert [(f.path, f.line) for f in lost] == [("docs/nerve-pain/causes.md", 68)], findings
    assert "nerve-pain/warning-signs.md" in lost[0].message and lost[0].severity == "error"


# ---------------------------------------------------------------- the settings and the markers

@pytest.mark.parametrize("entry, wanted", [
    ("dry-needlin", "Did you mean dry-needling?"),
    ("index.md", "every copy keeps index.md"),
    ("about", "every copy keeps about/"),
    ("dry-needling/when-to-get-help.md", "leave out the whole section (leave_out: [dry-needling])"),
    ("../docs", "write a section"),
])
def test_leave_out_is_checked_at_its_line_with_the_fix(tmp_path, entry, wanted):
    path = tmp_path / "clinic.yml"
    text = CLINIC_EXAMPLE.read_text(encoding="utf-8")
    path.write_text(text.replace("    leave_out: []\n", f"    leave_out: [{entry}]\n"), encoding="utf-8")
    problems = check_settings(path, ROOT / "docs")
    assert [p.rule for p in problems] == ["clinic-pages"], problems
    assert problems[0].line == text[: text.index("    leave_out: []")].count("\n") + 1 and wanted in problems[0].message


def _copy(text: str, source: str = "docs/x.md") -> assemble_clinic.Copy:
    lines = text.split("\n")
    return assemble_clinic.Copy(source, lines, [(source, n) for n in range(1, len(lines) + 1)])


def test_a_marked_block_goes_with_its_section_and_keeps_every_other_line_where_it_was():
    copy = _copy("a\n<!-- if kept: dry-needling -->\nb\n<!-- otherwise: instead -->\n<!-- end if -->\nc")
    problems: list = []
    assemble_clinic.apply_markers(copy, {"dry-needling/index.md"}, {"dry-needling/index.md", "x.md"}, problems)
    assert (copy.lines, problems) == (["a", "instead", "c"], [])
    assert copy.origins == [("docs/x.md", 1), ("docs/x.md", 4), ("docs/x.md", 6)]
    kept = _copy("a\n<!-- if kept: dry-needling -->\nb\n<!-- end if -->")
    assemble_clinic.apply_markers(kept, set(), {"dry-needling/index.md"}, problems)
    assert kept.lines == ["a", "<!-- if kept: dry-needling -->", "b", "<!-- end if -->"]


def test_a_broken_marker_is_a_problem_at_its_line():
    problems: list = []
    assemble_clinic.apply_markers(_copy("a\n<!-- if kept: dry-neeling -->\nb"), set(), {"dry-needling/index.md"}, problems)
    assert [(p.line, "no section or page" in p.message or "no <!-- end if -->" in p.message) for p in problems] == \
        [(2, True), (2, True)]


def test_links_to_left_out_pages_become_words_and_lone_link_items_go():
    copy = _copy("- [Gone](../dry-needling/index.md)\n- [Kept](causes.md)\nSee [this](../dry-needling/index.md#top) and"
                 " [that](causes.md).", "docs/nerve-pain/x.md")
    assemble_clinic.unlink_left_out(copy, "nerve-pain/x.md", {"dry-needling/index.md"})
    assert copy.lines == ["- [Kept](causes.md)", "See this and [that](causes.md)."]
    assert copy.origins == [("docs/nerve-pain/x.md", 2), ("docs/nerve-pain/x.md", 3)]


def test_the_navigation_drops_left_out_pages_and_adds_the_clinics_section(tmp_path):
    config = yaml.safe_load(assemble_into(CLINIC_EXAMPLE, tmp_path / "assembled").read_text(encoding="utf-8"))
    assert config["nav"][1] == {"Our clinic": ["our-clinic/first-visit.md"]}
    left_out = assemble_clinic.nav_without(config["nav"], {"dry-needling/index.md", "dry-needling/before-needling.md",
                                                           "dry-needling/what-you-may-feel.md",
                                                           "dry-needling/keeping-risk-low.md",
                                                           "dry-needling/when-to-get-help.md"})
    assert "Dry needling and nerves" not in [next(iter(item)) for item in left_out if isinstance(item, dict)]


# ---------------------------------------------------------------- updates and the neutral guide

def _digest(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_the_neutral_build_is_unchanged_by_any_clinics_settings_pages_and_approvals(built_site, tmp_path):
    """A tree with a clinic that leaves out a section, has its own page approved and its copy
    assembled builds the neutral guide byte for byte as the plain tree does."""
    settings = clinic_tree(tmp_path, "no-needling", NEEDLING)
    root = tmp_path
    clinic = reviews.load_clinic(root, "clinics/no-needling.yml")
    assert ("clinics/no-needling/docs/first-visit.md", "not approved") in reviews.pages_lacking_approval(root, clinic)
    said = reviews.sign_off(root, "clinics/no-needling/docs/first-visit.md", "Kim Park, clinical lead",
                            clinic_settings="clinics/no-needling.yml", today=TODAY)
    assert "Approved clinics/no-needling/docs/first-visit.md for use at Riverside Physiotherapy" in said
    clinic = reviews.load_clinic(root, "clinics/no-needling.yml")
    assert not [page for page, _ in reviews.pages_lacking_approval(root, clinic) if page.startswith("clinics/")]
    assert not [page for page, _ in reviews.pages_lacking_approval(root, clinic) if NEEDLING in page]
    assert "our-clinic/first-visit/" in (root / reviews.STATE_FILE).read_text(encoding="utf-8")
    assemble_into(settings)
    neutral = tmp_path / "neutral"
    result = build_site(neutral, root / "mkdocs.yml")
    assert result.returncode == 0, result.stderr
    first, second = _digest(built_site), _digest(neutral)
    assert first.keys() == second.keys() and [p for p in first if first[p] != second[p]] == []


def test_every_build_command_of_a_clinic_uses_the_assembled_copy():
    for target in ("build", "serve", "offline", "zensical"):
        lines = subprocess.run(["make", "-n", target, "CLINIC=clinics/example.yml"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.splitlines()
        assembled = next(i for i, line in enumerate(lines) if "scripts/assemble_clinic.py clinics/example.yml" in line)
        checked = next(i for i, line in enumerate(lines) if "scripts/check_clinic.py clinics/example.yml" in line)
        builds = [i for i, line in enumerate(lines) if "build/example/mkdocs.yml" in line]
        assert builds and assembled < checked < min(builds), (target, lines)
        assert not [line for line in lines if "-f clinics/example.yml" in line or "py clinics/example.yml --site" in line]


def test_a_clinic_page_shows_its_settings_and_never_a_refused_value():
    copy = _copy("Call {clinic.phone}.\nFax {clinic.fax}.\nWrite to {clinic.email}.", "clinics/x/docs/a.md")
    problems: list = []
    assemble_clinic.fill_placeholders(copy, {"phone": "01632 960 123", "email": "<b>@x</b>"}, problems)
    assert copy.lines == ["Call 01632 960 123.", "Fax {clinic.fax}.", "Write to {clinic.email}."]
    assert [(p.path, p.line, p.column) for p in problems] == [("clinics/x/docs/a.md", 2, 5), ("clinics/x/docs/a.md", 3, 10)]
    assert "not a setting a page can show" in problems[0].message and "refuses" in problems[1].message
