"""A clinic approves its Spanish pages too (scripts/reviews.py): `make sign-off CLINIC=...
PAGE=docs-es/...` records an approval of the Spanish page as its build reads it (its file and the
snippets it includes, snippets/es first), kept apart from the approval of the English page at
the same address; `clinic-check` with require_local_approval wants every page of every language
the clinic lists; the report lists the Spanish pages; and the theme shows the clinic's approval
of the Spanish page on the Spanish page, never the English page's. In a small tree, no build:
the theme's partial is rendered directly with the generated review data."""

from __future__ import annotations

import csv
import datetime as dt
import io

import jinja2
import pytest
import yaml

import reviews
import translations
from check_tree import SiteTree, page
from conftest import ROOT

CLINIC = "clinics/riverside.yml"
APPROVALS = "clinics/riverside.reviews.yml"
LEAD = "Kim Park, clinical lead"
SIGNED = dt.date(2026, 11, 1)
SPANISH = {  # docs-relative name -> body; simple words, as the reading-ease rule wants
    "index.md": "Lea esta guía. Es para usted.",
    "a.md": "## Primera parte\n\nEsta es la página A. Es corta.",
    "sub/b.md": "## Segunda parte\n\nEsta es la página B.\n\n--8<-- \"cards/card.md\"",
}
UI = yaml.load((ROOT / "mkdocs.es.yml").read_text(encoding="utf-8"), Loader=reviews.TagIgnoringLoader)["extra"]["ui"]


@pytest.fixture
def tree(tmp_path) -> SiteTree:
    """The checker's small tree in English and Spanish: page B shows a care card, which the
    Spanish build reads from snippets/es/ (mkdocs.es.yml's base_path, snippets/es first)."""
    tree = SiteTree(tmp_path / "site")
    tree.write("snippets/cards/card.md", "Call your physiotherapist if:\n")
    tree.write("snippets/es/cards/card.md", "Llame a su fisioterapeuta si:\n")
    tree.append("docs/sub/b.md", '--8<-- "cards/card.md"')
    tree.write_config(extra={"alternate": [{"name": "English", "link": "./", "lang": "en"},
                                           {"name": "Español", "link": "es/", "lang": "es"}]})
    tree.write("mkdocs.es.yml", yaml.safe_dump({
        "INHERIT": "mkdocs.yml", "docs_dir": "docs-es", "theme": {"language": "es"},
        "markdown_extensions": [{"pymdownx.snippets": {"base_path": ["snippets/es", "snippets"], "check_paths": True}}],
        "nav": ["index.md", {"Página A": "a.md"}, {"Sección": ["sub/b.md"]}],
        "extra": {"ui": UI},
    }, sort_keys=False, allow_unicode=True))
    for name, body in SPANISH.items():
        tree.write(f"docs-es/{name}", f"---\ntitle: Página {name}\n---\n\n# Página\n\n{body}\n")
        translations.stamp(tree.root, f"docs-es/{name}", by="Ana Ruiz")
    return tree


def add_clinic(tree: SiteTree, languages: list[str] | None = ("en", "es"), require: bool = False,
               name: str = "Riverside Physiotherapy") -> None:
    clinic = {"name": name, "phone": "01632 960 123", "require_local_approval": require}
    if languages:
        clinic["languages"] = list(languages)
    tree.write(CLINIC, yaml.safe_dump({"INHERIT": "../mkdocs.yml", "extra": {"clinic": clinic}}, allow_unicode=True))


def approve(tree: SiteTree, page_file: str) -> str:
    return reviews.sign_off(tree.root, page_file, LEAD, clinic_settings=CLINIC, today=SIGNED)


def state_of(tree: SiteTree) -> dict:
    """The theme's review data, read back as the theme reads it (a Jinja import)."""
    reviews.write_state_file(tree.root)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tree.root / "overrides")))
    module = environment.get_template("generated/review-state.html").module
    return {"clinics": module.clinics, "translations": module.clinic_translations}


def spanish_state(tree: SiteTree, address: str) -> str | None:
    entry = state_of(tree)["translations"].get("Riverside Physiotherapy", {}).get("es", {}).get(address)
    return entry["state"] if entry else None


def text_of(tree: SiteTree, path: str = APPROVALS) -> str:
    return (tree.root / path).read_text(encoding="utf-8")


# ---------------------------------------------------------------- sign-off and records

def test_a_sign_off_of_a_spanish_page_records_the_spanish_page_and_its_spanish_snippets(tree):
    add_clinic(tree)
    said = approve(tree, "docs-es/sub/b.md")
    assert said.startswith("Approved docs-es/sub/b.md for use at Riverside Physiotherapy by Kim Park, clinical lead "
                           "on 1 November 2026.")
    clinic = reviews.load_clinic(tree.root, CLINIC)
    assert clinic.approvals.pages == {}, "an approval of the Spanish page is not one of the English page"
    record = clinic.translations["es"].pages["sub/b.md"]
    assert list(record.files) == ["docs-es/sub/b.md", "snippets/es/cards/card.md"]
    assert (record.by, record.date) == (LEAD, SIGNED)
    assert state_of(tree)["translations"] == {"Riverside Physiotherapy": {"es": {"sub/b/": {
        "state": "approved", "by": LEAD, "registration": "", "approved": "1 de noviembre de 2026"}}}}
    assert state_of(tree)["clinics"] == {"Riverside Physiotherapy": {}}


def test_the_english_and_the_spanish_page_of_one_address_are_approved_apart_and_old_files_load_unchanged(tree):
    add_clinic(tree)
    approve(tree, "docs/sub/b.md")
    english_only = text_of(tree)
    assert "translations:" not in english_only
    clinic = reviews.load_clinic(tree.root, CLINIC)
    assert reviews.render_clinic_records(clinic, clinic.approvals, clinic.own, clinic.translations) == english_only
    approve(tree, "docs-es/sub/b.md")
    both = text_of(tree)
    assert both.startswith(english_only), "the Spanish approval is added after the English, which stays as it was"
    assert both[len(english_only):].startswith("\ntranslations:\n\n  es:\n\n    sub/b.md:\n      by: \"Kim Park, clinical lead\"\n")
    clinic = reviews.load_clinic(tree.root, CLINIC)
    assert list(clinic.approvals.pages["sub/b.md"].files) == ["docs/sub/b.md", "snippets/cards/card.md"]
    assert list(clinic.translations["es"].pages["sub/b.md"].files) == ["docs-es/sub/b.md", "snippets/es/cards/card.md"]
    assert reviews.render_clinic_records(clinic, clinic.approvals, clinic.own, clinic.translations) == both
    assert [f for f in tree.check() if f.rule == "review-record"] == []


@pytest.mark.parametrize("edit, changed", [
    ("docs-es/sub/b.md", "docs-es/sub/b.md changed"),
    ("snippets/es/cards/card.md", "snippets/es/cards/card.md changed"),
])
def test_a_change_to_the_spanish_page_or_a_spanish_snippet_shows_changed_since_approval(tree, edit, changed):
    add_clinic(tree)
    approve(tree, "docs-es/sub/b.md")
    tree.append(edit, "Una frase nueva.")
    assert spanish_state(tree, "sub/b/") == "changed"
    assert reviews.clinic_check(tree.root, CLINIC) == (0, [
        f"docs-es/sub/b.md: warning local-approval: changed since approval on 2026-11-01: {changed} "
        "by Riverside Physiotherapy"])
    approve(tree, "docs-es/sub/b.md")
    assert spanish_state(tree, "sub/b/") == "approved"


def test_the_english_card_the_spanish_build_never_reads_changes_no_spanish_approval(tree):
    add_clinic(tree)
    approve(tree, "docs-es/sub/b.md")
    tree.write("snippets/cards/card.md", "Call your GP if:\n")
    assert spanish_state(tree, "sub/b/") == "approved"


def snapshot(tree: SiteTree) -> dict[str, bytes | None]:
    paths = [APPROVALS, reviews.RECORDS_FILE, reviews.STATE_FILE]
    return {path: (tree.root / path).read_bytes() if (tree.root / path).exists() else None for path in paths}


@pytest.mark.parametrize("languages, clinic, page_file, message", [
    (("en", "es"), "", "docs-es/a.md",
     "sign-off: nothing written: docs-es/a.md is a translation: the guide records a fluent clinician's check of its "
     "meaning in its front matter, translation_review: {by: \"Name, role\", on: YYYY-MM-DD}"),
    (None, CLINIC, "docs-es/a.md",
     "sign-off: nothing written: docs-es/a.md: Riverside Physiotherapy's copy is not in Español (es): add it to "
     "`languages:` under `extra: clinic:` in clinics/riverside.yml first, for example languages: [en, es]"),
    (("en", "es"), CLINIC, "docs-es/nowhere.md",
     "sign-off: nothing written: docs-es/nowhere.md: there is no such page under docs-es/ (name its .md file, "
     "for example PAGE=docs-es/nerve-pain/causes.md)"),
])
def test_a_spanish_sign_off_that_cannot_be_recorded_is_refused_with_one_line(tree, capsys, languages, clinic,
                                                                              page_file, message):
    add_clinic(tree, languages)
    before = snapshot(tree)
    status = reviews.main(["--root", str(tree.root), "sign-off", "--page", page_file, "--by", LEAD, "--clinic", clinic])
    err = capsys.readouterr().err
    assert status == 1 and len(err.splitlines()) == 1, err
    assert err.startswith(message), err
    assert snapshot(tree) == before


def test_an_approval_of_a_spanish_page_that_is_gone_is_a_review_record_error(tree):
    add_clinic(tree)
    approve(tree, "docs-es/a.md")
    (tree.root / "docs-es/a.md").unlink()
    [found] = [f for f in tree.check() if f.rule == "review-record"]
    assert (found.path, found.line, found.severity) == (APPROVALS, tree.line_of(APPROVALS, "    a.md:"), "error")
    assert found.message.startswith("there is no page docs-es/a.md")


@pytest.mark.parametrize("edit, at, problem", [
    (("  es:\n", "  Spanish:\n"), "  Spanish:", "`translations: Spanish:` must be a language code (es) that maps each page"),
    (("    fingerprint: ", "    fingerprint: 0"), "    a.md:", "the record of a.md: `fingerprint` is not a SHA-256"),
])
def test_a_hand_edited_spanish_approval_is_reported_at_its_line(tree, edit, at, problem):
    add_clinic(tree)
    approve(tree, "docs-es/a.md")
    tree.write(APPROVALS, text_of(tree).replace(*edit))
    [found] = [f for f in tree.check() if f.rule == "review-record"]
    assert (found.path, found.line) == (APPROVALS, tree.line_of(APPROVALS, at))
    assert found.message.startswith(problem), found.message


# ---------------------------------------------------------------- clinic-check and the report

def test_require_local_approval_wants_the_spanish_pages_only_when_the_clinic_lists_spanish(tree):
    add_clinic(tree, require=True)
    for name in SPANISH:
        approve(tree, f"docs/{name}")
    status, lines = reviews.clinic_check(tree.root, CLINIC)
    assert status == 1
    assert lines[0].startswith(f"{CLINIC}: error local-approval: require_local_approval is true and 3 pages lack a "
                               "current approval by Riverside Physiotherapy.")
    assert f"`make sign-off CLINIC={CLINIC} PAGE=<file> BY=\"Name, role\"`" in lines[0]
    assert lines[1:] == ["  docs-es/index.md: not approved", "  docs-es/a.md: not approved",
                         "  docs-es/sub/b.md: not approved"]
    add_clinic(tree, languages=["en"], require=True)
    assert reviews.clinic_check(tree.root, CLINIC) == (0, []), "a copy in English only publishes no Spanish page"
    add_clinic(tree, require=False)
    assert reviews.clinic_check(tree.root, CLINIC) == (0, []), "without require_local_approval nothing stops"
    add_clinic(tree, require=True)
    for name in SPANISH:
        approve(tree, f"docs-es/{name}")
    assert reviews.clinic_check(tree.root, CLINIC) == (0, [])


def test_the_report_lists_the_spanish_pages_with_their_translation_review_and_approval(tree, tmp_path):
    add_clinic(tree)
    approve(tree, "docs-es/a.md")
    output = tmp_path / "report.csv"
    assert reviews.main(["--root", str(tree.root), "report", "--clinic", CLINIC, "--output", str(output)]) == 0
    rows = {row["page"]: row for row in csv.DictReader(io.StringIO(output.read_text(encoding="utf-8")))}
    assert list(rows) == ["docs/index.md", "docs/a.md", "docs/sub/b.md",
                          "docs-es/index.md", "docs-es/a.md", "docs-es/sub/b.md"]
    spanish = rows["docs-es/a.md"]
    assert (spanish["title"], spanish["state"], spanish["what_changed"]) == ("Página a.md", "translation not reviewed", "")
    assert (spanish["approval"], spanish["approved_by"], spanish["approved_on"]) == ("approved", LEAD, "2026-11-01")
    assert rows["docs/a.md"]["approval"] == "not approved", "the Spanish approval is not the English page's"
    assert rows["docs-es/index.md"]["approval"] == "not approved"


# ---------------------------------------------------------------- the theme

def review_line(tree: SiteTree, language: str, address: str, clinic: str = "Riverside Physiotherapy") -> str:
    """The review line of partials/source-file.html, rendered as a clinic's build of that language
    renders it, with the tree's generated review data."""
    reviews.write_state_file(tree.root)
    environment = jinja2.Environment(autoescape=False, loader=jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(str(tree.root / "overrides")), jinja2.FileSystemLoader(str(ROOT / "overrides"))]))
    translated = {"translation_of": "docs/sub/b.md", "translated_by": "Ana Ruiz",
                  "translation_review": "not reviewed"} if language == "es" else {}
    html = environment.get_template("partials/source-file.html").render(
        config={"site_url": "", "theme": {"language": language},
                "extra": {"clinic": {"name": clinic}, "ui": UI if language == "es" else {},
                          "alternate": [{"name": "English", "link": "../", "lang": "en"},
                                        {"name": "Español", "link": "./", "lang": "es"}]}},
        page={"meta": translated, "url": address}, base_url="..")
    return " ".join(html.split())


def test_a_spanish_page_shows_the_clinics_approval_of_the_spanish_page_in_spanish(tree):
    add_clinic(tree)
    approve(tree, "docs/sub/b.md")
    assert "Aprobada para su uso" not in review_line(tree, "es", "sub/b/"), "never the English page's approval"
    assert "Approved for use" not in review_line(tree, "es", "sub/b/")
    approve(tree, "docs-es/sub/b.md")
    spanish = review_line(tree, "es", "sub/b/")
    assert ("Aprobada para su uso en Riverside Physiotherapy por Kim Park, clinical lead el 1 de noviembre de "
            "2026.") in spanish
    assert "Approved for use" not in spanish
    assert "Approved for use at Riverside Physiotherapy by Kim Park, clinical lead on 1 November 2026." \
        in review_line(tree, "en", "sub/b/")
    tree.append("snippets/es/cards/card.md", "Una línea nueva.")
    changed = review_line(tree, "es", "sub/b/")
    assert "Cambiada desde que Riverside Physiotherapy la aprobó el 1 de noviembre de 2026." in changed
    assert "Aprobada para su uso" not in changed
    assert "Approved for use" in review_line(tree, "en", "sub/b/"), "a Spanish card is not the English page's"


def test_a_spanish_page_the_clinic_has_not_approved_claims_no_approval(tree):
    add_clinic(tree)
    approve(tree, "docs/a.md")
    approve(tree, "docs-es/sub/b.md")
    line = review_line(tree, "es", "a/")
    assert "page-review__approval" not in line and "Aprobada" not in line and "Approved" not in line


def test_the_clinics_name_in_the_spanish_approval_is_escaped(tree):
    add_clinic(tree, name="Ribera & Hijos")
    approve(tree, "docs-es/a.md")
    assert "Aprobada para su uso en Ribera &amp; Hijos por" in review_line(tree, "es", "a/", clinic="Ribera & Hijos")
