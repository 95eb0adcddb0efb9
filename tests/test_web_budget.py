"""The page-weight budget of issues 6 and 14, held in Chromium for every page: at most 60 KB
transferred on a first visit (the Sources page 61 KB: bench_web.LONGER_PAGES says why), at most 15 KB on a repeat visit, a bounded number of
requests, and nothing from another origin. Bytes and requests only: timings vary with
the machine and belong in the benchmark (`make bench-web`, scripts/bench_web.py), which
uses the same server and the same measurement."""

from __future__ import annotations

import pytest

from conftest import DOCS, page_url
from bench_web import (
    first_visit_budget,
    KB,
    MAX_REQUESTS,
    REPEAT_VISIT_BUDGET,
    SiteServer,
    built_pages,
    measure_page,
)

PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))


@pytest.fixture(scope="module")
def gzip_server(built_site):
    """The build served as a real host would: gzip, ETags, long caching for hashed files."""
    with SiteServer(built_site) as server:
        yield server


def _listing(responses) -> str:
    return "\n".join(f"    {sent.status} {sent.bytes / KB:6.1f} KB  {sent.path}" for sent in responses)


def test_the_benchmark_measures_every_page(built_site):
    assert sorted(built_pages(built_site)) == sorted(page_url(page) for page in PAGES)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.browser
def test_page_stays_within_the_budget(browser, gzip_server, page):
    figures = measure_page(browser, gzip_server, page_url(page))
    first, repeat = figures.first, figures.repeat
    listing = _listing(first.responses)
    assert first.bytes <= first_visit_budget(page_url(page)), f"first visit {first.bytes / KB:.1f} KB:\n{listing}"
    assert first.requests <= MAX_REQUESTS, f"first visit makes {first.requests} requests:\n{listing}"
    assert repeat.bytes <= REPEAT_VISIT_BUDGET, f"repeat visit {repeat.bytes / KB:.1f} KB:\n{_listing(repeat.responses)}"
    assert not first.other_origin and not repeat.other_origin, first.other_origin + repeat.other_origin
    assert not first.render_blocking_other_origin, first.render_blocking_other_origin
    # Only the one site stylesheet (scripts/slim_css.py) holds back the first paint: no
    # script, no print stylesheet, nothing else.
    assert len(first.render_blocking) == 1 and first.render_blocking[0].endswith(".min.css"), first.render_blocking


@pytest.mark.browser
def test_search_index_and_worker_load_only_when_the_reader_opens_search(browser, gzip_server):
    """Search on demand (overrides/main.html): most readers never search, so a first
    visit does not download the index or the worker; opening search fetches both."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = context.new_page()
        gzip_server.ledger.take()
        tab.goto(gzip_server.url, wait_until="load")
        gzip_server.wait_until_quiet()
        loaded = [sent.path for sent in gzip_server.ledger.take()]
        assert not [path for path in loaded if "search" in path], loaded
        tab.locator("input.md-search__input").click()
        tab.locator("input.md-search__input").press_sequentially("zap", delay=30)
        tab.locator(".md-search-result__item").first.wait_for(timeout=15_000)
        loaded = [sent.path for sent in gzip_server.ledger.take()]
        assert any("search_index.json" in path for path in loaded), loaded
        assert any("/workers/search." in path for path in loaded), loaded
    finally:
        context.close()
