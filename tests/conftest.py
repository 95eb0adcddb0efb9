"""Shared fixtures: the repository's pages, one strict build per test run, and Chromium.
Plain helpers (paths, page addresses, builds, screen sizes) are in tests/support.py; the
names below stay importable from conftest for the tests that import them from here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support import (  # noqa: F401  (re-exported: `from conftest import ROOT` keeps working)
    CLINIC_EXAMPLE, DESKTOP, DOCS, PHONE, ROOT, SEARCH_RESULT_LINKS, VENV_BIN, assemble_clinic, build_site, slim,
    copy_site_sources,
    load_mkdocs_config, nav_pages, page_url, search_result_links, split_front_matter)

from chromium import CHROMIUM, launch  # noqa: E402  (support put scripts/ on the path)
from serve_site import SiteServer  # noqa: E402


COLLECTED = pytest.StashKey[list]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every collected test, before `-m` deselects any: tests/test_tiers.py checks their marks."""
    config.stash[COLLECTED] = list(items)


@pytest.fixture(scope="session")
def collected_tests(request) -> list:
    return request.config.stash.get(COLLECTED, [])


@pytest.fixture(scope="session")
def mkdocs_config() -> dict:
    return load_mkdocs_config()


@pytest.fixture(scope="session")
def pages() -> dict[str, tuple[dict, str]]:
    """Every page: docs-relative path -> (front matter, Markdown body)."""
    return {
        path.relative_to(DOCS).as_posix(): split_front_matter(path.read_text(encoding="utf-8"))
        for path in sorted(DOCS.rglob("*.md"))
    }


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site, built once per test run with `mkdocs build --strict`."""
    site = tmp_path_factory.mktemp("site")
    result = build_site(site)
    assert result.returncode == 0, f"strict build failed:\n{result.stderr}"
    return site


@pytest.fixture(scope="session")
def bilingual_site(tmp_path_factory) -> Path:
    """The neutral guide as `make build` writes it: the English, the Spanish in es/, then the
    one slim stylesheet over both (the Spanish pages use the English build's stylesheets)."""
    site = tmp_path_factory.mktemp("bilingual")
    for folder, config in ((site, ROOT / "mkdocs.yml"), (site / "es", ROOT / "mkdocs.es.yml")):
        result = build_site(folder, config, slimmed=False)
        assert result.returncode == 0, f"strict build of {config.name} failed:\n{result.stderr}"
    slim(site)
    return site


@pytest.fixture(scope="session")
def clinic_site(tmp_path_factory) -> Path:
    """The fictional example clinic's copy (clinics/example.yml, with its own page), assembled
    and built strictly once."""
    site = tmp_path_factory.mktemp("clinic-site")
    config = assemble_clinic(CLINIC_EXAMPLE, tmp_path_factory.mktemp("clinic-assembled"))
    result = build_site(site, config)
    assert result.returncode == 0, f"strict build of {CLINIC_EXAMPLE.name} failed:\n{result.stderr}"
    return site


@pytest.fixture(scope="session")
def site_server(built_site):
    """The built site over HTTP on 127.0.0.1 (search needs http, not file://), as a host serves it."""
    with SiteServer(built_site) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright. Missing Chromium is a failure, never a skip.
    A test that uses it (directly or through another fixture) carries @pytest.mark.browser;
    tests/test_tiers.py holds every test to that."""
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium) "
        "or set CHROMIUM=/path/to/chromium"
    )
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture()
def phone(browser):
    """A fresh tab on a phone: support.PHONE's screen, touch, a phone's pixel density."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()
