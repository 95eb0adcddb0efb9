"""Real builds with hostile values (issue 15): what the clinic check accepts reaches every page
escaped and adds no script to the security policy; what slips in through a page stops the
headers with the page's name.

Two strict builds from a copy of the sources: one clinic whose accepted values are as awkward
as allowed (&, apostrophes, unicode, a query string), one with a script in a page's title and
an event handler in a page's text."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import markupsafe
import pytest
from bs4 import BeautifulSoup

from clinic_settings import check_settings
from conftest import CLINIC_EXAMPLE, ROOT, assemble_clinic, build_site, copy_site_sources, load_mkdocs_config
from security_headers import inline_hashes, main as write_headers_main, site_settings, theme_code
from serve_site import read_headers_file

HOSTILE = {
    "name": "Smith & Jones' Physio – Zürich 理学療法 🙂",
    "phone": "+44 (0)1632 960-123",
    "email": "o.neil+guide@clinic.example",
    "address": "Flat 2 & 3, O'Neil's Yard, Exampletown",
    "opening_hours": "Mon–Fri 8am–6pm & Sat 9am–12pm (not bank holidays)",
    "website": "https://clinic.example/?a=1&b=2",
    "booking_url": "https://clinic.example/book/?ref=guide&lang=en",
    "urgent_line_name": "NHS 111 & Co's line",
}
SITE_NAME = "St Mary's Physio – Zürich guide"
TITLE_ATTACK = "Glossary</title><script>alert('title')</script>"
HANDLER_ATTACK = '<a href="#top" onclick="alert(1)">Top</a>'


def _hostile_settings() -> str:
    text = CLINIC_EXAMPLE.read_text(encoding="utf-8")
    text = re.sub(r"^site_name: .*$", lambda _: f"site_name: {json.dumps(SITE_NAME, ensure_ascii=False)}", text, flags=re.MULTILINE)
    for field, value in HOSTILE.items():
        text, count = re.subn(rf"^(    {field}): .*$", lambda m: f"{m.group(1)}: {json.dumps(value, ensure_ascii=False)}", text, flags=re.MULTILINE)
        assert count == 1, field
    return text


def _headers_run(site: Path, config: Path, capsys) -> tuple[int, str]:
    status = write_headers_main([str(site), "--config", str(config), "--nginx", str(site.parent / "nginx.conf")])
    return status, capsys.readouterr().err


@pytest.fixture(scope="module")
def hostile_clinic(tmp_path_factory) -> tuple[Path, Path]:
    """The hostile clinic's settings (in a copy of the sources) and its strict build."""
    root = tmp_path_factory.mktemp("hostile-clinic")
    copy_site_sources(root)
    (root / "clinics").mkdir()
    config = root / "clinics" / "hostile.yml"
    config.write_text(_hostile_settings(), encoding="utf-8")
    assert check_settings(config, root / "docs") == [], "these values are meant to be accepted"
    site = root / "site"
    result = build_site(site, assemble_clinic(config))  # as `make build CLINIC=...` builds it
    assert result.returncode == 0, result.stderr
    return config, site


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("index.html"))


def test_every_accepted_value_reaches_every_page_escaped(hostile_clinic):
    _, site = hostile_clinic
    for page in _pages(site):
        html = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        where = page.relative_to(site).as_posix()
        contact = soup.select_one(".clinic-contact")
        assert contact.select_one(".clinic-contact__name").get_text() == HOSTILE["name"], where
        items = [" ".join(li.get_text().split()) for li in contact.select("li")]
        assert f"Phone: {HOSTILE['phone']}" in items and f"Address: {HOSTILE['address']}" in items, (where, items)
        assert f"Open: {HOSTILE['opening_hours']}" in items and f"Email: {HOSTILE['email']}" in items, (where, items)
        assert [a["href"] for a in contact.select("a")][-2:] == [HOSTILE["booking_url"], HOSTILE["website"]], where
        assert soup.select_one(".print-header__name").get_text() == HOSTILE["name"], where
        assert soup.title.get_text().endswith(f" - {SITE_NAME}") or soup.title.get_text() == SITE_NAME, where
        # Raw, every & of a value is written &amp; (or \u0026 inside JSON): none is left as typed.
        for value in HOSTILE.values():
            if "&" in value:
                assert value not in html, (where, value)
        for value in (HOSTILE["name"], HOSTILE["address"]):
            assert str(markupsafe.escape(value)) in html, (where, value)


def test_every_care_card_shows_the_accepted_values_as_text(hostile_clinic):
    _, site = hostile_clinic
    wording = load_mkdocs_config()["extra"]["care_cards"]["clinic"]["non_urgent"]
    expected = wording.replace("{name}", HOSTILE["name"]).replace("{phone}", HOSTILE["phone"])
    cards = 0
    for page in _pages(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for heading in soup.select(".care-card--non-urgent .care-card__heading"):
            for hidden in heading.select(".visually-hidden"):
                hidden.extract()
            assert " ".join(heading.get_text(" ").split()) == expected
            cards += 1
    assert cards >= 2


def test_structured_data_stays_json_with_the_values_in_it(hostile_clinic):
    _, site = hostile_clinic
    for page in _pages(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for block in soup.select('script[type="application/ld+json"]'):
            assert json.loads(block.string)["isPartOf"]["name"] == SITE_NAME


def test_accepted_values_add_no_script_or_style_to_the_security_policy(hostile_clinic, clinic_site, capsys):
    """The policy of the hostile clinic holds exactly the hashes of the example clinic's build
    (same site_url and colour): its names, addresses and links changed no inline code."""
    config, site = hostile_clinic
    assert _headers_run(site, config, capsys) == (0, "")
    policy = read_headers_file(site / "_headers")["Content-Security-Policy"]
    hashes = set(re.findall(r"'sha256-[^']+'", policy))
    scripts, styles = inline_hashes(clinic_site, theme_code(site_settings(CLINIC_EXAMPLE).template_dirs))
    assert hashes == set(scripts) | set(styles)


@pytest.fixture(scope="module")
def page_attack(tmp_path_factory) -> tuple[Path, Path]:
    """A build whose glossary title closes the <title> and whose privacy page has an onclick."""
    root = tmp_path_factory.mktemp("page-attack")
    config = copy_site_sources(root)
    glossary = root / "docs" / "glossary.md"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(re.sub(r"^title: .*$", lambda _: f"title: {json.dumps(TITLE_ATTACK)}", text, count=1, flags=re.MULTILINE), encoding="utf-8")
    privacy = root / "docs" / "about" / "privacy.md"
    privacy.write_text(privacy.read_text(encoding="utf-8") + f"\n{HANDLER_ATTACK}\n", encoding="utf-8")
    site = root / "site"
    result = build_site(site, config)
    assert result.returncode == 0, result.stderr
    return config, site


def test_a_title_that_closes_the_title_element_stays_text_in_the_title_and_structured_data(page_attack):
    _, site = page_attack
    soup = BeautifulSoup((site / "glossary" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.title.get_text().startswith(TITLE_ATTACK + " - ")
    assert json.loads(soup.select_one('script[type="application/ld+json"]').string)["name"] == TITLE_ATTACK
    assert soup.select_one('meta[property="og:title"]')["content"] == TITLE_ATTACK


def test_a_script_or_handler_a_page_slipped_in_stops_the_headers_naming_the_page(page_attack, capsys):
    """Material prints the page title in its header as it is: the script lands there, and the
    allow-list refuses it (the checker, scripts/check.py, refuses such a title earlier)."""
    config, site = page_attack
    status, err = _headers_run(site, config, capsys)
    assert status == 1
    assert re.search(r"glossary/index\.html: inline script the theme does not write: \"alert\('title'\)\"", err), err
    assert re.search(r"about/privacy/index\.html: <a onclick=\.\.\.>", err), err
    for name in ("_headers", ".htaccess"):
        assert not (site / name).exists(), "no header file is written for an unsafe build"


def test_the_unchanged_guide_passes_the_allow_list(built_site, tmp_path, capsys):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    status, err = _headers_run(site, ROOT / "mkdocs.yml", capsys)
    assert (status, err) == (0, "")
