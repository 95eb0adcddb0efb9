"""The checker against hostile and careless input (issue 15): each attack is answered with a
clear finding at its line, in little time, and --fix never loses an edit.

Attacks: a stray backtick before a long run of backticks (the old code-span regex took
exponential time), long runs of any Markdown character (no regex may be super-linear),
impossible dates, repeated front-matter keys, YAML aliases and deep nesting, symbolic links
that leave docs/ or loop, markup in titles, a file saved between the check and --fix.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import re
import shutil
import stat
import time
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import cli, markdown as model
from checker.engine import run_checks
from checker.findings import Edit, Finding
from checker.rules.external import check_bare_urls
from checker.rules.safety import check_safety
import generate
import readability
from check_tree import SiteTree, front_matter, page, run_checker
from conftest import ROOT


@pytest.fixture
def tree(tmp_path) -> SiteTree:
    return SiteTree(tmp_path / "site")


def clean(found: list[Finding]) -> list[Finding]:
    """The findings, after asserting the checker never failed on its own."""
    assert not [f for f in found if f.rule == "internal-error"], found
    return found


# ---------------------------------------------------------------- time: code spans and long runs

@pytest.mark.parametrize("body", [
    "A stray ` and " + "`" * 40 + " more.",
    "`" + "a" + "`" * 40,
    "`a" + "`" * 40 + "\n\nnext paragraph with a `span`",
    "``" + " x " + "`" * 41 + "`",
    "# Heading with ` and " + "`" * 40,
])
def test_a_stray_backtick_before_a_run_of_40_backticks_is_checked_at_once(tree, body):
    tree.write("docs/a.md", page("Page A", f"[start](index.md)\n\n{body}\n\nChronic pain, not `chronic`."))
    started = time.perf_counter()
    found = clean(tree.check())
    assert time.perf_counter() - started < 10  # the old regex: 2**40 steps, about 20,000 years
    terms = [f for f in found if f.rule == "terminology"]
    assert [f.line for f in terms] == [tree.line_of("docs/a.md", "Chronic pain, not")], terms


@pytest.mark.parametrize("text, spans", [
    ("a `code` b", ["`code`"]),
    ("a ``co`de`` b", ["``co`de``"]),
    ("a ` b ``` c ` d", ["` b ``` c `"]),
    ("stray ``` here `x`", ["`x`"]),
    ("`a\n\nb`", []),  # a blank line ends the paragraph, so the span never closes
    ("`a\nb`", ["`a\nb`"]),
    ("```\ncode `x\n```\nafter `y`", ["```\ncode `x\n```", "`y`"]),
    ("~~~\n<!-- x\n~~~\nz", ["~~~\n<!-- x\n~~~"]),
    ("<!-- a `b --> `c`", ["<!-- a `b -->", "`c`"]),
    ("<!-- never closed `x`", ["<!-- never closed `x`"]),
    ("  ```\n  fenced\n  ```", ["  ```\n  fenced\n  ```"]),
])
def test_code_spans_fences_and_comments_are_found_as_the_build_finds_them(text, spans):
    assert [text[a:b] for a, b in model.code_and_comment_spans(text)] == spans


RUN_UNITS = ["`", "[", "]", "(", ")", "*", "_", "<", ">", " ", "\t", "{", "}", "#", "!", "-", "|", "\\", '"', "\n",
             "` ``", "`a", "[a](", "![", "](", "[a][", "<a \"", "<!--", "{: ", "*[", "_a", "a_", "a ", "[a]: ",
             "<http://", "* _", "[(", "\n "]
RUN_CONTEXTS = ["{}", "{}x", "x {} y", "# {}", "- {}\n", "| {} |", "[a]({} b", "<a {}", "!!! note {}", "<!-- vale {}",
                "---\ntitle: {}\n---\n# T\n"]


def markdown_workout(text: str, folder: Path) -> None:
    """Every Markdown function of the checker and of readability, on one text."""
    (folder / "p.md").write_text(text, encoding="utf-8")
    source = model.SourceFile(folder, "p.md")
    source.code_masked, source.tags, source.links, source.undefined_references, source.outline
    source.explicit_ids, source.html_ids, source.front_matter_keys
    visible = model.prose_without_urls(source)
    model.prose(source, "NervePain.Terms", visible)
    list(check_safety(source)), list(check_bare_urls(source, visible))
    model.parse_front_matter(source)
    for line in text.splitlines()[:3]:
        model.heading_text(line)
    readability.page_grade(text, folder)


def workout_time(text: str, folder: Path) -> float:
    """Processor time of markdown_workout (other processes on a busy machine do not count)."""
    started = time.process_time()
    markdown_workout(text, folder)
    return time.process_time() - started


def test_long_runs_of_markdown_characters_take_linear_time(tmp_path, request):
    """Would run for hours if any regex of the checker or of readability were super-linear.

    Runs of up to 10,000 characters (backticks, brackets, asterisks, underscores, <, spaces
    and mixes, in a paragraph, a heading, a list, a table, a link, a tag, an admonition, a
    comment and the front matter) go through every Markdown function, at sizes that double
    from 625: twice the text may take about twice the time, never four times (quadratic) or
    more. Sizes grow only while a case stays linear, so a super-linear one fails fast; a
    short timing that looks slow is taken again, so a busy machine does not fail the test.
    """
    sizes = [625 * 2 ** step for step in range(5)]  # up to 10,000 characters
    slow = []
    started = time.perf_counter()
    gc.disable()  # a collection landing in one timing would look like a slow case
    request.addfinalizer(gc.enable)
    for unit, context in itertools.product(RUN_UNITS, RUN_CONTEXTS):
        def text(length: int) -> str:
            return context.format(unit * (length // len(unit)))
        single = workout_time(text(sizes[0]), tmp_path)
        for size in sizes[1:]:
            double = workout_time(text(size), tmp_path)
            for _ in range(3):
                if double <= 3 * single + 0.02 or double > 1:
                    break
                single = min(single, workout_time(text(size // 2), tmp_path))
                double = min(double, workout_time(text(size), tmp_path))
            if double > 3 * single + 0.02:
                slow.append((unit, context, size // 2, round(single, 3), size, round(double, 3)))
                break
            single = double
    assert not slow, f"super-linear (unit, context, size, seconds, twice the size, seconds): {slow}"
    assert time.perf_counter() - started < 180


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["`", "``", "```", "a", " ", "\n", "\n\n", "~~~", "<!--", "-->", "\t"]),
                max_size=30).map("".join))
def test_masking_keeps_every_line_and_column(text):
    masked = model.mask_code_and_comments(text)
    assert len(masked) == len(text)
    assert [i for i, c in enumerate(masked) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]
    spans = list(model.code_and_comment_spans(text))
    assert all(a < b <= c for (a, b), (c, _) in zip(spans, spans[1:] + [(len(text), 0)]))


# ---------------------------------------------------------------- front matter

def test_an_impossible_date_is_a_front_matter_finding_at_its_line(tree):
    tree.write("docs/a.md", front_matter("Page A").replace("written: 2026-11-01", "written: 2026-02-30")
               + "# Page A\n\n[start](index.md)\n")
    found = [f for f in clean(tree.check()) if f.path == "docs/a.md"]
    assert [(f.rule, f.line) for f in found] == [("front-matter", tree.line_of("docs/a.md", "2026-02-30"))]
    assert "2026-02-30 is not a real date" in found[0].message
    result = run_checker(tree.root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "docs/a.md:" in result.stdout and "front-matter" in result.stdout


def test_a_repeated_key_cannot_hide_the_first_value(tree):
    """YAML keeps the last of two equal keys: a second `written:` or `title:` would silently win."""
    text = front_matter("Page A") + "# Page A\n\n[start](index.md)\n"
    tree.write("docs/a.md", text.replace("sources:", "written: 2020-01-01\nsources:"))
    found = [f for f in clean(tree.check()) if f.path == "docs/a.md"]
    assert [(f.rule, f.line) for f in found] == [("front-matter", tree.line_of("docs/a.md", "written: 2020"))]
    first = tree.line_of("docs/a.md", "written: 2026")
    assert f"'written' is written twice (lines {first} and {found[0].line})" in found[0].message
    assert run_checker(tree.root).returncode == 1


@pytest.mark.parametrize("fields", [
    "title: &t Page A\ndescription: *t\n",
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b]\n",
    "base: &base {title: Page A}\n<<: *base\n",
])
def test_aliases_in_front_matter_are_refused(tree, fields):
    tree.write("docs/a.md", "---\n" + fields + "---\n# Page A\n\n[start](index.md)\n")
    found = [f for f in clean(tree.check()) if f.path == "docs/a.md" and f.rule == "front-matter"]
    assert [f.line for f in found] == [tree.line_of("docs/a.md", "*")]
    assert "YAML aliases are not allowed here" in found[0].message


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_front_matter_is_refused_quickly(tree, depth):
    """libyaml slows down quadratically on nesting, then overflows its stack (a crash, no message)."""
    tree.write("docs/a.md", "---\ntitle: " + "[" * depth + "]" * depth + "\n---\n# Page A\n\n[start](index.md)\n")
    result = run_checker(tree.root)
    assert result.returncode == 1, result.stderr
    assert "docs/a.md:2:" in result.stdout and "nest more than" in result.stdout


BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


@pytest.mark.parametrize("name", ["data/references.yml", "data/external-domains.yml", "data/checker.yml",
                                  "styles/NervePain/Terms.yml", "mkdocs.yml"])
def test_a_billion_laughs_data_file_gives_one_clear_message_fast(tree, name):
    path = tree.root / name
    path.write_text(path.read_text(encoding="utf-8") + BILLION_LAUGHS, encoding="utf-8")
    started = time.perf_counter()
    result = run_checker(tree.root)
    assert time.perf_counter() - started < 20
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = path.read_text(encoding="utf-8").splitlines().index(BILLION_LAUGHS.splitlines()[1]) + 1
    assert f"{name}:{line}:" in result.stderr and "alias *a" in result.stderr, result.stderr


def test_the_generator_refuses_aliases_in_its_data_files(tmp_path, monkeypatch):
    terms = tmp_path / "terms.yml"
    terms.write_text(BILLION_LAUGHS, encoding="utf-8")
    monkeypatch.setattr(generate, "ROOT", tmp_path)
    with pytest.raises(ValueError, match=r"^terms.yml:2: the alias \*a"):
        generate.load_terms(terms)


@pytest.mark.parametrize("name", ["data/references.yml", "mkdocs.yml"])
def test_an_impossible_date_in_a_data_file_stops_with_its_line(tree, name):
    path = tree.root / name
    path.write_text(path.read_text(encoding="utf-8") + "checked_on: 2026-02-30\n", encoding="utf-8")
    result = run_checker(tree.root)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "2026-02-30 is not a real date" in result.stderr and f"{name}:" in result.stderr


# ---------------------------------------------------------------- symbolic links

def test_a_symlink_to_a_file_outside_docs_is_an_error_and_never_read(tree):
    secret = tree.write("secret.txt", "password=hunter2\n")
    (tree.root / "docs/leak.md").symlink_to(Path("..") / secret.name)
    (tree.root / "docs/passwd").symlink_to("/etc/passwd")
    found = clean(tree.check())
    links = [(f.path, f.rule) for f in found if f.rule == "symlink"]
    assert links == [("docs/leak.md", "symlink"), ("docs/passwd", "symlink")]
    assert all("outside docs/" in f.message for f in found if f.rule == "symlink")
    assert not [f for f in found if f.path == "docs/leak.md" and f.rule != "symlink"]
    result = run_checker(tree.root)
    assert result.returncode == 1 and "hunter2" not in result.stdout + result.stderr


def test_symlink_loops_are_errors_and_the_check_ends(tree):
    (tree.root / "docs/self.md").symlink_to("self.md")
    (tree.root / "docs/sub/up").symlink_to("..")
    (tree.root / "docs/ping").symlink_to("pong")
    (tree.root / "docs/pong").symlink_to("ping")
    found = clean(tree.check())
    assert sorted(f.path for f in found if f.rule == "symlink") == [
        "docs/ping", "docs/pong", "docs/self.md", "docs/sub/up"]
    assert all("build would never finish" in f.message for f in found if f.rule == "symlink")


def test_a_symlink_inside_docs_is_followed_as_the_build_follows_it(tree):
    (tree.root / "docs/sub/also-a.md").symlink_to("../a.md")
    (tree.root / "docs/other").symlink_to("sub")
    found = clean(tree.check())
    assert not [f for f in found if f.rule == "symlink"]
    assert {"docs/sub/also-a.md", "docs/sub/b.md"} <= {f.path for f in found if f.rule == "duplicate-title"}


# ---------------------------------------------------------------- markup in titles

MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</title><script>alert(1)</script>",
          "Pain <b>now</b>", "<!-- hidden -->"]


@pytest.mark.parametrize("field", ["title", "description"])
@pytest.mark.parametrize("value", MARKUP)
def test_markup_in_a_front_matter_title_or_description_is_unsafe_html(tree, field, value):
    text = re.sub(rf"^{field}: .*$", f"{field}: {json.dumps(value)}", page("Page A", "[start](index.md)"),
                  count=1, flags=re.MULTILINE)
    tree.write("docs/a.md", text)
    found = [f for f in clean(tree.check()) if f.rule == "unsafe-html"]
    assert [(f.path, f.line) for f in found] == [("docs/a.md", tree.line_of("docs/a.md", f"{field}:"))]
    assert f"the {field} holds HTML" in found[0].message


@pytest.mark.parametrize("value", MARKUP)
def test_markup_in_a_nav_title_or_the_site_name_is_unsafe_html(tree, value):
    tree.nav[1] = {value: "a.md"}
    tree.write_config(site_description=value)
    found = [f for f in clean(tree.check()) if f.rule == "unsafe-html"]
    lines = (tree.root / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    assert len(found) == 2 and all(f.path == "mkdocs.yml" for f in found)
    assert {lines[f.line - 1].split(":")[0].strip(" -'\"") for f in found} >= {"site_description"}


def test_plain_titles_with_angle_brackets_in_words_pass(tree):
    tree.write("docs/a.md", page("Page A", "[start](index.md)", description="Pain scores < 3 and > 7 explained."))
    assert not [f for f in clean(tree.check()) if f.rule == "unsafe-html"]


# ---------------------------------------------------------------- --fix never loses text

URGENT = "IMPORTANT: call 999 now if you cannot feel your legs."


def test_fix_skips_a_file_saved_between_the_check_and_the_write(tree, monkeypatch, capsys):
    path = tree.root / "docs/a.md"
    tree.append("docs/a.md", "Chronic pain and a physical therapist.")
    saved = path.read_text(encoding="utf-8").replace("Chronic pain", URGENT + "\n\nChronic pain")
    real_run = cli.run_checks

    def check_then_save(root, today=None):  # the editor saves while the checker runs
        report = real_run(root, today)
        if path.read_text(encoding="utf-8") != saved:
            path.write_text(saved, encoding="utf-8")
        return report

    monkeypatch.setattr(cli, "run_checks", check_then_save)
    assert cli.main(["--root", str(tree.root), "--today", "2026-11-23", "--fix"]) == 1
    assert path.read_text(encoding="utf-8") == saved
    err = capsys.readouterr().err
    assert "skipped docs/a.md: it changed after it was checked" in err and "fixed terms" not in err


def test_fix_skips_a_file_saved_while_the_new_text_is_written(tree, monkeypatch):
    path = tree.root / "docs/a.md"
    tree.append("docs/a.md", "Chronic pain.")
    report = run_checks(tree.root)
    saved = path.read_text(encoding="utf-8") + URGENT + "\n"
    real_fsync = os.fsync

    def save_during_write(handle):
        real_fsync(handle)
        path.write_text(saved, encoding="utf-8")

    monkeypatch.setattr(os, "fsync", save_during_write)
    result = cli.apply_edits(tree.root, report, None)
    assert (result.fixed, result.skipped) == ([], ["docs/a.md"])
    assert path.read_text(encoding="utf-8") == saved
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_fix_works_on_a_crlf_file_and_keeps_it_crlf(tree):
    path = tree.root / "docs/a.md"
    tree.append("docs/a.md", "Chronic pain.\n\nA physical therapist can help.")
    original = path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + original)
    result = run_checker(tree.root, "--fix")
    assert result.returncode == 0, result.stdout + result.stderr
    fixed = path.read_bytes()
    assert fixed == b"\xef\xbb\xbf" + original.replace(b"Chronic pain", b"Long-term pain").replace(
        b"physical therapist", b"physiotherapist")
    assert b"\n" not in fixed.replace(b"\r\n", b"")


def test_fix_keeps_the_file_mode(tree):
    path = tree.root / "docs/a.md"
    tree.append("docs/a.md", "Chronic pain.")
    path.chmod(0o640)
    assert run_checker(tree.root, "--fix").returncode == 0
    assert "Long-term pain." in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@settings(max_examples=100, deadline=None, derandomize=True)
@given(lines=st.lists(st.tuples(st.sampled_from(["Chronic pain.", "text", "", "a chronic case", "\ufeffx"]),
                                st.sampled_from(["\n", "\r\n", "\r"])), min_size=1, max_size=8),
       mark=st.booleans())
def test_edits_land_on_the_same_words_whatever_the_line_endings(lines, mark):
    raw = ("\ufeff" if mark else "") + "".join(text + ending for text, ending in lines)
    normal = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    edits = [Edit("p.md", m.start(), m.end(), "long-term") for m in re.finditer("(?i)chronic", normal)]
    fixed = cli.edited_text(raw.encode("utf-8"), edits)
    assert fixed == re.sub("(?i)chronic", "long-term", raw)


# ---------------------------------------------------------------- generated files say so

def test_every_generated_file_names_its_source_on_its_first_line():
    for path, (source, text) in generate.planned_outputs().items():
        first = text.splitlines()[0]
        where = source.file.relative_to(ROOT).as_posix()
        assert re.fullmatch(r"<!-- Generated .* -->|# Generated .*", first), path
        assert f" from {where}" in first, path
        assert path.read_text(encoding="utf-8").splitlines()[0] == first, f"{path}: run make generate"


def test_the_note_in_a_contact_snippet_stays_out_of_the_care_card_heading():
    card = (ROOT / "snippets/cards/urgent-nerve.md").read_text(encoding="utf-8")
    html = markdown.markdown(card, extensions=["md_in_html", "pymdownx.snippets"],
                             extension_configs={"pymdownx.snippets": {"base_path": [str(ROOT / "snippets")],
                                                                      "check_paths": True}})
    heading = re.search(r"<h3 class=\"care-card__heading\"[^>]*>(.*?)</h3>", html, re.DOTALL).group(1)
    visible = " ".join(re.sub(r"<!--.*?-->|<[^>]+>", " ", heading).split())
    urgent = generate.load_care_card_actions()["urgent"]
    assert visible == f"Urgent advice: {urgent}"
    assert "<!-- Generated by make generate from mkdocs.yml extra.care_cards.neutral.urgent" in heading


def test_a_stale_contact_snippet_names_mkdocs_yml(tree):
    for name in ("scripts/generate.py", "data/terms.yml", "snippets/generated/glossary.md",
                 "snippets/generated/abbreviations.md", "snippets/generated/sources.md", "data/references.yml"):
        (tree.root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tree.root / name)
    tree.write_config(extra={"care_cards": {"neutral": {"urgent": "Call your GP today if:"}}})
    shutil.copy(ROOT / "data/references.yml", tree.root / "data/references.yml")
    tree.write("snippets/contact/urgent-action.md", "Call your GP today if:\n")  # a hand edit, no note
    found = [f for f in tree.findings("generated")]
    assert [(f.path, f.line) for f in found] == [("snippets/contact/urgent-action.md", 1)]
    assert "differs from what mkdocs.yml (extra.care_cards.neutral.urgent) makes" in found[0].message
    assert "Edit mkdocs.yml, then run `make generate`" in found[0].message
