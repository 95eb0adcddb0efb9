"""A clinic's own copy: one settings file gives every page the clinic's name and contact
details and every care card the clinic's numbers; bad settings stop with a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from clinic_settings import check_settings, contrast_ratio, main as check_clinic_main
from conftest import CLINIC_EXAMPLE, ROOT, load_mkdocs_config

CARD_LEVELS = ("non_urgent", "urgent", "emergency")


def _clinic() -> dict:
    return yaml.safe_load(CLINIC_EXAMPLE.read_text(encoding="utf-8").replace("INHERIT:", "inherit:"))["extra"]["clinic"]


def _care_card_wording() -> dict:
    return load_mkdocs_config()["extra"]["care_cards"]


def _pages(site: Path) -> list[Path]:
    return sorted(path for path in site.rglob("index.html"))


def _card_actions(soup: BeautifulSoup, level: str) -> list[str]:
    """The call to action of each card of one level, as a sighted reader sees it."""
    actions = []
    for heading in soup.select(f".care-card--{level.replace('_', '-')} .care-card__heading"):
        for hidden in heading.select(".visually-hidden"):
            hidden.extract()
        actions.append(" ".join(heading.get_text(" ").split()))
    return actions


def _expected_clinic_action(level: str) -> str:
    clinic = _clinic()
    line = _care_card_wording()["clinic"][level]
    for field, value in clinic.items():
        line = line.replace("{" + field + "}", str(value))
    return line


# ---------------------------------------------------------------- the settings check

def test_the_example_settings_pass_the_check():
    assert check_settings(CLINIC_EXAMPLE) == []


def _settings_with(tmp_path: Path, old: str, new: str) -> Path:
    text = CLINIC_EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "clinic.yml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_brand_colour_too_light_for_white_text_is_refused_at_its_line(tmp_path):
    path = _settings_with(tmp_path, 'colour: "#00594f"', 'colour: "#ffcc00"')
    problems = check_settings(path, ROOT / "docs")
    assert [p.rule for p in problems] == ["clinic-colour"]
    line = path.read_text(encoding="utf-8").splitlines()[problems[0].line - 1]
    assert line.strip().startswith("colour:")
    assert "contrast of 1.5 to 1" in problems[0].message and "darker" in problems[0].message


def test_a_missing_emergency_number_is_refused(tmp_path):
    path = _settings_with(tmp_path, 'emergency_number: "999"', 'emergency_number: ""')
    messages = [p.message for p in check_settings(path, ROOT / "docs")]
    assert any("emergency_number" in m and "emergency care card" in m for m in messages), messages


def test_site_url_must_be_https_and_end_with_a_slash(tmp_path):
    path = _settings_with(tmp_path, "site_url: https://clinic.example/patient-info/", "site_url: http://clinic.example/patient-info")
    assert [p.rule for p in check_settings(path, ROOT / "docs")] == ["clinic-url"]


def test_unreadable_settings_exit_2_with_a_message(tmp_path, capsys):
    path = tmp_path / "broken.yml"
    path.write_text("extra: [\n", encoding="utf-8")
    assert check_clinic_main([str(path)]) == 2
    assert "cannot read the clinic settings" in capsys.readouterr().err
    assert check_clinic_main([]) == 2


def test_problems_exit_1_and_print_path_line_column(tmp_path, capsys):
    path = _settings_with(tmp_path, 'colour: "#00594f"', 'colour: "#ffcc00"')
    assert check_clinic_main([str(path)]) == 1
    output = capsys.readouterr().out
    assert f"{path}:" in output and ": error clinic-colour: " in output


def test_problems_print_as_the_checker_prints_them_in_json_and_github_formats(tmp_path, capsys):
    """The same Finding and formats as scripts/check.py: one record, one output contract."""
    path = _settings_with(tmp_path, 'colour: "#00594f"', 'colour: "#ffcc00"')
    assert check_clinic_main(["--format", "json", str(path)]) == 1
    [record] = json.loads(capsys.readouterr().out)
    assert record["rule"] == "clinic-colour" and record["severity"] == "error" and record["line"] > 1
    assert record["link"].startswith("HOSTING.md#")
    assert check_clinic_main(["--format", "github", str(path)]) == 1
    assert capsys.readouterr().out.startswith(f"::error file={path},line={record['line']},")
    assert check_clinic_main(["--format", "json", str(CLINIC_EXAMPLE)]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert check_clinic_main(["--format", "xml", str(CLINIC_EXAMPLE)]) == 2


@pytest.mark.parametrize(
    "first, second, expected",
    [("#ffffff", "#000000", 21.0), ("#ffffff", "#ffffff", 1.0), ("#767676", "#ffffff", 4.54)],
)
def test_contrast_ratio_follows_wcag(first, second, expected):
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)


# ---------------------------------------------------------------- the clinic's copy

def test_every_page_of_the_clinic_copy_shows_its_name_and_phone(clinic_site):
    clinic = _clinic()
    missing = []
    for page in _pages(clinic_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        contact = soup.select_one("footer .clinic-contact")
        if contact is None or clinic["name"] not in contact.get_text() or not contact.select_one(f'a[href="tel:{clinic["phone"].replace(" ", "")}"]'):
            missing.append(page.relative_to(clinic_site).as_posix())
    assert not missing, f"pages without the clinic's name and phone: {missing}"


@pytest.mark.parametrize("level", CARD_LEVELS)
def test_every_care_card_of_the_clinic_copy_shows_the_clinics_numbers(clinic_site, level):
    expected = _expected_clinic_action(level)
    cards = 0
    for page in _pages(clinic_site):
        for action in _card_actions(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser"), level):
            cards += 1
            assert action == expected, f"{page.relative_to(clinic_site)}: {action!r}"
    assert cards >= 2, f"no {level} cards found"


def test_the_neutral_copy_keeps_the_neutral_wording_and_no_clinic_details(built_site):
    neutral = _care_card_wording()["neutral"]
    for page in _pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.select_one(".clinic-contact") is None
        for level in CARD_LEVELS:
            for action in _card_actions(soup, level):
                assert action == neutral[level], f"{page.relative_to(built_site)}: {action!r}"


def test_the_clinic_copy_uses_its_name_logo_and_public_address(clinic_site):
    soup = BeautifulSoup((clinic_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "Riverside Physiotherapy" in soup.title.get_text()
    assert soup.select_one(".md-logo img")["src"].endswith("assets/clinic-logos/example.svg")
    assert (clinic_site / "assets" / "clinic-logos" / "example.svg").is_file()
    assert "https://clinic.example/patient-info/" in (clinic_site / "sitemap.xml").read_text(encoding="utf-8")
