"""The checker's link rules: internal links, anchors and snippets, resolved as MkDocs resolves them."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from check_tree import SiteTree, page
from conftest import build_site


@pytest.fixture
def tree(tmp_path) -> SiteTree:
    return SiteTree(tmp_path / "site")


def messages(findings) -> list[str]:
    return [f"{f.path}:{f.line}:{f.column} {f.rule}" for f in findings]


def test_a_clean_site_has_no_findings(tree):
    assert tree.check() == []


@pytest.mark.parametrize("link", [
    "[A](a.md)", "[B](sub/b.md)", "[B](./sub/../sub/b.md)", "[start](index.md#page-a)",
    "[A](a.md?x=1#first-part)", "[A](<a.md> \"title\")", "[A](a.md 'title')", "[B](sub%2Fb.md)",
])
def test_links_that_mkdocs_resolves_pass(tree, link):
    tree.append("docs/index.md", f"## Page A\n\nSee {link}.")
    assert tree.findings("internal-link") == []
    assert tree.findings("anchor") == []


@pytest.mark.parametrize("link, fragment_of_message", [
    ("[gone](no-such.md)", "there is no docs/no-such.md"),
    ("[folder](sub/)", "is not a file"),
    ("[no extension](a)", "is not a file"),
    ("[absolute](/a.md)", "absolute link"),
    ("[outside](../README.md)", "points outside docs/"),
    ("![picture](img/none.png)", "there is no docs/img/none.png"),
])
def test_broken_internal_links_are_reported_at_the_link(tree, link, fragment_of_message):
    tree.append("docs/a.md", f"Text before {link} and after.")
    found = tree.findings("internal-link")
    assert len(found) == 1, found
    assert found[0].path == "docs/a.md"
    assert found[0].line == tree.line_of("docs/a.md", "Text before")
    assert found[0].column == len("Text before ") + 1
    assert fragment_of_message in found[0].message


def test_a_mistyped_link_suggests_the_link_to_write_from_that_page(tree):
    """The suggestion is relative to the page, so an editor can paste it as it is."""
    tree.write("docs/sub/c.md", page("C", "See [B](bb.md) and [A](../aa.md)."))
    tree.nav.append("sub/c.md")
    tree.write_config()
    found = sorted(f.message for f in tree.findings("internal-link"))
    assert len(found) == 2, found
    assert "Did you mean 'b.md'?" in found[1] and "Did you mean '../a.md'?" in found[0], found


def test_a_folder_link_names_the_index_file_to_use(tree):
    tree.write("docs/sub/index.md", page("Sub", "[B](b.md) and [A](../a.md)."))
    tree.nav.append("sub/index.md")
    tree.write_config()
    tree.append("docs/a.md", "[section](sub/)")
    [found] = tree.findings("internal-link")
    assert "Write 'sub/index.md'" in found.message


def test_links_resolve_from_the_file_folder_with_dot_dot(tree):
    tree.append("docs/sub/b.md", "[start](../index.md) [wrong](index.md)")
    [found] = tree.findings("internal-link")
    assert "'index.md'" in found.message and "docs/sub/index.md" in found.message


def test_an_existing_image_passes_and_a_missing_one_fails(tree):
    tree.write("docs/img/pic.png", b"\x89PNG\r\n")
    tree.append("docs/a.md", "![a picture](img/pic.png)")
    assert tree.findings("internal-link") == []
    tree.append("docs/a.md", "![a picture](img/pic.jpg)")
    assert len(tree.findings("internal-link")) == 1


def test_reference_style_links_are_checked_at_their_definition(tree):
    tree.append("docs/a.md", """
        See [page B][b] and [the start][].

        [b]: sub/b.md#nope
        [the start]: index.md
    """)
    [found] = tree.findings("anchor")
    assert found.line == tree.line_of("docs/a.md", "[b]: sub/b.md#nope") and "#nope" in found.message


def test_a_reference_link_without_a_definition_is_reported(tree):
    tree.append("docs/a.md", "See [page B][missing-label].")
    [found] = tree.findings("internal-link")
    assert "[missing-label] has no definition" in found.message


def test_raw_html_links_resolve_against_the_built_address(tree):
    # docs/sub/b.md is built at sub/b/, so ../../ is the site root.
    tree.append("docs/sub/b.md", '<a href="../../a/#first-part">A</a> <a href="../../">up</a> '
                                 '<img src="../../img/x.png" alt=""> <a href="../">no page</a>')
    found = tree.findings("internal-link")
    assert len(found) == 2, found
    assert "/img/x.png" in found[0].message and "built at /sub/" in found[1].message
    tree.append("docs/a.md", '<a href="sub/b.md">B</a>')
    assert any("not rewritten by MkDocs" in f.message for f in tree.findings("internal-link"))


def test_raw_html_anchor_that_is_missing_is_reported(tree):
    tree.append("docs/a.md", '<a href="../sub/b/#no-such-part">B</a>')
    [found] = tree.findings("anchor")
    assert "no-such-part" in found.message


def test_nav_entries_must_name_existing_pages(tree):
    tree.nav.append({"Gone": "gone.md"})
    tree.write_config()
    [found] = tree.findings("internal-link")
    assert found.path == "mkdocs.yml" and "nav entry 'gone.md'" in found.message
    assert found.line == tree.line_of("mkdocs.yml", "gone.md")


def test_nav_entry_with_a_missing_anchor_is_reported(tree):
    tree.nav.append({"B part": "sub/b.md#nope"})
    tree.write_config()
    assert [f.rule for f in tree.check()] == ["anchor"]
    tree.nav[-1] = {"B part": "sub/b.md#second-part"}
    tree.write_config()
    assert tree.check() == []


def test_template_links_resolve_base_url_to_the_site_root(tree):
    tree.write("overrides/partials/footer.html",
               '<a href="{{ base_url }}/sub/b/">B</a>\n<a href="{{ page.url }}">dynamic</a>\n'
               '<a href="{{ base_url }}/about/">gone</a>\n')
    [found] = tree.findings("internal-link")
    assert (found.path, found.line) == ("overrides/partials/footer.html", 3)


def test_anchors_use_the_toc_slug_and_number_repeats(tree):
    tree.append("docs/a.md", """
        ## Doing too much, too soon

        ## Notes

        ## Notes

        ### Über Schmerzen: 8. FAQ / Debug
    """)
    tree.append("docs/index.md", "[x](a.md#doing-too-much-too-soon) [y](a.md#notes_1) "
                                 "[z](a.md#uber-schmerzen-8-faq-debug)")
    assert tree.check() == []
    tree.append("docs/index.md", "[w](a.md#notes_2)")
    assert len(tree.findings("anchor")) == 1


def test_attr_list_and_raw_html_ids_are_anchors(tree):
    tree.append("docs/a.md", """
        ## A heading {#custom-id}

        A paragraph with an id.
        {: #para-id }

        <span id="raw-id"></span> <a name="named"></a>
    """)
    tree.append("docs/index.md", "[a](a.md#custom-id) [b](a.md#para-id) [c](a.md#raw-id) [d](a.md#named)")
    assert tree.check() == []
    tree.append("docs/index.md", "[e](a.md#a-heading)")
    assert len(tree.findings("anchor")) == 1, "an explicit id replaces the slug"


def test_same_page_anchor(tree):
    tree.append("docs/a.md", "[up](#first-part) [gone](#last-part)")
    [found] = tree.findings("anchor")
    assert "#last-part" in found.message


def test_headings_and_links_in_snippets_count_on_the_including_page(tree):
    tree.write("snippets/cards/card.md", "## Card heading\n\nSee [B](sub/b.md) and [gone](sub/nope.md).\n")
    tree.append("docs/index.md", '--8<-- "cards/card.md"')
    tree.append("docs/a.md", "[card](index.md#card-heading)")
    found = tree.check()
    assert [(f.path, f.line, f.rule) for f in found] == [("snippets/cards/card.md", 3, "internal-link")]
    assert "when included in docs/index.md" in found[0].message


def test_a_broken_link_in_a_snippet_is_reported_once_in_the_snippet(tree):
    tree.write("snippets/card.md", "[gone](nope.md)\n")
    for name in ("docs/index.md", "docs/a.md"):
        tree.append(name, '--8<-- "card.md"')
    found = tree.findings("internal-link")
    assert [(f.path, f.line, f.column) for f in found] == [("snippets/card.md", 1, 1)]


def test_a_missing_snippet_is_reported_at_the_include_line(tree):
    tree.append("docs/a.md", '--8<-- "cards/none.md"')
    [found] = tree.findings("snippet")
    assert (found.path, found.line) == ("docs/a.md", tree.line_of("docs/a.md", "--8<--"))


def test_links_inside_code_are_not_checked(tree):
    tree.append("docs/a.md", "`[x](gone.md)`\n\n```\n[y](gone.md)\n```\n\n<!-- [z](gone.md) -->")
    assert tree.check() == []


TRICKY_HEADINGS = [
    "Doing too much, too soon",
    "8. FAQ / Debug Guide",
    "Über Schmerzen & Nerven",
    "Radiculopathy: a *trapped* or `pinched` nerve",
    "What is [TENS](#tens)?",
    "snake_case and __bold__ words",
    "Notes",
    "Notes",
    "Notes_1",
    "Questions (and answers) — 2026",
    "A heading with <span>inline HTML</span> &amp; an entity",
    "Café 1 in 5",
]


def test_checker_and_real_build_agree_on_tricky_heading_ids(tmp_path):
    tree = SiteTree(tmp_path / "site")
    body = "\n\n".join(f"## {heading}\n\nText." for heading in TRICKY_HEADINGS)
    tree.write("docs/a.md", page("Page A", "## First part\n\nBack to the [start](index.md).\n\n" + body))
    tree.write_config(theme={"name": "material"})
    from checker.config import load_context
    from checker.site import Site

    site = Site(load_context(tree.root))
    ours = site.anchors("a.md")
    result = build_site(tmp_path / "built", tree.root / "mkdocs.yml")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "built" / "a" / "index.html").read_text(encoding="utf-8")
    article = BeautifulSoup(html, "html.parser").find("article")
    built = {h["id"] for h in article.find_all(re.compile("^h[1-6]$")) if h.get("id")}
    assert built == ours, f"only in the build: {built - ours}; only in the checker: {ours - built}"
