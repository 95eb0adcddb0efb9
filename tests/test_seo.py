"""Findable and trustworthy: every page has its own title and description, Open Graph
tags and schema.org MedicalWebPage data made from its front matter; with a site_url
there are canonical links and a sitemap of every page; robots.txt exists and names the
sitemap; the 404 page leads the reader back."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from unittest import mock

import pytest
from bs4 import BeautifulSoup

import reviews
from checker.config import load_settings
from support import DOCS, ROOT, build_site, page_url, split_front_matter

DESCRIPTION_MAX = load_settings(ROOT).description_max  # data/checker.yml

SITE_URL = "https://clinic.example/patient-info/"
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
# A reviewer's name with an apostrophe and accents (`make sign-off` refuses markup in a name;
# tests/test_reviews.py proves that, and the template escapes every value anyway).
NAMED_REVIEWER = "Dr Ann O'Neil-Núñez, consultant physiotherapist"
TRICKY_TITLE = 'Why nerve pain can get "worse" </script> after physiotherapy'


def soup_of(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page_url(page) / "index.html").read_text(encoding="utf-8"), "html.parser")


def front_matter(page: str, docs: Path = DOCS) -> dict:
    return split_front_matter((docs / page).read_text(encoding="utf-8"))[0]


def json_ld(soup: BeautifulSoup) -> list[dict]:
    """Every JSON-LD block of a page, parsed (a parse error fails the test)."""
    return [json.loads(script.string) for script in soup.find_all("script", type="application/ld+json")]


def meta(soup: BeautifulSoup, **attributes) -> str | None:
    tag = soup.find("meta", attrs=attributes)
    return tag.get("content") if tag else None


@pytest.fixture(scope="module")
def site_with_url(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the sources built with site_url set, one page given a title full of quotes
    and signed off by a named reviewer: (built site, copied docs folder)."""
    copy = tmp_path_factory.mktemp("seo-sources")
    for name in ("docs", "data", "snippets", "overrides", "styles"):
        shutil.copytree(ROOT / name, copy / name)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config, count = re.subn(r'^site_url: .*$', f"site_url: {SITE_URL}", config, flags=re.MULTILINE)
    assert count == 1, "mkdocs.yml has no site_url line to set"
    (copy / "mkdocs.yml").write_text(config, encoding="utf-8")
    page = copy / "docs" / "nerve-pain" / "causes.md"
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"^title: .*$", f"title: {json.dumps(TRICKY_TITLE)}", text, count=1, flags=re.MULTILINE)
    page.write_text(text, encoding="utf-8")
    # The checker refuses markup in a title (tests/test_hostile_checker.py), so sign-off would
    # too; here the title gets past it, to prove the template escapes it all the same.
    with mock.patch.object(reviews, "checker_errors", lambda *args: []):
        reviews.sign_off(copy, "docs/nerve-pain/causes.md", NAMED_REVIEWER)
    site = tmp_path_factory.mktemp("seo-site")
    result = build_site(site, copy / "mkdocs.yml")
    assert result.returncode == 0, result.stderr
    return site, copy / "docs"


# ------------------------------------------------------------------ titles and descriptions

def test_every_page_has_its_own_title_and_description(built_site):
    titles, descriptions = {}, {}
    for page in PAGES:
        soup = soup_of(built_site, page)
        title = soup.title.get_text(strip=True) if soup.title else ""
        description = meta(soup, name="description") or ""
        assert title and description, f"{page}: title {title!r}, description {description!r}"
        assert description == front_matter(page)["description"], page
        assert len(description) <= DESCRIPTION_MAX, f"{page}: description is {len(description)} characters"
        titles.setdefault(title, []).append(page)
        descriptions.setdefault(description, []).append(page)
    assert not {t: p for t, p in titles.items() if len(p) > 1}, "pages share a title"
    assert not {d: p for d, p in descriptions.items() if len(p) > 1}, "pages share a description"


@pytest.mark.parametrize("page", PAGES)
def test_open_graph_tags_come_from_the_front_matter(built_site, page):
    soup = soup_of(built_site, page)
    fm = front_matter(page)
    assert meta(soup, property="og:title") == fm["title"]
    assert meta(soup, property="og:description") == fm["description"]
    assert meta(soup, property="og:type") in ("website", "article")
    assert meta(soup, property="og:site_name")
    # Without site_url nothing can be absolute: no canonical link, no og:url.
    assert soup.find("link", rel="canonical") is None and meta(soup, property="og:url") is None


# ------------------------------------------------------------------ structured data

@pytest.mark.parametrize("page", PAGES)
def test_every_page_describes_itself_as_a_medical_web_page_for_patients(built_site, page):
    blocks = json_ld(soup_of(built_site, page))
    assert len(blocks) == 1, f"{page}: {len(blocks)} JSON-LD blocks"
    data, fm = blocks[0], front_matter(page)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == fm["title"] and data["description"] == fm["description"]
    assert data["audience"] == {"@type": "Patient"}
    assert data["about"] and all(topic.get("@type") and topic.get("name") for topic in data["about"])
    # No page has a review record (data/reviews.yml), so none claims a review.
    assert "lastReviewed" not in data and "reviewedBy" not in data, f"{page}: claims a review with no record"
    assert "url" not in data  # no site_url, no absolute address


def test_pages_of_a_hub_are_about_its_topic(built_site):
    about = {page: json_ld(soup_of(built_site, page))[0]["about"] for page in PAGES}
    assert [topic["name"] for topic in about["nerve-pain/causes.md"]] == ["Nerve pain (neuropathic pain)"]
    assert [topic["name"] for topic in about["dry-needling/what-you-may-feel.md"]] == ["Dry needling"]
    assert len(about["index.md"]) == 2, "the start page is about both topics"


def test_a_named_reviewer_and_quotes_in_a_title_give_valid_json(site_with_url):
    site, _ = site_with_url
    soup = soup_of(site, "nerve-pain/causes.md")
    data = json_ld(soup)[0]  # json.loads would fail if a quote or </script> broke out
    assert data["name"] == TRICKY_TITLE
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr Ann O'Neil-Núñez", "jobTitle": "consultant physiotherapist"}
    assert data["lastReviewed"] == dt.date.today().isoformat()
    assert meta(soup, property="og:title") == TRICKY_TITLE
    raw = soup.find("script", type="application/ld+json").string
    assert "</script>" not in raw and "<b>" not in raw


# ------------------------------------------------------------------ with a site_url

def test_canonical_link_and_og_url_with_a_site_url(site_with_url):
    site, docs = site_with_url
    for page in PAGES:
        soup = soup_of(site, page)
        expected = SITE_URL + page_url(page)
        canonical = soup.find("link", rel="canonical")
        assert canonical and canonical["href"] == expected, page
        assert meta(soup, property="og:url") == expected, page
        assert json_ld(soup)[0]["url"] == expected, page


def test_sitemap_lists_every_page(site_with_url):
    site, _ = site_with_url
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ElementTree.parse(site / "sitemap.xml")
    listed = [loc.text for loc in tree.getroot().findall("s:url/s:loc", namespace)]
    assert sorted(listed) == sorted(SITE_URL + page_url(page) for page in PAGES)
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == (site / "sitemap.xml").read_bytes()


def test_robots_txt_names_the_sitemap_once_site_url_is_set(built_site, site_with_url):
    site, _ = site_with_url
    plain = (built_site / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in plain and "Sitemap" not in plain and "{" not in plain
    with_url = (site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITE_URL}sitemap.xml" in with_url.splitlines()


# ------------------------------------------------------------------ the 404 page

def _links_of_404(site: Path) -> tuple[BeautifulSoup, list[str]]:
    soup = BeautifulSoup((site / "404.html").read_text(encoding="utf-8"), "html.parser")
    return soup, [a["href"] for a in soup.select("article a[href]")]


def test_404_page_leads_back_to_the_start_warning_signs_and_search(built_site):
    soup, links = _links_of_404(built_site)
    assert soup.h1 and "not found" in soup.h1.get_text().lower()
    assert meta(soup, name="robots") == "noindex"
    assert "/" in links and "/?q=" in links, links
    assert "/nerve-pain/warning-signs/" in links and "/dry-needling/when-to-get-help/" in links
    for link in links:
        target = built_site / link.split("?")[0].lstrip("/") / "index.html"
        assert target.is_file(), f"404 page links to a page that does not exist: {link}"


def test_404_links_follow_the_sub_path_of_site_url(site_with_url):
    site, _ = site_with_url
    _, links = _links_of_404(site)
    assert links and all(link.startswith("/patient-info/") for link in links), links


@pytest.mark.browser
def test_the_search_link_of_the_404_page_opens_search(phone, site_server):
    phone.goto(site_server + "404.html")
    phone.get_by_role("link", name="Search the guide").click()
    phone.wait_for_load_state()
    phone.wait_for_function("document.getElementById('__search').checked")
    assert phone.evaluate("document.activeElement.classList.contains('md-search__input')")
