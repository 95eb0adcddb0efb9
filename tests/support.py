"""What the tests share that is not a fixture: where things are, how a page is read, how the
site is built, and the screen sizes a browser test uses. tests/conftest.py holds the fixtures
(built_site, clinic_site, site_server, browser, phone, mkdocs_config, pages)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
VENV_BIN = Path(sys.executable).parent
CLINIC_EXAMPLE = ROOT / "clinics" / "example.yml"

if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from checker.markdown import FRONT_MATTER  # noqa: E402  (scripts/ is on the path from here)
from checker.site import page_url  # noqa: E402,F401  (the tests' page addresses are the checker's)
from policy import build_environment  # noqa: E402
from yaml_tags import FastCheckedLoader, TagIgnoringLoader, load_checked  # noqa: E402

# The one phone screen of the browser tests: a small phone (iPhone SE, 375 x 667 CSS px),
# so "on the first phone screen" holds on the phones most patients have, or larger.
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 900}
# Reflow (WCAG 1.4.10): 320 CSS px wide, the width the criterion names.
NARROW = {"width": 320, "height": 640}


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


def docs_pages() -> list[str]:
    """Every page of docs/, docs-relative, sorted."""
    return sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md"))


def split_front_matter(text: str) -> tuple[dict, str]:
    """A page's front matter and body, as the checker's Markdown model reads them."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return load_checked(match.group(1) or "", FastCheckedLoader) or {}, text[match.end():]


def build_site(destination: Path, config_file: Path = ROOT / "mkdocs.yml", *,
               slimmed: bool = True) -> subprocess.CompletedProcess:
    """A strict build, without -q or -v (either can hide a broken link in MkDocs 1.6.1),
    then the one stylesheet and the pages without indentation that `make build` leaves
    (scripts/slim_css.py, scripts/slim_html.py), so the browser tests prove the slim
    stylesheet keeps what search, the menu, tooltips and printing need. `slimmed=False`
    leaves that to the caller (a site of two builds is slimmed once, after both)."""
    env = build_environment()
    result = subprocess.run(
        [str(VENV_BIN / "mkdocs"), "build", "--strict", "-f", str(config_file), "-d", str(destination)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if result.returncode == 0 and slimmed:
        slim(destination)
    return result


def slim(site: Path) -> None:
    """The steps `make build` runs on the built folder before the security headers."""
    from slim_css import slim_site
    from slim_html import slim_pages

    slim_site(site)
    slim_pages(site)


def copy_site_sources(destination: Path, names: tuple[str, ...] = (
        "mkdocs.yml", "docs", "data", "snippets", "overrides", "styles", "scripts")) -> Path:
    """A copy of what the build and the checker read, to break things in; returns its mkdocs.yml."""
    from build_all import copy_sources

    return copy_sources(destination, names) / "mkdocs.yml"


def assemble_clinic(settings: Path = CLINIC_EXAMPLE, out: Path | None = None) -> Path:
    """What `make build CLINIC=...` builds: the clinic's copy assembled by the scripts/assemble_clinic.py
    of the tree that holds `settings` (into `out`, default build/<clinic>/); returns its mkdocs.yml."""
    root = settings.parent.parent
    command = [sys.executable, str(root / "scripts" / "assemble_clinic.py"), str(settings)]
    result = subprocess.run(command + (["--out", str(out)] if out else []), cwd=root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"assembling {settings.name} failed:\n{result.stdout}{result.stderr}"
    return (out or root / "build" / settings.stem) / "mkdocs.yml"


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


def missing_theme_hooks(site: Path) -> list[str]:
    """What overrides/main.html's scripts find by the theme's own ids, classes and file names,
    missing from a built site's start page (empty when all is there). Material and Zensical
    may rename any of them in an upgrade; then the menu button, the scroll fix or search on
    demand would stop working without an error, so the tests of both builds call this."""
    import json
    import re

    from bs4 import BeautifulSoup

    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    needed = {
        "#__drawer (the menu's checkbox)": "input#__drawer[type=checkbox]",
        '.md-header label[for="__drawer"] (the menu button)': '.md-header label[for="__drawer"]',
        "#__search (search's toggle)": "input#__search[type=checkbox]",
        ".md-search (the search box)": ".md-search",
        "#__config (the theme's settings)": "script#__config",
    }
    missing = [name for name, selector in needed.items() if soup.select_one(selector) is None]
    worker_pattern = re.search(r"if \(!/(.+?)/\.test\(String\(url\)\)\) return new NativeWorker",
                               (ROOT / "overrides" / "main.html").read_text(encoding="utf-8"))
    if worker_pattern is None:
        return [*missing, "the search worker's address pattern in overrides/main.html"]
    config = soup.select_one("script#__config")
    worker = json.loads(config.string).get("search", "") if config else ""
    if not re.search(worker_pattern.group(1).replace("\\/", "/"), "/" + worker.lstrip("./")):
        missing.append(f"the search worker {worker!r} does not match /{worker_pattern.group(1)}/ in overrides/main.html")
    return missing


REVIEW_STATUS = "about/review-status/index.html"


def review_table(site: Path, page: str = REVIEW_STATUS) -> list[tuple[str, Path, list[str]]]:
    """The review status table of a built site (overrides/partials/review-status.html), row by
    row: the page's title as listed, the file its link leads to, and the row's other cells."""
    from urllib.parse import urljoin, urlsplit

    from bs4 import BeautifulSoup

    html = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
    rows = []
    for row in html.select(".review-status tbody tr"):
        link = row.select_one("td a")
        path = urlsplit(urljoin("https://site.invalid/" + page, link["href"])).path.lstrip("/")
        cells = [" ".join(cell.get_text(" ").split()) for cell in row.find_all("td")]
        rows.append((cells[0], site / path / ("index.html" if path.endswith("/") or not path else ""), cells[1:]))
    return rows
