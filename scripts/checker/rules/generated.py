"""Generated files: each file scripts/generate.py makes is what its source data makes now."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checker.config import Context
from checker.findings import Finding, finding
from checker.registry import check, rule
from checker.site import Run

GENERATOR = "scripts/generate.py"

rule("generated", "error", "file",
     "A file made by scripts/generate.py that differs from what its source makes (the message names the "
     "source to edit), or the theme's review states (overrides/generated/review-state.html, made by "
     "scripts/reviews.py) out of date with the records and the pages.",
     "add-a-glossary-term", "Run `make generate` and commit the result; never edit generated files by hand.")


def load_generator(root: Path) -> Any | None:
    """The tree's own scripts/generate.py (so a copy of the repository checks its own files)."""
    path = root / GENERATOR
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"_checked_generate_{abs(hash(str(path)))}", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def check_generated(context: Context) -> Iterator[Finding]:
    try:
        generator = load_generator(context.root)
        stale = generator.stale_sources() if generator else {}
    except Exception as error:  # the generator reads data files an editor may have broken
        path, line = failed_file(context.root, error)
        yield finding(path, line, 1, "generated",
                      f"{GENERATOR} cannot compare the generated files: {' '.join(str(error).split())}",
                      fix=f"Fix {'the data file' if path != GENERATOR else 'it'}, then run `make generate`.")
        return
    root = context.root.resolve()
    for path, source in stale.items():
        yield finding(relative(root, path), 1, 1, "generated", f"this file differs from what {source.name} makes",
                      fix=f"Edit {relative(root, source.file)}, then run `make generate`; never edit this file by hand.")


DATA_FILE_AT = re.compile(r"([\w./-]+\.ya?ml)(?::(\d+))?")


def failed_file(root: Path, error: Exception) -> tuple[str, int]:
    """The file (and line) a generator error names: the data file whose path starts its message
    (generate.py and warning_signs.py write `file:line: problem`), the file an OSError could
    not read, else the generator itself."""
    match = DATA_FILE_AT.match(str(error))
    if match and (root / match.group(1)).is_file():
        return match.group(1), int(match.group(2) or 1)
    filename = getattr(error, "filename", None)
    if isinstance(filename, str) and filename:
        return relative(root.resolve(), filename), 1
    return GENERATOR, 1


def relative(root: Path, path: Path | str) -> str:
    """`path` relative to the repository when it is inside it."""
    resolved = (root / path).resolve()  # an absolute path stays as it is
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)


@check("configuration", "generated", where=GENERATOR)
def generated_files(run: Run) -> Iterator[Finding]:
    yield from check_generated(run.context)
