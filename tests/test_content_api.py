"""The guide for other systems (scripts/content_api.py, issue 16): api/ validates against its
shipped schema and lists every page in the build, each page's JSON holds its text, feed.xml
parses and its entries resolve, and codes/ and lookup/ lead to the right page under a
sub-path with the security policy on, with and without script."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from jsonschema import Draft202012Validator

import changelog
import content_api
import diagnosis_codes
from conftest import CLINIC_EXAMPLE, ROOT, nav_pages
from security_headers import main as write_headers_main, sha256_source
from serve_site import SiteServer, read_headers_file

PREFIX = "/patient-info/"
SITE_URL = "https://clinic.example/patient-info/"
ATOM = "{http://www.w3.org/2005/Atom}"
ICD10, ICD10CM = (diagnosis_codes.SYSTEMS[key].oid for key in ("icd10", "icd10cm"))


def with_api(source: Path, destination: Path, config: Path) -> Path:
    site = destination / "site"
    shutil.copytree(source, site)
    content_api.build(site, config)
    return site


@pytest.fixture(scope="module")
def neutral(built_site, tmp_path_factory) -> Path:
    return with_api(built_site, tmp_path_factory.mktemp("api"), ROOT / "mkdocs.yml")


@pytest.fixture(scope="module")
def clinic(clinic_site, tmp_path_factory) -> Path:
    """The example clinic's build with this step and the security headers, as `make build` runs them."""
    site = with_api(clinic_site, tmp_path_factory.mktemp("clinic-api"), CLINIC_EXAMPLE)
    assert write_headers_main([str(site), "--config", str(CLINIC_EXAMPLE), "--nginx", str(site.parent / "nginx.conf")]) == 0
    return site


def load(site: Path, name: str) -> dict:
    return json.loads((site / name).read_text(encoding="utf-8"))


def resolve(site: Path, from_file: str, address: str) -> Path:
    """The built file an address (relative to `from_file`) leads to."""
    path = urlsplit(urljoin("http://x/" + from_file, address)).path.lstrip("/")
    return site / path / "index.html" if path.endswith("/") or not path else site / path


def validator(site: Path) -> Draft202012Validator:
    schema = load(site, "api/schema.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


# ---------------------------------------------------------------- api/

def test_every_file_validates_against_the_shipped_schema(neutral):
    check = validator(neutral)
    files = ["api/pages.json", "api/codes.json", *(p.relative_to(neutral).as_posix()
                                                   for p in sorted((neutral / "api" / "pages").rglob("*.json")))]
    for name in files:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in check.iter_errors(load(neutral, name))]
        assert not errors, (name, errors[:3])
    assert not check.is_valid({"pages": []}), "the schema must refuse what is not a feed"


def test_pages_json_lists_every_page_of_the_navigation_in_order(neutral, mkdocs_config):
    index = load(neutral, "api/pages.json")
    listed = [resolve(neutral, "api/pages.json", entry["url"]) for entry in index["pages"]]
    wanted = [neutral / content_api.public_path(name) / "index.html" for name in nav_pages(mkdocs_config["nav"])]
    assert listed == wanted
    assert all(path.is_file() for path in listed)
    for entry in index["pages"]:
        assert resolve(neutral, "api/pages.json", entry["json"]).is_file(), entry["json"]
    assert index["licence"]["name"] == "CC BY 4.0" and "CC BY 4.0" in index["licence"]["attribution"]
    assert index["updated"] == max(change.date for change in changelog.load(ROOT)).isoformat()
    sections = {entry["url"]: entry["section"] for entry in index["pages"]}
    assert sections["../nerve-pain/causes/"] == "Nerve pain after physiotherapy" and sections["../"] is None


def test_each_page_json_holds_its_text_without_the_theme_furniture(neutral):
    for entry in load(neutral, "api/pages.json")["pages"]:
        own = "api/" + entry["json"]
        detail = load(neutral, own)
        built = resolve(neutral, "api/pages.json", entry["url"])
        assert resolve(neutral, own, detail["url"]) == built and detail["title"] == entry["title"]
        article = BeautifulSoup(built.read_text(encoding="utf-8"), "html.parser").find("article")
        heading = " ".join(article.find("h1").get_text().split())
        first = " ".join(article.find("h1").find_next("p").get_text().split())
        assert detail["text"].startswith(heading) and first in detail["text"], (entry["url"], first)
        for furniture in ("print-button", "data-print-qr", "page-review", "<script", "headerlink"):
            assert furniture not in detail["html"], (entry["url"], furniture)


def test_a_warning_page_names_its_care_card_levels_and_its_sources(neutral, pages):
    detail = load(neutral, "api/pages/nerve-pain/warning-signs.json")
    assert detail["care_cards"] == ["emergency", "urgent", "non_urgent"]
    assert "Most soreness after physio is normal and settles by itself." in detail["text"]
    assert [source["key"] for source in detail["sources"]] == pages["nerve-pain/warning-signs.md"][0]["sources"]
    assert load(neutral, "api/pages/glossary.json")["care_cards"] == []


def test_codes_json_and_the_page_entries_hold_the_front_matter_codes(neutral, pages):
    codes = load(neutral, "api/codes.json")["codes"]
    wanted = sorted((code.system, code.code, code.display, content_api.public_path(name))
                    for name, (front, _) in pages.items() for code in diagnosis_codes.page_codes(front))
    assert wanted and sorted((c["system"], c["code"], c["display"], c["page"][len("../"):]) for c in codes) == wanted
    hub = next(entry for entry in load(neutral, "api/pages.json")["pages"] if entry["url"] == "../nerve-pain/")
    assert {"system": "icd10", "code": "M54.3", "display": "Sciatica"} in hub["codes"]


def test_review_states_come_from_the_records(tmp_path):
    from check_tree import SiteTree

    tree = SiteTree(tmp_path / "site")
    tree.sign_off("a.md", on=dt.date(2026, 11, 1), by="Sam Lee, physiotherapist")
    tree.sign_off("sub/b.md", on=dt.date(2026, 11, 2))
    tree.append("docs/sub/b.md", "A change after the review.")
    review = content_api.read_sources(tree.root / "mkdocs.yml", tree.root).review
    assert review["a.md"] == {"state": "reviewed", "written": "2026-11-01", "reviewed": "2026-11-01",
                              "reviewed_by": "Sam Lee, physiotherapist", "next_review_due": "2027-11-01"}
    assert review["sub/b.md"]["state"] == "changed" and review["sub/b.md"]["next_review_due"] is None
    assert review["index.md"]["state"] == "unreviewed" and review["index.md"]["reviewed"] is None


def test_a_page_left_out_of_the_build_is_left_out_of_the_api_and_the_feed(built_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    shutil.rmtree(site / "nerve-pain" / "easing-the-pain")  # as a clinic's leave_out would
    content_api.build(site, ROOT / "mkdocs.yml")
    urls = [entry["url"] for entry in load(site, "api/pages.json")["pages"]]
    assert "../nerve-pain/easing-the-pain/" not in urls and "../nerve-pain/causes/" in urls
    assert not (site / "api/pages/nerve-pain/easing-the-pain.json").exists()
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "easing-the-pain" not in feed and "Easing the pain" not in feed


def test_a_page_the_repository_does_not_know_takes_its_title_from_the_build(neutral):
    page = content_api.Page("clinic/own.md", None, "nerve-pain/", "nerve-pain/", neutral / "nerve-pain" / "index.html")
    assert content_api.title_of(page, {}) == "Is it normal for nerve pain to get worse after physiotherapy?"
    assert content_api.title_of(page, {"title": " Own title "}) == "Own title"


def test_the_same_sources_give_the_same_files(neutral, tmp_path):
    again = with_api(neutral, tmp_path, ROOT / "mkdocs.yml")
    for name in ("api/pages.json", "api/codes.json", "feed.xml", "lookup/index.html", "codes/icd10/M54.3/index.html"):
        assert (again / name).read_bytes() == (neutral / name).read_bytes(), name


# ---------------------------------------------------------------- feed.xml

def test_the_atom_feed_parses_and_every_entry_resolves_to_a_page(neutral):
    feed = ElementTree.fromstring((neutral / "feed.xml").read_bytes())
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}id").text.startswith("urn:uuid:")
    entries = feed.findall(f"{ATOM}entry")
    changes = changelog.load(ROOT)
    assert len(entries) == len(changes) > 0
    assert len({entry.find(f"{ATOM}id").text for entry in entries}) == len(entries)
    for entry, change in zip(entries, changes):
        assert entry.find(f"{ATOM}updated").text == f"{change.date.isoformat()}T00:00:00Z"
        assert entry.find(f"{ATOM}category").get("term") == change.kind
        links = [link.get("href") for link in entry.findall(f"{ATOM}link")]
        assert [resolve(neutral, "feed.xml", href) for href in links] == \
            [neutral / content_api.public_path(name) / "index.html" for name in change.pages]
        assert all((neutral / content_api.public_path(name) / "index.html").is_file() for name in change.pages)
    assert feed.find(f"{ATOM}updated").text == entries[0].find(f"{ATOM}updated").text


def test_the_changelog_is_checked_and_a_missing_page_is_refused(tmp_path):
    from check_tree import SiteTree

    tree = SiteTree(tmp_path / "site")
    assert tree.findings("changelog") == []
    entry = "- date: {}\n  kind: {}\n  pages: [{}]\n  summary: {}\n"
    tree.write(changelog.FILE, entry.format("2026-12-01", "page-added", "a.md", "Page A.")
               + entry.format("2026-12-02", "page-moved", "a.md", "Moved.")
               + entry.format("2026-12-02", "page-added", "gone.md", "Gone.")
               + entry.format("2026-12-02", "page-added", "a.md", "<b>x</b>"))
    found = tree.findings("changelog")
    assert [f.line for f in found] == [5, 9, 13]
    messages = " ".join(f.message for f in found)
    assert "'gone.md' does not exist" in messages and "'page-moved' is not one of" in messages
    assert "plain text" in messages


def test_an_impossible_date_in_the_changelog_is_one_finding_at_its_line(tmp_path):
    from check_tree import SiteTree

    tree = SiteTree(tmp_path / "site")
    tree.write(changelog.FILE, "- date: 2026-12-01\n  kind: page-added\n  pages: [a.md]\n  summary: A.\n"
                               "- date: 2026-13-01\n  kind: page-added\n  pages: [a.md]\n  summary: B.\n")
    [found] = tree.findings("changelog") + tree.findings("internal-error")
    assert (found.rule, found.line) == ("changelog", 5) and "2026-13-01 is not a real date" in found.message


def test_the_build_stops_on_a_changelog_page_that_does_not_exist(tmp_path, neutral, monkeypatch, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / changelog.FILE).write_text("- date: 2026-12-01\n  kind: page-added\n  pages: [a.md]\n  summary: A.\n"
                                           "- date: 2026-12-01\n  kind: page-added\n  pages: [gone.md]\n  summary: B.\n")
    with pytest.raises(changelog.ChangelogError) as error:
        changelog.load(tmp_path, {"a.md"})
    assert str(error.value).startswith("data/changelog.yml:5: the page 'gone.md' does not exist")
    real = changelog.load
    monkeypatch.setattr(changelog, "load", lambda root, pages: real(tmp_path, {"a.md"}))
    assert content_api.main([str(neutral)]) == 1
    assert capsys.readouterr().err.strip().startswith("data/changelog.yml:5: ")


# ---------------------------------------------------------------- the clinic's copy

def test_a_clinic_gets_the_same_api_at_its_own_address(neutral, clinic):
    ours, theirs = load(neutral, "api/pages.json"), load(clinic, "api/pages.json")
    assert validator(clinic).is_valid(theirs) and validator(clinic).is_valid(load(clinic, "api/codes.json"))
    assert [e["url"][len("../"):] for e in ours["pages"]] == [e["url"][len(SITE_URL):] for e in theirs["pages"]]
    assert all(e["url"].startswith(SITE_URL) and e["json"].startswith(SITE_URL + "api/pages/") for e in theirs["pages"])
    assert theirs["site"] == {"name": "Riverside Physiotherapy patient guide", "url": SITE_URL}
    approval = theirs["pages"][0]["review"]["clinic_approval"]
    assert approval == {"clinic": "Riverside Physiotherapy", "state": "not approved", "approved": None, "approved_by": None}
    assert "clinic_approval" not in ours["pages"][0]["review"]
    detail = load(clinic, "api/pages/nerve-pain/causes.json")
    assert detail["url"] == SITE_URL + "nerve-pain/causes/"
    assert f'href="{SITE_URL}nerve-pain/what-is-happening/"' in detail["html"]
    assert all(c["page"].startswith(SITE_URL) for c in load(clinic, "api/codes.json")["codes"])
    for link in ElementTree.fromstring((clinic / "feed.xml").read_bytes()).iter(f"{ATOM}link"):
        assert link.get("href").startswith(SITE_URL), link.get("href")


def test_the_policy_allows_the_lookup_script_by_its_hash(clinic, tmp_path):
    policy = read_headers_file(clinic / "_headers")["Content-Security-Policy"]
    assert sha256_source(content_api.lookup_script()) in policy
    assert "'unsafe-inline'" not in policy
    # Anything else in its place is refused, not hashed.
    site = tmp_path / "site"
    shutil.copytree(clinic, site)
    lookup = site / "lookup" / "index.html"
    lookup.write_text(lookup.read_text(encoding="utf-8").replace("(function () {", "(function () {alert(1);"), encoding="utf-8")
    assert write_headers_main([str(site), "--config", str(CLINIC_EXAMPLE), "--nginx", str(tmp_path / "n.conf")]) == 1


def test_titles_and_names_reach_the_html_escaped(neutral, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(neutral / "index.html", site / "index.html")
    hostile = '</script><script>alert(1)</script>"&'
    page = content_api.Page("a.md", None, "a/", "a/", site / "a" / "index.html")
    target = content_api.CodeTarget(diagnosis_codes.Code("icd10", "M54.3", "Sciatica"), page, hostile)
    settings = content_api.Settings(hostile, "", "en", {}, [])
    links = content_api.Links("", False)
    content_api.write_code_pages(site, [target], settings, links)
    content_api.write_lookup(site, [target], settings, links)
    for name in ("codes/icd10/M54.3/index.html", "lookup/index.html"):
        text = (site / name).read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text and "&lt;/script&gt;&lt;script&gt;alert(1)" in text, name
    data = BeautifulSoup((site / "lookup/index.html").read_text(encoding="utf-8"), "html.parser").find(id="lookup-data")
    assert json.loads(data.string)["codes"]["icd10"]["M54.3"]["title"] == hostile


# ---------------------------------------------------------------- codes/ and lookup/ in Chromium

@pytest.fixture(scope="module")
def host(clinic):
    with SiteServer(clinic, PREFIX) as server:
        yield server


WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective));
"""


def open_page(browser, url: str, script: bool = True):
    context = browser.new_context(java_script_enabled=script)
    page = context.new_page()
    page.add_init_script(WATCH)
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page


def arrives(page, host, path: str) -> None:
    page.wait_for_url(host.url + path, timeout=15_000)
    assert page.locator("h1").first.inner_text()


def test_each_code_page_redirects_and_links_to_its_page(neutral):
    codes = load(neutral, "api/codes.json")["codes"]
    assert {(c["system"], c["code"]) for c in codes} == {
        (p.parent.parent.name, p.parent.name) for p in (neutral / "codes").glob("*/*/index.html")}
    for entry in codes:
        own = f"codes/{entry['system']}/{entry['code']}/index.html"
        soup = BeautifulSoup((neutral / own).read_text(encoding="utf-8"), "html.parser")
        refresh = soup.find("meta", attrs={"http-equiv": "refresh"})["content"]
        target = resolve(neutral, "api/codes.json", entry["page"])
        assert resolve(neutral, own, refresh.split("url=", 1)[1]) == target, own
        assert resolve(neutral, own, soup.find("a", string=entry["title"])["href"]) == target, own
        assert entry["display"] in soup.find("h1").get_text()


@pytest.mark.browser
def test_a_code_page_leads_to_its_page_without_script_under_the_policy(browser, host, clinic):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    for system in diagnosis_codes.SYSTEMS:
        entry = next(c for c in load(clinic, "api/codes.json")["codes"] if c["system"] == system)
        page.goto(f"{host.url}codes/{system}/{entry['code']}/")
        arrives(page, host, entry["page"][len(SITE_URL):])
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("query, expected", [
    (f"mainSearchCriteria.v.c=M54.3&mainSearchCriteria.v.cs={ICD10}", "nerve-pain/"),  # known
    (f"mainSearchCriteria.v.c=M54.31&mainSearchCriteria.v.cs={ICD10CM}", "nerve-pain/"),  # child of M54.3
    ("mainSearchCriteria.v.c=m5416&informationRecipient.languageCode.c=en", "nerve-pain/"),  # no dot, no system
])
def test_lookup_sends_a_known_or_more_specific_code_to_its_page(browser, host, query, expected):
    context, page = open_page(browser, f"{host.url}lookup/?{query}")
    arrives(page, host, expected)
    assert page.evaluate("window.__violations") == []
    context.close()


@pytest.mark.browser
def test_lookup_answers_an_unknown_code_with_the_start_page_search_and_the_table(browser, host, clinic):
    context, page = open_page(browser, f"{host.url}lookup/?mainSearchCriteria.v.c=Z99.9"
                                       f"&mainSearchCriteria.v.cs={ICD10CM}&mainSearchCriteria.v.dn=Dependence")
    unknown = page.locator("#lookup-unknown")
    unknown.wait_for(state="visible")
    assert "No page for Z99.9" in unknown.inner_text()
    assert page.locator("#lookup-unknown a", has_text="start page").get_attribute("href") == "../"
    assert page.locator("[data-lookup-search]").get_attribute("href") == "../?q=Dependence"
    assert page.locator("tbody tr").count() == len(load(clinic, "api/codes.json")["codes"])
    assert page.url.startswith(host.url + "lookup/") and page.evaluate("window.__violations") == []
    page.locator("[data-lookup-search]").click()
    page.wait_for_url(host.url + "?q=Dependence")
    context.close()


@pytest.mark.browser
def test_without_script_lookup_shows_the_code_table_and_its_links_work(browser, host, clinic):
    context, page = open_page(browser, f"{host.url}lookup/?mainSearchCriteria.v.c=M54.3", script=False)
    assert page.url.startswith(host.url + "lookup/")
    rows = page.locator("tbody tr")
    assert rows.count() == len(load(clinic, "api/codes.json")["codes"]) > 0
    assert page.locator("#lookup-unknown").is_hidden() and page.locator("#lookup-found").is_hidden()
    rows.first.locator("a").click()
    arrives(page, host, "nerve-pain/")
    context.close()


@pytest.mark.browser
def test_lookup_has_no_wcag_22_aa_violation(browser, host):
    from axe_playwright_python.sync_playwright import Axe

    context, page = open_page(browser, f"{host.url}lookup/?mainSearchCriteria.v.c=Z99.9")
    page.locator("#lookup-unknown").wait_for(state="visible")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
    assert results.response["violations"] == [], [v["id"] for v in results.response["violations"]]
    context.close()
