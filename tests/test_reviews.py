"""Review records (scripts/reviews.py) in small site trees: fingerprints of a page and every
snippet it includes, the states the theme shows, the checker's review rules, `make sign-off`
and its refusals, a clinic's approvals and require_local_approval, and the CSV report.
The built pages (footer, print footer, JSON-LD, Zensical) are in tests/test_reviews_build.py."""

from __future__ import annotations

import csv
import difflib
import datetime as dt
import io
import shutil
import subprocess
import sys

import jinja2
import pytest
import yaml

import reviews
from check_tree import TODAY, SiteTree, page
from conftest import ROOT

SIGNED = dt.date(2026, 11, 1)
BY = "Sam Lee, physiotherapist"
CLINIC = "clinics/riverside.yml"


@pytest.fixture
def tree(tmp_path) -> SiteTree:
    """The checker's small tree, with page B showing a care card that includes a contact line
    (single quotes, one level deeper), as the guide's cards do."""
    tree = SiteTree(tmp_path / "site")
    tree.write("snippets/cards/card.md", "!!! note \"Get help\"\n\n    --8<-- 'contact/line.md'\n\n    - a sign\n")
    tree.write("snippets/contact/line.md", "Call your physiotherapist if:\n")
    tree.append("docs/sub/b.md", '--8<-- "cards/card.md"')
    return tree


def state_of(tree: SiteTree) -> dict:
    """The theme's review data, read back as the theme reads it (a Jinja import)."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tree.root / "overrides")))
    module = environment.get_template("generated/review-state.html").module
    return {"order": module.order, "pages": module.pages, "clinics": module.clinics}


def records_text(tree: SiteTree, path: str = reviews.RECORDS_FILE) -> str:
    return (tree.root / path).read_text(encoding="utf-8")


def rules(tree: SiteTree, today: dt.date = TODAY) -> dict[str, list]:
    found: dict[str, list] = {}
    for item in tree.check(today):
        found.setdefault(item.rule, []).append(item)
    return found


def add_clinic(tree: SiteTree, require: bool | None = None) -> None:
    clinic = {"name": "Riverside Physiotherapy", "phone": "01632 960 123"}
    if require is not None:
        clinic["require_local_approval"] = require
    tree.write(CLINIC, yaml.safe_dump({"INHERIT": "../mkdocs.yml", "extra": {"clinic": clinic}}))


# ---------------------------------------------------------------- fingerprints

def test_the_fingerprint_covers_the_page_and_every_snippet_it_includes_recursively(tree):
    [b] = [p for p in reviews.current_pages(reviews.open_site(tree.root)) if p.page == "sub/b.md"]
    assert list(b.files) == ["docs/sub/b.md", "snippets/cards/card.md", "snippets/contact/line.md"]
    before = b.fingerprint
    tree.write("snippets/contact/line.md", "Call your GP if:\n")
    [after] = [p for p in reviews.current_pages(reviews.open_site(tree.root)) if p.page == "sub/b.md"]
    assert after.fingerprint != before
    assert after.files["docs/sub/b.md"] == b.files["docs/sub/b.md"]


def test_line_endings_do_not_change_a_fingerprint(tree):
    before = {p.page: p.fingerprint for p in reviews.current_pages(reviews.open_site(tree.root))}
    path = tree.root / "docs/a.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    after = {p.page: p.fingerprint for p in reviews.current_pages(reviews.open_site(tree.root))}
    assert after == before


# ---------------------------------------------------------------- states

def test_a_page_with_no_record_is_not_yet_reviewed_with_its_written_date(tree):
    reviews.write_state_file(tree.root)
    state = state_of(tree)
    assert state["order"] == ["", "a/", "sub/b/"]
    assert state["pages"]["a/"] == {"title": "Page A", "file": "a.html", "state": "unreviewed",
                                    "written": "1 November 2026"}
    assert rules(tree) == {}


def test_a_sign_off_records_who_when_and_the_fingerprint(tree):
    said = tree.sign_off("sub/b.md")
    assert "Reviewed docs/sub/b.md: by Sam Lee, physiotherapist on 1 November 2026. " \
           "Next review due 1 November 2027." in said
    record = reviews.load_records(tree.root, reviews.RECORDS_FILE).pages["sub/b.md"]
    assert (record.by, record.date, record.registration) == (BY, SIGNED, "")
    assert list(record.files) == ["docs/sub/b.md", "snippets/cards/card.md", "snippets/contact/line.md"]
    entry = state_of(tree)["pages"]["sub/b/"]
    assert entry["state"] == "reviewed"
    assert (entry["by"], entry["name"], entry["role"]) == (BY, "Sam Lee", "physiotherapist")
    assert (entry["reviewed"], entry["reviewed_iso"], entry["due"]) == ("1 November 2026", "2026-11-01", "1 November 2027")
    assert state_of(tree)["pages"]["a/"]["state"] == "unreviewed", "a sign-off covers one page"
    assert rules(tree) == {}


def test_an_edit_to_the_page_shows_it_changed_since_review_and_the_checker_names_the_page(tree):
    tree.sign_off("sub/b.md")
    tree.append("docs/sub/b.md", "A new sentence.")
    [stale] = rules(tree)["review-stale"]
    assert (stale.path, stale.severity) == ("docs/sub/b.md", "warning")
    assert "changed since its review by Sam Lee, physiotherapist on 2026-11-01: docs/sub/b.md changed" in stale.message
    assert "snippets/" not in stale.message.split("make sign-off")[0]
    reviews.write_state_file(tree.root)
    assert state_of(tree)["pages"]["sub/b/"]["state"] == "changed"


def test_an_edit_to_an_included_card_shows_the_page_changed_and_names_the_card(tree):
    tree.sign_off("sub/b.md")
    tree.write("snippets/contact/line.md", "Call your GP if:\n")
    [stale] = rules(tree)["review-stale"]
    assert stale.path == "docs/sub/b.md"
    assert ": snippets/contact/line.md changed" in stale.message and "docs/sub/b.md changed" not in stale.message
    reviews.write_state_file(tree.root)
    entry = state_of(tree)["pages"]["sub/b/"]
    assert entry["state"] == "changed" and entry["reviewed"] == "1 November 2026"


def test_including_another_snippet_or_dropping_one_is_a_change(tree):
    tree.sign_off("a.md")
    tree.write("snippets/cards/other.md", "Another card.\n")
    tree.append("docs/a.md", '--8<-- "cards/other.md"')
    [stale] = rules(tree)["review-stale"]
    assert "it now includes snippets/cards/other.md" in stale.message


def test_a_new_sign_off_clears_the_change(tree):
    tree.sign_off("sub/b.md")
    tree.write("snippets/cards/card.md", "Changed card.\n")
    assert "review-stale" in rules(tree)
    tree.sign_off("sub/b.md", on=dt.date(2026, 11, 20))
    assert rules(tree) == {}
    assert state_of(tree)["pages"]["sub/b/"]["reviewed"] == "20 November 2026"


def test_review_due_soon_is_a_warning_and_overdue_is_an_error(tree):
    tree.sign_off("a.md")
    assert "review-due" not in rules(tree, dt.date(2027, 10, 1))
    [due] = rules(tree, dt.date(2027, 10, 2))["review-due"]
    assert due.severity == "warning" and "due on 2027-11-01" in due.message
    assert "review-overdue" not in rules(tree, dt.date(2027, 11, 1))
    [overdue] = rules(tree, dt.date(2027, 11, 2))["review-overdue"]
    assert (overdue.path, overdue.severity) == ("docs/a.md", "error")
    assert "the review of 2026-11-01 was due again on 2027-11-01, 1 days ago" in overdue.message


def test_a_stale_review_never_blocks_a_build(tree):
    tree.sign_off("a.md")
    tree.append("docs/a.md", "A safety fix.")
    reviews.write_state_file(tree.root)  # `make build` writes the review states before it checks
    assert {(f.rule, f.severity) for f in tree.check()} == {("review-stale", "warning")}


def test_the_review_policy_is_data_in_the_records_file(tree):
    tree.sign_off("a.md")
    path = tree.root / reviews.RECORDS_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("review_every_months: 12", "review_every_months: 6"),
                    encoding="utf-8")
    reviews.write_state_file(tree.root)
    assert state_of(tree)["pages"]["a/"]["due"] == "1 May 2027"
    assert "review-overdue" in rules(tree, dt.date(2027, 5, 2))


def test_the_next_review_after_31_january_or_29_february_stays_in_its_month():
    assert reviews.add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert reviews.add_months(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)
    assert reviews.add_months(dt.date(2026, 12, 1), 12) == dt.date(2027, 12, 1)


# ---------------------------------------------------------------- the checker and the records file

def test_an_out_of_date_state_file_is_reported_as_generated(tree):
    tree.sign_off("a.md")
    tree.append("docs/a.md", "An edit.")
    [stale_file] = rules(tree)["generated"]
    assert stale_file.path == reviews.STATE_FILE and "make generate" in stale_file.message
    reviews.write_state_file(tree.root)
    assert "generated" not in rules(tree)


@pytest.mark.parametrize("edit, problem", [
    (lambda text: text.replace("by: \"Sam Lee", "by: \"<b>Sam</b> Lee"), "markup"),
    (lambda text: text.replace("date: 2026-11-01", "date: 1 November"), "`date` is not a date"),
    (lambda text: text[: text.index("fingerprint: ") + 13] + "f" * 64 + text[text.index("fingerprint: ") + 13 + 64:],
     "does not match its `files`: the record was edited by hand"),
    (lambda text: text.replace("review_every_months: 12", "review_every_months: twelve"), "review_every_months"),
    (lambda text: text.replace("  a.md:", "  gone.md:"), "there is no page docs/gone.md"),
])
def test_a_hand_edited_record_is_reported_at_its_line(tree, edit, problem):
    tree.sign_off("a.md")
    path = tree.root / reviews.RECORDS_FILE
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    [item] = rules(tree)["review-record"]
    assert item.path == reviews.RECORDS_FILE and problem in item.message, item
    assert item.line in (1, tree.line_of(reviews.RECORDS_FILE, "  a.md:") if "  a.md:" in records_text(tree) else 1,
                         tree.line_of(reviews.RECORDS_FILE, "gone.md") if "gone.md" in records_text(tree) else 1)


def test_a_review_dated_in_the_future_is_an_error(tree):
    tree.sign_off("a.md", on=dt.date(2026, 12, 25))
    [item] = rules(tree)["review-record"]
    assert "dated 2026-12-25, in the future" in item.message


# ---------------------------------------------------------------- make sign-off: refusals

def snapshot(tree: SiteTree) -> dict[str, bytes | None]:
    paths = [reviews.RECORDS_FILE, reviews.STATE_FILE, "clinics/riverside.reviews.yml"]
    return {p: (tree.root / p).read_bytes() if (tree.root / p).exists() else None for p in paths}


@pytest.mark.parametrize("page_name, by, reason", [
    ("docs/nope.md", BY, "docs/nope.md: there is no such page under docs/"),
    ("docs/../mkdocs.yml", BY, "there is no such page under docs/"),
    ("", BY, "give the page"),
    ("docs/a.md", "", "BY is empty"),
    ("docs/a.md", "   ", "BY is empty"),
    ("docs/a.md", "Sam Lee,\nphysiotherapist", "BY holds a line break"),
    ("docs/a.md", "<b>Sam</b> Lee, physiotherapist", "BY holds markup (<)"),
    ("docs/a.md", "[Sam](https://x.example), physiotherapist", "BY holds markup ([)"),
    ("docs/a.md", "Sam Lee", 'BY must be "Name, role"'),
])
def test_sign_off_refuses_with_one_line_and_writes_nothing(tree, page_name, by, reason):
    tree.sign_off("a.md")
    before = snapshot(tree)
    result = subprocess.run([sys.executable, str(ROOT / "scripts/reviews.py"), "--root", str(tree.root), "sign-off",
                             "--page", page_name, "--by", by, "--today", "2026-11-02"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("sign-off: nothing written: ") and reason in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(tree) == before


@pytest.mark.parametrize("where", ["docs/sub/b.md", "snippets/contact/line.md"])
def test_sign_off_refuses_while_the_checker_finds_an_error_on_the_page_or_its_snippets(tree, where):
    tree.append(where, "See [gone](gone.md).")
    before = snapshot(tree)
    with pytest.raises(reviews.Refused, match=r"the checker finds 1 error on docs/sub/b.md; fix it first "
                                              rf"\({where}:\d+:\d+: internal-link"):
        tree.sign_off("sub/b.md")
    assert snapshot(tree) == before


def test_an_error_on_another_page_does_not_refuse_a_sign_off(tree):
    tree.append("docs/a.md", "See [gone](gone.md).")
    tree.sign_off("sub/b.md")


def test_an_overdue_or_changed_page_can_be_signed_off_again(tree):
    text = (tree.root / "docs/a.md").read_text(encoding="utf-8")
    tree.write("docs/a.md", text.replace("written: 2026-11-01", "written: 2024-06-01"))
    tree.sign_off("a.md", on=dt.date(2025, 1, 1))
    tree.append("docs/a.md", "An edit.")
    assert {"review-overdue", "review-stale"} <= set(rules(tree))
    tree.sign_off("a.md", on=TODAY)
    assert rules(tree) == {}


def test_the_records_file_is_rewritten_atomically_and_a_sign_off_adds_one_block(tree):
    tree.sign_off("sub/b.md")
    before = records_text(tree).splitlines()
    tree.sign_off("a.md", by="Ann Smith, consultant physiotherapist")
    after = records_text(tree).splitlines()
    changes = [op for op in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes() if op[0] != "equal"]
    [(kind, start, end, new_start, new_end)] = changes
    added = after[new_start:new_end]
    assert kind == "insert", "only lines were added, in one block"
    assert "  a.md:" in added and '    by: "Ann Smith, consultant physiotherapist"' in added
    assert len(added) == 7, added  # page, by, date, fingerprint, files:, two files, and a blank line
    assert list((tree.root / "data").glob(".reviews.yml.*")) == [], "no temporary file is left"


def test_a_registration_number_is_kept_and_shown(tree):
    tree.sign_off("a.md", by=BY)
    reviews.sign_off(tree.root, "a.md", BY, registration="HCPC PH123456", today=SIGNED)
    assert state_of(tree)["pages"]["a/"]["registration"] == "HCPC PH123456"
    assert '    registration: "HCPC PH123456"' in records_text(tree)


def test_make_sign_off_refuses_a_missing_page_in_the_repository_and_writes_nothing():
    before = (ROOT / reviews.RECORDS_FILE).read_bytes()
    result = subprocess.run(["make", "-s", "-o", ".venv/.site", "sign-off", "PAGE=docs/no-such-page.md",
                             "BY=Sam Lee, physiotherapist"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "sign-off: nothing written: docs/no-such-page.md: there is no such page under docs/" in result.stderr
    assert (ROOT / reviews.RECORDS_FILE).read_bytes() == before


def test_every_build_writes_the_review_states_first_and_a_clinic_build_checks_its_approvals():
    def commands(*target: str) -> list[str]:
        result = subprocess.run(["make", "-n", "-o", ".venv/.site", "-o", ".venv/.test", *target], cwd=ROOT,
                                capture_output=True, text=True, check=True)
        return result.stdout.splitlines()

    for target in ("build", "serve", "offline", "zensical"):
        lines = commands(target, "CLINIC=clinics/example.yml")
        builder = next(i for i, line in enumerate(lines) if "mkdocs build" in line or "mkdocs serve" in line
                       or "zensical build" in line)
        generate = next(i for i, line in enumerate(lines) if "reviews.py generate" in line)
        approvals = next(i for i, line in enumerate(lines) if "reviews.py clinic-check clinics/example.yml" in line)
        assert generate < builder and approvals < builder, (target, lines)


# ---------------------------------------------------------------- a clinic's approvals

def test_a_clinic_approval_is_recorded_beside_its_settings_and_shown_only_for_that_page(tree):
    add_clinic(tree)
    said = tree.sign_off("a.md", by="Kim Park, clinical lead", clinic=CLINIC)
    assert "Approved docs/a.md for use at Riverside Physiotherapy by Kim Park, clinical lead on 1 November 2026." in said
    assert not (tree.root / reviews.RECORDS_FILE).exists(), "a clinic's approval is not the guide's review"
    text = records_text(tree, "clinics/riverside.reviews.yml")
    assert text.startswith("# Riverside Physiotherapy's own approvals") and "policy:" not in text
    state = state_of(tree)
    assert state["clinics"] == {"Riverside Physiotherapy": {"a/": {
        "state": "approved", "by": "Kim Park, clinical lead", "registration": "", "approved": "1 November 2026"}}}
    assert state["pages"]["a/"]["state"] == "unreviewed"


def test_each_clinics_own_pages_reach_the_theme_and_a_name_two_clinics_share_is_reported(tree):
    add_clinic(tree)  # no approvals yet: its own pages are listed all the same
    tree.write("clinics/riverside/docs/parking.md", page("Parking at {our} <clinic>", "Park behind the building."))
    reviews.write_state_file(tree.root)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tree.root / "overrides")))
    module = environment.get_template("generated/review-state.html").module
    assert module.own_pages == {"Riverside Physiotherapy": {"order": ["our-clinic/parking/"], "pages": {
        "our-clinic/parking/": {"title": "Parking at {our} <clinic>", "file": "our-clinic/parking.html",
                                "state": reviews.OWN_STATE, "written": "1 November 2026"}}}}
    assert module.us_locale == "en-US" and "title_us" not in module.pages["a/"]
    tree.write("clinics/other.yml", (tree.root / CLINIC).read_text(encoding="utf-8"))
    tree.write("clinics/other/docs/map.md", page("Map", "A map."))
    [found] = rules(tree)["review-record"]
    assert (found.path, found.line) == (CLINIC, 1)
    assert "the clinic name 'Riverside Physiotherapy' is also used by clinics/other.yml" in found.message


def test_the_review_table_escapes_a_clinics_name_and_its_own_pages_title(tree):
    """overrides/partials/review-status.html as a clinic's English copy renders it (no autoescape)."""
    name, title = 'Co & <b>"Sons"</b> {{ 7*7 }}', "<script>alert(1)</script> {% raw %}"
    tree.write(CLINIC, yaml.safe_dump({"INHERIT": "../mkdocs.yml", "extra": {"clinic": {"name": name}}}))
    tree.write("clinics/riverside/docs/parking.md", page("Parking", "Park behind the building.").replace(
        "title: Parking", "title: " + yaml.safe_dump(title).splitlines()[0], 1))
    reviews.write_state_file(tree.root)
    (tree.root / "overrides/partials").mkdir(parents=True)
    shutil.copy(ROOT / "overrides/partials/review-status.html", tree.root / "overrides/partials/review-status.html")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tree.root / "overrides")))
    html = environment.get_template("partials/review-status.html").render(
        config={"extra": {"clinic": {"name": name}}, "theme": {"language": "en"}}, page={"url": "about/"}, base_url="..")
    assert "<script>" not in html and "<b>" not in html and "49" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {% raw %}</a>" in html
    assert "Co &amp; &lt;b&gt;&#34;Sons&#34;&lt;/b&gt; {{ 7*7 }}&#39;s own page, not reviewed by this guide" in html


def test_an_edit_after_a_clinic_approval_shows_it_changed_since_approval(tree):
    add_clinic(tree)
    tree.sign_off("sub/b.md", by="Kim Park, clinical lead", clinic=CLINIC)
    tree.write("snippets/cards/card.md", "A changed card.\n")
    reviews.write_state_file(tree.root)
    assert state_of(tree)["clinics"]["Riverside Physiotherapy"]["sub/b/"]["state"] == "changed"
    status, lines = reviews.clinic_check(tree.root, CLINIC)
    assert status == 0
    assert lines == ["docs/sub/b.md: warning local-approval: changed since approval on 2026-11-01: "
                     "snippets/cards/card.md changed; it no longer includes snippets/contact/line.md "
                     "by Riverside Physiotherapy"]


def test_require_local_approval_stops_the_clinic_build_with_the_pages_that_lack_one(tree):
    add_clinic(tree, require=True)
    tree.sign_off("a.md", by="Kim Park, clinical lead", clinic=CLINIC)
    tree.sign_off("sub/b.md", by="Kim Park, clinical lead", clinic=CLINIC)
    tree.append("docs/sub/b.md", "An edit.")
    result = subprocess.run([sys.executable, str(ROOT / "scripts/reviews.py"), "--root", str(tree.root),
                             "clinic-check", CLINIC], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{CLINIC}: error local-approval: require_local_approval is true and 2 pages lack "
                               "a current approval by Riverside Physiotherapy.")
    assert lines[1:] == ["  docs/index.md: not approved",
                         "  docs/sub/b.md: changed since approval on 2026-11-01: docs/sub/b.md changed"]
    tree.sign_off("index.md", by="Kim Park, clinical lead", clinic=CLINIC)
    tree.sign_off("sub/b.md", by="Kim Park, clinical lead", clinic=CLINIC)
    assert reviews.clinic_check(tree.root, CLINIC) == (0, [])


def test_require_local_approval_must_be_true_or_false(tree):
    add_clinic(tree, require="yes please")  # type: ignore[arg-type]
    with pytest.raises(reviews.RecordsError, match="require_local_approval must be true or false"):
        reviews.clinic_check(tree.root, CLINIC)


def test_a_clinic_sign_off_needs_a_clinic_settings_file(tree):
    with pytest.raises(reviews.Refused, match="no such clinic settings file in clinics/"):
        tree.sign_off("a.md", clinic="clinics/nowhere.yml")


# ---------------------------------------------------------------- the report

def test_the_report_lists_every_page_with_its_state_and_the_clinics_approval(tree, tmp_path):
    add_clinic(tree)
    tree.sign_off("a.md")
    tree.sign_off("sub/b.md")
    tree.write("snippets/contact/line.md", "=HYPERLINK(\"x\")\n")
    tree.sign_off("a.md", by="Kim Park, clinical lead", clinic=CLINIC)
    output = tmp_path / "report.csv"
    assert reviews.main(["--root", str(tree.root), "report", "--clinic", CLINIC, "--output", str(output)]) == 0
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert [row["page"] for row in rows] == ["docs/index.md", "docs/a.md", "docs/sub/b.md"]
    by_page = {row["page"]: row for row in rows}
    assert by_page["docs/index.md"]["state"] == "unreviewed" and by_page["docs/index.md"]["reviewed_by"] == ""
    assert (by_page["docs/a.md"]["state"], by_page["docs/a.md"]["reviewed_on"], by_page["docs/a.md"]["next_review_due"]) \
        == ("reviewed", "2026-11-01", "2027-11-01")
    assert by_page["docs/sub/b.md"]["state"] == "changed"
    assert by_page["docs/sub/b.md"]["what_changed"] == "snippets/contact/line.md changed"
    assert (by_page["docs/a.md"]["approval"], by_page["docs/a.md"]["approved_by"]) == ("approved", "Kim Park, clinical lead")
    assert by_page["docs/index.md"]["approval"] == "not approved"


def test_a_us_clinics_report_titles_the_pages_as_its_copy_and_its_review_table_do():
    rows = {row[0]: row[1] for row in reviews.report_rows(ROOT, reviews.load_clinic(ROOT, "clinics/example-us.yml"))}
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROOT / "overrides")))
    table = environment.get_template("generated/review-state.html").module.pages
    assert rows["docs/nerve-pain/what-a-gp-can-offer.md"] == "What a primary care doctor can offer for nerve pain" \
        == table["nerve-pain/what-a-gp-can-offer/"]["title_us"]
    assert rows["docs/nerve-pain/managing-a-flare-up.md"] == table["nerve-pain/managing-a-flare-up/"]["title"]
    assert rows["clinics/example-us/docs/first-visit.md"] == "Your first visit to Lakeside Physical Therapy"
    assert rows["docs-es/nerve-pain/what-a-gp-can-offer.md"].startswith("Qué puede ofrecer")
    uk = {row[0]: row[1] for row in reviews.report_rows(ROOT, reviews.load_clinic(ROOT, "clinics/example.yml"))}
    assert uk["docs/nerve-pain/what-a-gp-can-offer.md"] == "What a GP can offer for nerve pain"


def test_a_cell_that_a_spreadsheet_would_run_is_kept_as_text():
    assert reviews.spreadsheet_safe("=1+1") == "'=1+1"
    assert reviews.spreadsheet_safe("Sam Lee, physiotherapist") == "Sam Lee, physiotherapist"


# ---------------------------------------------------------------- the theme's data file

def test_values_reach_the_theme_unchanged_whatever_characters_they_hold():
    tricky = 'O\'Neil "Annie" {{ 7*7 }} {% raw %} %} #} </script> \\ Núñez 😀'
    text = "{%- set value = " + reviews.jinja_literal({"k": [tricky]}) + " -%}"
    module = jinja2.Environment(loader=jinja2.DictLoader({"t.html": text})).get_template("t.html").module
    assert module.value == {"k": [tricky]}


def test_the_clinic_settings_check_knows_require_local_approval(tmp_path):
    import clinic_settings

    settings = (ROOT / "clinics/example.yml").read_text(encoding="utf-8")
    assert "require_local_approval: false" in settings
    for value, problems in (("true", 0), ("yes please", 1)):
        path = tmp_path / "clinic.yml"
        path.write_text(settings.replace("require_local_approval: false", f"require_local_approval: {value}"), encoding="utf-8")
        assert len(clinic_settings.check_settings(path, ROOT / "docs")) == problems, value


def test_a_page_whose_name_yaml_would_misread_is_written_and_read_back(tmp_path):
    files = {"docs/odd: #1.md": "a" * 64, "snippets/cards/card.md": "b" * 64}
    record = reviews.Record("odd: #1.md", BY, "", SIGNED, reviews.combined_fingerprint(files), files, line=14)  # its line in the file
    text = reviews.render_records(reviews.Records(reviews.RECORDS_FILE, 12, {record.page: record}), reviews.RECORDS_HEADER)
    assert '\n  "odd: #1.md":\n' in text and '      "docs/odd: #1.md": ' in text
    reviews.write_atomically(tmp_path / reviews.RECORDS_FILE, text)
    assert reviews.load_records(tmp_path, reviews.RECORDS_FILE).pages == {record.page: record}
