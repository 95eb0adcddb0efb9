"""One Markdown model for everything that reads pages (issue 13): the checker, the reading
level and the tests agree on snippets, fences, nesting and page addresses, and MkDocs agrees."""

from __future__ import annotations

import pytest
from mkdocs.structure.files import File

import readability
from check_tree import SiteTree, page
from checker.config import load_context
from checker.markdown import MAX_INCLUDE_DEPTH
from checker.site import Site, page_url

HARD = ("Neuropathic hypersensitivity characteristically necessitates multidisciplinary "
        "pharmacological reconsideration. ") * 6
PLAIN = "You may feel a sting. It fades in a day or two. Rest and walk a little. " * 4


@pytest.mark.parametrize("name", ["index.md", "README.md", "a/index.md", "a/README.md", "a/reindex.md",
                                  "a/myREADME.md", "a/b.md", "a/b/index.md"])
def test_page_url_is_where_mkdocs_builds_the_page(name):
    built = File(name, "/src", "/site", use_directory_urls=True).dest_uri
    assert page_url(name) + "index.html" == built


@pytest.mark.parametrize("line", ['--8<-- "hard.md"', "--8<-- 'hard.md'", '-8<- "hard.md"'])
def test_the_reading_level_includes_a_snippet_however_its_line_is_quoted(tmp_path, line):
    (tmp_path / "hard.md").write_text(HARD, encoding="utf-8")
    page_text = f"# Title\n\n{PLAIN}\n\n{line}\n"
    assert readability.page_grade(page_text, tmp_path) > readability.page_grade(PLAIN, tmp_path) + 4


@pytest.mark.parametrize("fence", ["```", "~~~", "````"])
def test_the_reading_level_skips_fenced_code_of_either_kind(tmp_path, fence):
    with_code = f"# Title\n\n{PLAIN}\n\n{fence}text\n{HARD}\n{fence}\n\n{PLAIN}\n"
    without = f"# Title\n\n{PLAIN}\n\n{PLAIN}\n"
    assert readability.page_grade(with_code, tmp_path) == readability.page_grade(without, tmp_path)


def test_a_snippet_line_inside_a_fence_or_comment_is_not_included(tmp_path):
    (tmp_path / "hard.md").write_text(HARD, encoding="utf-8")
    text = f'{PLAIN}\n\n~~~\n--8<-- "hard.md"\n~~~\n\n<!--\n--8<-- "hard.md"\n-->\n'
    assert "Neuropathic" not in readability.expand_snippets(text, tmp_path)


def test_the_checker_and_the_reading_level_follow_snippets_equally_deep(tmp_path):
    """A chain of snippets, each including the next: both stop at MAX_INCLUDE_DEPTH."""
    tree = SiteTree(tmp_path)
    chain = MAX_INCLUDE_DEPTH + 4
    for number in range(chain):
        tree.write(f"snippets/chain/s{number}.md", f"Marker{number} here.\n\n--8<-- \"chain/s{number + 1}.md\"\n")
    tree.write(f"snippets/chain/s{chain}.md", "The end.\n")
    tree.write("docs/a.md", page("Page A", '[start](index.md)\n\n--8<-- "chain/s0.md"'))
    site = Site(load_context(tree.root))
    followed = {source.path for source in site.included_files(site.page_source("a.md"))}
    expanded = readability.expand_snippets((tree.root / "docs/a.md").read_text(encoding="utf-8"),
                                           tree.root / "snippets")
    read = {f"snippets/chain/s{n}.md" for n in range(chain + 1) if f"Marker{n} here" in expanded}
    assert followed == read and len(read) == MAX_INCLUDE_DEPTH + 1
