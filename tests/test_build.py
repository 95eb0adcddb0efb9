"""The site builds strictly, fails on broken links, and makes no request to another origin."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from conftest import DOCS, build_site, copy_site_sources, load_mkdocs_config, nav_pages, page_url

DESIGN_PAGES = [
    "index.md",
    "nerve-pain/index.md",
    "nerve-pain/causes.md",
    "nerve-pain/what-is-happening.md",
    "nerve-pain/warning-signs.md",
    "nerve-pain/managing-a-flare-up.md",
    "nerve-pain/working-with-your-physiotherapist.md",
    "nerve-pain/questions.md",
    "dry-needling/index.md",
    "dry-needling/what-you-may-feel.md",
    "dry-needling/keeping-risk-low.md",
    "dry-needling/when-to-get-help.md",
    "printables/pain-diary.md",
    "printables/questions-to-ask.md",
    "glossary.md",
    "about/index.md",
    "about/sources.md",
    "about/disclaimer.md",
    "about/accessibility.md",
    "about/privacy.md",
]


def test_every_page_of_the_content_architecture_exists():
    missing = [page for page in DESIGN_PAGES if not (DOCS / page).is_file()]
    assert not missing, f"pages of DESIGN.md's content architecture are missing: {missing}"


def test_navigation_and_docs_folder_hold_the_same_pages(mkdocs_config):
    in_nav = set(nav_pages(mkdocs_config["nav"]))
    on_disk = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert in_nav == on_disk, f"only in nav: {in_nav - on_disk}; only on disk: {on_disk - in_nav}"


def test_all_four_validation_settings_are_at_warn(mkdocs_config):
    validation = mkdocs_config["validation"]
    for key in ("omitted_files", "absolute_links", "unrecognized_links", "anchors"):
        assert validation[key] == "warn", key
    assert mkdocs_config.get("strict") is True


def test_no_google_fonts_and_no_instant_navigation(mkdocs_config):
    theme = mkdocs_config["theme"]
    assert theme["font"] is False
    assert not any(feature.startswith("navigation.instant") for feature in theme["features"])
    assert "repo_url" not in mkdocs_config, "repo_url makes readers' browsers call the GitHub API"


def test_strict_build_writes_every_page(built_site):
    for page in DESIGN_PAGES:
        assert (built_site / page_url(page) / "index.html").is_file(), page


@pytest.mark.parametrize(
    "broken_link, expected",
    [
        ("[gone](nerve-pain/no-such-page.md)", "no-such-page.md"),
        ("[gone](nerve-pain/causes.md#no-such-heading)", "no-such-heading"),
    ],
)
def test_strict_build_fails_on_a_broken_link_or_anchor(tmp_path, broken_link, expected):
    config = copy_site_sources(tmp_path / "repo")
    start = config.parent / "docs" / "index.md"
    start.write_text(start.read_text(encoding="utf-8") + f"\n{broken_link}\n", encoding="utf-8")
    result = build_site(tmp_path / "site", config)
    assert result.returncode != 0
    assert expected in result.stderr


def _external_asset_urls(html: str) -> list[str]:
    """URLs the browser would fetch by itself (scripts, styles, images, frames, icons)."""
    soup = BeautifulSoup(html, "html.parser")
    urls = []
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                           ("source", "src"), ("video", "src"), ("audio", "src")):
        for element in soup.find_all(tag):
            value = element.get(attribute)
            if tag == "link" and "canonical" in (element.get("rel") or []):
                continue
            if value and re.match(r"^(https?:)?//", value):
                urls.append(value)
    return urls


def test_built_pages_load_nothing_from_another_origin(built_site):
    offenders = {}
    for page in built_site.rglob("*.html"):
        urls = _external_asset_urls(page.read_text(encoding="utf-8"))
        if urls:
            offenders[page.relative_to(built_site).as_posix()] = urls
    assert not offenders, offenders


def test_no_analytics_or_font_service_in_the_built_site(built_site):
    text = "\n".join(page.read_text(encoding="utf-8") for page in built_site.rglob("*.html"))
    for marker in ("googletagmanager", "google-analytics", "fonts.googleapis", "fonts.gstatic", "api.github.com"):
        assert marker not in text, marker


def test_mkdocs_config_inherits_the_reference_list():
    config = load_mkdocs_config()
    assert config["extra"]["references"], "data/references.yml must be merged into the config"
