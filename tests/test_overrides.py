"""The theme's overrides (overrides/) wrap Material rather than copy it, so an upgrade of
Material (or Zensical) brings its own templates. Where a template must stay a copy, the test
below compares it with the installed Material plus the documented change: an upgrade that
changes Material's version fails here, loudly, instead of being hidden by the old copy.
And what overrides/main.html's scripts find by Material's own ids is checked in the build."""

from __future__ import annotations

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
# Copies: Material's file with a documented change, as (Material's text, the guide's text).
COPIES: dict[str, list[tuple[str, str]]] = {}


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


@pytest.mark.parametrize("name", sorted(COPIES) or ["(none)"])
def test_a_copied_template_is_materials_own_plus_its_documented_change(name):
    if name == "(none)":
        assert not (material_named_overrides() - set(REPLACEMENTS)), "a copy that is not in COPIES"
        return
    expected = without_header((MATERIAL / name).read_text(encoding="utf-8"))
    for material_text, guide_text in COPIES[name]:
        assert material_text in expected, f"Material's {name} no longer has {material_text!r}: redo the change"
        expected = expected.replace(material_text, guide_text)
    assert without_header((OVERRIDES / name).read_text(encoding="utf-8")) == expected, (
        f"overrides/{name} differs from Material {material.__version__}'s {name} plus its change")


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
