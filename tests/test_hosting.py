"""Hosting anywhere: the clinic's copy served under /patient-info/ with the security headers
the build writes; no broken link, no request to another origin, no CSP violation, and the
page still works (menu, search, colour toggle), also inside a frame on another site."""

from __future__ import annotations

import html.parser
import shutil
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from support import CLINIC_EXAMPLE, PHONE, search_result_links
from security_headers import (HSTS_MAX_AGE, content_security_policy, inline_hashes, main as write_headers_main,
                              sha256_source, site_settings, theme_code)
from serve_site import SiteServer, read_headers_file

PREFIX = "/patient-info/"
SITE_URL = "https://clinic.example/patient-info/"


@pytest.fixture(scope="module")
def hosted_site(clinic_site, tmp_path_factory) -> Path:
    """The example clinic's build with the headers `make build` writes beside it."""
    site = tmp_path_factory.mktemp("hosted") / "site"
    shutil.copytree(clinic_site, site)
    assert write_headers_main([str(site), "--config", str(CLINIC_EXAMPLE), "--nginx", str(site.parent / "nginx.conf")]) == 0
    return site


@pytest.fixture(scope="module")
def host(hosted_site):
    with SiteServer(hosted_site, PREFIX) as server:
        yield server


# ---------------------------------------------------------------- the headers files

def test_the_policy_allows_each_inline_script_by_hash_and_nothing_inline_otherwise(hosted_site):
    headers = read_headers_file(hosted_site / "_headers")
    policy = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    scripts, _ = inline_hashes(hosted_site, theme_code(site_settings(CLINIC_EXAMPLE).template_dirs))
    assert scripts, "Material pages have inline scripts; none were found"
    for digest in scripts:
        assert digest in policy
    assert "frame-ancestors 'self' https://clinic.example" in policy
    for name in ("Referrer-Policy", "X-Content-Type-Options", "Permissions-Policy"):
        assert headers[name]


def test_the_same_headers_are_written_for_apache_and_nginx(hosted_site):
    policy = read_headers_file(hosted_site / "_headers")["Content-Security-Policy"]
    apache = (hosted_site / ".htaccess").read_text(encoding="utf-8")
    nginx = (hosted_site.parent / "nginx.conf").read_text(encoding="utf-8")
    assert f'Header always set Content-Security-Policy "{policy}"' in apache
    assert f"ErrorDocument 404 {PREFIX}404.html" in apache
    assert f'add_header Content-Security-Policy "{policy}" always;' in nginx
    assert f"error_page 404 {PREFIX}404.html;" in nginx


def test_all_three_header_files_ask_browsers_for_https_for_a_year(hosted_site):
    assert HSTS_MAX_AGE == 365 * 24 * 60 * 60
    hsts = f"max-age={HSTS_MAX_AGE}"
    assert read_headers_file(hosted_site / "_headers")["Strict-Transport-Security"] == hsts
    assert f'Header always set Strict-Transport-Security "{hsts}"' in (hosted_site / ".htaccess").read_text(encoding="utf-8")
    assert f'add_header Strict-Transport-Security "{hsts}" always;' in (hosted_site.parent / "nginx.conf").read_text(encoding="utf-8")


def test_hashes_are_those_the_browser_computes():
    # The CSP specification's own example: alert('Hello, world.');
    assert sha256_source("alert('Hello, world.');") == "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    policy = content_security_policy(["'sha256-a'"], [], [])
    assert "script-src 'self' 'sha256-a'" in policy and "frame-ancestors 'self'" in policy


def test_a_missing_site_is_a_clear_error(tmp_path, capsys):
    assert write_headers_main([str(tmp_path)]) == 2
    assert "run `make build` first" in capsys.readouterr().err


# ---------------------------------------------------------------- under a sub-path

class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if value and (name in ("src", "href") or (tag == "link" and name == "href")):
                self.urls.append(value)


def _fetch(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def _crawl(start: str, origin: str) -> tuple[set[str], dict[str, str]]:
    """Every same-origin URL reachable from `start`; broken ones with the page that links them."""
    seen, broken, queue = {start}, {}, [(start, "(start)")]
    while queue:
        url, referrer = queue.pop()
        status, body, headers = _fetch(url)
        if status != 200:
            broken[url] = f"{status}, linked from {referrer}"
            continue
        if "text/html" not in headers.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        for link in parser.urls:
            absolute = urljoin(url, link).split("#", 1)[0]
            if absolute.startswith(origin) and absolute not in seen:
                seen.add(absolute)
                queue.append((absolute, url))
    return seen, broken


def test_every_link_works_under_the_sub_path(host, hosted_site):
    seen, broken = _crawl(host.url, host.origin)
    assert not broken, broken
    pages = {urlsplit(url).path for url in seen if url.endswith("/")}
    built = {PREFIX + p.parent.relative_to(hosted_site).as_posix() + "/" for p in hosted_site.rglob("index.html")}
    built = {path.replace("/./", "/") for path in built}
    assert built <= pages, f"pages the crawl never reached: {sorted(built - pages)}"


def test_the_sitemap_lists_every_page_at_its_public_address(host, hosted_site):
    tree = ElementTree.fromstring((hosted_site / "sitemap.xml").read_bytes())
    locations = [element.text for element in tree.iter() if element.tag.endswith("loc")]
    assert len(locations) == len(list(hosted_site.rglob("index.html")))
    for location in locations:
        assert location.startswith(SITE_URL)
        status, _, _ = _fetch(host.origin + urlsplit(location).path)
        assert status == 200, location


def test_a_missing_page_gets_the_404_page_and_its_links_work_under_the_sub_path(host):
    status, body, _ = _fetch(host.url + "no-such-page/")
    assert status == 404
    parser = _Links()
    parser.feed(body.decode("utf-8"))
    assets = [urljoin(host.url + "no-such-page/", url) for url in parser.urls if url.startswith("/")]
    assert assets, "the 404 page links its assets from the site's root path"
    for asset in assets:
        assert urlsplit(asset).path.startswith(PREFIX), asset
        assert _fetch(asset.split("#", 1)[0])[0] == 200, asset


# ---------------------------------------------------------------- in the browser

VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _watch(page, origin: str) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"other_origin": [], "errors": []}
    page.on("request", lambda request: None if request.url.startswith((origin, "data:", "blob:", "about:")) else seen["other_origin"].append(request.url))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.add_init_script(VIOLATIONS)
    return seen


@pytest.mark.browser
def test_every_page_makes_no_request_to_another_origin_and_breaks_no_policy(browser, host, hosted_site):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    seen = _watch(page, host.origin)
    violations = {}
    for index in sorted(hosted_site.rglob("index.html")):
        relative = index.parent.relative_to(hosted_site).as_posix()
        page.goto(host.url + ("" if relative == "." else relative + "/"))
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__violations")
        if found:
            violations[relative] = found
    context.close()
    assert not seen["other_origin"], seen["other_origin"]
    assert not violations, violations
    assert not seen["errors"], seen["errors"]


@pytest.mark.browser
def test_menu_search_and_colour_toggle_work_under_the_policy(browser, host):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    seen = _watch(page, host.origin)
    page.goto(host.url + "nerve-pain/warning-signs/")
    # Menu: the drawer opens from the header button (a real button: overrides/main.html).
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    page.locator(".md-nav--primary").first.wait_for(state="visible")
    assert page.locator("#__drawer").is_checked() and menu.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert not page.locator("#__drawer").is_checked() and menu.get_attribute("aria-expanded") == "false"
    page.goto(host.url)
    # Colour toggle: the scheme changes and is remembered.
    before = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    after = page.locator("body").get_attribute("data-md-color-scheme")
    assert before != after
    # Search: the worker loads the index from the sub-path and finds a page.
    page.locator("label.md-header__button[for='__search']").click()
    search = page.locator("input.md-search__input")
    search.press_sequentially("pins and needles", delay=30)
    hrefs = search_result_links(page, [host.url])
    assert any(href.startswith(host.url) for href in hrefs), hrefs
    assert page.evaluate("window.__violations") == []
    assert not seen["errors"] and not seen["other_origin"], seen
    context.close()


EMBEDDING_PAGE = """<!doctype html><html lang="en"><head><title>Clinic site</title></head>
<body><h1>Our patient guide</h1>
<iframe id="guide" title="Patient guide" src="{url}" width="900" height="700"></iframe></body></html>"""

BLOCK_STORAGE = """
for (const name of ["localStorage", "sessionStorage"]) {
  Object.defineProperty(window, name, {
    get() { throw new DOMException("The user has blocked site data", "SecurityError"); },
  });
}
"""


@pytest.mark.browser
@pytest.mark.parametrize("storage_blocked", [False, True], ids=["plain", "storage-blocked"])
def test_the_guide_works_inside_a_frame_on_another_site(browser, hosted_site, tmp_path, storage_blocked):
    """A clinic's page on another origin shows the guide in an iframe. With storage blocked
    (as a browser that blocks third-party site data does), every use of localStorage or
    sessionStorage throws. frame-ancestors names https://clinic.example, which cannot be
    served here, so the guide is served without its CSP for this test only."""
    with SiteServer(hosted_site, PREFIX, headers={}) as guide, SiteServer(tmp_path, "/") as clinic_page:
        context = browser.new_context(viewport={"width": 1000, "height": 800})
        if storage_blocked:
            context.add_init_script(BLOCK_STORAGE)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # Failed loads are read from the responses, with their address; the embedding test
        # page has no favicon, but every response of the guide must be fine.
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
        page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
                if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
        (tmp_path / "index.html").write_text(EMBEDDING_PAGE.format(url=guide.url), encoding="utf-8")
        page.goto(clinic_page.url)
        frame = page.frame_locator("#guide")
        frame.locator("h1").first.wait_for()
        assert "Nerve pain after physiotherapy" in frame.locator("h1").first.inner_text()
        # The start page's "Get help now" route to the warning signs is on screen.
        frame.locator("article a[href*='warning-signs']").first.wait_for(state="visible")
        frame.locator("form[data-md-component='palette'] label:visible").first.click()
        page.wait_for_timeout(300)
        context.close()
    assert not errors, errors


def test_materials_storage_script_is_kept_as_it_is_and_wrapped_to_be_storage_safe(hosted_site):
    """The guide no longer copies Material's first script (overrides/main.html wraps its
    storage helpers instead), so a Material upgrade brings its own script unchanged."""
    import material

    template = (Path(material.__file__).parent / "templates" / "partials" / "javascripts" / "base.html").read_text(encoding="utf-8")
    script = template[template.index("<script>"):]
    after_scope = script[script.index("}}") + 2:].strip()
    html = (hosted_site / "index.html").read_text(encoding="utf-8")
    assert after_scope in html, "Material's own storage script is missing or changed"
    assert html.index(after_scope) < html.index('[["__md_get",null],["__md_set",void 0]]'), \
        "the storage-safe wrapper must come after Material's script"


@pytest.mark.browser
def test_going_back_restores_the_page_from_the_back_forward_cache(browser, host):
    """With the headers the guide's host sends (no `no-store`, no unload handler in the
    theme), Back shows the page again at once, from the browser's back/forward cache (issue
    14). Playwright turns that cache off by default: a second Chromium, from the same
    Playwright, keeps it on."""
    from chromium import CHROMIUM, CHROMIUM_ARGS

    with_cache = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                             ignore_default_args=["--disable-back-forward-cache"])
    try:
        page = with_cache.new_context(viewport=PHONE).new_page()
        page.goto(host.url + "nerve-pain/warning-signs/", wait_until="load")
        page.evaluate("window.__restored = false; addEventListener('pageshow', (e) => { window.__restored = e.persisted; })")
        page.goto(host.url + "glossary/", wait_until="load")
        page.go_back(wait_until="commit")  # a page restored from the cache fires no load event
        # Restored: the old page's pageshow sets true. Loaded afresh: a new page, no such value.
        page.wait_for_function("window.__restored === true || window.__restored === undefined")
        assert page.evaluate("window.__restored") is True, "Back loaded the page afresh instead of restoring it"
    finally:
        with_cache.close()
