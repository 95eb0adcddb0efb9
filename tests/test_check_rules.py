"""The checker's content rules, each with a failing and a passing example on a small tree."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from check_tree import SiteTree, front_matter, page
from checker.config import load_settings
from checker.engine import run_checks
from checker.rules.generated import failed_file
from conftest import ROOT

DESCRIPTION_MAX = load_settings(ROOT).description_max  # data/checker.yml


@pytest.fixture
def tree(tmp_path) -> SiteTree:
    return SiteTree(tmp_path / "site")


# ---------------------------------------------------------------- external links

@pytest.mark.parametrize("link, problem", [
    ("[NICE](http://www.nice.org.uk/guidance)", "uses http"),
    ("[spam](https://example.com/x)", "example.com is not on the list"),
    ("[ftp](ftp://www.nice.org.uk/x)", "uses ftp:"),
    ("<a href=\"//www.nice.org.uk/\">NICE</a>", "has no scheme"),
    ("[NICE](HTTP://WWW.NICE.ORG.UK/)", "uses http"),
])
def test_external_links_must_be_https_to_an_allowed_domain(tree, link, problem):
    tree.append("docs/a.md", link)
    [found] = tree.findings("external-link")
    assert problem in found.message and found.path == "docs/a.md"


@pytest.mark.parametrize("link", [
    "[NICE](https://www.nice.org.uk/guidance/ng59)", "<https://doi.org/10.1/x>",
    "[mail](mailto:clinic@example.org)", "[phone](tel:+441234567890)",
])
def test_allowed_external_links_pass(tree, link):
    tree.append("docs/a.md", link)
    assert tree.check() == []


def test_the_blocked_domain_never_passes_even_when_allowed(tree):
    domains = tree.root / "data/external-domains.yml"
    domains.write_text(domains.read_text().replace("allowed:\n", "allowed:\n  nbapreview.theringer.com: oops\n"))
    tree.append("docs/a.md", "[a story](https://nbapreview.theringer.com/x), and in text: nbapreview.theringer.com.")
    found = tree.findings("external-link")
    assert [(f.path, f.line) for f in found] == [
        ("data/external-domains.yml", 5),
        ("docs/a.md", tree.line_of("docs/a.md", "[a story]")),
        ("docs/a.md", tree.line_of("docs/a.md", "[a story]")),
    ]
    assert all("blocked" in f.message for f in found)


def test_reference_urls_are_checked_in_the_reference_list(tree):
    tree.references["ref-a"]["url"] = "http://doi.org/10.1/a"
    tree.write_config()
    [found] = tree.findings("external-link")
    assert found.path == "data/references.yml" and "uses http" in found.message


def test_bare_urls_in_text_are_flagged_but_links_and_code_are_not(tree):
    tree.append("docs/a.md", "Go to https://www.nice.org.uk/x or www.nhsinform.scot today.")
    found = tree.findings("bare-url")
    assert [f.column for f in found] == [7, 36]
    tree.write("docs/a.md", page("Page A", """
        ## First part

        Back to the [start](index.md), [NICE](https://www.nice.org.uk/), <https://doi.org/1>,
        `https://www.nice.org.uk/in-code` and <a href="https://doi.org/2">a paper</a>.
    """))
    assert tree.check() == []


# ---------------------------------------------------------------- terminology

@pytest.mark.parametrize("text, expected", [
    ("We saw a physical therapist.", "Use 'physiotherapist' instead of 'physical therapist'"),
    ("Chronic pain is common.", "Use 'Long-term' instead of 'Chronic'"),
    ("The CLINICIAN said so.", "Use 'Healthcare professional' instead of 'CLINICIAN'"),
    ("Try dry-needling once.", "Use 'dry needling' instead of 'dry-needling'"),
    ("A [chronic](index.md) link text is prose.", "'chronic'"),
])
def test_discouraged_terms_are_reported_with_the_preferred_term(tree, text, expected):
    tree.append("docs/a.md", text)
    [found] = tree.findings("terminology")
    assert expected in found.message
    assert found.line == tree.line_of("docs/a.md", text)


def test_terminology_column_points_at_the_word(tree):
    tree.append("docs/a.md", "Some long-term and chronic pain.")
    [found] = tree.findings("terminology")
    assert found.column == len("Some long-term and ") + 1


@pytest.mark.parametrize("text", [
    "Synchronicity and chronically are other words.",  # word boundaries
    "`chronic` in code, and a [link](https://doi.org/chronic-pain).",
    "<!-- a chronic comment -->",
    "```\nchronic in a fence\n```",
    '<span class="chronic">tag attributes are not prose</span>',
    "<!-- vale NervePain.Terms = NO -->Doctors say chronic.<!-- vale NervePain.Terms = YES -->",
    "<!-- vale off -->\nDoctors say chronic.\n<!-- vale on -->",
    "A nerve glide {: #chronic }",
])
def test_terminology_skips_code_urls_comments_tags_and_switched_off_text(tree, text):
    tree.append("docs/a.md", text)
    assert tree.findings("terminology") == []


def test_terminology_is_back_on_after_the_switch(tree):
    tree.append("docs/a.md", "<!-- vale NervePain.Terms = NO -->chronic<!-- vale NervePain.Terms = YES --> and chronic.")
    [found] = tree.findings("terminology")
    assert found.column > 70


def test_terminology_checks_title_and_description_but_not_front_matter_keys(tree):
    tree.write("docs/a.md", front_matter("Chronic pain", description="About clinician visits.",
                                         chronic="a key")
               + "# Long-term pain\n\n[start](index.md)\n")
    found = tree.findings("terminology")
    assert [(f.line, f.column) for f in found] == [(2, 8), (3, 20)]


def test_terminology_reads_the_vale_rule_file(tree):
    rule = tree.root / "styles/NervePain/Terms.yml"
    rule.write_text(rule.read_text() + "  sore spot: trigger point\n")
    tree.append("docs/a.md", "A sore spot.")
    [found] = tree.findings("terminology")
    assert "'trigger point'" in found.message


def test_generated_glossary_may_name_the_words_we_do_not_use(tree):
    tree.write("snippets/generated/glossary.md", "## Long-term\n\nWe say long-term, not chronic.\n")
    tree.append("docs/index.md", '--8<-- "generated/glossary.md"')
    assert tree.check() == []


# ---------------------------------------------------------------- front matter and reviews

def test_missing_front_matter_fields_are_named_with_examples_to_copy(tree):
    tree.write("docs/a.md", "---\ntitle: Page A\n---\n\n# Page A\n\n[start](index.md)\n")
    [found] = tree.findings("front-matter")
    assert "'description', 'written', 'sources' are missing" in found.message
    assert "Add these lines: description: " in found.message
    # The date to copy is the day of the check (TODAY in check_tree.py).
    assert "written: 2026-11-23 | sources: " in found.message


def test_a_page_without_front_matter_is_reported(tree):
    tree.write("docs/a.md", "# Page A\n\n[start](index.md)\n")
    [found] = tree.findings("front-matter")
    assert "no front matter" in found.message


@pytest.mark.parametrize("fields, problem", [
    ({"written": "22 November 2026"}, "'written' is not a date"),
    ({"written": "2026-02-30"}, "'written' is not a date"),
    ({"written": dt.date(2027, 1, 1)}, "is in the future"),
    ({"description": "x" * (DESCRIPTION_MAX + 1)}, f"description is {DESCRIPTION_MAX + 1} characters"),
    ({"reviewed_by": "Dr A, physiotherapist"}, "'reviewed_by' no longer belongs in the front matter"),
    ({"last_reviewed": dt.date(2026, 11, 1)}, "'last_reviewed' no longer belongs in the front matter"),
    ({"next_review": dt.date(2027, 11, 1)}, "'next_review' no longer belongs in the front matter"),
    ({"sources": "ref-a"}, "'sources' is not a list"),
])
def test_front_matter_values_must_be_well_formed(tree, fields, problem):
    tree.write("docs/a.md", page("Page A", "[start](index.md)", **fields))
    found = tree.findings("front-matter")
    assert len(found) == 1 and problem in found[0].message, found


def test_a_description_of_the_longest_length_allowed_passes(tree):
    tree.write("docs/a.md", page("Page A", "[start](index.md)", description="x" * DESCRIPTION_MAX))
    assert tree.findings("front-matter") == []


def test_broken_yaml_front_matter_is_reported_at_its_line(tree):
    tree.write("docs/a.md", "---\ntitle: Page A\ndescription: [unclosed\n---\n\n# Page A\n")
    [found] = tree.findings("front-matter")
    assert found.line == 3 and "not valid YAML" in found.message


# ---------------------------------------------------------------- citations

def test_a_cited_key_must_exist_in_the_reference_list(tree):
    tree.write("docs/a.md", page("Page A", "[start](index.md)", sources=["ref-a", "ref-zz"]))
    [found] = tree.findings("citation")
    assert "'ref-zz' is not in data/references.yml" in found.message
    assert (found.line, found.column) == (tree.line_of("docs/a.md", "- ref-zz"), 3)


def test_every_reference_must_be_cited_somewhere(tree):
    tree.references["ref-b"] = {"citation": "Another.", "supports": "b"}
    tree.write_config()
    [found] = tree.findings("unused-reference")
    assert found.path == "data/references.yml" and "'ref-b'" in found.message
    tree.write("docs/a.md", page("Page A", "## First part\n\n[start](index.md)", sources=["ref-b"]))
    assert tree.check() == []


# ---------------------------------------------------------------- structure

def test_a_page_linked_only_from_the_navigation_is_an_orphan(tree):
    tree.write("docs/c.md", page("Page C", "[start](index.md)"))
    tree.nav.append("c.md")
    tree.write_config()
    [found] = tree.check()
    assert (found.path, found.rule) == ("docs/c.md", "orphan")
    tree.append("docs/a.md", "[C](c.md)")
    assert tree.check() == []


def test_a_link_from_the_page_itself_does_not_count(tree):
    tree.write("docs/c.md", page("Page C", "[me](c.md) [start](index.md)"))
    tree.nav.append("c.md")
    tree.write_config()
    assert [f.rule for f in tree.check()] == ["orphan"]


def test_a_page_missing_from_the_navigation_is_reported(tree):
    tree.nav.pop(1)
    tree.write_config()
    [found] = tree.check()
    assert (found.path, found.rule) == ("docs/a.md", "not-in-nav")


def test_not_in_nav_patterns_are_honoured(tree):
    tree.nav.pop(1)
    tree.write_config(not_in_nav="/a.md\n")
    assert tree.check() == []


def test_duplicate_titles_are_reported_on_the_later_page(tree):
    tree.write("docs/sub/b.md", page("Page A", "[A](../a.md)"))
    [found] = tree.findings("duplicate-title")
    assert found.path == "docs/sub/b.md" and "docs/a.md" in found.message


# ---------------------------------------------------------------- safety

@pytest.mark.parametrize("html", [
    "<script>alert(1)</script>", "<iframe src=\"https://doi.org/\"></iframe>", "<object data=\"x\"></object>",
    "<embed src=\"x.swf\">", "<style>body{}</style>", "<SCRIPT SRC=x></SCRIPT>",
    "<img src=\"x.png\" onerror=\"alert(1)\">", "[click](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))",
    "<a href=\"jav&#x61;script:alert(1)\">x</a>", "[pixel](data:image/png;base64,AAAA)",
])
def test_unsafe_raw_html_and_urls_are_errors(tree, html):
    tree.append("docs/a.md", html)
    found = tree.findings("unsafe-html")
    assert found and found[0].severity == "error" and found[0].path == "docs/a.md"


def test_safe_html_and_code_examples_pass(tree):
    tree.append("docs/a.md", '<div class="care-card" markdown>\n\nText with `<script>` in code.\n\n</div>\n\n'
                             '<span class="onion">not an event</span> <!-- <script> in a comment -->')
    assert tree.check() == []


def test_unsafe_html_in_a_snippet_is_reported_in_the_snippet(tree):
    tree.write("snippets/card.md", "<script>x</script>\n")
    tree.append("docs/index.md", '--8<-- "card.md"')
    tree.append("docs/a.md", '--8<-- "card.md"')
    assert [(f.path, f.rule) for f in tree.check()] == [("snippets/card.md", "unsafe-html")]


# ---------------------------------------------------------------- reading level

HARD = ("Notwithstanding considerable interindividual heterogeneity, neuropathic manifestations "
        "frequently necessitate multidisciplinary pharmacological intervention and comprehensive "
        "neurophysiological investigation. ") * 4
EASY = "You may feel a zap. It goes in a few minutes. Tell your physio if it stays. " * 4


def test_a_patient_page_above_the_reading_grade_is_an_error(tree):
    tree.append("docs/a.md", HARD)
    [found] = tree.findings("reading-level")
    assert found.path == "docs/a.md" and "aim for 8 or lower" in found.message


def test_a_plain_page_passes_and_exempt_pages_are_skipped(tree):
    tree.append("docs/a.md", EASY)
    assert tree.findings("reading-level") == []
    settings = tree.root / "data/checker.yml"
    settings.write_text(settings.read_text().replace("exempt: [about/sources.md]", "exempt: [a.md]"))
    tree.append("docs/a.md", HARD)
    assert tree.findings("reading-level") == []


def test_the_reading_grade_includes_care_cards(tree):
    tree.write("snippets/card.md", HARD)
    tree.append("docs/a.md", '--8<-- "card.md"')
    assert len(tree.findings("reading-level")) == 1


# ---------------------------------------------------------------- generated files

@pytest.fixture
def tree_with_generator(tree) -> SiteTree:
    for name in ("scripts/generate.py", "data/terms.yml", "styles/NervePain/Terms.yml",
                 "snippets/generated/glossary.md", "snippets/generated/abbreviations.md",
                 "snippets/generated/sources.md", "data/references.yml"):
        (tree.root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tree.root / name)
    return tree


def test_generated_files_up_to_date_pass(tree_with_generator):
    assert tree_with_generator.findings("generated") == []


def test_a_stale_generated_file_is_reported(tree_with_generator):
    terms = tree_with_generator.root / "data/terms.yml"
    terms.write_text(terms.read_text().replace("variants: [pain journal, pain log]",
                                               "variants: [pain journal, pain log, pain book]"))
    found = tree_with_generator.findings("generated")
    assert [f.path for f in found] == ["styles/NervePain/Terms.yml"]
    assert "differs from what data/terms.yml makes" in found[0].message
    assert "Edit data/terms.yml, then run `make generate`" in found[0].message


def test_a_generator_failure_names_the_generator_not_the_glossary_data(tree_with_generator):
    config = yaml.safe_load((tree_with_generator.root / "mkdocs.yml").read_text())
    config.setdefault("extra", {})["care_cards"] = {"neutral": ["not", "a", "mapping"]}
    tree_with_generator.write("mkdocs.yml", yaml.safe_dump(config, sort_keys=False))
    [found] = tree_with_generator.findings("generated")
    assert found.path == "scripts/generate.py" and "cannot compare the generated files" in found.message


@pytest.mark.parametrize("error, where", [
    (ValueError("data/references.yml:12: 'a' is written twice"), ("data/references.yml", 12)),
    (ValueError("data/warning-signs.yml: not valid YAML"), ("data/warning-signs.yml", 1)),
    (FileNotFoundError(2, "No such file", "data/terms.yml"), ("data/terms.yml", 1)),
    (KeyError("supports"), ("scripts/generate.py", 1)),
])
def test_a_generator_failure_is_reported_on_the_file_that_failed(error, where):
    assert failed_file(ROOT, error) == where


def test_today_defaults_to_the_real_date(tree):
    """Without --today the checker compares dates with the real date: tomorrow is in the future,
    today is not (a checker that used a fixed date fails one of the two)."""
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    tree.write("docs/a.md", page("Page A", "[start](index.md)", written=tomorrow))
    found = [f for f in run_checks(tree.root).findings if f.rule == "front-matter"]
    assert len(found) == 1 and f"written ({tomorrow}) is in the future" in found[0].message, found
    tree.write("docs/a.md", page("Page A", "[start](index.md)", written=today))
    assert [f for f in run_checks(tree.root).findings if f.rule == "front-matter"] == []
