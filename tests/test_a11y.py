"""Accessibility in Chromium (WCAG 2.2 AA): axe-core on every page in both colour schemes
at a phone and a desktop width, the keyboard path through the pages patients need most,
and reflow at 320 px and at 200% text size.

axe finds only some barriers (about 3 in 10 in GDS's audit), which is why the keyboard,
focus and reflow checks are here too; tests/test_a11y_html.py checks the built HTML.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from support import DESKTOP, NARROW, PHONE, docs_pages, page_url

pytestmark = pytest.mark.browser

# Only violations come back from the page: axe still runs every rule of these tags.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
               "resultTypes": ["violations"]}
PAGES = docs_pages()
VIEWPORTS = {"375px": PHONE, "1280px": DESKTOP}
# Material follows the reader's system setting: `media:` in mkdocs.yml's palette.
SCHEMES = {"light": "default", "dark": "slate"}

_axe = Axe()
# Waits until the page's transitions (Material's header and search box fade in their colours
# after a resize or load) have ended, so axe sees the colours a reader sees, not a mix.
SETTLE = """() => Promise.all(document.getAnimations()
  .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
  .map((a) => a.finished.catch(() => null))).then(() => null)"""
# Starts axe in the page and returns at once; `window.__axeViolations` is then its promise.
START_AXE = "(options) => { window.__axeViolations = axe.run(document, options).then((r) => r.violations); }"


def url_of(base: str, page: str) -> str:
    if page == "404.html":
        return base + "404.html"
    return base + page_url(page)


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def scheme_tabs(browser):
    """One tab per colour scheme, shared by every page (a context per test costs more than axe)."""
    contexts = {scheme: browser.new_context(viewport=PHONE, color_scheme=scheme) for scheme in SCHEMES}
    yield {scheme: context.new_page() for scheme, context in contexts.items()}
    for context in contexts.values():
        context.close()


@pytest.fixture(scope="module")
def axe_violations(scheme_tabs, site_server):
    """axe's violations of a page in each scheme at each width, found once per page: the page
    is loaded once in each scheme's tab, and axe runs at the phone width, then at the desktop
    width. The schemes' tabs are separate renderer processes, so their runs go side by side
    (started in each tab, then collected), which uses both cores of a 2-core machine."""
    found: dict[str, dict[tuple[str, str], tuple[str, list[dict]]]] = {}

    def violations(page: str) -> dict[tuple[str, str], tuple[str, list[dict]]]:
        if page not in found:
            applied = {}
            for scheme, tab in scheme_tabs.items():
                tab.set_viewport_size(PHONE)
                tab.goto(url_of(site_server, page))
                applied[scheme] = tab.evaluate("document.body.dataset.mdColorScheme")
                tab.evaluate(_axe.axe_script)
            results = {}
            for width, viewport in VIEWPORTS.items():
                for tab in scheme_tabs.values():
                    tab.set_viewport_size(viewport)
                    tab.evaluate(SETTLE)
                    tab.evaluate(START_AXE, AXE_OPTIONS)
                for scheme, tab in scheme_tabs.items():
                    results[scheme, width] = (applied[scheme], tab.evaluate("window.__axeViolations"))
            found[page] = results
        return found[page]

    return violations


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("page", PAGES + ["404.html"])
def test_axe_finds_no_wcag_22_aa_violation(axe_violations, page, scheme, width):
    applied, violations = axe_violations(page)[scheme, width]
    assert applied == SCHEMES[scheme], f"Material did not switch to the {scheme} scheme"
    assert not violations, _describe(violations)


# ------------------------------------------------------------------------ keyboard

# Material gives its section titles an empty tabindex (not focusable: on wide screens they
# are headings), so only a tabindex of 0 or more counts here.
INTERACTIVE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex^='-']):not([tabindex=''])"
)

# For each element focused by Tab: what it is, whether its focus indicator shows, and
# whether the reader can see it at all (not off screen, not entirely under the sticky
# header: 2.4.11). Material draws the ring of a visually hidden radio button (the colour
# toggle) on the label that follows it, so that label is what must show.
FOCUS_STATE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const next = el.nextElementSibling;
  const shown = el.matches("input.md-option") && next && next.tagName === "LABEL" ? next : el;
  const style = getComputedStyle(shown);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  const rect = shown.getBoundingClientRect();
  const points = [[0.5, 0.5], [0.1, 0.1], [0.9, 0.1], [0.1, 0.9], [0.9, 0.9]]
    .map(([x, y]) => [rect.left + x * rect.width, rect.top + y * rect.height])
    .filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight);
  const seen = points.some(([x, y]) => {
    const top = document.elementFromPoint(x, y);
    return top && (shown.contains(top) || top.contains(shown));
  });
  return {
    key: el.id || el.getAttribute("href") || el.getAttribute("for") || el.className || el.tagName,
    tag: el.tagName.toLowerCase(),
    index: el.dataset.a11yIndex || el.outerHTML.slice(0, 80),
    visible: outline || shadow,
    inView: rect.width > 0 && rect.height > 0 && seen,
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40),
  };
}
"""

# Interactive elements a sighted keyboard user can see when the page opens, each marked
# with a number so that FOCUS_STATE can tell which one has the focus.
VISIBLE_INTERACTIVE = """
(selector) => {
  const all = [...document.querySelectorAll("*")];
  all.forEach((el, index) => { el.dataset.a11yIndex = String(index); });
  return [...document.querySelectorAll(selector)]
    .filter((el) => !el.disabled && el.tabIndex >= 0 && !el.closest("[inert], [hidden], [aria-hidden=true]"))
    .filter((el) => el.checkVisibility({visibilityProperty: true}))
    .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
    .map((el) => ({index: el.dataset.a11yIndex, text: (el.innerText || el.getAttribute("href") || el.outerHTML).trim().slice(0, 80)}));
}
"""


def _tab_through(tab, limit: int = 400) -> list[dict]:
    """Press Tab until focus comes back round; the focus state after each press."""
    states: list[dict] = []
    for _ in range(limit):
        tab.keyboard.press("Tab")
        state = tab.evaluate(FOCUS_STATE)
        if state and not (state["visible"] and state["inView"]):
            tab.wait_for_timeout(700)  # let Material's slide-ins and slide-outs finish, then look again
            state = tab.evaluate(FOCUS_STATE)
        if state is None or (states and state["index"] == states[0]["index"]):
            break
        states.append(state)
    return states


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("page", ["index.md", "nerve-pain/warning-signs.md"])
def test_keyboard_reaches_everything_with_visible_focus(browser, site_server, page, width):
    context = browser.new_context(viewport=VIEWPORTS[width])
    try:
        tab = context.new_page()
        tab.goto(url_of(site_server, page))
        controls = tab.evaluate(VISIBLE_INTERACTIVE, INTERACTIVE)
        states = _tab_through(tab)
        assert states, "Tab moved focus nowhere"
        first = states[0]
        assert first["text"].lower().startswith("skip to"), f"the first Tab stop is {first}, not a skip link"
        invisible = [state for state in states if not state["visible"]]
        assert not invisible, f"focus indicator missing on: {invisible}"
        hidden = [state for state in states if not state["inView"]]
        assert not hidden, f"focused element off screen or under the sticky header (2.4.11): {hidden}"
        reached = {state["index"] for state in states}
        missed = [el for el in controls if el["index"] not in reached]
        assert not missed, f"visible controls that Tab never reaches: {missed}"
    finally:
        context.close()


def test_skip_link_moves_focus_to_the_content(phone, site_server):
    phone.goto(url_of(site_server, "nerve-pain/warning-signs.md"))
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    target = phone.evaluate("location.hash.slice(1)")
    assert target, "the skip link did not go anywhere"
    assert phone.evaluate("(id) => !!document.getElementById(id)?.closest('.md-content')", target)
    phone.keyboard.press("Tab")
    assert phone.evaluate("!!document.activeElement.closest('.md-content, .md-footer')"), (
        "after the skip link, the next Tab stop is not in the page content"
    )


# ------------------------------------------------------------------------ reflow

# Text that is cut off: an element whose content is wider than its box, in a box that
# hides what overflows; or text that runs past the edge of the screen.
CLIPPED_TEXT = """
() => {
  const clipped = [];
  for (const el of document.querySelectorAll(".md-content *, .md-footer *")) {
    if (!el.checkVisibility({visibilityProperty: true}) || el.closest(".visually-hidden")) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    const hides = /hidden|clip/.test(style.overflowX + style.overflowY) || style.textOverflow === "ellipsis";
    const rect = el.getBoundingClientRect();
    if ((hides && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
        || rect.right > innerWidth + 1 || rect.left < -1) {
      clipped.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.textContent.trim().slice(0, 40)}`);
    }
  }
  return clipped;
}
"""
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _assert_reflows(tab, site_server: str, page: str) -> None:
    tab.goto(url_of(site_server, page))
    assert tab.evaluate(SIDEWAYS) <= 0, f"{page} scrolls sideways by {tab.evaluate(SIDEWAYS)} px"
    clipped = tab.evaluate(CLIPPED_TEXT)
    assert not clipped, f"{page} cuts off text: {clipped}"


@pytest.fixture(scope="module")
def narrow_tab(browser):
    """A 320 px screen (WCAG 1.4.10), shared by every page."""
    context = browser.new_context(viewport=NARROW)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def large_text_tab(browser):
    """Chromium's own text-size setting doubled (16 px to 32 px), as a reader would set it:
    rem, em and em-based media queries all follow, unlike a CSS zoom. Shared by every page."""
    context = browser.new_context(viewport=DESKTOP)
    tab = context.new_page()
    cdp = context.new_cdp_session(tab)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    yield tab
    context.close()


@pytest.mark.parametrize("page", PAGES)
def test_page_reflows_at_320_px(narrow_tab, site_server, page):
    _assert_reflows(narrow_tab, site_server, page)


@pytest.mark.parametrize("page", PAGES)
def test_page_reflows_at_200_percent_text(large_text_tab, site_server, page):
    _assert_reflows(large_text_tab, site_server, page)
    assert large_text_tab.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 40


# ------------------------------------------------------------------------ what is read out

@pytest.mark.parametrize("page", ["nerve-pain/managing-a-flare-up.md", "dry-needling/keeping-risk-low.md"])
def test_do_not_items_are_read_as_do_not(phone, site_server, page):
    """Chromium's accessibility tree, as a screen reader gets it: no cross before the words."""
    phone.goto(url_of(site_server, page))
    items = phone.locator(".admonition.dont li")
    assert items.count() > 0
    for index in range(items.count()):
        spoken = items.nth(index).aria_snapshot().removeprefix("- listitem:").strip().strip('"')
        assert spoken.lower().startswith("do not "), f"read as: {spoken!r}"


def test_care_card_headings_are_read_with_their_severity(phone, site_server):
    phone.goto(url_of(site_server, "nerve-pain/warning-signs.md"))
    for level, prefix in (("non-urgent", "Non-urgent advice: "), ("urgent", "Urgent advice: "),
                          ("emergency", "Immediate action required: ")):
        heading = phone.locator(f".care-card--{level} .care-card__heading").first
        spoken = heading.aria_snapshot().removeprefix("- ").strip("'\"")
        assert spoken.startswith(f'heading "{prefix}'), f"{level} card read as: {spoken!r}"
