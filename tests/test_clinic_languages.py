"""A clinic chooses its languages (issue 17, part 2): `languages: [en, es]` in its settings.

The fictional US clinic (clinics/example-us.yml, [en, es]) is assembled and built once, as
`make build CLINIC=...` builds it: English at the root, Spanish in es/, with its own name and
numbers on the Spanish care cards, and the language selector and sitemap alternates both
ways, never on its own English-only page. The UK example (clinics/example.yml, [en]) has no
es/ and no selector (the shared clinic_site build). Leaving out a section leaves it out in
Spanish too (assembled in memory, in a copy of the sources). Bad settings give one file:line
message; the Makefile builds each listed language (a dry run), and Zensical gets each
language's settings as MkDocs reads them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

import check_clinic
from assemble_clinic import INLINE_LINK, assemble_all, build_config, link_target_page
from clinic_settings import check_settings
from conftest import (CLINIC_EXAMPLE, ROOT, VENV_BIN, assemble_clinic, build_site, copy_site_sources,
                      load_mkdocs_config, slim)
from languages import other_languages
from support import REVIEW_STATUS, review_table
from zensical_config import root_config

US = ROOT / "clinics" / "example-us.yml"
US_TEXT = US.read_text(encoding="utf-8")
SITE_URL = "https://pt.example/patient-info/"
WARNING_SIGNS = "nerve-pain/warning-signs/index.html"
OWN_PAGE = "our-clinic/first-visit/index.html"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def selector(page: Path) -> dict[str, str]:
    """The language selector's links of a built page: language -> address."""
    return {link["hreflang"]: link["href"] for link in soup(page).select("a.md-select__link")}


def resolves(site: Path, page: Path, href: str) -> Path:
    """The file a relative link of a built page leads to."""
    path = urlsplit(urljoin("https://site.invalid/" + page.relative_to(site).as_posix(), href)).path
    return site / path.lstrip("/") / ("index.html" if path.endswith("/") else "")


@pytest.fixture(scope="module")
def us_site(tmp_path_factory) -> Path:
    """clinics/example-us.yml as `make build CLINIC=...` builds it: assembled, English, then es/, then slimmed."""
    config = assemble_clinic(US, tmp_path_factory.mktemp("us-assembled") / "example-us")
    site = tmp_path_factory.mktemp("us-bilingual")
    for folder, config_file in ((site, config), (site / "es", config.parent / "es" / "mkdocs.yml")):
        result = build_site(folder, config_file, slimmed=False)
        assert result.returncode == 0, f"strict build of {config_file} failed:\n{result.stderr}"
    slim(site)
    return site


# ---------------------------------------------------------------- the setting

@pytest.mark.parametrize("written, message", [
    ("[es]", r":5: error clinic-languages: languages: add en: every copy has its English pages at its root"),
    ("[en, es, es]", r":25: error clinic-languages: languages: 'es' is listed twice \(first on line \d+\); keep one"),
    ("[en, fr]", r":21: error clinic-languages: languages: 'fr' is not a language of the guide\. It offers "
                 r"en \(English\), es \(Español\)"),
    ("es", r":5: error clinic-languages: languages: write a list of language codes, for example \[en, es\]"),
])
def test_bad_languages_give_one_message_at_the_line_to_fix(tmp_path, written, message):
    path = tmp_path / "clinic.yml"
    setting = "\n    languages: [en, es]\n"
    path.write_text(US_TEXT.replace(setting, f"\n    languages: {written}\n"), encoding="utf-8")
    line = US_TEXT.split(setting)[0].count("\n") + 2
    found = [str(finding) for finding in check_settings(path)]
    assert len(found) == 1, found
    assert re.fullmatch(rf".*clinic\.yml:{line}{message}.*", found[0]), found


def test_each_build_makes_the_languages_its_configuration_lists():
    assert check_settings(US) == [] and check_settings(CLINIC_EXAMPLE) == []
    assert other_languages() == ["es"], "the neutral guide: mkdocs.yml extra.alternate"
    assert other_languages("clinics/example-us.yml") == ["es"]
    assert other_languages("clinics/example.yml") == [], "languages: [en]"


@pytest.mark.parametrize("clinic, spanish_config", [
    ("", "mkdocs.es.yml"), ("clinics/example-us.yml", "build/example-us/es/mkdocs.yml"), ("clinics/example.yml", None)])
def test_the_makefile_builds_every_listed_language_in_build_offline_and_zensical(clinic, spanish_config):
    venv = VENV_BIN.parent
    done = subprocess.run(["make", "-n", "-C", str(ROOT), f"VENV={venv}", f"--old-file={venv}/.site",
                           f"--old-file={venv}/.test", "site-build", "offline", "zensical", f"CLINIC={clinic}",
                           "SITE=sites/x"], capture_output=True, text=True, check=True)
    builds = [line for line in done.stdout.splitlines() if "mkdocs build" in line or "zensical_config.py" in line]
    if spanish_config is None:
        assert len(builds) == 3 and not [line for line in builds if "/es" in line or ".es." in line], builds
        return
    spanish = [line for line in builds if f" {spanish_config} " in line]
    assert [re.search(r"(?:-d|--site-dir) (\S+)", line).group(1) for line in spanish] \
        == [f"{ROOT}/sites/x/es", f"{ROOT}/site-offline/es", "site-zensical/es"], builds


# ---------------------------------------------------------------- a clinic with [en, es]

def test_the_spanish_pages_carry_the_clinics_name_and_numbers(us_site):
    page = us_site / "es" / WARNING_SIGNS
    assert soup(page).html["lang"] == "es"
    cards = " ".join(" ".join(heading.get_text(" ").split()) for heading in soup(page).select(".care-card__heading"))
    assert "Llame al 911 o vaya a urgencias" in cards, cards
    assert "Contacte con Lakeside Physical Therapy en el (555) 555-0123" in cards, cards
    assert "Lakeside nurse line al (555) 555-0142" in cards, cards
    assert "112" not in cards, "a clinic's cards name its own emergency number"
    assert "Lakeside Physical Therapy" in soup(us_site / "es" / "index.html").select_one("footer").get_text()
    header = soup(page).select_one(".md-header__topic").get_text(" ", strip=True)
    assert header == "Guía para pacientes de Lakeside Physical Therapy", "the clinic's name heads its Spanish pages"
    assert soup(page).title.get_text().endswith(" - Guía para pacientes de Lakeside Physical Therapy")
    logo = soup(page).select_one(".md-header__button.md-logo img")["src"]
    assert resolves(us_site, page, logo).is_file(), logo


def test_the_selector_leads_to_the_same_page_in_the_other_language_both_ways(us_site):
    english, spanish = us_site / WARNING_SIGNS, us_site / "es" / WARNING_SIGNS
    assert resolves(us_site, english, selector(english)["es"]) == spanish
    assert resolves(us_site, spanish, selector(spanish)["en"]) == english
    assert soup(english).html["lang"] == "en-US", "the English is the clinic's locale"


def test_the_sitemaps_list_each_pages_alternates_both_ways(us_site):
    english = (us_site / "sitemap.xml").read_text(encoding="utf-8")
    spanish = (us_site / "es" / "sitemap.xml").read_text(encoding="utf-8")
    for sitemap in (english, spanish):
        assert f'hreflang="es" href="{SITE_URL}es/nerve-pain/causes/"' in sitemap
        assert f'hreflang="en" href="{SITE_URL}nerve-pain/causes/"' in sitemap
    assert f"<loc>{SITE_URL}es/nerve-pain/causes/</loc>" in spanish


def test_the_clinics_own_english_page_offers_no_other_language(us_site):
    assert (us_site / OWN_PAGE).is_file() and selector(us_site / OWN_PAGE) == {}
    assert not (us_site / "es" / "our-clinic").exists()
    entry = re.search(r"<url>\s*<loc>[^<]*our-clinic/first-visit/</loc>.*?</url>",
                      (us_site / "sitemap.xml").read_text(encoding="utf-8"), re.DOTALL)
    assert entry and "xhtml:link" not in entry.group(0)
    assert not soup(us_site / "es" / "index.html").select('a[href*="our-clinic"]')


def test_the_review_table_lists_the_clinics_own_page_in_its_english_copy_only(us_site):
    """The English copy lists the clinic's own page; the Spanish copy, which neither builds nor
    lists it in its navigation, leaves it out of its table too. The Spanish table describes
    the English text: the US copy's, so it names the pages as that copy does."""
    english, spanish = review_table(us_site), review_table(us_site / "es", REVIEW_STATUS)
    assert english[-1][:2] == ("Your first visit to Lakeside Physical Therapy", us_site / OWN_PAGE)
    assert english[-1][2][0] == "Lakeside Physical Therapy's own page, not reviewed by this guide"
    assert [row for row in english if "our-clinic" not in str(row[1])] == english[:-1]
    assert not [row for row in spanish if "our-clinic" in str(row[1])]
    assert [title for title, _, _ in spanish] == [title for title, _, _ in english[:-1]]
    assert "Working with your physical therapist" in [title for title, _, _ in spanish]
    assert all(target.is_file() for _, target, _ in spanish)


# ---------------------------------------------------------------- a clinic with [en]

def test_a_clinic_in_english_only_has_no_spanish_no_selector_and_no_alternates(clinic_site):
    assert not (clinic_site / "es").exists()
    assert selector(clinic_site / WARNING_SIGNS) == {}
    assert not soup(clinic_site / WARNING_SIGNS).select(".md-select")
    assert "xhtml:link" not in (clinic_site / "sitemap.xml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- leaving out, in Spanish too

@pytest.fixture(scope="module")
def no_needling(tmp_path_factory):
    """A bilingual clinic that leaves out dry needling, assembled in memory in a copy of the sources."""
    root = copy_site_sources(tmp_path_factory.mktemp("no-needling"), (
        "mkdocs.yml", "mkdocs.es.yml", "docs", "docs-es", "data", "snippets", "overrides", "styles", "scripts")).parent
    (root / "clinics").mkdir()
    (root / "clinics" / "lake.yml").write_text(US_TEXT.replace("leave_out: []", "leave_out: [dry-needling]"),
                                               encoding="utf-8")
    assert check_settings(root / "clinics" / "lake.yml", root / "docs") == []
    return root


def test_a_left_out_section_is_left_out_in_spanish_too(no_needling):
    english, spanish = assemble_all("clinics/lake.yml", root=no_needling)
    assert spanish.language.code == "es" and set(spanish.pages) == set(english.pages) - set(english.own_pages)
    assert not [page for page in spanish.pages if page.startswith("dry-needling/")]
    assert "dry-needling" not in str(build_config(no_needling, spanish)["nav"])
    for page, copy in spanish.pages.items():
        links = [link_target_page(page, match.group(2)) for match in INLINE_LINK.finditer(copy.text)]
        assert not [link for link in links if link and link.startswith("dry-needling/")], page
    assert "La punción seca y los nervios" not in spanish.pages["index.md"].text, "its `if kept` block is dropped"
    assert list(check_clinic.other_language_findings(spanish)) == []


def test_a_link_the_spanish_copy_cannot_unlink_is_reported_at_the_translated_file(no_needling):
    page = no_needling / "docs-es" / "nerve-pain" / "causes.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\n[punción]: ../dry-needling/index.md\n", encoding="utf-8")
    try:
        spanish = assemble_all("clinics/lake.yml", root=no_needling)[1]
        found = [str(finding) for finding in check_clinic.other_language_findings(spanish)]
    finally:
        page.write_text(original, encoding="utf-8")
    line = original.count("\n") + 2
    assert found == [f"docs-es/nerve-pain/causes.md:{line}:12: error clinic-copy: this link leads to "
                     "dry-needling/index.md, which the clinic's Español copy does not have (its leave_out). Write it "
                     "as an inline link [words](page.md), which the copy turns into plain words, or wrap it in "
                     "<!-- if kept: section --> ... <!-- end if -->."], found


def test_zensical_gets_each_languages_settings_as_mkdocs_reads_them():
    """Zensical appends the lists of an INHERITed file; zensical_config.py resolves INHERIT as MkDocs does,
    so the Spanish build has one navigation, one set of extensions and one language selector."""
    spanish = load_mkdocs_config(ROOT / "mkdocs.es.yml")
    config = root_config(ROOT / "mkdocs.es.yml", "site-zensical/es")
    assert "INHERIT" not in config and config["docs_dir"] == "docs-es"
    for key in ("nav", "markdown_extensions"):
        assert len(config[key]) == len(spanish[key]), key
    assert [(entry["lang"], entry["link"]) for entry in config["extra"]["alternate"]] == [("en", "../"), ("es", "./")]
    assert config["extra"]["references"], "mkdocs.yml's own INHERIT (data/references.yml) is resolved too"
