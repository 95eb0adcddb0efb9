"""What a screen reader gets from the built HTML of every page: headings that never skip a
level, care cards that announce their severity first, "do not" items that are read as
"do not", and decorations that stay silent. Checked on the build (what the reader is
served), not on the Markdown, so theme templates and snippets are covered too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, DOCS

# Every page as MkDocs writes it (directory URLs), plus the 404 page.
PAGES = sorted(p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.rglob("*.md"))
CARD_PREFIXES = {
    "care-card--non-urgent": "Non-urgent advice: ",
    "care-card--urgent": "Urgent advice: ",
    "care-card--emergency": "Immediate action required: ",
}


def built_file(site: Path, page: str) -> Path:
    if page == "404":
        return site / "404.html"
    if page == "index" or page.endswith("/index"):
        return site / page[: -len("index")] / "index.html"
    return site / page / "index.html"


def soup_of(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup(built_file(site, page).read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("page", PAGES + ["404"])
def test_headings_start_at_h1_and_never_skip_a_level(built_site, page):
    soup = soup_of(built_site, page)
    levels = [(int(h.name[1]), " ".join(h.get_text(" ").split())[:60]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert levels and levels[0][0] == 1, f"the first heading is not an h1: {levels[:1]}"
    assert [level for level, _ in levels].count(1) == 1, "more than one h1"
    skips = [
        f"h{before} '{before_text}' then h{after} '{after_text}'"
        for (before, before_text), (after, after_text) in zip(levels, levels[1:])
        if after > before + 1
    ]
    assert not skips, f"heading levels skipped: {skips}"


@pytest.mark.parametrize("page", PAGES)
def test_care_cards_announce_their_severity_first(built_site, page):
    for card in soup_of(built_site, page).select(".care-card"):
        level = next((name for name in CARD_PREFIXES if name in card["class"]), None)
        assert level, f"a care card without a level: {card['class']}"
        heading = card.find(re.compile(r"^h[2-6]$"))
        assert heading is not None, f"{level} card has no heading"
        first = heading.find(True)
        assert first is not None and "visually-hidden" in (first.get("class") or []), (
            f"{level} card heading does not start with its hidden prefix"
        )
        assert first.get_text() == CARD_PREFIXES[level]
        assert heading.get_text().lstrip().startswith(CARD_PREFIXES[level])


def test_visually_hidden_text_is_not_removed_from_screen_readers():
    """display:none or visibility:hidden would hide the card prefixes from screen readers too."""
    css = (ROOT / "docs" / "assets" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    rule = re.search(r"\.visually-hidden\s*\{([^}]*)\}", css)
    assert rule, "no .visually-hidden rule in extra.css"
    assert "display: none" not in rule.group(1) and "visibility: hidden" not in rule.group(1)
    assert "clip" in rule.group(1) and "position: absolute" in rule.group(1)


@pytest.mark.parametrize("page", PAGES)
def test_every_do_not_item_starts_with_do_not(built_site, page):
    for block in soup_of(built_site, page).select(".admonition.dont"):
        items = block.select("li")
        assert items, "a do-not list with no items"
        for item in items:
            text = " ".join(item.get_text(" ").split())
            assert text.lower().startswith("do not "), f"'{text}' does not start with 'do not'"


def test_list_markers_of_do_and_do_not_lists_are_silent():
    """The tick and cross are drawn by CSS; an empty alternative text ("/ ''") keeps
    Chromium and other browsers from reading them out before each item."""
    css = (ROOT / "docs" / "assets" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    for kind in ("do", "dont"):
        rule = re.search(rf"\.md-typeset \.{kind} li::before \{{([^}}]*)\}}", css)
        assert rule, kind
        assert re.search(r'content:\s*"[^"]+"\s*/\s*""', rule.group(1)), f"{kind} marker is announced"
