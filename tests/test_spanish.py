"""The Spanish guide (issue 17): docs-es/ built with mkdocs.es.yml into a site of its own,
checked against the English build (built_site) page by page.

The two builds are not put in one folder here (built_site is shared by other tests), so a
link from one language to the other is resolved by address: an English page's link to
"../../es/nerve-pain/causes/" must name a page the Spanish build has at nerve-pain/causes/."""

from __future__ import annotations

import json
from collections import Counter
import posixpath
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from assemble_clinic import care_card_actions
from conftest import ROOT, VENV_BIN, build_site, copy_site_sources
from policy import build_environment

sys.path.insert(0, str(ROOT / "scripts"))
import readability  # noqa: E402
from checker.markdown import FRONT_MATTER, HTML_COMMENT  # noqa: E402
import translations  # noqa: E402

ES_CONFIG = ROOT / "mkdocs.es.yml"
SITE_URL = "https://clinic.example/patient-info/"


def spanish_config(folder: Path, site_url: str = SITE_URL) -> Path:
    """mkdocs.es.yml with a public address (for the sitemap and QR codes), from another folder."""
    config = folder / "mkdocs.es.yml"
    config.write_text(
        f"INHERIT: {ES_CONFIG}\n"
        f"docs_dir: {ROOT / 'docs-es'}\n"
        f"site_url: {site_url}es/\n"
        f"watch: [{ROOT / 'snippets'}, {ROOT / 'data'}]\n"
        f"theme:\n  custom_dir: {ROOT / 'overrides'}\n", encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def spanish_site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("spanish")
    result = build_site(work / "site", spanish_config(work))
    assert result.returncode == 0, f"strict Spanish build failed:\n{result.stderr}"
    return work / "site"


def built_pages(site: Path) -> set[str]:
    """Each built page's address: nerve-pain/causes/ (the start page is '')."""
    return {path.parent.relative_to(site).as_posix().removeprefix(".") + "/" if path.parent != site else ""
            for path in site.rglob("index.html") if "es" not in path.relative_to(site).parts[:1]}


class Page(HTMLParser):
    """What these tests read in a built page: language, alternates, selector, cards, JSON-LD."""

    def __init__(self, text: str):
        super().__init__()
        self.lang = ""
        self.hreflang: dict[str, str] = {}  # <link rel="alternate" hreflang> in the head
        self.selector: dict[str, str] = {}
        self.cards: list[tuple[str, int]] = []  # (level, signs) in page order
        self.json_ld: list[dict] = []
        self._in_card = 0
        self._depth = 0
        self._script = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("hreflang"):
            self.hreflang[attrs["hreflang"]] = attrs["href"]
        if tag == "a" and "md-select__link" in classes:
            self.selector[attrs["hreflang"]] = attrs["href"]
        if tag == "div":
            level = next((c.removeprefix("care-card--") for c in classes if c.startswith("care-card--")), None)
            if level:
                self.cards.append((level, 0))
                self._in_card, self._depth = 1, 0
            elif self._in_card:
                self._depth += 1
        if tag == "li" and self._in_card:
            level, count = self.cards[-1]
            self.cards[-1] = (level, count + 1)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._script = ""

    def handle_endtag(self, tag):
        if tag == "div" and self._in_card:
            if self._depth:
                self._depth -= 1
            else:
                self._in_card = 0
        if tag == "script" and self._script is not None:
            self.json_ld.append(json.loads(self._script))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script += data


def page(site: Path, address: str) -> Page:
    return Page((site / address / "index.html").read_text(encoding="utf-8"))


def target(address: str, href: str, language_root: str) -> str:
    """The address, from the English root, that a link on a page at `address` leads to."""
    resolved = posixpath.normpath(posixpath.join("/" + language_root + address, href))
    return resolved.lstrip("/") + ("/" if resolved != "/" else "")


def test_every_english_page_has_its_spanish_page_and_the_reverse(built_site, spanish_site):
    english = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    spanish = {p.relative_to(ROOT / "docs-es").as_posix() for p in (ROOT / "docs-es").rglob("*.md")}
    assert english == spanish
    assert built_pages(built_site) == built_pages(spanish_site)


def test_lang_and_the_language_selector_lead_to_the_same_page_both_ways(built_site, spanish_site):
    addresses = sorted(built_pages(spanish_site))
    assert len(addresses) >= 25
    for address in addresses:
        english, spanish = page(built_site, address), page(spanish_site, address)
        assert (english.lang, spanish.lang) == ("en", "es"), address
        assert target(address, english.selector["es"], "") == "es/" + address, (address, english.selector)
        assert target(address, english.selector["en"], "") == address, (address, english.selector)
        assert target(address, spanish.selector["en"], "es/") == address, (address, spanish.selector)
        assert target(address, spanish.selector["es"], "es/") == "es/" + address, (address, spanish.selector)
        assert spanish.json_ld[0]["inLanguage"] == "es" and english.json_ld[0]["inLanguage"] == "en"
        # No head link to a language's root: Material's script would fetch a sitemap for each.
        assert english.hreflang == spanish.hreflang == {}, address


def test_the_sitemap_gives_every_page_its_hreflang_alternates_both_ways(spanish_site):
    sitemap = (spanish_site / "sitemap.xml").read_text(encoding="utf-8")
    urls = re.findall(r"<url>(.*?)</url>", sitemap, re.DOTALL)
    assert len(urls) == len(built_pages(spanish_site))
    for url in urls:
        loc = re.search(r"<loc>(.*?)</loc>", url).group(1)
        address = loc.removeprefix(SITE_URL + "es/")
        links = dict(re.findall(r'<xhtml:link rel="alternate" hreflang="(\w+)" href="([^"]+)"/>', url))
        assert links == {"en": SITE_URL + address, "es": SITE_URL + "es/" + address}, url


def test_every_warning_sign_of_the_english_page_is_on_the_spanish_page(built_site, spanish_site):
    """The same cards, at the same levels, with as many signs each, in the same order: the
    Spanish cards are made from the same entries of data/warning-signs.yml."""
    checked = 0
    for address in built_pages(spanish_site):
        english, spanish = page(built_site, address).cards, page(spanish_site, address).cards
        assert english == spanish, address
        checked += len(english)
    assert checked >= 6


def test_the_spanish_emergency_cards_name_112_and_911(spanish_site):
    text = (spanish_site / "nerve-pain" / "warning-signs" / "index.html").read_text(encoding="utf-8")
    card = text[text.index("care-card--emergency"):text.index("care-card--emergency") + 600]
    assert "112" in card and "911" in card and "urgencias" in card, card


def test_spanish_search_is_in_spanish_and_finds_hormigueo_on_the_page_about_it(spanish_site):
    index = json.loads((spanish_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["es"]
    pages = {doc["location"].split("#")[0] for doc in index["docs"] if "hormigueo" in doc["text"].lower()}
    assert "dry-needling/what-you-may-feel/" in pages


def test_a_translated_page_says_it_is_not_reviewed_and_claims_no_review(spanish_site):
    for address in ("", "nerve-pain/warning-signs/", "dry-needling/when-to-get-help/"):
        text = (spanish_site / address / "index.html").read_text(encoding="utf-8")
        assert 'data-translation-review="unreviewed"' in text
        assert "Sin revisar aún por un profesional sanitario que hable español" in text
        assert "reviewedBy" not in text and "data-translation-stale" not in text


@pytest.mark.parametrize("page_file", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs-es").rglob("*.md")
                                             if p.name != "sources.md" or p.parent.name != "about"))
def test_every_spanish_page_reads_fairly_easily(page_file):
    """Fernandez-Huerta reading ease of 70 or more (issue 17), snippets included."""
    ease = readability.page_reading_ease((ROOT / page_file).read_text(encoding="utf-8"))
    assert ease >= readability.MIN_READING_EASE_ES, f"{page_file}: {ease}"


def test_the_spanish_config_differs_from_the_english_only_where_it_must():
    """INHERIT replaces lists, so mkdocs.es.yml repeats the Markdown extensions: the same,
    except that the snippets come from snippets/es first."""
    from yaml_tags import TagIgnoringLoader

    def extensions(path: Path) -> list:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=TagIgnoringLoader)["markdown_extensions"]

    expected = extensions(ROOT / "mkdocs.yml")
    snippets = next(e["pymdownx.snippets"] for e in expected if isinstance(e, dict) and "pymdownx.snippets" in e)
    snippets["base_path"] = ["snippets/es", *snippets["base_path"]]
    assert extensions(ES_CONFIG) == expected


@pytest.fixture(scope="module")
def changed_copy(tmp_path_factory) -> Path:
    """A copy of the sources in which one English page has changed since its translation,
    and one Spanish page is missing."""
    root = tmp_path_factory.mktemp("translations")
    copy_site_sources(root)
    for name in ("docs-es", "mkdocs.es.yml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    causes = root / "docs" / "nerve-pain" / "causes.md"
    causes.write_text(causes.read_text(encoding="utf-8") + "\nA new sentence about flare-ups.\n", encoding="utf-8")
    (root / "docs-es" / "about" / "privacy.md").unlink()
    return root


def test_a_changed_english_page_makes_its_translation_stale_and_a_missing_one_is_reported(changed_copy):
    found = list(translations.findings(changed_copy))
    by_rule = {(f.rule, f.path) for f in found}
    assert ("translation-stale", "docs-es/nerve-pain/causes.md") in by_rule, found
    stale = next(f for f in found if f.rule == "translation-stale")
    assert "docs/nerve-pain/causes.md" in stale.message and "translations.py stamp" in stale.message
    assert ("translation-missing", "docs/about/privacy.md") in by_rule, found
    assert ("generated", translations.STATE_FILE) in by_rule  # the theme's data now lags the English
    assert {f.path for f in found if f.rule == "translation-stale"} == {"docs-es/nerve-pain/causes.md"}


def test_the_repository_has_no_stale_or_missing_translation():
    found = [f for f in translations.findings(ROOT)]
    assert not found, "\n".join(f"{f.path}:{f.line}: {f.rule}: {f.message}" for f in found)


def test_a_stale_translation_shows_a_notice_and_a_clinics_numbers_fill_the_spanish_cards(changed_copy, tmp_path):
    """One build of the changed copy, as a clinic's Spanish copy: the stale page says so and
    links to the English; the cards carry the clinic's numbers in the Spanish wording. (Clinic
    copies are English only for now; the calls to action are made as an English copy's are.)"""
    (changed_copy / "docs-es" / "about" / "privacy.md").write_bytes((ROOT / "docs-es" / "about" / "privacy.md").read_bytes())
    (changed_copy / translations.STATE_FILE).write_text(
        translations.render_state(translations.reviews.open_site(changed_copy)), encoding="utf-8")
    clinic = changed_copy / "clinic.es.yml"
    clinic.write_text("INHERIT: mkdocs.es.yml\nextra:\n  clinic:\n    name: Clínica Ribera\n    phone: 555 0123\n"
                      "    emergency_number: '112'\n    urgent_line_name: la línea de salud\n"
                      "    urgent_line_number: '061'\n", encoding="utf-8")
    # A clinic's calls to action, as scripts/assemble_clinic.py writes them into a clinic's copy
    # (in Spanish from mkdocs.es.yml), in the snippets the Spanish build searches first.
    numbers = yaml.safe_load(clinic.read_text(encoding="utf-8").replace("INHERIT:", "inherit:"))["extra"]["clinic"]
    problems: list = []
    for name, action in care_card_actions(changed_copy, "clinic.es.yml", numbers, problems,
                                          config_file="mkdocs.es.yml").items():
        (changed_copy / "snippets" / "es" / name).write_text(action.text, encoding="utf-8")
    assert not problems, problems
    # Snippet folders are found from where the builder runs: here, the changed copy.
    result = subprocess.run([str(VENV_BIN / "mkdocs"), "build", "--strict", "-f", str(clinic), "-d", str(tmp_path / "es")],
                            cwd=changed_copy, capture_output=True, text=True, env=build_environment(), timeout=300)
    assert result.returncode == 0, result.stderr
    stale = (tmp_path / "es" / "nerve-pain" / "causes" / "index.html").read_text(encoding="utf-8")
    notice = re.search(r'<div class="admonition warning translation-stale"[^>]*>(.*?)</div>', stale, re.DOTALL)
    assert notice, "no stale-translation notice"
    assert 'href="../../../nerve-pain/causes/"' in notice.group(1) and "inglés" in notice.group(1)
    current = (tmp_path / "es" / "nerve-pain" / "what-is-happening" / "index.html").read_text(encoding="utf-8")
    assert "data-translation-stale" not in current
    cards = (tmp_path / "es" / "nerve-pain" / "warning-signs" / "index.html").read_text(encoding="utf-8")
    assert "Llame al 112 o vaya a urgencias del hospital ahora si:" in cards
    assert "llame a la línea de salud al 061, si:" in cards
    assert "Contacte con Clínica Ribera en el 555 0123, o con un médico de familia, si:" in cards
    assert "Llame a su número local de emergencias" not in cards


def test_stamp_records_the_english_as_it_is_now(changed_copy):
    page = "docs-es/nerve-pain/causes.md"
    before = (changed_copy / page).read_text(encoding="utf-8")
    translations.stamp(changed_copy, page)
    after = (changed_copy / page).read_text(encoding="utf-8")
    assert after.split("---", 2)[2] == before.split("---", 2)[2], "stamp changed the page's text"
    assert "translation_review: not reviewed" in after and "translated_by:" in after
    assert not [f for f in translations.findings(changed_copy) if f.rule == "translation-stale"]


# The Spanish names the emergency numbers it uses where the English says "a local emergency
# number that works in most countries" (the Spanish cards name 112 and 911).
EXTRA_NUMBERS = {"about/for-clinics.md": {"112": 1, "911": 1}}


def figures(path: Path) -> Counter:
    """Every number in a page's text (not its front matter, comments or link targets), with
    thousands written either way: 7,600 and 7 600 are both 7600."""
    text = HTML_COMMENT.sub("", FRONT_MATTER.sub("", path.read_text(encoding="utf-8")))  # as the checker reads it
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"(\d)[, ](\d{3})\b", r"\1\2", text)
    return Counter(re.findall(r"\d+(?:\.\d+)?", text))


@pytest.mark.parametrize("name", sorted(p.relative_to(ROOT / "docs-es").as_posix() for p in (ROOT / "docs-es").rglob("*.md")))
def test_every_figure_and_duration_of_the_english_page_is_in_the_spanish_page(name):
    english, spanish = figures(ROOT / "docs" / name), figures(ROOT / "docs-es" / name)
    assert spanish - Counter(EXTRA_NUMBERS.get(name, {})) == english, (
        f"only in English: {dict(english - spanish)}, only in Spanish: {dict(spanish - english)}")
