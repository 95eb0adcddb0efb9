"""The theme's overrides (overrides/) wrap Material rather than copy it, so an upgrade of
Material (or Zensical) brings its own templates. Where a template must stay a copy, the test
below compares it with the installed Material plus the documented change: an upgrade that
changes Material's version fails here, loudly, instead of being hidden by the old copy.
And what overrides/main.html's scripts find by Material's own ids is checked in the build."""

from __future__ import annotations

import re
from pathlib import Path

import material
import pytest

from support import ROOT, missing_theme_hooks

MATERIAL = Path(material.__file__).parent / "templates"
OVERRIDES = ROOT / "overrides"

# Every override with the name of one of Material's templates, and why it is not a wrapper.
REPLACEMENTS = {
    "main.html": "a wrapper: extends Material's base.html and adds to its blocks with super()",
    "404.html": "a wrapper: extends main.html, only its title and content blocks are the guide's own",
    "partials/copyright.html": "the guide's own footer (clinic contact, licence), nothing of Material's kept",
    "partials/source-file.html": "the guide's own sources and review line instead of Material's git dates",
}
# Copies: Material's file with changes, each marked in the copy by a line
# `{#- instead of Material's: <the line it replaces> -#}` before it and `{#- end #}` after it.
COPIES = {
    "partials/content.html": "an escaped page title (see its comment)",
    "partials/alternate.html": "the language selector leads to the same page in the other language (see its comment)",
}
CHANGE = re.compile(r"\{#- instead of Material's: (.*?) -#\}\n.*?\{#- end #\}(?:\n|\Z)", re.DOTALL)


def material_named_overrides() -> set[str]:
    return {path.relative_to(OVERRIDES).as_posix() for path in OVERRIDES.rglob("*.html")
            if (MATERIAL / path.relative_to(OVERRIDES)).is_file()}


def test_every_override_of_a_material_template_is_a_known_wrapper_or_a_checked_copy():
    unknown = material_named_overrides() - set(REPLACEMENTS) - set(COPIES)
    assert not unknown, (f"{sorted(unknown)} replace Material's template of the same name: make it a wrapper "
                         "(extend the template, add to a block with super()) or add it to COPIES with its change")


def without_header(text: str) -> str:
    """A template without its opening {#- ... -#} comment."""
    return text.split("-#}", 1)[1].strip() if text.lstrip().startswith("{#-") else text.strip()


def with_materials_text_put_back(copy: str) -> str:
    """The copy with each marked change replaced by the line of Material's it stands for."""
    return CHANGE.sub(lambda change: change.group(1) + "\n", copy)


@pytest.mark.parametrize("name", sorted(COPIES))
def test_a_copied_template_is_materials_own_plus_its_marked_changes(name):
    copy = without_header((OVERRIDES / name).read_text(encoding="utf-8"))
    assert CHANGE.search(copy), f"overrides/{name} marks no change: then it should not be a copy"
    assert with_materials_text_put_back(copy).strip() == without_header((MATERIAL / name).read_text(encoding="utf-8")), (
        f"overrides/{name}, with its marked changes undone, is not Material {material.__version__}'s {name}: "
        "Material changed it (redo the change on the new version) or the copy changed outside its marks")


def test_the_parity_check_sees_an_unmarked_change():
    copy = without_header((OVERRIDES / "partials" / "content.html").read_text(encoding="utf-8"))
    changed = copy.replace('{% include "partials/actions.html" %}\n', "")
    assert with_materials_text_put_back(changed) != without_header(
        (MATERIAL / "partials" / "content.html").read_text(encoding="utf-8"))


def test_the_storage_helpers_are_wrapped_not_copied():
    assert not (OVERRIDES / "partials" / "javascripts" / "base.html").exists()
    assert "__md_get" in (OVERRIDES / "main.html").read_text(encoding="utf-8")


def test_what_main_html_finds_by_materials_ids_is_in_the_build(built_site):
    assert not missing_theme_hooks(built_site)


def test_a_renamed_id_or_worker_is_reported(built_site, tmp_path):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    (tmp_path / "index.html").write_text(
        html.replace('id="__search"', 'id="__find"').replace("workers/search.", "workers/find."), encoding="utf-8")
    missing = missing_theme_hooks(tmp_path)
    assert any("#__search" in item for item in missing) and any("search worker" in item for item in missing), missing
