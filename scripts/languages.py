#!/usr/bin/env python3
"""The languages a build makes besides English, for the Makefile's LANGUAGES.

    python scripts/languages.py                    the neutral guide's: es
    python scripts/languages.py clinics/x.yml      a clinic's: its extra.clinic.languages, less en

One source each: the guide's languages are mkdocs.yml extra.alternate (each with its
mkdocs.<code>.yml), a clinic's are its `languages` setting (English only without it; checked by
scripts/clinic_settings.py before this runs). Prints the codes on one line, separated by spaces;
each is built into <site>/<code>/ from mkdocs.<code>.yml (the guide) or from the clinic's
assembled build/<clinic>/<code>/mkdocs.yml (scripts/assemble_clinic.py). A file that cannot be
read prints one message and exits 2 (the settings check has already said why).
"""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPTS_DIR = Path(__file__).resolve().parent
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

import yaml  # noqa: E402

from clinic_settings import clinic_languages  # noqa: E402
from translations import TranslationError, languages  # noqa: E402

ROOT = SCRIPTS_DIR.parent


def other_languages(settings: str = "", root: Path = ROOT) -> list[str]:
    """The codes a build makes besides English: the guide's, or those of them the clinic chose
    (only the guide's codes, whatever the file says: these words go into the build's commands)."""
    chosen = None
    if settings:
        from assemble_clinic import read_clinic

        chosen = clinic_languages(read_clinic(root, settings))
    return [language.code for language in languages(root, codes=chosen)]


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print("usage: python scripts/languages.py [clinics/<clinic>.yml]", file=sys.stderr)
        return 2
    try:
        print(" ".join(other_languages(argv[0] if argv else "")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, TranslationError) as error:
        print(f"languages.py: cannot read the languages: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
