"""A patient's view in Chromium: a phone-sized screen, one tap to the warning signs,
and search that understands everyday words."""

from __future__ import annotations

import pytest

from conftest import DOCS, page_url, search_result_links

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 900}
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))


def url_of(base: str, page: str) -> str:
    return base + page_url(page)


@pytest.fixture()
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture()
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def test_every_page_fits_a_phone_screen_without_sideways_scrolling(phone, site_server):
    too_wide = {}
    for page in PAGES:
        phone.goto(url_of(site_server, page))
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            too_wide[page] = overflow
    assert not too_wide, f"pages wider than a 375 px screen (extra px): {too_wide}"


def test_emergency_signs_are_visible_on_the_start_page_without_a_click(phone, site_server):
    phone.goto(site_server)
    cards = phone.locator(".care-card--emergency")
    assert cards.count() == 2
    for index in range(2):
        assert cards.nth(index).is_visible()
        assert "emergency number" in cards.nth(index).inner_text()


@pytest.mark.parametrize(
    "link_text, heading",
    [
        ("normal soreness or a warning sign", "Normal soreness or a warning sign?"),
        ("when to get help after dry needling", "When to get help after dry needling"),
    ],
)
def test_one_tap_from_the_start_page_reaches_what_to_do(phone, site_server, link_text, heading):
    phone.goto(site_server)
    phone.get_by_role("link", name=link_text).first.tap()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text().strip() == heading
    for level in ("non-urgent", "urgent", "emergency"):
        card = phone.locator(f".care-card--{level}").first
        card.scroll_into_view_if_needed()
        assert card.is_visible(), level


@pytest.mark.parametrize(
    "query, expected_pages",
    [
        ("pins and needles", ["nerve-pain/warning-signs/", "dry-needling/what-you-may-feel/"]),
        ("zap", ["dry-needling/what-you-may-feel/"]),
        ("physio", ["nerve-pain/"]),
        ("saddle numbness", ["nerve-pain/warning-signs/"]),
    ],
)
def test_search_finds_pages_by_everyday_words(desktop, site_server, query, expected_pages):
    desktop.goto(site_server)
    search = desktop.locator("input.md-search__input")
    search.click()
    search.press_sequentially(query, delay=30)  # Material searches on key presses, as a person types
    expected = [site_server + page for page in expected_pages]
    found = {href.split("?")[0].split("#")[0] for href in search_result_links(desktop, expected)}
    assert found & set(expected), f"'{query}' found {sorted(found)}, none of {sorted(expected)}"
