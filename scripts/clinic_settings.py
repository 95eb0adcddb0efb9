#!/usr/bin/env python3
"""Check a clinic's settings file before the site is built with it.

    python scripts/clinic_settings.py clinics/example.yml

`make build CLINIC=clinics/<name>.yml` runs this first. Each problem is printed as
`path:line:col: error rule: message`, like scripts/check.py, and says how to fix it.
Exit status: 0 the settings are fine, 1 problems found, 2 the file cannot be read.

What it checks (the table CLINIC_FIELDS below lists every field):
  - the file inherits the guide (INHERIT: ../mkdocs.yml) and points docs_dir and
    theme.custom_dir back at the guide's folders;
  - the fields a patient relies on are filled in: the clinic's name and phone, and the
    three numbers on the care cards;
  - the brand colour is a #rrggbb colour on which white text keeps WCAG AA contrast
    (4.5 to 1), since the header shows white text on it;
  - web addresses are https, and site_url ends in "/" (a sub-path such as
    /patient-info/ is fine);
  - the logo file exists under docs/;
  - frame_ancestors lists https origins only (they go into the Content-Security-Policy).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from yaml_tags import TagIgnoringLoader

ROOT = Path(__file__).resolve().parent.parent
MIN_CONTRAST = 4.5  # WCAG 2.2 AA, normal text
WHITE = "#ffffff"

# field: (required, what it is for). Every field of extra.clinic the theme reads.
CLINIC_FIELDS: dict[str, tuple[bool, str]] = {
    "name": (True, "the clinic's name, shown in the footer and on handouts"),
    "phone": (True, "the number patients call; shown in the footer and on the non-urgent care card"),
    "emergency_number": (True, "the number on the emergency care card, for example 999 or 911"),
    "urgent_line_name": (True, "the urgent advice line on the urgent care card, for example NHS 111"),
    "urgent_line_number": (True, "the urgent advice line's number, for example 111"),
    "email": (False, "the clinic's email address"),
    "address": (False, "the clinic's postal address"),
    "website": (False, "the clinic's own web site (https)"),
    "opening_hours": (False, "when the clinic answers the phone"),
    "booking_url": (False, "where patients book or contact the clinic (https)"),
    "colour": (False, "brand colour for the header, #rrggbb"),
    "frame_ancestors": (False, "https origins allowed to show the guide in a frame"),
    # Read by scripts/reviews.py (clinic-check), which also checks that it is true or false.
    "require_local_approval": (False, "true: the build stops while a page lacks the clinic's current approval"),
}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    column: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: error {self.rule}: {self.message}"


# ---------------------------------------------------------------- colour contrast

def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# ---------------------------------------------------------------- reading the file

def node_positions(node: yaml.Node, prefix: tuple = ()) -> dict[tuple, tuple[int, int]]:
    """1-based (line, column) of every key path in the YAML document."""
    positions: dict[tuple, tuple[int, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = prefix + (key_node.value,)
            positions[path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            positions.update(node_positions(value_node, path))
    return positions


def load_settings(path: Path) -> tuple[dict, dict[tuple, tuple[int, int]]]:
    text = path.read_text(encoding="utf-8")
    data = yaml.load(text, Loader=TagIgnoringLoader) or {}
    if not isinstance(data, dict):
        raise ValueError("the file must be a YAML mapping (key: value lines)")
    document = yaml.compose(text, Loader=TagIgnoringLoader)
    return data, node_positions(document) if document is not None else {}


# ---------------------------------------------------------------- the checks

def check_inheritance(settings: dict) -> list[tuple[tuple, str, str]]:
    found = []
    if settings.get("INHERIT") != "../mkdocs.yml":
        found.append((("INHERIT",), "clinic-inherit",
                      "start the file with `INHERIT: ../mkdocs.yml` so it takes the whole guide and its updates"))
    if settings.get("docs_dir") != "../docs":
        found.append((("docs_dir",), "clinic-paths",
                      "set `docs_dir: ../docs`: paths in a clinic file are read from the clinics/ folder"))
    if (settings.get("theme") or {}).get("custom_dir") != "../overrides":
        found.append((("theme",), "clinic-paths",
                      "set `theme: {custom_dir: ../overrides}`: without it the clinic's name and numbers are not shown"))
    return found


def check_required_fields(clinic: dict) -> list[tuple[tuple, str, str]]:
    found = []
    for field, (required, meaning) in CLINIC_FIELDS.items():
        if required and not str(clinic.get(field) or "").strip():
            found.append((("extra", "clinic"), "clinic-field", f"add `{field}:` under extra.clinic: {meaning}"))
    for field in clinic:
        if field not in CLINIC_FIELDS:
            known = ", ".join(CLINIC_FIELDS)
            found.append((("extra", "clinic", field), "clinic-field", f"unknown field `{field}`; the known fields are {known}"))
    for field in ("emergency_number", "urgent_line_number", "phone"):
        value = str(clinic.get(field) or "")
        if value and not re.search(r"\d", value):
            found.append((("extra", "clinic", field), "clinic-number", f"`{field}` has no digits: write the number to call, for example 999"))
    return found


def check_colour(clinic: dict) -> list[tuple[tuple, str, str]]:
    colour = clinic.get("colour")
    if colour is None:
        return []
    if not isinstance(colour, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        return [(("extra", "clinic", "colour"), "clinic-colour",
                 f"write the brand colour as #rrggbb in quotes, for example \"#00594f\" (got {colour!r})")]
    ratio = contrast_ratio(colour.lower(), WHITE)
    if ratio < MIN_CONTRAST:
        return [(("extra", "clinic", "colour"), "clinic-colour",
                 f"white text on {colour} has a contrast of {ratio:.1f} to 1; WCAG AA needs {MIN_CONTRAST} to 1. "
                 "Choose a darker shade of your brand colour")]
    return []


def check_addresses(settings: dict, clinic: dict) -> list[tuple[tuple, str, str]]:
    found = []
    site_url = settings.get("site_url")
    if site_url:
        if urlsplit(site_url).scheme != "https" or not site_url.endswith("/"):
            found.append((("site_url",), "clinic-url",
                          "site_url must start with https:// and end with /, for example https://clinic.example/patient-info/"))
    for field in ("website", "booking_url"):
        value = clinic.get(field)
        if value and urlsplit(str(value)).scheme != "https":
            found.append((("extra", "clinic", field), "clinic-url", f"`{field}` must start with https://"))
    for origin in clinic.get("frame_ancestors") or []:
        parts = urlsplit(str(origin))
        if parts.scheme != "https" or not parts.netloc or parts.path not in ("", "/"):
            found.append((("extra", "clinic", "frame_ancestors"), "clinic-url",
                          f"frame_ancestors takes web site origins such as https://clinic.example (got {origin!r})"))
    return found


def check_logo(settings: dict, docs_dir: Path) -> list[tuple[tuple, str, str]]:
    logo = (settings.get("theme") or {}).get("logo")
    if logo and not (docs_dir / logo).is_file():
        return [(("theme", "logo"), "clinic-logo", f"no file docs/{logo}: put your logo in docs/assets/clinic-logos/")]
    return []


def check_settings(path: Path, docs_dir: Path = ROOT / "docs") -> list[Problem]:
    """Every problem in one clinic settings file, each at the line to fix."""
    settings, positions = load_settings(path)
    clinic = (settings.get("extra") or {}).get("clinic")
    if not isinstance(clinic, dict):
        clinic = {}
        found = [(("extra",), "clinic-field", "add an `extra: clinic:` section; see clinics/example.yml")]
    else:
        found = []
    found += check_inheritance(settings)
    found += check_required_fields(clinic)
    found += check_colour(clinic)
    found += check_addresses(settings, clinic)
    found += check_logo(settings, docs_dir)
    shown = display_path(path)
    problems = []
    for key_path, rule, message in found:
        line, column = nearest_position(positions, key_path)
        problems.append(Problem(shown, line, column, rule, message))
    return problems


def nearest_position(positions: dict[tuple, tuple[int, int]], key_path: tuple) -> tuple[int, int]:
    """The position of the key, or of its closest parent that exists, or the top."""
    while key_path:
        if key_path in positions:
            return positions[key_path]
        key_path = key_path[:-1]
    return (1, 1)


def display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python scripts/clinic_settings.py clinics/<your-clinic>.yml", file=sys.stderr)
        return 2
    path = Path(argv[0])
    try:
        problems = check_settings(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
        print(f"{path}: cannot read the clinic settings: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
