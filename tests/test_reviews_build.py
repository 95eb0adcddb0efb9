"""What built pages say about their review, in every state, with MkDocs and Zensical: the
page footer, the printed handout's footer, the JSON-LD, the Review status page and a
clinic's approvals. And that no page anywhere claims a review that has no record.

One copy of the sources is signed off and edited once (module fixture), then built three
ways: the neutral guide, the example clinic, and the example clinic with Zensical."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import reviews
from conftest import DOCS, ROOT, VENV_BIN, assemble_clinic, build_site, copy_site_sources, page_url

REVIEWER = "Sam Lee, physiotherapist"
LEAD = "Kim Park, clinical lead"
CLINIC = "clinics/example.yml"
OWN_PAGE = "clinics/example/docs/first-visit.md"  # the clinic's own page, built as our-clinic/first-visit/
TODAY = dt.date.today()
ON = reviews.long_date(TODAY)
NEXT = reviews.long_date(reviews.add_months(TODAY, 12))
# page -> the state the fixture leaves it in
STATES = {
    "nerve-pain/causes.md": "reviewed",
    "nerve-pain/warning-signs.md": "changed",  # via an included care card
    "nerve-pain/questions.md": "changed",  # via its own text
    "nerve-pain/what-is-happening.md": "reviewed",  # but overdue
    "dry-needling/index.md": "unreviewed",
}


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("review-sources")
    copy_site_sources(root, ("mkdocs.yml", "docs", "data", "snippets", "overrides", "styles", "scripts", "clinics"))
    for page in ("nerve-pain/causes.md", "nerve-pain/warning-signs.md", "nerve-pain/questions.md",
                 "nerve-pain/what-is-happening.md"):
        reviews.sign_off(root, page, REVIEWER, registration="HCPC PH123456" if "causes" in page else "")
    for page in ("nerve-pain/causes.md", "nerve-pain/warning-signs.md", OWN_PAGE):
        reviews.sign_off(root, page, LEAD, clinic_settings=CLINIC)
    # Overdue: the same review, dated long ago (the fingerprint still matches).
    records = root / reviews.RECORDS_FILE
    text = records.read_text(encoding="utf-8")
    block = text.index("  nerve-pain/what-is-happening.md:")
    records.write_text(text[:block] + text[block:].replace(f"date: {TODAY.isoformat()}", "date: 2024-01-15", 1),
                       encoding="utf-8")
    # A card changes the way an editor changes one: in data/warning-signs.yml, then make generate.
    signs = root / "data/warning-signs.yml"
    signs.write_text(signs.read_text(encoding="utf-8").replace("your balance", "your balance or walking"), encoding="utf-8")
    subprocess.run([str(VENV_BIN / "python"), "scripts/generate.py"], cwd=root, check=True, capture_output=True)
    assert "your balance or walking" in (root / "snippets/cards/urgent-nerve.md").read_text(encoding="utf-8")
    page = root / "docs/nerve-pain/questions.md"
    page.write_text(page.read_text(encoding="utf-8").replace("## Is it normal", "## Is it usual", 1), encoding="utf-8")
    reviews.write_state_file(root)
    return root


def built(tmp_path_factory, sources: Path, config: str) -> Path:
    site = tmp_path_factory.mktemp("review-site")
    result = build_site(site, sources / config)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def guide(tmp_path_factory, sources) -> Path:
    return built(tmp_path_factory, sources, "mkdocs.yml")


@pytest.fixture(scope="module")
def clinic(tmp_path_factory, sources) -> Path:
    """The clinic's copy as `make build CLINIC=...` builds it: assembled, with its own page."""
    site = tmp_path_factory.mktemp("review-clinic")
    result = build_site(site, assemble_clinic(sources / CLINIC, tmp_path_factory.mktemp("review-assembled")))
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def zensical(tmp_path_factory, sources) -> Path:
    config = sources / ".zensical.yml"
    written = subprocess.run([str(VENV_BIN / "python"), "scripts/zensical_config.py", CLINIC, "--site-dir", "site-z"],
                             cwd=sources, capture_output=True, text=True, check=True)
    config.write_text(written.stdout, encoding="utf-8")
    result = subprocess.run([str(VENV_BIN / "zensical"), "build", "--strict", "-f", str(config)], cwd=sources,
                            capture_output=True, text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    return sources / "site-z"


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page_url(page) / "index.html").read_text(encoding="utf-8"), "html.parser")


def review_line(site: Path, page: str) -> str:
    """The review line as a reader sees it on screen (print-only parts left out)."""
    footer = soup(site, page).select_one("article .page-review")
    for hidden in footer.select(".print-only"):
        hidden.decompose()
    return " ".join(footer.get_text(" ").split())


def structured(site: Path, page: str) -> dict:
    [block] = soup(site, page).find_all("script", type="application/ld+json")
    return json.loads(block.string)


# ---------------------------------------------------------------- each state, on the page and in the JSON-LD

EXPECTED_LINES = {
    "nerve-pain/causes.md": f"Reviewed by {REVIEWER} (HCPC PH123456) on {ON}. Next review due {NEXT}.",
    "nerve-pain/warning-signs.md": f"Changed since its review by {REVIEWER} on {ON}. Not yet reviewed again.",
    "nerve-pain/questions.md": f"Changed since its review by {REVIEWER} on {ON}. Not yet reviewed again.",
    "nerve-pain/what-is-happening.md": f"Reviewed by {REVIEWER} on 15 January 2024. Next review due 15 January 2025.",
    "dry-needling/index.md": "Written 22 November 2026. Not yet reviewed by a clinician.",
}


@pytest.mark.parametrize("page", STATES)
def test_each_state_is_said_in_the_footer_and_only_a_current_review_in_the_json_ld(guide, page):
    assert review_line(guide, page) == EXPECTED_LINES[page]
    data = structured(guide, page)
    if STATES[page] == "reviewed":
        assert data["reviewedBy"] == {"@type": "Person", "name": "Sam Lee", "jobTitle": "physiotherapist"}
        assert data["lastReviewed"] == ("2024-01-15" if "what-is-happening" in page else TODAY.isoformat())
    else:
        assert "reviewedBy" not in data and "lastReviewed" not in data, page


def test_the_checker_names_what_changed_and_fails_the_overdue_page(sources):
    result = subprocess.run([str(VENV_BIN / "python"), "scripts/check.py", "--format", "json"], cwd=sources,
                            capture_output=True, text=True, timeout=120)
    found = {(f["path"], f["rule"]): f for f in json.loads(result.stdout)}
    card = found[("docs/nerve-pain/warning-signs.md", "review-stale")]
    assert card["severity"] == "warning" and ": snippets/cards/urgent-nerve.md changed." in card["message"]
    own = found[("docs/nerve-pain/questions.md", "review-stale")]
    assert ": docs/nerve-pain/questions.md changed." in own["message"]
    assert found[("docs/nerve-pain/what-is-happening.md", "review-overdue")]["severity"] == "error"
    assert result.returncode == 1
    assert {rule for _, rule in found} == {"review-stale", "review-overdue"}


# ---------------------------------------------------------------- the printed handout

def test_the_printed_footer_carries_the_review_line_the_address_and_the_qr_code(clinic):
    footer = soup(clinic, "nerve-pain/causes.md").select_one("article .page-review")
    text = " ".join(footer.get_text(" ").split())
    assert text.startswith(EXPECTED_LINES["nerve-pain/causes.md"])
    assert "Read it online: clinic.example/patient-info/nerve-pain/causes/" in text
    assert footer.select_one(".print-qr")["data-print-qr"] == "https://clinic.example/patient-info/nerve-pain/causes/"
    # print.css shows the whole .page-review block on paper, as the handout's footer.
    css = (ROOT / "docs/assets/stylesheets/print.css").read_text(encoding="utf-8")
    assert re.search(r"@media print[\s\S]*\.page-review \{\s*display: flex !important;", css)


@pytest.mark.browser
def test_a_printed_handout_says_who_reviewed_and_approved_it(browser, clinic, tmp_path):
    from serve_site import SiteServer

    with SiteServer(clinic, "/") as server:
        tab = browser.new_page()
        tab.goto(server.url + "nerve-pain/causes/")
        tab.pdf(path=str(tmp_path / "causes.pdf"), format="A4", print_background=True)
        tab.close()
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "causes.pdf"), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert f"Reviewed by {REVIEWER} (HCPC PH123456) on {ON}. Next review due {NEXT}." in text
    assert f"Approved for use at Riverside Physiotherapy by {LEAD} on {ON}." in text


# ---------------------------------------------------------------- a clinic's approval

APPROVALS = {
    "nerve-pain/causes.md": f"Approved for use at Riverside Physiotherapy by {LEAD} on {ON}.",
    "nerve-pain/warning-signs.md": f"Changed since Riverside Physiotherapy approved it on {ON}.",
}


@pytest.mark.parametrize("page", STATES)
def test_a_clinic_build_shows_its_approval_only_on_approved_pages(clinic, guide, page):
    line = review_line(clinic, page)
    assert line.startswith(EXPECTED_LINES[page])
    assert line == f"{EXPECTED_LINES[page]} {APPROVALS[page]}" if page in APPROVALS else line == EXPECTED_LINES[page]
    assert "Approved" not in review_line(guide, page), "the neutral guide shows no clinic's approval"


def test_zensical_builds_the_same_review_lines_json_ld_and_approvals(zensical, clinic):
    for page in STATES:
        assert review_line(zensical, page) == review_line(clinic, page), page
        assert structured(zensical, page).get("lastReviewed") == structured(clinic, page).get("lastReviewed"), page
    assert status_rows(zensical) == status_rows(clinic)


# ---------------------------------------------------------------- the review status page

def status_rows(site: Path) -> dict[str, list[str]]:
    table = soup(site, "about/review-status.md").select_one(".review-status table")
    rows = {}
    for row in table.select("tbody tr"):
        cells = [" ".join(cell.get_text(" ").split()) for cell in row.find_all("td")]
        rows[cells[0]] = cells[1:]
    return rows


def title_of(page: str) -> str:
    return re.search(r"^title: (.*)$", (DOCS / page).read_text(encoding="utf-8"), re.MULTILINE).group(1).strip('"')


def test_the_review_status_page_lists_every_page_with_its_state_reviewer_and_dates(guide):
    rows = status_rows(guide)
    assert len(rows) == len(list(DOCS.rglob("*.md")))
    assert rows[title_of("nerve-pain/causes.md")] == [f"Reviewed by {REVIEWER} (HCPC PH123456)",
                                                      f"Reviewed {ON}, next due {NEXT}"]
    assert rows[title_of("nerve-pain/warning-signs.md")] == [f"Changed since its review by {REVIEWER}", f"Reviewed {ON}"]
    assert rows[title_of("dry-needling/index.md")] == ["Not yet reviewed", "Written 22 November 2026"]
    links = soup(guide, "about/review-status.md").select(".review-status tbody a")
    assert links[0]["href"] == "../../" and "../../nerve-pain/causes/" in [a["href"] for a in links]


def test_in_a_clinic_build_the_review_status_page_adds_the_clinics_approvals(clinic):
    rows = status_rows(clinic)
    assert rows[title_of("nerve-pain/causes.md")][-1] == f"Approved by {LEAD} on {ON}"
    assert rows[title_of("nerve-pain/warning-signs.md")][-1] == f"Changed since approval on {ON}"
    assert rows[title_of("dry-needling/index.md")][-1] == "Not approved"
    header = soup(clinic, "about/review-status.md").select(".review-status th")
    assert header[-1].get_text() == "Approved for use at Riverside Physiotherapy"


def test_a_clinics_own_page_is_listed_as_its_own_with_the_approval_its_footer_shows(clinic, zensical):
    """The clinic's own page, after the guide's: not reviewed by the guide, approved by the
    clinic, as its page's footer says. Zensical lists it the same (test above: status_rows)."""
    title = "Your first visit to Riverside Physiotherapy"
    assert list(status_rows(clinic))[-1] == title
    assert status_rows(clinic)[title] == ["Riverside Physiotherapy's own page, not reviewed by this guide",
                                          "Written 1 December 2026", f"Approved by {LEAD} on {ON}"]
    assert review_line(clinic, "our-clinic/first-visit.md") == (
        "Written 1 December 2026. This is Riverside Physiotherapy's own page: this guide's clinical reviewers "
        f"do not review it. Approved for use at Riverside Physiotherapy by {LEAD} on {ON}."), \
        "an approved own page never says 'not yet reviewed by a clinician' beside its clinician's approval"
    assert title in status_rows(zensical)


# ---------------------------------------------------------------- no review without a record

def claimed_reviews(site: Path) -> dict[str, str]:
    """Every page of a built site that claims a review (footer or JSON-LD), and how."""
    claims = {}
    for path in site.rglob("index.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        footer = page.select_one("article .page-review")
        line = " ".join(footer.get_text(" ").split()) if footer else ""
        blocks = [json.loads(b.string) for b in page.find_all("script", type="application/ld+json")]
        if line.startswith("Reviewed by") or any("lastReviewed" in b or "reviewedBy" in b for b in blocks):
            claims[path.parent.relative_to(site).as_posix()] = line
    return claims


def recorded_reviews(root: Path) -> set[str]:
    """The pages whose review record covers them as they are now (site addresses)."""
    records = reviews.load_records(root, reviews.RECORDS_FILE)
    return {page.key.rstrip("/") or "." for page in reviews.current_pages(reviews.open_site(root))
            if reviews.page_state(page, records.pages.get(page.page), records.months).state == reviews.REVIEWED}


def test_no_page_of_the_guide_claims_a_review_that_has_no_record(built_site):
    assert set(claimed_reviews(built_site)) <= recorded_reviews(ROOT)
    text = "".join(p.read_text(encoding="utf-8") for p in built_site.rglob("*.html"))
    assert "Page last reviewed" not in text and "Clinical review pending" not in text


def test_pages_claim_a_review_exactly_when_a_current_record_says_so(guide, clinic, zensical, sources):
    recorded = recorded_reviews(sources)
    assert recorded == {"nerve-pain/causes", "nerve-pain/what-is-happening"}
    for site in (guide, clinic, zensical):
        assert set(claimed_reviews(site)) == recorded
