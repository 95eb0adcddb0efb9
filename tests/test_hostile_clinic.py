"""Hostile and careless clinic settings (issue 15): every attack is refused with one
`file:line` message, and every value that gets through reaches the pages escaped.

The checks here run scripts/clinic_settings.py the way `make build CLINIC=...` does
(its `main`), on a copy of clinics/example.yml with one line changed."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml

from clinic_settings import CLINIC_FIELDS, check_settings, main as check_clinic_main
from conftest import CLINIC_EXAMPLE, DOCS, ROOT

EXAMPLE = CLINIC_EXAMPLE.read_text(encoding="utf-8")
# The line of the example each setting is on, and how it is indented there.
FIELD_LINES = {field: re.search(rf"^( *){field}:.*$", EXAMPLE, re.MULTILINE)
               for field in [*CLINIC_FIELDS, "site_name", "site_url", "logo"]}
TEXT_FIELDS = ["name", "phone", "email", "address", "website", "opening_hours", "booking_url",
               "urgent_line_name", "urgent_line_number", "emergency_number", "site_name"]
SCRIPT = "<script>alert(1)</script>"


def message_format(path: Path) -> re.Pattern:
    """One problem: `path:line:col: error rule: field: what to write instead`, printable, one line."""
    return re.compile(rf"{re.escape(str(path))}:(\d+):\d+: error clinic-[a-z]+: [\w&*][^\s:]*: \S.*")


def clinic_file(folder: Path, field: str, value: str, *, name: str = "clinic.yml") -> tuple[Path, int]:
    """The example with `field: value` on the field's own line; the file and that line's number."""
    match = FIELD_LINES[field]
    text = EXAMPLE[: match.start()] + f"{match.group(1)}{field}: {value}" + EXAMPLE[match.end():]
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path, EXAMPLE[: match.start()].count("\n") + 1


def run_check(path: Path, capsys) -> tuple[int, list[str], list[str]]:
    status = check_clinic_main([str(path)])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err.splitlines()


def one_refusal(path: Path, capsys) -> tuple[int, str]:
    """The check exits 1 with exactly one well-formed message; its line number and text."""
    status, out, err = run_check(path, capsys)
    assert (status, len(out), err) == (1, 1, []), (status, out, err)
    found = message_format(path).fullmatch(out[0])
    assert found and out[0].isprintable(), out[0]
    return int(found.group(1)), out[0]


# ---------------------------------------------------------------- attacks from the issue

@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_script_in_any_clinic_field_is_refused_at_its_line(tmp_path, capsys, field):
    path, line = clinic_file(tmp_path, field, f"'{SCRIPT}'")
    found_line, message = one_refusal(path, capsys)
    assert found_line == line and f": {field}: " in message


def test_a_title_that_closes_the_title_element_is_refused_in_site_name(tmp_path, capsys):
    path, line = clinic_file(tmp_path, "site_name", "'Guide</title><script>alert(1)</script>'")
    assert one_refusal(path, capsys)[0] == line


@pytest.mark.parametrize("field, written", [("phone", "02071234567"), ("urgent_line_number", "0111"),
                                            ("emergency_number", "999"), ("phone", "1_000")])
def test_an_unquoted_number_is_refused_with_the_text_as_written(tmp_path, capsys, field, written):
    """YAML 1.1 reads 02071234567 as octal (283457911) and 0111 as 73: never shown to a patient."""
    path, line = clinic_file(tmp_path, field, written)
    found_line, message = one_refusal(path, capsys)
    assert found_line == line
    assert message.endswith(f': {field}: write it in quotes, "{written}"'), message


@pytest.mark.parametrize("origin", [
    '"https://a.example\\nX-Injected: 1"', "'https://a.example\"'", '"https://a.example; script-src *"',
    '"https://*"', '"https://*.example"', '"http://clinic.example"', '"https://clinic.example/path"',
    '"https://clinic.example/"', "\"https://clinic.example'\"", '"https://a.example https://b.example"',
    '"https://clinic.example\\r"', '"https://clinic.example,https://b.example"', '"*"', '"\'self\'"'])
def test_frame_ancestors_take_only_https_origins(tmp_path, capsys, origin):
    path, line = clinic_file(tmp_path, "frame_ancestors", f"[{origin}]")
    found_line, message = one_refusal(path, capsys)
    assert found_line == line and ": frame_ancestors: " in message


@pytest.mark.parametrize("origin", ["https://clinic.example", "https://clinic.example:8443", "https://*.clinic.example"])
def test_frame_ancestors_accept_host_port_and_subdomain_wildcard(tmp_path, capsys, origin):
    path, _ = clinic_file(tmp_path, "frame_ancestors", f'["{origin}"]')
    assert run_check(path, capsys) == (0, [], [])


@pytest.mark.parametrize("site_url", [
    "'https://clinic.example/;add_header X-Injected 1;/'", "https://clinic.example/patient-info/?a=1",
    "https://clinic.example/patient-info/#top", "'https://clinic.example/patient info/'",
    "'https://clinic.example/\"/'", "http://clinic.example/", "https://clinic.example/patient-info",
    "'https://clinic.example/{x}/'", "https://user@clinic.example/", "javascript:alert(1)//"])
def test_site_url_is_https_with_no_query_fragment_or_header_characters(tmp_path, capsys, site_url):
    path, line = clinic_file(tmp_path, "site_url", site_url)
    found_line, message = one_refusal(path, capsys)
    assert found_line == line and ": site_url: " in message


@pytest.mark.parametrize("field, value", [("frame_ancestors", "5"), ("logo", "5"), ("site_url", "42"),
                                          ("frame_ancestors", '"https://clinic.example"'), ("name", "[a, b]"),
                                          ("name", "{first: a}"), ("colour", "#00594f"), ("phone", ""),
                                          ("emergency_number", "yes"), ("email", "2026-01-01"),
                                          ("urgent_line_number", "!ENV URGENT"), ("name", "!!python/object:os.system x"),
                                          ("address", "|\n      12 River Street\n      Exampletown"),
                                          ("frame_ancestors", "[5]")])
def test_a_wrong_shape_gives_one_message_not_a_traceback(tmp_path, capsys, field, value):
    path, line = clinic_file(tmp_path, field, value)
    found_line, message = one_refusal(path, capsys)
    assert found_line == line and f": {field}: " in message


def test_a_colour_yaml_reads_as_a_comment_gets_the_quoted_fix(tmp_path, capsys):
    path, _ = clinic_file(tmp_path, "colour", "#00594f")
    assert one_refusal(path, capsys)[1].endswith('colour: a # starts a comment in YAML; write it in quotes, "#00594f"')


def test_extra_that_is_not_a_mapping_gives_one_message(tmp_path, capsys):
    path = tmp_path / "clinic.yml"
    path.write_text(EXAMPLE[: EXAMPLE.index("extra:")] + "extra: x\n", encoding="utf-8")
    line, message = one_refusal(path, capsys)
    assert line == EXAMPLE[: EXAMPLE.index("extra:")].count("\n") + 1 and ": extra: " in message


THEME_SECTION = EXAMPLE[EXAMPLE.index("theme:"): EXAMPLE.index("extra:")]


@pytest.mark.parametrize("old, new", [(THEME_SECTION, "theme: x\n"), (THEME_SECTION, "theme: {logo: 5}\n"),
                                      ("INHERIT: ../mkdocs.yml", "INHERIT: [../mkdocs.yml]"),
                                      ("docs_dir: ../docs", "docs_dir: /etc"),
                                      ("  clinic:\n", "  clinic: x\n  other:\n")])
def test_other_wrong_shapes_give_messages_not_tracebacks(tmp_path, capsys, old, new):
    path = tmp_path / "clinic.yml"
    assert old in EXAMPLE
    path.write_text(EXAMPLE.replace(old, new, 1), encoding="utf-8")
    status, out, err = run_check(path, capsys)
    assert status == 1 and out and err == []
    assert all(message_format(path).fullmatch(line) for line in out), out


def test_billion_laughs_is_refused_at_once_without_expanding(tmp_path, capsys):
    """2 KB of aliases would expand to hundreds of megabytes of pages."""
    lines = ['lol0: &lol0 ["lol"]'] + [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = tmp_path / "clinic.yml"
    path.write_text(EXAMPLE.replace("watch:", "\n".join(lines) + "\nwatch:", 1), encoding="utf-8")
    started = time.monotonic()
    line, message = one_refusal(path, capsys)
    assert time.monotonic() - started < 2
    assert "anchors and aliases" in message and line == EXAMPLE[: EXAMPLE.index("watch:")].count("\n") + 1


def test_an_alias_to_nothing_is_refused_as_an_alias(tmp_path, capsys):
    path = tmp_path / "clinic.yml"
    path.write_text(EXAMPLE.replace('urgent_line_number: "111"', "urgent_line_number: *missing"), encoding="utf-8")
    assert "*missing: YAML anchors and aliases are not allowed" in one_refusal(path, capsys)[1]


def test_an_alias_to_a_phone_number_is_refused(tmp_path, capsys):
    path = tmp_path / "clinic.yml"
    path.write_text(EXAMPLE.replace('emergency_number: "999"', 'emergency_number: &n "999"')
                    .replace('urgent_line_number: "111"', "urgent_line_number: *n"), encoding="utf-8")
    assert "anchors and aliases" in one_refusal(path, capsys)[1]


def test_a_one_megabyte_name_is_refused_quickly(tmp_path, capsys):
    path, line = clinic_file(tmp_path, "name", "A" * 1_000_000)
    started = time.monotonic()
    found_line, message = one_refusal(path, capsys)
    assert time.monotonic() - started < 5
    assert found_line == line and "at most 80 characters" in message


def test_a_key_written_twice_is_refused_at_the_second(tmp_path, capsys):
    path = tmp_path / "clinic.yml"
    path.write_text(EXAMPLE.replace('emergency_number: "999"', 'emergency_number: "999"\n    emergency_number: "112"'), encoding="utf-8")
    line, message = one_refusal(path, capsys)
    first = EXAMPLE[: EXAMPLE.index('emergency_number: "999"')].count("\n") + 1
    assert line == first + 1 and f"set twice (first on line {first})" in message


@pytest.mark.parametrize("setting", ["copyright: '<b>x</b>'", "extra_javascript: [evil.js]",
                                     "markdown_extensions: [md_in_html]"])
def test_a_clinic_file_cannot_set_what_is_not_a_clinic_setting(tmp_path, capsys, setting):
    path = tmp_path / "clinic.yml"
    path.write_text(EXAMPLE.replace("watch:", setting + "\nwatch:", 1), encoding="utf-8")
    assert "unknown setting" in one_refusal(path, capsys)[1]


def test_a_clinic_file_cannot_change_the_care_card_wording(tmp_path, capsys):
    path = tmp_path / "clinic.yml"
    path.write_text(EXAMPLE.replace("  clinic:\n", "  care_cards: {clinic: {emergency: 'Rest'}}\n  clinic:\n", 1), encoding="utf-8")
    assert "care_cards: a clinic file sets only extra.clinic" in one_refusal(path, capsys)[1]


@pytest.mark.parametrize("value", ['"\\u202e321 999"', '"999\\u200b"', '"Riverside\\u0000"', '"Riverside\\u001b[31m"'])
def test_invisible_and_control_characters_are_refused(tmp_path, capsys, value):
    path, line = clinic_file(tmp_path, "name", value)
    found_line, message = one_refusal(path, capsys)
    assert found_line == line and "\x1b" not in message


@pytest.mark.parametrize("logo", ["../mkdocs.yml", "/etc/passwd", "assets/../../mkdocs.yml", "'assets/logo\".svg'",
                                  "assets/clinic-logos/missing.svg", "index.md", "https://evil.example/logo.svg"])
def test_the_logo_must_be_an_image_file_inside_docs(tmp_path, capsys, logo):
    path, line = clinic_file(tmp_path, "logo", logo)
    found_line, message = one_refusal(path, capsys)
    assert found_line == line and ": logo: " in message


def test_a_logo_that_is_a_link_out_of_docs_is_refused(tmp_path):
    docs = tmp_path / "docs"
    (docs / "assets").mkdir(parents=True)
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg/>", encoding="utf-8")
    (docs / "assets" / "logo.svg").symlink_to(secret)
    path, line = clinic_file(tmp_path, "logo", "assets/logo.svg")
    problems = check_settings(path, docs)
    assert [(p.line, p.rule) for p in problems] == [(line, "clinic-logo")]
    assert "leads outside docs/" in problems[0].message


@pytest.mark.parametrize("text", ["", "just text", "- a\n- b\n", "a: b\n---\nc: d\n", "\tbad: tab\n", "x: [\n",
                                  "%YAML 9.9\n---\na: 1\n", "a: 'unclosed\n"])
def test_a_file_that_is_not_settings_exits_2_with_one_line(tmp_path, capsys, text):
    path = tmp_path / "clinic.yml"
    path.write_text(text, encoding="utf-8")
    status, out, err = run_check(path, capsys)
    assert (status, out, len(err)) == (2, [], 1), (status, out, err)
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+: error clinic-yaml: cannot read the clinic settings: .+", err[0])


def test_a_file_is_read_as_mkdocs_reads_it(tmp_path, capsys):
    """libyaml takes a tab before a value; PyYAML, which MkDocs uses, does not: the check says so
    rather than pass a file the build cannot read (found by the Hypothesis test)."""
    path, line = clinic_file(tmp_path, "address", "\té")
    status, out, err = run_check(path, capsys)
    assert (status, out, len(err)) == (2, [], 1) and err[0].startswith(f"{path}:{line}:"), err


def test_a_file_that_is_not_utf8_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "clinic.yml"
    path.write_bytes(b"name: \xff\xfe\n")
    status, out, err = run_check(path, capsys)
    assert (status, out, len(err)) == (2, [], 1) and "UTF-8" in err[0]


@pytest.mark.parametrize("value", ["\"Smith & Jones' Physio\"", "Zürich Physiotherapie", "理学療法クリニック",
                                   "'O''Neil & Co – physio'", "Physio 🙂 Co"])
def test_names_with_ampersands_apostrophes_and_unicode_are_accepted(tmp_path, capsys, value):
    path, _ = clinic_file(tmp_path, "name", value)
    assert run_check(path, capsys) == (0, [], [])


def test_the_make_build_runs_the_check_before_mkdocs_reads_the_file():
    """make runs a target's prerequisites first: clinic-check stops the build before mkdocs."""
    import subprocess

    for target in ("build", "serve", "offline", "zensical"):
        plan = subprocess.run(["make", "-n", target, f"CLINIC={CLINIC_EXAMPLE.relative_to(ROOT)}"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.splitlines()
        check = next(i for i, line in enumerate(plan) if "scripts/clinic_settings.py clinics/example.yml" in line)
        reads = next(i for i, line in enumerate(plan) if "clinics/example.yml" in line and "clinic_settings" not in line)
        assert check < reads, (target, plan)


def test_the_example_passes_and_its_loaded_values_are_all_strings():
    assert check_settings(CLINIC_EXAMPLE, DOCS) == []
    clinic = yaml.safe_load(EXAMPLE.replace("INHERIT:", "inherit:"))["extra"]["clinic"]
    kinds = {key: CLINIC_FIELDS[key].kind for key in clinic}
    assert all(isinstance(value, str) for key, value in clinic.items()
               if kinds[key] not in ("origins", "flag", "pages", "languages"))
    assert all(isinstance(value, bool) for key, value in clinic.items() if kinds[key] == "flag")
    assert all(isinstance(value, list) for key, value in clinic.items() if kinds[key] == "pages")
