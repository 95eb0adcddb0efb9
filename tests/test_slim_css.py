"""One slim stylesheet (scripts/slim_css.py, issue 14): only the rules the site can use,
one content-named file, every page linking it in the place of the four it replaces; and
pages without their template indentation (scripts/slim_html.py). The
browser tests (search, menu, tooltips, colour toggle, print, offline, Zensical) run on
builds that went through this step (tests/conftest.py, build_site), so they prove the
rules the scripts need at run time are kept; these tests prove the step itself."""

from __future__ import annotations

import hashlib
import re

import pytest
import tinycss2
from bs4 import BeautifulSoup

from conftest import ROOT
from slim_css import BUNDLE_NAME, Content, SlimError, main, slim, slim_site
from slim_html import slim_page


def content(markup_words: set[str], script: str = "", elements: set[str] = frozenset({"html", "body", "p"})) -> Content:
    found = Content(words=set(markup_words), elements=set(elements))
    found.add_script(script)
    return found.finish()


def slimmed(tmp_path, css: str, found: Content) -> str:
    sheet = tmp_path / "sheet.css"
    sheet.write_text(css, encoding="utf-8")
    return slim([sheet], found)[0]


def test_a_rule_stays_only_for_selectors_the_pages_can_match(tmp_path):
    css = ".used{color:red}.unused{color:blue}.used,.unused{margin:0}#here{top:0}#gone{top:1px}" \
          "[data-x=yes]{left:0}[data-x=no]{left:1px}p{padding:0}table{padding:1px}"
    out = slimmed(tmp_path, css, content({"used", "here", "data-x", "yes"}))
    assert out == ".used{color:red}.used{margin:0}#here{top:0}[data-x=yes]{left:0}p{padding:0}\n"


def test_classes_material_script_adds_at_run_time_are_kept(tmp_path):
    script = 'x("li",{class:"md-search-result__item"});e.classList.toggle("md-tooltip2--active")'
    css = ".md-search-result__item{margin:0}.md-tooltip2--active{opacity:1}.md-nope{opacity:0}" \
          ".focus-visible{outline:auto}[role=tooltip]{top:0}"
    out = slimmed(tmp_path, css, content({"role"}, script))  # pages have role= attributes
    assert ".md-search-result__item{" in out and ".md-tooltip2--active{" in out
    assert ".focus-visible{" in out and "[role=tooltip]{" in out  # SAFELIST
    assert ".md-nope" not in out


def test_features_the_pages_do_not_have_are_dropped_though_the_script_names_them(tmp_path):
    script = '"md-annotation__index" "md-tag" "md-version__list" "md-search__input"'
    css = ".md-annotation__index{top:0}.md-tag{top:1px}.md-version__list{top:2px}.md-search__input{top:3px}"
    out = slimmed(tmp_path, css, content(set(), script))
    assert out == ".md-search__input{top:3px}\n"
    # A page with code annotations and tags brings their rules back.
    out = slimmed(tmp_path, css, content({"annotate", "md-tags"}, script))
    assert ".md-annotation__index{" in out and ".md-tag{" in out and ".md-version__list" not in out


def test_negations_media_keyframes_and_custom_properties(tmp_path):
    css = """
    /* a comment */
    .a:not(.missing) { color : red ; }
    @media screen and (min-width: 10em) { .a { color: blue } .missing { color: green } }
    @media print { .missing { display: none } }
    @keyframes spin { to { transform: rotate(1turn) } }
    @keyframes unused { to { opacity: 0 } }
    .a { animation: spin 1s; --kept: 1px; --dropped: 2px; margin: var(--kept) auto }
    @page { margin: 10mm }
    """
    out = slimmed(tmp_path, css, content({"a"}))
    assert out == (".a:not(.missing){color:red}@media screen and (min-width:10em){.a{color:blue}}"
                   "@keyframes spin{to{transform:rotate(1turn)}}"
                   ".a{animation:spin 1s;--kept:1px;margin:var(--kept) auto}@page{margin:10mm}\n")


def test_white_space_that_means_something_stays(tmp_path):
    css = ".a  .b > .c{margin : 0  auto;width:calc(100% - 2px);font-family:\"A B\" , serif}"
    out = slimmed(tmp_path, css, content({"a", "b", "c"}))
    assert out == '.a .b>.c{margin:0 auto;width:calc(100% - 2px);font-family:"A B",serif}\n'


def small_site(tmp_path, between: str = ""):
    site = tmp_path / "site"
    (site / "assets" / "stylesheets").mkdir(parents=True)
    (site / "sub").mkdir()
    (site / "assets" / "stylesheets" / "main.0123abcd.min.css").write_text(".a{color:red}.gone{color:red}", encoding="utf-8")
    (site / "assets" / "stylesheets" / "main.0123abcd.min.css.map").write_text("{}", encoding="utf-8")
    (site / "assets" / "stylesheets" / "extra.css").write_text(".a{color:blue}", encoding="utf-8")
    head = ('<head>\n  <link rel="stylesheet" href="{p}assets/stylesheets/main.0123abcd.min.css">\n' + between +
            '  <link rel="stylesheet" href="{p}assets/stylesheets/extra.css">\n'
            '  <link rel="stylesheet" media="print" href="{p}print-only.css">\n</head>')
    page = '<!doctype html><html>' + head + '<body><p class="a">x</p></body></html>'
    for name, prefix in (("index.html", ""), ("sub/index.html", "../"), ("404.html", "/guide/")):
        (site / name).write_text(page.replace("{p}", prefix), encoding="utf-8")
    return site


def test_the_site_gets_one_stylesheet_named_by_its_content(tmp_path):
    site = small_site(tmp_path)
    [(bundle, _, sources)] = slim_site(site)
    text = bundle.read_text(encoding="utf-8")
    assert text == ".a{color:red}.a{color:blue}\n"  # the cascade keeps its order
    assert bundle.name == BUNDLE_NAME.format(hash=hashlib.sha256(text.encode()).hexdigest()[:8])
    assert sorted(p.name for p in (site / "assets" / "stylesheets").iterdir()) == [bundle.name]
    home, sub, missing = ((site / name).read_text(encoding="utf-8") for name in ("index.html", "sub/index.html", "404.html"))
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', home) == [f"assets/stylesheets/{bundle.name}"]
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', sub) == [f"../assets/stylesheets/{bundle.name}"]
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', missing) == [f"/guide/assets/stylesheets/{bundle.name}"]
    assert 'media="print" href="print-only.css"' in home  # not the site's own file: left alone
    # Twice is harmless: the second run finds the slim stylesheet and keeps it.
    [(again, _, _)] = slim_site(site)
    assert again == bundle and again.read_text(encoding="utf-8") == text


def test_pages_that_link_other_stylesheets_get_their_own(tmp_path):
    """A page made by another step with only Material's stylesheet (say) keeps its cascade."""
    site = small_site(tmp_path)
    (site / "other.html").write_text('<html><head><link rel="stylesheet" href="assets/stylesheets/extra.css">'
                                     '</head><body><p class="a">x</p></body></html>', encoding="utf-8")
    written = slim_site(site)
    assert sorted(bundle.read_text(encoding="utf-8") for bundle, _, _ in written) == [
        ".a{color:blue}\n", ".a{color:red}.a{color:blue}\n"]
    assert sorted(p.name for p in (site / "assets" / "stylesheets").iterdir()) == sorted(b.name for b, _, _ in written)


def test_a_style_between_the_links_stops_the_step_and_nothing_is_written(tmp_path, capsys):
    site = small_site(tmp_path, between="  <style>.a{color:green}</style>\n")
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert main([str(site)]) == 1
    error = capsys.readouterr().err
    assert f"{site / 'index.html'}: <style> between the stylesheet links would change the cascade" in error
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_a_relative_url_in_a_stylesheet_from_another_folder_is_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "one.css").write_text(".a{color:red}", encoding="utf-8")
    (tmp_path / "b" / "two.css").write_text(".a{background:url(x.png)}.a{background:url(data:image/png;base64,AA)}",
                                            encoding="utf-8")
    with pytest.raises(SlimError, match=r"two.css: url\(x.png\) is relative to its folder"):
        slim([tmp_path / "a" / "one.css", tmp_path / "b" / "two.css"], content({"a"}))


def test_no_site_is_one_line_and_exit_2(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_css_the_parser_cannot_read_is_named_with_its_line(tmp_path):
    sheet = tmp_path / "bad.css"
    sheet.write_text(".a{color:red}\n.b{color:blue}}\n", encoding="utf-8")
    with pytest.raises(SlimError, match=rf"{re.escape(str(sheet))}:2:"):
        slim([sheet], content({"a", "b"}))


def test_the_build_links_one_slim_stylesheet_with_the_rules_scripts_need(built_site):
    """The real build (tests/conftest.py runs the step): one stylesheet, far smaller than
    Material's, that still has the rules for search results, tooltips, the menu button,
    keyboard focus, the colour schemes and print."""
    sheets = sorted((built_site / "assets" / "stylesheets").glob("*.css"))
    assert [sheet.name for sheet in sheets] == [f"site.{hashlib.sha256(sheets[0].read_bytes()).hexdigest()[:8]}.min.css"]
    for page in sorted(built_site.rglob("*.html")):
        links = re.findall(r'<link rel="stylesheet"[^>]*>', page.read_text(encoding="utf-8"))
        assert len(links) == 1 and sheets[0].name in links[0], (page, links)
    css = sheets[0].read_text(encoding="utf-8")
    selectors = {tinycss2.serialize(rule.prelude) for rule in tinycss2.parse_stylesheet(css)
                 if rule.type == "qualified-rule"}
    for needed in (".md-search-result__item", ".md-tooltip2--active", ".menu-button", ".focus-visible",
                   "[data-md-color-scheme=slate]", ".care-card", ".print-header"):
        assert any(needed in selector for selector in selectors) or needed in css, needed
    assert "@media print" in css and "@page" in css
    assert ".md-annotation" not in css and ".md-version" not in css and "[dir=rtl]" not in css
    material = ROOT / ".venv"  # Material's own stylesheet, for scale
    originals = list(material.glob("lib/python3*/site-packages/material/templates/assets/stylesheets/main.*.min.css"))
    assert originals and len(css) < 0.5 * originals[0].stat().st_size


# ---------------------------------------------------------------- scripts/slim_html.py

PAGE = """<!doctype html>
<html>
  <head>
    <script>
      var a = 1;
    </script>
    <style>
      .a { color: red }
    </style>
  </head>
  <body>

    <p title="<pre> in an attribute">Call
      <a href="#x">999</a>
      now</p>
    <pre>
  indented code
    stays</pre>
    <textarea>
  typed text</textarea>
  </body>
</html>
"""


def test_indentation_and_empty_lines_go_and_nothing_else():
    slim = slim_page(PAGE)
    assert slim == ("<!doctype html>\n<html>\n<head>\n<script>\n      var a = 1;\n    </script>\n"
                    "<style>\n      .a { color: red }\n    </style>\n</head>\n<body>\n"
                    '<p title="<pre> in an attribute">Call\n<a href="#x">999</a>\nnow</p>\n'
                    "<pre>\n  indented code\n    stays</pre>\n<textarea>\n  typed text</textarea>\n</body>\n</html>\n")
    assert slim_page(slim) == slim
    # What a reader sees is the same: the same words, with the same spaces between them.
    words = lambda html: " ".join(BeautifulSoup(html, "html.parser").get_text().split())
    assert words(slim) == words(PAGE)


def test_the_built_pages_have_no_indentation_outside_pre_script_and_style(built_site):
    page = (built_site / "nerve-pain" / "warning-signs" / "index.html").read_text(encoding="utf-8")
    outside = re.sub(r"<(pre|textarea|script|style)\b.*?</\1>", "<kept/>", page, flags=re.S)
    assert not re.search(r"\n[ \t]+<", outside) and "\n\n" not in outside
