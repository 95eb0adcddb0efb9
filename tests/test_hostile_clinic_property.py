"""Random values in every clinic setting (issue 15, Hypothesis): the clinic check answers each
with one `file:line` refusal, or the value is one the pages and headers take safely.

A real build per example would take hours, so a value the check accepts is put through the
theme's own templates directly (the footer, the print header, the care cards and the page
title, rendered as MkDocs renders them: Jinja without autoescape) and through the header
checks of scripts/security_headers.py. tests/test_hostile_clinic_build.py builds the site
with a handful of accepted hostile values."""

from __future__ import annotations

import contextlib
import html.parser
import io
import json
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings, strategies as st

from assemble_clinic import care_card_actions
from clinic_settings import (CLINIC_FIELDS, NEVER_LEFT_OUT, SETTINGS, THEME_FIELDS, guide_languages, left_out_pages,
                             main as check_clinic_main)
from conftest import CLINIC_EXAMPLE, DOCS, ROOT, load_mkdocs_config
from security_headers import all_headers, content_security_policy, header_problems
from test_hostile_clinic import clinic_file, message_format

THEME = Path(__import__("material").__file__).parent / "templates"
TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader([ROOT / "overrides", THEME]))
# MkDocs' own filters, which Material's base.html needs to compile; the blocks rendered
# here (content, htmltitle) call `url` only for a logo, which these settings leave out.
TEMPLATES.filters.update(url=str, script_tag=str)
EXAMPLE_CLINIC = yaml.safe_load(CLINIC_EXAMPLE.read_text(encoding="utf-8").replace("INHERIT:", "inherit:"))["extra"]["clinic"]
FIELDS = {**CLINIC_FIELDS, "site_name": SETTINGS["site_name"], "site_url": SETTINGS["site_url"], "logo": THEME_FIELDS["logo"]}
PATIENT_FACING = [name for name, field in CLINIC_FIELDS.items() if field.kind in ("text", "phone", "email", "https")]
SETTINGS_PER_FIELD = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------- rendering the theme's templates


class _Parts(html.parser.HTMLParser):
    """The elements (tag and attribute names), texts and attribute values of a fragment."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple[str, ...]]] = []
        self.texts: list[str] = []
        self.values: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs) -> None:
        self.elements.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.values += [value or "" for _, value in attrs]

    def handle_data(self, data) -> None:
        self.texts.append(data)


class _Page:
    """Just enough of an MkDocs page for the content and title templates."""

    def __init__(self, content: str = "", title: str = "Page", meta: dict | None = None) -> None:
        self.content, self.title, self.meta = content, title, meta or {}
        self.url, self.is_homepage, self.canonical_url = "page/", False, None


GUIDE_CONFIG = load_mkdocs_config()


def _config(clinic: dict, site_name: str = "Guide") -> dict:
    return {**GUIDE_CONFIG, "extra": {**GUIDE_CONFIG["extra"], "clinic": clinic}, "site_name": site_name}


def _render_clinic(clinic: dict, accepted: bool = True) -> str:
    """The footer, the print header and the three care cards' calls to action for this clinic
    (written into the clinic's copy by scripts/assemble_clinic.py, then raw HTML in the card)."""
    config = _config(clinic)
    problems: list = []
    actions = care_card_actions(ROOT, "clinics/x.yml", clinic, problems)
    assert not problems or not accepted, problems  # a refused value is a problem: nothing is built
    page = _Page("<h1>Page</h1>" + "".join(f"<p>{action.lines[1]}</p>" for action in actions.values()))
    context = {"config": config, "page": page, "lang": {"t": lambda key: key}, "base_url": ".", "features": []}
    return "".join(_block("main.html", "content", context)) + TEMPLATES.get_template("partials/copyright.html").render(context)


def _block(name: str, block: str, context: dict):
    """One block of a template, rendered with its parents' blocks behind it (for `super()`),
    as `extends` would: main.html's content block is the print header, then Material's
    content (partials/content.html)."""
    template = TEMPLATES.get_template(name)
    rendering = template.new_context(context)
    parent = TEMPLATES.get_template("base.html")
    for block_name, function in parent.blocks.items():
        rendering.blocks.setdefault(block_name, []).append(function)
    return template.blocks[block](rendering)


def _render_title(site_name: str, page_title: str) -> str:
    template = TEMPLATES.get_template("main.html")
    context = template.new_context({"config": _config({}, site_name), "page": _Page(title=page_title, meta={"title": page_title})})
    return "".join(template.blocks["htmltitle"](context))


BASELINE = _Parts(_render_clinic(EXAMPLE_CLINIC)).elements
# Settings shown only on the care cards (the footer and print header do not show them).
CARD_ONLY_FIELDS = {"emergency_number", "urgent_line_name", "urgent_line_number"}


def assert_shown_as_text(field: str, value: str, accepted: bool = True) -> None:
    """The value changes no element of the footer, print header or care cards, and reads as typed."""
    parts = _Parts(_render_clinic({**EXAMPLE_CLINIC, field: value}, accepted))
    assert parts.elements == BASELINE, (field, value)
    if accepted or field not in CARD_ONLY_FIELDS:  # a card shows no refused value (it stops the build)
        assert any(value in text for text in parts.texts + parts.values), (field, value, parts.texts)


# ---------------------------------------------------------------- random values

MARKUP = st.text(alphabet="<>\"'&`{}/;:=#!?*|\\\n\r\t ()[]%-–aZ09é理🙂\u202e\u200b\x00", max_size=40)
ANY_TEXT = st.text(max_size=60)
SHAPES = st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.dates(),
                   st.lists(ANY_TEXT, max_size=3), st.dictionaries(ANY_TEXT, ANY_TEXT, max_size=2))


def _near(field: str) -> st.SearchStrategy:
    """A good value for the field with something awkward added, so that many are accepted."""
    good = [FIELDS[field].example, "Smith & Jones' Physio", "Zürich 理学療法 🙂", "+44 (0)1632 960-123",
            "https://clinic.example:8443", "https://*.clinic.example", "https://clinic.example/a/b/"]
    return st.builds(lambda base, extra, front: extra + base if front else base + extra,
                     st.sampled_from(good), st.text(alphabet=" &'-–.é/:<>\"#;?", max_size=3), st.booleans())


def _flow(value) -> str:
    """A value as YAML writes it on one line (quoted where YAML needs quotes)."""
    return yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=10**9).strip()[1:-1]


def written(field: str) -> st.SearchStrategy:
    """What a person might type after `field: `, quoted by YAML's rules or typed raw."""
    values = st.one_of(_near(field), MARKUP, ANY_TEXT, SHAPES)
    if field == "frame_ancestors":
        values = st.one_of(st.lists(st.one_of(_near(field), MARKUP, SHAPES), max_size=3), values)
    raw = st.one_of(_near(field), MARKUP).map(lambda text: " ".join(text.splitlines()))
    return st.one_of(values.map(_flow), raw)


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _check(path: Path) -> tuple[int, list[str], list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = check_clinic_main([str(path)])
    return status, out.getvalue().splitlines(), err.getvalue().splitlines()


def _loaded(path: Path, field: str):
    """The value as MkDocs reads it (the check passed, so there are no tags or aliases)."""
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    if field in CLINIC_FIELDS:
        return settings["extra"]["clinic"][field]
    return settings["theme"][field] if field == "logo" else settings[field]


def assert_safe(field: str, value) -> None:
    """A value the check accepted is one the pages and headers take safely."""
    kind = FIELDS[field].kind
    if kind == "origins":
        value = [] if value is None else value  # `frame_ancestors:` with nothing: only the guide itself
        assert isinstance(value, list) and all(isinstance(origin, str) for origin in value), value
        policy = content_security_policy([], [], value)
        assert header_problems(all_headers(policy), value, "/") == [], value
        return
    if kind == "flag":
        assert isinstance(value, bool), value  # read by scripts/reviews.py, never printed
        return
    if kind == "pages":  # read by scripts/assemble_clinic.py: sections or pages that exist, never a kept one
        value = [] if value is None else value
        assert isinstance(value, list) and all(isinstance(entry, str) for entry in value), value
        assert all(left_out_pages([entry], DOCS) for entry in value), value
        assert not left_out_pages(value, DOCS) & set(NEVER_LEFT_OUT), value
        return
    if kind == "languages":  # read by scripts/languages.py and assemble_clinic.py: the guide's codes, en among them
        assert isinstance(value, list) and "en" in value and len(set(value)) == len(value), value
        assert set(value) <= set(guide_languages(ROOT)), value
        return
    assert isinstance(value, str) and value.strip() and len(value) <= FIELDS[field].limit, value
    if field in PATIENT_FACING:
        assert_shown_as_text(field, value)
    elif kind == "colour":
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", value)
    elif kind == "plain":
        # Material prints the site name as it is in its header: nothing in it may be markup.
        assert not set(value) & set('<>"&`'), value
        assert [text for text in _Parts(_render_title(value, "Page")).texts if text.strip()] == [f"Page - {value}"]
    elif kind == "site_url":
        parts = urlsplit(value)
        assert parts.scheme == "https" and not parts.query and not parts.fragment and value.endswith("/"), value
        assert header_problems(all_headers(content_security_policy([], [], [])), [], parts.path) == [], value
    elif kind == "logo":
        target = (DOCS / value).resolve()
        assert target.is_relative_to(DOCS.resolve()) and target.is_file(), value


@pytest.mark.parametrize("field", list(FIELDS))
@SETTINGS_PER_FIELD
@given(data=st.data())
def test_any_value_is_refused_at_its_line_or_is_safe(folder, field, data):
    text = data.draw(written(field), label=field)
    path, line = clinic_file(folder, field, text)
    status, out, err = _check(path)
    event(f"exit status {status}")  # --hypothesis-show-statistics: how many were refused, unreadable, accepted
    if status == 2:
        assert out == [] and len(err) == 1, (text, err)
        assert re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+: error clinic-yaml: cannot read the clinic settings: .+", err[0])
    elif status == 1:
        assert out and err == [], (text, out, err)
        assert all(message_format(path).fullmatch(message) and message.isprintable() for message in out), out
        assert any(message.startswith(f"{path}:{line}:") for message in out), (text, out)
    else:
        assert (status, out, err) == (0, [], []), (text, status, out, err)
        assert_safe(field, _loaded(path, field))


# ---------------------------------------------------------------- the templates on their own

DISPLAYED = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="{}"), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(PATIENT_FACING),
       value=DISPLAYED.filter(str.strip))
def test_the_templates_escape_any_clinic_value_even_one_the_check_would_refuse(field, value):
    """Defence in depth: markup in a clinic value stays text in every template that shows it.
    (Braces are left out: they would fill in a care card's {field}, and the check refuses them.
    A care card never shows a refused value: scripts/assemble_clinic.py reports it instead.)"""
    assert_shown_as_text(field, value, accepted=False)


@settings(max_examples=100, deadline=None)
@given(site_name=DISPLAYED.filter(str.strip), title=DISPLAYED.filter(str.strip))
def test_the_page_title_escapes_any_title_and_site_name(site_name, title):
    parts = _Parts(_render_title(site_name, title))
    assert [tag for tag, _ in parts.elements] == ["title"]
    assert "".join(parts.texts).strip() == f"{title} - {site_name}".strip()


def test_the_structured_data_filter_escapes_a_closing_script_tag():
    """main.html writes JSON-LD with `tojson`: </script> cannot end the element early."""
    written = TEMPLATES.from_string("{{ value | tojson }}").render(value="</script><script>alert(1)</script>&")
    assert "<" not in written and ">" not in written and "&" not in written
    assert json.loads(written) == "</script><script>alert(1)</script>&"
