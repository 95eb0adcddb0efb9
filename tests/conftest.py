"""Shared fixtures: the repository's pages, one strict build per test run, and Chromium."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
VENV_BIN = Path(sys.executable).parent

sys.path.insert(0, str(ROOT / "scripts"))

from chromium import CHROMIUM, launch  # noqa: E402  (scripts/ is on the path from here)
from policy import build_environment  # noqa: E402
from serve_site import SiteServer  # noqa: E402
from checker.markdown import FRONT_MATTER  # noqa: E402
from checker.site import page_url  # noqa: E402,F401  (the tests' page addresses are the checker's)
from yaml_tags import FastCheckedLoader, TagIgnoringLoader, load_checked  # noqa: E402


def load_mkdocs_config(path: Path = ROOT / "mkdocs.yml") -> dict:
    """mkdocs.yml with its INHERIT parent merged in (shallow: enough for tests)."""
    config = yaml.load(path.read_text(encoding="utf-8"), Loader=TagIgnoringLoader)
    parent_name = config.pop("INHERIT", None)
    if parent_name:
        parent = load_mkdocs_config((path.parent / parent_name).resolve())
        for key, value in config.items():
            if isinstance(value, dict) and isinstance(parent.get(key), dict):
                parent[key] = {**parent[key], **value}
            else:
                parent[key] = value
        return parent
    return config


def nav_pages(nav: list) -> list[str]:
    """Every page path named in the navigation, in order."""
    pages: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            pages.extend(nav_pages(value))
        else:
            pages.append(value)
    return pages


def split_front_matter(text: str) -> tuple[dict, str]:
    """A page's front matter and body, as the checker's Markdown model reads them."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return load_checked(match.group(1) or "", FastCheckedLoader) or {}, text[match.end():]


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


def build_site(destination: Path, config_file: Path = ROOT / "mkdocs.yml") -> subprocess.CompletedProcess:
    """A strict build, without -q or -v (either can hide a broken link in MkDocs 1.6.1)."""
    env = build_environment()
    return subprocess.run(
        [str(VENV_BIN / "mkdocs"), "build", "--strict", "-f", str(config_file), "-d", str(destination)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def copy_site_sources(destination: Path, names: tuple[str, ...] = (
        "mkdocs.yml", "docs", "data", "snippets", "overrides", "styles", "scripts")) -> Path:
    """A copy of what the build and the checker read, to break things in; returns its mkdocs.yml."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy(source, destination / name)
    return destination / "mkdocs.yml"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site, built once per test run with `mkdocs build --strict`."""
    site = tmp_path_factory.mktemp("site")
    result = build_site(site)
    assert result.returncode == 0, f"strict build failed:\n{result.stderr}"
    return site


CLINIC_EXAMPLE = ROOT / "clinics" / "example.yml"


@pytest.fixture(scope="session")
def clinic_site(tmp_path_factory) -> Path:
    """The fictional example clinic's copy (clinics/example.yml), built strictly once."""
    site = tmp_path_factory.mktemp("clinic-site")
    result = build_site(site, CLINIC_EXAMPLE)
    assert result.returncode == 0, f"strict build of {CLINIC_EXAMPLE.name} failed:\n{result.stderr}"
    return site


@pytest.fixture(scope="session")
def site_server(built_site):
    """The built site over HTTP on 127.0.0.1 (search needs http, not file://), as a host serves it."""
    with SiteServer(built_site) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright. Missing Chromium is a failure, never a skip."""
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium) "
        "or set CHROMIUM=/path/to/chromium"
    )
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


SEARCH_RESULT_LINKS = ".md-search-result__item a"


def search_result_links(page, wanted: list[str], timeout: float = 15_000) -> list[str]:
    """The addresses of the search results, once one of them contains a `wanted` text.

    Material redraws the results as the reader types, so they are read in the page in
    one go (never one element at a time, which races with the redraw)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    found = f"(wanted) => [...document.querySelectorAll('{SEARCH_RESULT_LINKS}')]" \
            ".some((link) => wanted.some((text) => link.href.includes(text)))"
    try:
        page.wait_for_function(found, arg=wanted, timeout=timeout)
    except PlaywrightTimeout:
        pass  # the caller's assertion shows what was found instead
    return page.eval_on_selector_all(SEARCH_RESULT_LINKS, "links => links.map((link) => link.href)")
