"""Pictures (issue 12): hand-written SVG files in docs/assets/illustrations/, put inline in
the pages by the figure snippets in snippets/figures/ (so they follow Material's colour
toggle and the page's CSS), each one idea with real words, a text alternative and a caption.

The files themselves: well-formed, small, titled and described, with real <text>, nothing
that runs or loads. The pages: every picture is used, on the pages the issue names. In
Chromium: the colours the picture is drawn in keep their contrast against the page in both
colour schemes (lines 3:1, words 4.5:1, WCAG 1.4.11 and 1.4.3), the picture fits a 320 px
screen with readable words, and it prints, words included. axe runs on every page in both
schemes at 375 and 1280 px in tests/test_a11y.py; the 2-sheet limit is in tests/test_print.py.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from support import DOCS, NARROW, PHONE, ROOT, page_url

ILLUSTRATIONS = DOCS / "assets" / "illustrations"
FIGURES = ROOT / "snippets" / "figures"
SVG = "{http://www.w3.org/2000/svg}"
FILES = sorted(ILLUSTRATIONS.glob("*.svg"))
MAX_BYTES = 15 * 1024
# Words in the pictures are 15 units high in a viewBox this wide (the style of every file).
VIEWBOX_WIDTH = 340
FONT_SIZE = 15
INCLUDE = re.compile(r'^--8<-- "figures/([\w-]+)\.md"$', re.MULTILINE)
SVG_INCLUDE = re.compile(r'^--8<-- "illustrations/([\w-]+)\.svg"$', re.MULTILINE)


def figure_uses() -> dict[str, list[str]]:
    """Each figure snippet -> the pages (docs-relative) that include it."""
    uses: dict[str, list[str]] = {}
    for page in sorted(DOCS.rglob("*.md")):
        for name in INCLUDE.findall(page.read_text(encoding="utf-8")):
            uses.setdefault(name, []).append(page.relative_to(DOCS).as_posix())
    return uses


USES = figure_uses()
PICTURE_PAGES = sorted({page for pages in USES.values() for page in pages})


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# ------------------------------------------------------------------ the files


def test_there_are_at_least_eight_pictures():
    assert len(FILES) >= 8, [f.name for f in FILES]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_picture_is_small_well_formed_titled_described_and_has_real_words(path):
    data = path.read_bytes()
    assert len(data) <= MAX_BYTES, f"{path.name} is {len(data)} bytes, over 15 KB"
    assert not data.lstrip().startswith(b"<?xml"), "no XML declaration: the file is put inline in HTML"
    assert b"\n\n" not in data, "no blank line: Markdown would end the HTML block there"
    root = ET.fromstring(data)
    assert root.tag == SVG + "svg"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", "")), "a viewBox, so it scales"
    assert root.get("viewBox").split()[2] == str(VIEWBOX_WIDTH)
    assert root.get("width") is None and root.get("height") is None, "no fixed size: CSS sets the width"
    assert root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title is not None and (title.text or "").strip(), "a <title>"
    assert desc is not None and len((desc.text or "").split()) >= 8, "a <desc> that says what it shows"
    assert root.get("aria-labelledby") == title.get("id") == f"{path.stem}-title"
    assert root.get("aria-describedby") == desc.get("id") == f"{path.stem}-desc"
    words = [" ".join(t.itertext()).strip() for t in root.iter(SVG + "text")]
    assert len([w for w in words if w]) >= 2, "labels are real <text>, so they can be changed and translated"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_picture_runs_nothing_and_loads_nothing(path):
    root = ET.fromstring(path.read_bytes())
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for el in root.iter():
        name = local(el.tag)
        assert name not in {"script", "foreignObject", "image", "style", "iframe", "a"}, f"<{name}>"
        for key, value in el.attrib.items():
            key = local(key)
            assert not key.lower().startswith("on"), f"event attribute {key}="
            assert key != "style", "no style attribute: the security policy blocks inline styles"
            if key == "href":
                assert value.startswith("#") and value[1:] in ids, f"href {value!r} points outside the file"
            assert "url(" not in value or re.fullmatch(r"url\(#[\w-]+\)", value), f"{key}={value!r}"
    for id_ in ids:
        assert id_.startswith(path.stem + "-"), f"id {id_!r}: start it with the file name, ids share a page"


# ------------------------------------------------------------------ where they are used


def test_every_picture_has_one_figure_snippet_and_is_used_on_a_page():
    snippets = {p.stem: SVG_INCLUDE.findall(p.read_text(encoding="utf-8")) for p in FIGURES.glob("*.md") if p.name != "README.md"}
    assert {stem: names for stem, names in snippets.items() if names != [stem]} == {}, \
        "each snippets/figures/<name>.md puts in illustrations/<name>.svg, once"
    assert sorted(snippets) == [p.stem for p in FILES], "a figure snippet for every picture, and no other"
    assert sorted(USES) == sorted(snippets), f"pictures no page uses: {sorted(set(snippets) - set(USES))}"


def test_pictures_are_on_six_pages_including_both_warning_pages_and_a_dry_needling_page():
    assert len(PICTURE_PAGES) >= 6, PICTURE_PAGES
    assert {"nerve-pain/warning-signs.md", "dry-needling/when-to-get-help.md"} <= set(PICTURE_PAGES)
    assert [p for p in PICTURE_PAGES if p.startswith("dry-needling/")]


def test_the_saddle_area_comes_straight_after_the_emergency_card():
    text = (DOCS / "nerve-pain" / "warning-signs.md").read_text(encoding="utf-8")
    card, picture = text.find('--8<-- "cards/emergency-nerve.md"'), text.find('--8<-- "figures/saddle-area.md"')
    assert 0 <= card < picture
    assert not text[card:picture].count("\n#"), "no heading between the card and the picture"


@pytest.mark.parametrize("page", PICTURE_PAGES)
def test_built_figures_have_a_caption_and_a_text_alternative(built_site, page):
    html = (built_site / page_url(page) / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    figures = soup.select("figure.illustration")
    assert len(figures) == len(INCLUDE.findall((DOCS / page).read_text(encoding="utf-8")))
    for figure in figures:
        svg = figure.find("svg")
        assert svg is not None and svg.get("role") == "img"
        title = soup.find(id=svg["aria-labelledby"])
        desc = soup.find(id=svg["aria-describedby"])
        assert title is not None and title.name == "title" and title.get_text(strip=True)
        assert desc is not None and desc.name == "desc" and desc.get_text(strip=True)
        caption = figure.find("figcaption")
        assert caption is not None and len(caption.get_text(" ", strip=True).split()) >= 5
    ids = [el["id"] for el in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "duplicate ids on the page"


# ------------------------------------------------------------------ in Chromium

browser_test = pytest.mark.browser
SCHEMES = {"light": "default", "dark": "slate"}

# Every drawn part of every picture on the page, with the colours Chromium paints it in, and
# what it is drawn on: the page (and the pale tint of shaded areas), or the ink of a dark box.
COLOURS = """
() => {
  const opaque = (el) => {
    for (; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return c;
    }
    return "rgb(255, 255, 255)";
  };
  return [...document.querySelectorAll("figure.illustration")].map((figure) => {
    const style = getComputedStyle(figure);
    const probe = (name) => {
      const el = document.createElement("span");
      el.style.color = `var(${name})`;
      figure.appendChild(el);
      const value = getComputedStyle(el).color;
      el.remove();
      return value;
    };
    const page = opaque(figure);
    const tint = probe("--illustration-tint");
    const ink = probe("--illustration-ink");
    const parts = [...figure.querySelectorAll("svg *")]
      .filter((el) => !["title", "desc", "defs", "pattern", "g"].includes(el.tagName))
      .map((el) => {
        const s = getComputedStyle(el);
        const isText = el.tagName === "text" || el.tagName === "tspan";
        return {
          what: `${el.tagName}${el.getAttribute("class") ? "." + el.getAttribute("class") : ""}` +
                `${isText ? " '" + el.textContent.trim().slice(0, 30) + "'" : ""}`,
          isText, onInk: !!el.closest(".paper"), tint: !!el.closest(".tint"),
          fill: s.fill, stroke: s.stroke, strokeWidth: parseFloat(s.strokeWidth),
        };
      });
    return {name: figure.querySelector("svg title").textContent, page, tint, ink, parts};
  });
}
"""


def rgb(value: str) -> tuple[float, float, float] | None:
    match = re.fullmatch(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", value.strip())
    if not match:
        return None
    assert match.group(4) in (None, "1"), f"a see-through colour {value}: contrast depends on what is behind"
    return tuple(float(match.group(i)) for i in (1, 2, 3))


def luminance(colour: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    # #767676 is the palest grey that passes 4.5:1 on white (4.54:1); #777777 fails (4.48:1).
    assert round(contrast((118, 118, 118), (255, 255, 255)), 2) == 4.54
    assert round(contrast((119, 119, 119), (255, 255, 255)), 2) == 4.48


def low_contrast(figure: dict) -> list[str]:
    """The parts of a picture under 3:1 (lines, shapes) or 4.5:1 (words) against what they sit on."""
    page, tint, ink = rgb(figure["page"]), rgb(figure["tint"]), rgb(figure["ink"])
    failures = []
    for part in figure["parts"]:
        behind = [ink] if part["onInk"] else [page, tint]
        paints = []
        if part["isText"]:
            paints.append(("words", part["fill"], 4.5))
        else:
            if part["stroke"] != "none" and part["strokeWidth"] > 0:
                paints.append(("line", part["stroke"], 3.0))
            if not part["tint"] and part["fill"] not in ("none",) and not part["fill"].startswith("url("):
                paints.append(("shape", part["fill"], 3.0))
        for kind, value, needed in paints:
            colour = rgb(value)
            assert colour is not None, f"{figure['name']}: {part['what']} has an unreadable colour {value}"
            worst = min(contrast(colour, back) for back in behind)
            if worst < needed:
                failures.append(f"{figure['name']}: {kind} of {part['what']} {value} is {worst:.2f}:1")
    return failures


@browser_test
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("page", PICTURE_PAGES)
def test_lines_and_words_keep_their_contrast_in_both_colour_schemes(browser, site_server, page, scheme):
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    try:
        tab = context.new_page()
        tab.goto(site_server + page_url(page))
        assert tab.evaluate("document.body.dataset.mdColorScheme") == SCHEMES[scheme]
        figures = tab.evaluate(COLOURS)
        assert figures and all(figure["parts"] for figure in figures)
        failures = [failure for figure in figures for failure in low_contrast(figure)]
        assert not failures, "\n".join(failures)
    finally:
        context.close()


@browser_test
def test_contrast_follows_materials_colour_toggle_not_only_the_system(browser, site_server):
    """A reader on a light system who switches Material to dark colours gets light lines."""
    context = browser.new_context(viewport=PHONE, color_scheme="light")
    try:
        tab = context.new_page()
        tab.goto(site_server + page_url("nerve-pain/warning-signs.md"))
        tab.locator("label[for='__palette_1']").first.click()
        tab.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
        figures = tab.evaluate(COLOURS)
        assert figures and not [failure for figure in figures for failure in low_contrast(figure)]
        assert luminance(rgb(figures[0]["ink"])) > 0.5, "the lines did not turn light with the toggle"
    finally:
        context.close()


@browser_test
@pytest.mark.parametrize("page", PICTURE_PAGES)
def test_pictures_fit_a_320_px_screen_with_readable_words(browser, site_server, page):
    context = browser.new_context(viewport=NARROW)
    try:
        tab = context.new_page()
        tab.goto(site_server + page_url(page))
        assert tab.evaluate("document.documentElement.scrollWidth") <= 320, "the page scrolls sideways"
        boxes = tab.eval_on_selector_all("figure.illustration svg", "s => s.map(e => e.getBoundingClientRect().toJSON())")
        assert boxes
        for box in boxes:
            assert box["left"] >= 0 and box["right"] <= 320, box
            assert box["width"] / VIEWBOX_WIDTH * FONT_SIZE >= 12, f"words under 12 px: {box['width']} px wide"
        # No label runs outside its picture (a clipped word is a lost word).
        outside = tab.evaluate("""() => [...document.querySelectorAll("figure.illustration svg text")]
            .filter((t) => { const b = t.getBBox(), v = t.ownerSVGElement.viewBox.baseVal;
                             return b.x < v.x - 0.5 || b.x + b.width > v.x + v.width + 0.5 || b.y < v.y - 0.5
                                    || b.y + b.height > v.y + v.height + 0.5; })
            .map((t) => t.textContent)""")
        assert not outside, f"words outside the picture: {outside}"
    finally:
        context.close()


@browser_test
@pytest.mark.parametrize("page", PICTURE_PAGES)
def test_pictures_print_with_their_words(browser, site_server, page, tmp_path):
    context = browser.new_context(viewport={"width": 1000, "height": 900}, color_scheme="dark")
    try:
        tab = context.new_page()
        tab.goto(site_server + page_url(page))
        tab.wait_for_load_state("networkidle")
        pdf = tmp_path / "page.pdf"
        tab.pdf(path=str(pdf), format="A4", print_background=True)
        tab.emulate_media(media="print")
        printed = tab.eval_on_selector_all("figure.illustration", """fs => fs.map(f => {
            const box = f.querySelector("svg").getBoundingClientRect();
            return {width: box.width, height: box.height, ink: getComputedStyle(f.querySelector("svg")).color,
                    first: f.querySelector("svg text").textContent.trim(),
                    caption: f.querySelector("figcaption").textContent.trim()};
        })""")
    finally:
        context.close()
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert printed
    for figure in printed:
        assert figure["width"] >= 200 and figure["height"] > 50, f"printed too small: {figure}"
        assert figure["width"] / VIEWBOX_WIDTH * FONT_SIZE >= 9.3, "printed words under 7 pt"
        assert figure["ink"] == "rgb(0, 0, 0)", "printed lines are black on white, even from the dark scheme"
        assert figure["first"] in text, f"the picture's words are not in the printout: {figure['first']!r}"
        assert " ".join(figure["caption"].split()[:6]) in text, f"caption missing: {figure['caption']!r}"
