"""Bad input never crashes the checker: each bad file gives a clear finding naming it.

Property tests throw random and malformed Markdown at the checker (as a function, on a
small tree) and assert it returns findings, never raises, never reports its own failure.
"""

from __future__ import annotations

import string
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.findings import Finding
from check_tree import SiteTree, page

PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> SiteTree:
    return SiteTree(tmp_path_factory.mktemp("robust") / "site")


def findings_for(tree: SiteTree, content: str | bytes, name: str = "docs/a.md") -> list[Finding]:
    tree.write(name, content)
    found = tree.check()
    assert not [f for f in found if f.rule == "internal-error"], found
    for item in found:
        assert item.line >= 1 and item.column >= 1 and item.message
    return found


@pytest.mark.parametrize("content, rule, words", [
    (b"\xff\xfe\x00\x00binary", "unreadable", "binary"),
    (b"---\ntitle: caf\xe9\n---\n", "unreadable", "not UTF-8"),
    (b"", "front-matter", "no front matter"),
    ("---\ntitle: [broken\n---\n# x\n", "front-matter", "not valid YAML"),
    ("---\ntitle: a\n", "front-matter", "no closing ---"),
    ("---\n- a list\n---\n", "front-matter", "not a list of `field: value`"),
    ("---\n!!python/object:os.system x: 1\n---\n", "front-matter", "not valid YAML"),
])
def test_each_bad_file_gives_a_clear_finding_naming_it(tmp_path, content, rule, words):
    tree = SiteTree(tmp_path / "site")
    found = findings_for(tree, content)
    assert any(f.path == "docs/a.md" and f.rule == rule and words in f.message for f in found), found


def test_a_huge_line_is_checked_quickly(tmp_path):
    tree = SiteTree(tmp_path / "site")
    line = ("word [link](a.md) `code` <b>x</b> chronic https://www.nice.org.uk/ " * 5000)
    started = time.perf_counter()
    found = findings_for(tree, page("Page A", "[start](index.md)\n\n" + line + "\n" + "[" * 3000 + "(" * 3000 + "<a \"" * 3000))
    assert time.perf_counter() - started < 20
    assert any(f.rule == "terminology" for f in found)


@pytest.mark.parametrize("link, rule", [
    ("[x](http://[::1)", "external-link"), ("[x](<>)", "internal-link"), ("[x]()", "internal-link"),
    ("[x](#)", "internal-link"), ("[x](%zz.md)", "internal-link"), ("[x](a.md#%)", "anchor"),
    ("[x](\x7f.md)", "internal-link"), ("[x](../../../../etc/passwd)", "internal-link"),
    ("[x](C:\\\\Windows)", "external-link"), ("<a href=\"http://[bad\">x</a>", "external-link"),
    ("[x](a.md#ü)", "anchor"), ("[x](javascript&#58;alert(1))", "unsafe-html"), ("[x](//)", "external-link"),
    ("[x](https://)", "external-link"), ("[x](mailto:)", None), ("<img src=>", None),
])
def test_odd_characters_in_links_give_findings_not_crashes(tmp_path, link, rule):
    """Each odd link is one finding of the right rule at its own line (none for the two that are
    harmless), never a crash or an internal error."""
    tree = SiteTree(tmp_path / "site")
    content = page("Page A", f"[start](index.md) {link}")
    line = next(number for number, text in enumerate(content.splitlines(), 1) if "[start](index.md)" in text)
    found = [f.rule for f in findings_for(tree, content) if f.path == "docs/a.md" and f.line == line]
    assert found == ([rule] if rule else []), found


def test_a_binary_snippet_is_reported_in_the_snippet(tmp_path):
    tree = SiteTree(tmp_path / "site")
    tree.write("snippets/card.md", b"\x00\x01\x02")
    found = findings_for(tree, page("Page A", '## First part\n\n[start](index.md)\n\n--8<-- "card.md"'))
    assert [(f.path, f.rule) for f in found] == [("snippets/card.md", "unreadable")]


def test_a_snippet_that_includes_itself_does_not_loop(tmp_path):
    tree = SiteTree(tmp_path / "site")
    tree.write("snippets/loop.md", '## Loop\n\n--8<-- "loop.md"\n')
    findings_for(tree, page("Page A", '[start](index.md)\n\n--8<-- "loop.md"'))


MARKDOWN_PIECES = st.sampled_from([
    "# ", "## ", "### Heading {#id}", "\n", "\n\n", "[", "]", "(", ")", "![", "<", ">", "`", "```", "~~~",
    "---", "***", "_", "*", "{: #x }", "<!--", "-->", "<a href=\"", "\"", "'", "#", "%", "&amp;", "\\",
    "--8<-- \"cards/x.md\"", "--8<-- \"", "[x](a.md)", "[x](sub/b.md#second-part)", "[r][", "[r]: ",
    "https://", "http://example.com", "www.", "chronic", "Physical Therapy", "<!-- vale off -->",
    "<!-- vale NervePain.Terms = NO -->", "<script>", "onload=", "javascript:", "data:",
    "!!! note \"Title\"", "    indented", "| a | b |", "|---|---|", "- item", "1. item", "> quote",
    "ü", "\u200b", "\ufeff", "\r\n", "\t", "\x0b", "\U0001F600", "title: x", "sources: [", "nbapreview.theringer.com",
])


@PROPERTY_SETTINGS
@given(body=st.lists(MARKDOWN_PIECES | st.text(max_size=20), max_size=40).map("".join))
def test_random_markdown_never_crashes_the_checker(tree, body):
    findings_for(tree, page("Page A", "[start](index.md)\n\n" + body))


@PROPERTY_SETTINGS
@given(head=st.text(alphabet=string.printable + "üé€\x00", max_size=200),
       body=st.text(max_size=200))
def test_random_front_matter_never_crashes_the_checker(tree, head, body):
    findings_for(tree, "---\n" + head + "\n---\n" + body)


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash_the_checker(tree, data):
    findings_for(tree, data)


@PROPERTY_SETTINGS
@given(fields=st.dictionaries(
    st.sampled_from(["title", "description", "written", "sources", "search"]),
    st.none() | st.integers() | st.text(max_size=30) | st.dates() | st.lists(st.text(max_size=10), max_size=3)
    | st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
))
def test_any_front_matter_values_never_crash_the_checker(tree, fields):
    text = yaml.safe_dump(fields, allow_unicode=True) if fields else ""
    findings_for(tree, "---\n" + text + "---\n\n# Page A\n\n[start](index.md)\n")


@PROPERTY_SETTINGS
@given(snippet=st.lists(MARKDOWN_PIECES | st.text(max_size=10), max_size=30).map("".join))
def test_random_snippets_never_crash_the_checker(tree, snippet):
    tree.write("snippets/cards/x.md", snippet)
    findings_for(tree, page("Page A", '[start](index.md)\n\n--8<-- "cards/x.md"\n'))


def test_the_reading_level_command_answers_a_missing_file_with_one_line_and_exit_2(tmp_path, capsys):
    import readability

    assert readability.main([str(tmp_path / "missing.md")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.splitlines() == [f"readability: cannot read {tmp_path / 'missing.md'}: No such file or directory"]
    page = tmp_path / "page.md"
    page.write_text("You can read this short page. It has plain words. It is easy to read.\n", encoding="utf-8")
    assert readability.main([str(page)]) == 0
    assert capsys.readouterr().out.endswith(f"  {page}\n")
