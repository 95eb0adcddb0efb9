"""The warning signs have one source (data/warning-signs.yml): the care cards and the
"normal or warning sign" tables are made from it, so a sign cannot be on a card at one
level and in a table at another, or on a card and missing from the table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

import generate
import warning_signs
from conftest import DOCS, ROOT, page_url, split_front_matter

# Each warning-sign page and the topic of the table it shows.
TABLE_PAGES = {"nerve-pain/warning-signs.md": "nerve", "dry-needling/when-to-get-help.md": "needling"}
SNIPPET_LINE = re.compile(r'^--8<-- "cards/([^"]+)"\s*$', re.MULTILINE)


def words(text: str) -> str:
    return " ".join(text.split()).lower()


def built(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page_url(page) / "index.html").read_text(encoding="utf-8"), "html.parser")


def card_level(card) -> str:
    css = next(c for c in card["class"] if c.startswith("care-card--"))
    return css.removeprefix("care-card--").replace("-", "_")


def cards_on(soup: BeautifulSoup) -> dict[str, list[str]]:
    """Each card level on a built page -> the text of every sign (list item) on its cards."""
    signs: dict[str, list[str]] = {}
    for card in soup.select(".care-card"):
        signs.setdefault(card_level(card), []).extend(words(li.get_text(" ")) for li in card.select("li"))
    return signs


def table_on(soup: BeautifulSoup, data: dict) -> list[tuple[str, str]]:
    """(what you notice, level) for each row of the built page's warning-sign table (its
    usually-normal part and its warning part, which print leaves to the cards)."""
    level_of = {words(label): level for level, label in data["levels"].items()}
    tables = [t for t in soup.select("article table") if [words(th.get_text()) for th in t.select("th")] == ["what you notice", "what to do"]]
    assert len(tables) == 2, "a 'What you notice | What to do' table in two parts"
    assert tables[1].find_parent(class_="sign-table-warnings"), "the warning part is the one paper leaves to the cards"
    rows = []
    for row in (row for table in tables for row in table.select("tbody tr")):
        notice, action = (words(td.get_text(" ")) for td in row.select("td"))
        assert action in level_of, f"the row '{notice}' names no level of help: '{action}'"
        rows.append((notice, level_of[action]))
    return rows


def card_text_of_row(data: dict, topic: str) -> dict[str, list[str]]:
    """The words of each table row of a topic -> the words on the card of each sign in it."""
    rows: dict[str, list[str]] = {}
    for groups in data["cards"][topic].values():
        for group in groups:
            for sign in group["signs"]:
                rows.setdefault(words(warning_signs.table_words(sign)), []).append(words(sign["text"]))
    return rows


@pytest.fixture(scope="module")
def data() -> dict:
    return warning_signs.load()


# ---------------------------------------------------------------- one source

@pytest.mark.parametrize("page, topic", TABLE_PAGES.items())
def test_every_sign_in_the_table_is_on_a_card_of_the_same_level(built_site, data, page, topic):
    soup = built(built_site, page)
    cards, on_card = cards_on(soup), card_text_of_row(data, topic)
    for notice, level in table_on(soup, data):
        if level == "normal":
            continue
        assert notice in on_card, f"{page}: the table row '{notice}' is not a sign of data/warning-signs.yml"
        for sign in on_card[notice]:
            assert sign in cards.get(level, []), f"{page}: '{sign}' is '{level}' in the table but not on the {level} card"


@pytest.mark.parametrize("page, topic", TABLE_PAGES.items())
def test_no_sign_on_a_card_is_missing_from_the_table(built_site, data, page, topic):
    soup = built(built_site, page)
    on_card = card_text_of_row(data, topic)
    in_table = {(sign, level) for notice, level in table_on(soup, data) for sign in on_card.get(notice, [])}
    missing = [(level, sign) for level, signs in cards_on(soup).items() for sign in signs if (sign, level) not in in_table]
    assert not missing, f"{page}: card signs missing from the table: {missing}"


@pytest.mark.parametrize("page, topic", TABLE_PAGES.items())
def test_the_table_opens_with_what_is_usually_normal(built_site, data, page, topic):
    rows = table_on(built(built_site, page), data)
    normal = [words(entry["text"]) for entry in data["normal"][topic]]
    assert rows[: len(normal)] == [(text, "normal") for text in normal]
    assert all(level != "normal" for _, level in rows[len(normal):])


@pytest.mark.parametrize("page", TABLE_PAGES)
def test_a_warning_page_has_one_card_of_each_level(built_site, page):
    levels = [card_level(card) for card in built(built_site, page).select(".care-card")]
    assert sorted(levels) == sorted(warning_signs.LEVELS)


def test_the_cards_and_tables_are_up_to_date_with_the_data_file():
    stale = [path.relative_to(ROOT).as_posix() for path, text in
             warning_signs.expected_outputs(generate.load_references()).items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert not stale, f"out of date with data/warning-signs.yml (run `make generate`): {stale}"


def test_every_card_file_is_made_from_the_data_file():
    made = {path.name for path in warning_signs.expected_outputs() if path.parent == warning_signs.CARDS_DIR}
    assert {path.name for path in warning_signs.CARDS_DIR.glob("*.md")} == made


def test_a_page_that_shows_a_card_lists_the_sources_of_its_signs():
    sources = warning_signs.card_sources()
    for path in sorted(DOCS.rglob("*.md")):
        front, body = split_front_matter(path.read_text(encoding="utf-8"))
        for card in SNIPPET_LINE.findall(body):
            missing = sources[card] - set(front.get("sources") or [])
            assert not missing, f"{path.relative_to(ROOT)} shows {card}; add {sorted(missing)} to its sources"


def test_emergency_cards_are_never_folded_away_and_have_no_links(built_site):
    for path in built_site.rglob("*.html"):
        for card in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select(".care-card--emergency"):
            assert not card.find_parent("details"), f"{path}: an emergency card inside a collapsed block"
            assert not card.find("a"), f"{path}: a link on an emergency card"


# ---------------------------------------------------------------- the data file

def test_every_emergency_and_urgent_sign_names_a_source(data):
    for topic, cards in data["cards"].items():
        for level in warning_signs.SOURCED_LEVELS:
            for group in cards[level]:
                for sign in group["signs"]:
                    assert sign.get("sources"), f"{topic} {level}: '{sign['text']}' has no source"


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = warning_signs.SIGNS_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "warning-signs.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, text: str) -> int:
    """The line of the last occurrence of a text (the changed one, when a change repeats a line)."""
    return max(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


@pytest.mark.parametrize("old, new, message", [
    ("            sources: [royal-free-ces]\n", "            sources: []\n", "needs sources"),
    ("sources: [royal-free-ces]", "sources: [royal-free-2099]", "no reference royal-free-2099"),
    ("    non_urgent:\n      - signs:", "    routine:\n      - signs:", "unknown level 'routine'"),
    ("table: Sex feels different", "table: Pain so bad you cannot sleep or cope", "a row at level emergency too"),
])
def test_a_mistake_in_the_data_file_is_one_message_with_its_line(tmp_path, old, new, message):
    path = _broken(tmp_path, old, new)
    with pytest.raises(warning_signs.DataError) as error:
        warning_signs.load(path, generate.load_references())
    text = str(error.value)
    assert message in text, text
    changed = _line_of(path, new.strip().splitlines()[0])
    line = int(re.match(rf"{re.escape(str(path))}:(\d+): ", text).group(1))
    assert changed - 3 <= line <= changed + 1, f"{text} (the change is on line {changed})"


def test_broken_yaml_in_the_data_file_stops_generate_with_a_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    path = _broken(tmp_path, "levels:\n", "levels: [\n")
    monkeypatch.setattr(warning_signs, "SIGNS_FILE", path)
    assert generate.main(["--check"]) == 2
    error = capsys.readouterr().err
    assert str(path) in error and "not valid YAML" in error and "Traceback" not in error


def test_a_card_keeps_the_care_card_markup(data):
    card = warning_signs.render_card("urgent", [{"intro": "After dry needling:", "signs": [{"text": "a sign"}]}])
    assert '<div class="care-card care-card--urgent" markdown>' in card
    assert '<span class="visually-hidden">Urgent advice: </span>' in card
    assert '--8<-- "contact/urgent-action.md"' in card
    assert "\nAfter dry needling:\n\n- a sign\n" in card


def test_the_data_file_is_plain_yaml():
    assert yaml.safe_load(warning_signs.SIGNS_FILE.read_text(encoding="utf-8"))["cards"]


# ---------------------------------------------------------------- on paper

@pytest.mark.browser
@pytest.mark.parametrize("page", TABLE_PAGES)
def test_on_paper_the_cards_carry_the_warning_signs_and_the_table_keeps_what_is_normal(browser, site_server, page):
    tab = browser.new_page()
    try:
        tab.goto(site_server + page_url(page))
        tab.emulate_media(media="print")
        assert not tab.locator(".sign-table-warnings").is_visible()
        assert tab.locator("article table").first.is_visible(), "the usually-normal rows print"
        assert tab.locator("p.print-only", has_text="cards").is_visible(), "paper says where the signs are"
        signs = tab.locator(".care-card li")
        assert signs.count() > 0 and all(signs.nth(i).is_visible() for i in range(signs.count()))
    finally:
        tab.close()
