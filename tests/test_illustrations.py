"""Pictures (issue 12): hand-written SVG files in docs/assets/illustrations/, put inline in
the pages by the figure snippets in snippets/figures/ (so they follow Material's colour
toggle and the page's CSS), each one idea with real words, a text alternative and a caption.

Each translation of the guide (issue 17: mkdocs.<code>.yml, listed in mkdocs.yml's language
selector) has the same pictures with its own words: snippets/<code>/illustrations/<name>.svg,
which its build finds before docs/assets/ (its snippets base_path), put in by its own figure
snippets (snippets/<code>/figures/) with captions in its language. A translated picture is the
English drawing, shape for shape, with translated title, description and words.

The files themselves: well-formed, small, titled and described, with real <text>, nothing
that runs or loads; a translation has every picture, the same drawing, and its own words.
The pages: every picture is used, on the pages the issue names, in every language. In
Chromium (every language): the colours the picture is drawn in keep their contrast against
the page in both colour schemes (lines 3:1, words 4.5:1, WCAG 1.4.11 and 1.4.3), the picture
fits a 320 px screen with readable words that stay inside it and inside the boxes drawn
around them, and it prints, words included. axe runs on every page in both schemes at 375
and 1280 px in tests/test_a11y.py (Spanish samples: tests/test_spanish_browser.py); the
2-sheet limit is in tests/test_print.py.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import assemble_clinic
import translations
import us_english
from serve_site import SiteServer
from support import DOCS, NARROW, PHONE, ROOT, load_mkdocs_config, page_url

ILLUSTRATIONS = DOCS / "assets" / "illustrations"
SVG = "{http://www.w3.org/2000/svg}"
FILES = sorted(ILLUSTRATIONS.glob("*.svg"))
NAMES = [path.stem for path in FILES]
MAX_BYTES = 15 * 1024
# Words in the pictures are 15 units high in a viewBox this wide (the style of every file).
VIEWBOX_WIDTH = 340
FONT_SIZE = 15
INCLUDE = re.compile(r'^--8<-- "figures/([\w-]+)\.md"$', re.MULTILINE)
SVG_INCLUDE = re.compile(r'^--8<-- "illustrations/([\w-]+)\.svg"$', re.MULTILINE)


@dataclass(frozen=True)
class Edition:
    """The guide in one language: its pages, figure snippets, pictures, build and address."""

    code: str
    docs: Path
    figures: Path  # its figure snippets
    pictures: Path  # its SVG files
    config: Path  # the build (mkdocs.yml, mkdocs.<code>.yml)
    prefix: str  # where its pages are in the built site: "" or "es/"

    def __str__(self) -> str:
        return self.code

    def found(self, name: str) -> Path | None:
        """The file its build puts in for illustrations/<name>.svg: the first snippet base path
        that holds it, as pymdownx.snippets searches them."""
        extensions = load_mkdocs_config(self.config)["markdown_extensions"]
        snippets = next(e["pymdownx.snippets"] for e in extensions if isinstance(e, dict) and "pymdownx.snippets" in e)
        paths = [ROOT / base / "illustrations" / f"{name}.svg" for base in snippets["base_path"]]
        return next((path for path in paths if path.is_file()), None)

    def uses(self) -> dict[str, list[str]]:
        """Each figure snippet -> the pages (docs-relative) that include it."""
        uses: dict[str, list[str]] = {}
        for page in sorted(self.docs.rglob("*.md")):
            for name in INCLUDE.findall(page.read_text(encoding="utf-8")):
                uses.setdefault(name, []).append(page.relative_to(self.docs).as_posix())
        return uses

    def picture_pages(self) -> list[str]:
        return sorted({page for pages in self.uses().values() for page in pages})


ENGLISH = Edition("en", DOCS, ROOT / "snippets" / "figures", ILLUSTRATIONS, ROOT / "mkdocs.yml", "")
TRANSLATIONS = [Edition(language.code, ROOT / language.docs, ROOT / "snippets" / language.code / "figures",
                        ROOT / "snippets" / language.code / "illustrations", ROOT / language.config, f"{language.code}/")
                for language in translations.languages(ROOT)]
EDITIONS = [ENGLISH, *TRANSLATIONS]
# Every picture file of every language (a translated file without an English one included).
ALL_FILES = [path for edition in EDITIONS for path in sorted(edition.pictures.glob("*.svg"))]
TRANSLATED = [(edition, name) for edition in TRANSLATIONS for name in NAMES]
PICTURE_PAGES = [(edition, page) for edition in EDITIONS for page in edition.picture_pages()]


def file_id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def words_of(path: Path) -> dict[str, list[str]]:
    """A picture's words: its title, its description and each <text> line."""
    root = ET.fromstring(path.read_bytes())
    return {"title": [root.findtext(SVG + "title", "").strip()], "desc": [root.findtext(SVG + "desc", "").strip()],
            "text": [" ".join("".join(t.itertext()).split()) for t in root.iter(SVG + "text")]}


# ------------------------------------------------------------------ the files


def test_there_are_at_least_eight_pictures():
    assert len(FILES) >= 8, [f.name for f in FILES]


def test_there_is_a_translation_to_check():
    """The language selector lists Spanish: without it every translated test below is empty."""
    assert "es" in [edition.code for edition in TRANSLATIONS]


@pytest.mark.parametrize("path", ALL_FILES, ids=file_id)
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


@pytest.mark.parametrize("path", ALL_FILES, ids=file_id)
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


# ------------------------------------------------------------------ translated pictures

WORDS = {"title", "desc", "text"}  # and what they hold (<tspan>)


def drawing(path: Path) -> list[tuple[str, dict[str, str]]]:
    """Every element of a picture but its words (title, desc, text), with its attributes, in order."""
    def walk(element: ET.Element):
        if local(element.tag) in WORDS:
            return
        yield local(element.tag), dict(element.attrib)
        for child in element:
            yield from walk(child)
    return list(walk(ET.fromstring(path.read_bytes())))


def font_sizes(path: Path) -> list[float]:
    """The font size of every line of words, as inherited from the <svg> and its groups."""
    sizes: list[float] = []

    def walk(element: ET.Element, size: float) -> None:
        size = float(element.get("font-size", size))
        if local(element.tag) in ("text", "tspan"):
            sizes.append(size)
        for child in element:
            walk(child, size)
    walk(ET.fromstring(path.read_bytes()), 16.0)
    return sizes


@pytest.mark.parametrize("edition", TRANSLATIONS, ids=str)
def test_every_picture_has_its_translation_and_the_reverse_and_the_build_finds_it_first(edition):
    assert sorted(path.stem for path in edition.pictures.glob("*.svg")) == NAMES, \
        f"{edition.pictures.relative_to(ROOT)}/ holds one file for each of docs/assets/illustrations/, and no other"
    for name in NAMES:
        assert edition.found(name) == edition.pictures / f"{name}.svg", \
            f"{edition.config.name} puts in {edition.found(name)} for illustrations/{name}.svg: its snippets " \
            f"base_path must list snippets/{edition.code} before docs/assets"
        assert ENGLISH.found(name) == ILLUSTRATIONS / f"{name}.svg", "the English build keeps the English pictures"


@pytest.mark.parametrize(("edition", "name"), TRANSLATED, ids=lambda value: str(value))
def test_a_translated_picture_is_the_english_drawing_shape_for_shape(edition, name):
    """The pictures' translation-stale: every element but the words (title, desc, text) and
    every attribute of each is the English file's, in the same order. A change to an English
    drawing (a line moved, a shape added, a colour class changed) fails here until each
    translation follows it, as a changed English page makes its translation stale. Words
    may move and wrap (their x, y and lines are free); a drawing may not change."""
    source, copy = ILLUSTRATIONS / f"{name}.svg", edition.pictures / f"{name}.svg"
    english, translated = drawing(source), drawing(copy)
    follow = f"draw it as {file_id(source)} draws it now, then check that its words still fit"
    for index, (want, got) in enumerate(zip(english, translated)):
        assert got == want, f"{file_id(copy)}: drawn element {index + 1} is {got}, the English is {want}: {follow}"
    assert len(translated) == len(english), \
        f"{file_id(copy)}: {len(translated)} drawn elements, the English has {len(english)}: {follow}"


# Words that are English and never Spanish: a translated picture holds none of them.
ENGLISH_WORDS = {"the", "and", "of", "your", "with", "from", "or", "to", "is", "can", "pain", "nerve", "after",
                 "shaded", "time", "about", "more", "back", "front", "seen", "around", "between", "help"}
# Small words of each language: a description in that language has a few of them.
LANGUAGE_WORDS = {"es": {"de", "la", "el", "los", "las", "del", "un", "una", "y", "que", "su", "se", "en", "o"}}


def word_set(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text.lower()))


@pytest.mark.parametrize(("edition", "name"), TRANSLATED, ids=lambda value: str(value))
def test_a_translated_picture_speaks_its_language_at_the_english_size(edition, name):
    english, translated = words_of(ILLUSTRATIONS / f"{name}.svg"), words_of(edition.pictures / f"{name}.svg")
    for part in WORDS:
        kept = [line for line in translated[part] if word_set(line) and line in english[part]]
        assert not kept, f"{name}.svg: {part} left in English: {kept}"
        english_words = sorted(word_set(" ".join(translated[part])) & ENGLISH_WORDS)
        assert not english_words, f"{name}.svg: English words in its {part}: {english_words}"
    assert len(word_set(translated["desc"][0]) & LANGUAGE_WORDS[edition.code]) >= 3, \
        f"{name}.svg: a description in the language of its pages ({edition.code})"
    assert min(font_sizes(edition.pictures / f"{name}.svg")) >= min(font_sizes(ILLUSTRATIONS / f"{name}.svg")), \
        f"{name}.svg: words smaller than the English picture's: wrap them into more lines instead"


# Words of the UK guide a US copy (scripts/us_english.py) must not show: it swaps them in the
# pictures too (scripts/assemble_clinic.py, us_files). "NHS" names a source and stays.
UK_ONLY = re.compile(r"\bGPs?\b|\bA&(?:amp;)?E\b|physiother|\bphysios?\b|\b999\b|\bNHS 111\b|\bcolours?\b", re.IGNORECASE)


US_LAID_OUT = ROOT / assemble_clinic.US_FIGURES
# A US line that does not fit is drawn narrower (us_english.swap_figure, textLength); below this
# share of its natural width it is cramped, and the picture gets a US layout of its own instead.
LEAST_SQUEEZE = 0.85
TEXT_LENGTH = re.compile(r'<text[^>]*\btextLength="([0-9.]+)"[^>]*>([^<]*)</text>')


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_us_copy_of_the_picture_has_no_uk_only_words_and_no_cramped_line(path):
    words = us_english.read_words()
    us = assemble_clinic.us_figure(ROOT, path, words)  # what a US copy shows
    root = ET.fromstring(us)
    assert not UK_ONLY.findall(us), f"{path.name} in a US copy still says {UK_ONLY.findall(us)}"
    size = float(root.get("font-size", 16))
    for length, line in TEXT_LENGTH.findall(us):
        share = float(length) / (len(line) * size * us_english.GLYPH)
        assert share >= LEAST_SQUEEZE, \
            f"{path.name}: the US line {line!r} is squeezed to {share:.0%} of its width: lay the picture out " \
            f"in US words in {US_LAID_OUT.relative_to(ROOT)}/ (same drawing, other lines)"


@pytest.mark.parametrize("path", sorted(US_LAID_OUT.glob("*.svg")), ids=lambda p: p.name)
def test_a_picture_laid_out_in_us_words_is_the_english_drawing_at_the_english_size(path):
    source = ILLUSTRATIONS / path.name
    assert source.is_file(), f"{file_id(path)} has no English picture {file_id(source)}"
    assert drawing(path) == drawing(source), f"{file_id(path)}: draw it as {file_id(source)} draws it now"
    assert min(font_sizes(path)) >= min(font_sizes(source)), f"{file_id(path)}: words smaller than the English"
    # Its title and description are the English ones in US words, so a changed English one fails
    # here until the US layout follows (the lines are laid out by hand; the UK-words test reads them).
    words = us_english.read_words()
    swapped = ET.fromstring(us_english.swap_figure(path.name, source.read_text(encoding="utf-8"), words))
    laid_out = ET.fromstring(path.read_bytes())
    for part in ("title", "desc"):
        assert laid_out.findtext(SVG + part) == swapped.findtext(SVG + part), \
            f"{file_id(path)}: its {part} is not {file_id(source)}'s in US words: copy it from a US copy's swap"


def test_the_cramped_us_lines_are_laid_out_by_hand():
    """Without its US layout, levels-of-help would squeeze 'Your physical therapist or a primary
    care doctor,' to about 73 % of its width: the test above would fail (it can)."""
    words = us_english.read_words()
    swapped = us_english.swap_figure("levels-of-help.svg", (ILLUSTRATIONS / "levels-of-help.svg").read_text(
        encoding="utf-8"), words)
    assert TEXT_LENGTH.search(swapped), "the plain swap squeezes a line"
    assert (US_LAID_OUT / "levels-of-help.svg").is_file() and (US_LAID_OUT / "flare-up.svg").is_file()


# ------------------------------------------------------------------ where they are used


@pytest.mark.parametrize("edition", EDITIONS, ids=str)
def test_every_picture_has_one_figure_snippet_and_is_used_on_a_page(edition):
    snippets = {p.stem: SVG_INCLUDE.findall(p.read_text(encoding="utf-8"))
                for p in edition.figures.glob("*.md") if p.name != "README.md"}
    assert {stem: names for stem, names in snippets.items() if names != [stem]} == {}, \
        f"each {edition.figures.relative_to(ROOT)}/<name>.md puts in illustrations/<name>.svg, once"
    assert sorted(snippets) == NAMES, "a figure snippet for every picture, and no other"
    uses = edition.uses()
    assert sorted(uses) == sorted(snippets), f"pictures no page uses: {sorted(set(snippets) - set(uses))}"


@pytest.mark.parametrize("edition", EDITIONS, ids=str)
def test_pictures_are_on_six_pages_including_both_warning_pages_and_a_dry_needling_page(edition):
    pages = edition.picture_pages()
    assert len(pages) >= 6, pages
    assert {"nerve-pain/warning-signs.md", "dry-needling/when-to-get-help.md"} <= set(pages)
    assert [p for p in pages if p.startswith("dry-needling/")]
    if edition is not ENGLISH:
        assert edition.uses() == ENGLISH.uses(), "each picture on the same pages as in English"


@pytest.mark.parametrize("edition", EDITIONS, ids=str)
def test_the_saddle_area_comes_straight_after_the_emergency_card(edition):
    text = (edition.docs / "nerve-pain" / "warning-signs.md").read_text(encoding="utf-8")
    card, picture = text.find('--8<-- "cards/emergency-nerve.md"'), text.find('--8<-- "figures/saddle-area.md"')
    assert 0 <= card < picture
    assert not text[card:picture].count("\n#"), "no heading between the card and the picture"


@pytest.mark.parametrize(("edition", "page"), PICTURE_PAGES, ids=lambda value: str(value))
def test_built_figures_have_a_caption_and_a_text_alternative(bilingual_site, edition, page):
    html = (bilingual_site / edition.prefix / page_url(page) / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    figures = soup.select("figure.illustration")
    assert len(figures) == len(INCLUDE.findall((edition.docs / page).read_text(encoding="utf-8")))
    for figure in figures:
        svg = figure.find("svg")
        assert svg is not None and svg.get("role") == "img"
        title = soup.find(id=svg["aria-labelledby"])
        desc = soup.find(id=svg["aria-describedby"])
        assert title is not None and title.name == "title" and title.get_text(strip=True)
        assert desc is not None and desc.name == "desc" and desc.get_text(strip=True)
        caption = figure.find("figcaption")
        assert caption is not None and len(caption.get_text(" ", strip=True).split()) >= 5
        name = svg["aria-labelledby"].removesuffix("-title")
        assert title.get_text(strip=True) == words_of(edition.found(name))["title"][0], \
            f"{name}: the page shows another picture than {edition.found(name)}"
    ids = [el["id"] for el in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "duplicate ids on the page"


ENGLISH_LINES = sorted({line for path in FILES for line in words_of(path)["text"] if word_set(line)})


@pytest.mark.parametrize(("edition", "page"), [(e, p) for e, p in PICTURE_PAGES if e is not ENGLISH],
                         ids=lambda value: str(value))
def test_a_translated_page_shows_no_english_words_in_its_pictures(bilingual_site, edition, page):
    soup = BeautifulSoup((bilingual_site / edition.prefix / page_url(page) / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    svgs = soup.select("figure.illustration svg")
    assert svgs
    for svg in svgs:
        lines = [" ".join(text.get_text().split()) for text in svg.find_all("text")]
        assert not [line for line in lines if line in ENGLISH_LINES], f"English words in {svg['aria-labelledby']}"
        for part in ("title", "desc"):
            assert svg.find(part).get_text(strip=True) not in {words_of(p)[part][0] for p in FILES}


# ------------------------------------------------------------------ in Chromium

browser_test = pytest.mark.browser
SCHEMES = {"light": "default", "dark": "slate"}


@pytest.fixture(scope="module")
def host(bilingual_site):
    """The built site of every language (English at the root, each translation in <code>/), over HTTP."""
    with SiteServer(bilingual_site) as server:
        yield server.url


def address(edition: Edition, page: str) -> str:
    return edition.prefix + page_url(page)

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
@pytest.mark.parametrize(("edition", "page"), PICTURE_PAGES, ids=lambda value: str(value))
def test_lines_and_words_keep_their_contrast_in_both_colour_schemes(browser, host, edition, page, scheme):
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    try:
        tab = context.new_page()
        tab.goto(host + address(edition, page))
        assert tab.evaluate("document.body.dataset.mdColorScheme") == SCHEMES[scheme]
        figures = tab.evaluate(COLOURS)
        assert figures and all(figure["parts"] for figure in figures)
        failures = [failure for figure in figures for failure in low_contrast(figure)]
        assert not failures, "\n".join(failures)
    finally:
        context.close()


@browser_test
def test_contrast_follows_materials_colour_toggle_not_only_the_system(browser, host):
    """A reader on a light system who switches Material to dark colours gets light lines."""
    context = browser.new_context(viewport=PHONE, color_scheme="light")
    try:
        tab = context.new_page()
        tab.goto(host + page_url("nerve-pain/warning-signs.md"))
        tab.locator("label[for='__palette_1']").first.click()
        tab.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
        figures = tab.evaluate(COLOURS)
        assert figures and not [failure for figure in figures for failure in low_contrast(figure)]
        assert luminance(rgb(figures[0]["ink"])) > 0.5, "the lines did not turn light with the toggle"
    finally:
        context.close()


# A line of words that starts inside a drawn box (a <rect> wider than a word) ends inside it.
OUTSIDE = """() => [...document.querySelectorAll("figure.illustration svg text")].flatMap((t) => {
    const b = t.getBBox(), v = t.ownerSVGElement.viewBox.baseVal, x = t.x.baseVal[0].value, y = t.y.baseVal[0].value;
    const out = [];
    if (b.x < v.x - 0.5 || b.x + b.width > v.x + v.width + 0.5 || b.y < v.y - 0.5 || b.y + b.height > v.y + v.height + 0.5)
        out.push(`${t.textContent}: outside the picture`);
    for (const r of t.ownerSVGElement.querySelectorAll("rect")) {
        const box = {x: r.x.baseVal.value, y: r.y.baseVal.value, w: r.width.baseVal.value, h: r.height.baseVal.value};
        const edge = parseFloat(getComputedStyle(r).strokeWidth) / 2;
        if (r.closest("defs") || box.w < 60 || x < box.x || x > box.x + box.w || y < box.y || y > box.y + box.h) continue;
        if (b.x < box.x + edge || b.x + b.width > box.x + box.w - edge || b.y < box.y || b.y + b.height > box.y + box.h)
            out.push(`${t.textContent}: outside its box`);
    }
    return out;
})"""


@browser_test
@pytest.mark.parametrize(("edition", "page"), PICTURE_PAGES, ids=lambda value: str(value))
def test_pictures_fit_a_320_px_screen_with_readable_words(browser, host, edition, page):
    context = browser.new_context(viewport=NARROW)
    try:
        tab = context.new_page()
        tab.goto(host + address(edition, page))
        assert tab.evaluate("document.documentElement.scrollWidth") <= 320, "the page scrolls sideways"
        boxes = tab.eval_on_selector_all("figure.illustration svg", "s => s.map(e => e.getBoundingClientRect().toJSON())")
        assert boxes
        for box in boxes:
            assert box["left"] >= 0 and box["right"] <= 320, box
            assert box["width"] / VIEWBOX_WIDTH * FONT_SIZE >= 12, f"words under 12 px: {box['width']} px wide"
        # No label runs outside its picture (a clipped word is a lost word), or out of its box.
        outside = tab.evaluate(OUTSIDE)
        assert not outside, f"words outside: {outside}"
    finally:
        context.close()


@browser_test
@pytest.mark.parametrize(("edition", "page"), PICTURE_PAGES, ids=lambda value: str(value))
def test_pictures_print_with_their_words(browser, host, edition, page, tmp_path):
    context = browser.new_context(viewport={"width": 1000, "height": 900}, color_scheme="dark")
    try:
        tab = context.new_page()
        tab.goto(host + address(edition, page))
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
