#!/usr/bin/env python3
"""Write the files that are made from data/terms.yml and data/references.yml.

    python scripts/generate.py           write them
    python scripts/generate.py --check   exit 1 and name each file that is out of date

Outputs (never edit them by hand; edit data/terms.yml and run `make generate`):
    snippets/generated/glossary.md       the glossary, included by docs/glossary.md
    snippets/generated/abbreviations.md  tooltips, appended to every page by pymdownx.snippets
    styles/NervePain/Terms.yml           the terminology rule, in Vale's substitution format
    snippets/generated/sources.md        the full reference list, included by docs/about/sources.md
    snippets/contact/*-action.md         each care card's call to action, from mkdocs.yml
                                         `extra.care_cards.neutral`
    snippets/cards/*.md and snippets/generated/warning-signs-*.md
                                         the care cards and the warning-sign tables, from
                                         data/warning-signs.yml (scripts/warning_signs.py)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

import warning_signs
from yaml_tags import TagIgnoringLoader

ROOT = Path(__file__).resolve().parent.parent
TERMS_FILE = ROOT / "data" / "terms.yml"
REFERENCES_FILE = ROOT / "data" / "references.yml"
SOURCES_FILE = ROOT / "snippets" / "generated" / "sources.md"
GLOSSARY_FILE = ROOT / "snippets" / "generated" / "glossary.md"
ABBREVIATIONS_FILE = ROOT / "snippets" / "generated" / "abbreviations.md"
VALE_RULE_FILE = ROOT / "styles" / "NervePain" / "Terms.yml"
MKDOCS_FILE = ROOT / "mkdocs.yml"
CONTACT_DIR = ROOT / "snippets" / "contact"

HEADER = "<!-- Generated from data/terms.yml by scripts/generate.py. Do not edit. -->\n"
VALE_HEADER = "# Generated from data/terms.yml by scripts/generate.py. Do not edit.\n"


def load_terms(path: Path = TERMS_FILE) -> list[dict]:
    """The glossary entries, sorted as a reader expects: alphabetically."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return sorted(data.get("terms", []), key=lambda t: t["term"].lower())


def display_name(term: dict) -> str:
    """'Pins and needles (tingling)': plain term first, medical term after."""
    name = term["term"]
    name = name[0].upper() + name[1:]
    if term.get("medical"):
        name += f" ({term['medical']})"
    elif term.get("abbreviation") and term["abbreviation"] != term["term"]:
        name += f" ({term['abbreviation']})"
    return name


def load_references(path: Path = REFERENCES_FILE) -> dict[str, dict]:
    """The reference list, by key, in the order the file gives."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return (data.get("extra") or {}).get("references") or {}


def load_care_card_actions(path: Path = MKDOCS_FILE) -> dict[str, str]:
    """The guide's own call to action for each care-card level, from mkdocs.yml."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=TagIgnoringLoader) or {}
    return ((data.get("extra") or {}).get("care_cards") or {}).get("neutral") or {}


def contact_file(level: str) -> Path:
    """snippets/contact/non-urgent-action.md for the level `non_urgent`."""
    return CONTACT_DIR / f"{level.replace('_', '-')}-action.md"


def page_link(page: str) -> str:
    """A Markdown link from the glossary (at the docs root) to a page, titled by its path."""
    label = Path(page).stem if Path(page).stem != "index" else Path(page).parent.name
    return f"[{label.replace('-', ' ')}]({page})"


def render_glossary(terms: list[dict]) -> str:
    parts = [HEADER]
    for term in terms:
        parts.append(f"\n## {display_name(term)}\n\n{term['definition']}\n")
        if term.get("search"):
            everyday = ", ".join(w for w in term["search"] if w.lower() != term["term"].lower())
            if everyday:
                parts.append(f"\nPeople also say: {everyday}.\n")
        links = ", ".join(page_link(p) for p in term.get("pages", []))
        # The class lets the printed glossary leave out links, which do nothing on paper.
        parts.append(f"\nRead more: {links}.\n{{: .glossary-more }}\n")
    return "".join(parts)


def render_abbreviations(terms: list[dict]) -> str:
    lines = [HEADER]
    for term in terms:
        abbreviation = term.get("abbreviation")
        if abbreviation:
            meaning = term["term"] if term["term"] != abbreviation else ""
            tooltip = f"{meaning[0].upper() + meaning[1:]}: " if meaning else ""
            lines.append(f"*[{abbreviation}]: {tooltip}{term['definition']}\n")
    return "".join(lines)


def render_vale_rule(terms: list[dict]) -> str:
    swap = {}
    for term in terms:
        for variant in term.get("variants", []):
            swap[re.escape(variant).replace("\\ ", " ")] = term["term"]
    rule = {
        "extends": "substitution",
        "message": "Use '%s' instead of '%s': this guide uses one word for each idea (see the glossary).",
        "link": "CONTRIBUTING.md#words-we-use",
        "level": "error",
        "ignorecase": True,
        "swap": swap,
    }
    return VALE_HEADER + yaml.safe_dump(rule, sort_keys=False, allow_unicode=True, width=1000)


def render_sources(references: dict[str, dict]) -> str:
    parts = [HEADER]
    for key, reference in references.items():
        citation = " ".join(reference["citation"].split())
        link = f" <{reference['url']}>" if reference.get("url") else ""
        parts.append(f"\n- {citation}{link}  \n  What we use it for: {reference['supports']}\n")
    return "".join(parts)


def expected_outputs() -> dict[Path, str]:
    """Every generated file and the text it must hold."""
    terms = load_terms(TERMS_FILE)
    references = load_references(REFERENCES_FILE)
    outputs = {
        GLOSSARY_FILE: render_glossary(terms),
        ABBREVIATIONS_FILE: render_abbreviations(terms),
        VALE_RULE_FILE: render_vale_rule(terms),
        SOURCES_FILE: render_sources(references),
        **warning_signs.expected_outputs(references),
    }
    # No header comment here: the line is included inside each card's heading, and
    # the theme finds it by its exact text to put a clinic's numbers in its place.
    for level, action in load_care_card_actions(MKDOCS_FILE).items():
        outputs[contact_file(level)] = action + "\n"
    return outputs


def stale_outputs() -> list[Path]:
    """Generated files that are missing or differ from what the data files make."""
    return [
        path
        for path, text in expected_outputs().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def write_outputs() -> list[Path]:
    written = []
    for path, text in expected_outputs().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report stale files instead of writing them")
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = stale_outputs()
            for path in stale:
                print(f"{path.relative_to(ROOT)}: out of date; run `make generate`")
            return 1 if stale else 0
        for path in write_outputs():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    except warning_signs.DataError as error:
        print(f"{error}", file=sys.stderr)
        return 2
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        print(f"data/terms.yml, data/references.yml or mkdocs.yml: cannot generate: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
