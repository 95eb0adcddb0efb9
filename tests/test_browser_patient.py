"""A patient's view in Chromium: a phone-sized screen, one tap to the warning signs,
and search that understands everyday words."""

from __future__ import annotations

import pytest

from support import DESKTOP, PHONE, docs_pages, page_url, search_result_links

pytestmark = pytest.mark.browser

PAGES = docs_pages()


def url_of(base: str, page: str) -> str:
    return base + page_url(page)


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


WARNING_PAGES = ["nerve-pain/warning-signs.md", "dry-needling/when-to-get-help.md"]


def first_screen_box(page, locator) -> dict:
    """Where an element is on a freshly loaded page, before any scrolling (CSS px)."""
    assert page.evaluate("window.scrollY") == 0
    box = locator.bounding_box()
    assert box, "the element is not displayed"
    return box


def test_the_start_pages_get_help_links_are_on_the_first_phone_screen(phone, site_server):
    phone.goto(site_server)
    for page in WARNING_PAGES:
        link = phone.locator(f'article a[href$="{page_url(page)}"]').first
        box = first_screen_box(phone, link)
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], \
            f"the link to {page} is at {box['y']:.0f}-{box['y'] + box['height']:.0f} px, below a {PHONE['height']} px screen"
        assert link.is_visible()


@pytest.mark.parametrize("page", WARNING_PAGES)
def test_the_emergency_card_starts_on_the_first_phone_screen_of_each_warning_page(phone, site_server, page):
    phone.goto(url_of(site_server, page))
    card = phone.locator(".care-card--emergency")
    assert card.count() == 1
    heading = card.locator(".care-card__heading")
    box = first_screen_box(phone, heading)
    assert box["y"] + box["height"] <= PHONE["height"], \
        f"{page}: the emergency card's heading ends at {box['y'] + box['height']:.0f} px, below a {PHONE['height']} px screen"
    assert heading.is_visible() and "emergency number" in heading.inner_text()


@pytest.mark.parametrize(
    "link_text, heading",
    [
        ("warning signs: nerve pain", "Normal soreness or a warning sign?"),
        ("warning signs: dry needling", "When to get help after dry needling"),
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
        ("bladder problems", ["nerve-pain/warning-signs/"]),
        ("symptom diary", ["nerve-pain/working-with-your-physiotherapist/", "printables/pain-diary/"]),
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
