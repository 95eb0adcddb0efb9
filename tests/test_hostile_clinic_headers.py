"""The security policy lets in only the theme's own inline code, and the header files only
ever receive checked values (issue 15), whatever reaches scripts/security_headers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from security_headers import (UnsafeSite, all_headers, content_security_policy, header_problems, inline_hashes,
                              main as write_headers_main, sha256_source, site_settings, template_pattern, theme_code)

THEME_CODE = theme_code(site_settings(ROOT / "mkdocs.yml").template_dirs)
MENU_SCRIPT = "document.querySelectorAll(\"[data-print-button]\").forEach(function(b){b.hidden=!1,b.addEventListener(\"click\",function(){window.print()})})"


def test_a_template_value_may_fill_its_place_but_not_leave_the_string():
    pattern = template_pattern('x=new URL("{{ config.extra.scope | d(base_url) }}",location)')
    assert pattern.fullmatch('x=new URL("../..",location)') and pattern.fullmatch('x=new URL("/patient-info/",location)')
    for injected in ('x=new URL("/"+alert(1)+"",location)', 'x=new URL("/\\"",location)', 'x=new URL("/";alert(1);"",location)'):
        assert not pattern.fullmatch(injected), injected


def test_code_in_a_template_comment_is_not_allowed(tmp_path):
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "x.html").write_text("{# <script>alert(1)</script> #}<script>ok()</script>", encoding="utf-8")
    code = theme_code([str(tmp_path)])
    assert code.allows("script", "ok()") and not code.allows("script", "alert(1)")


def test_the_allow_list_comes_from_the_installed_theme_and_overrides():
    assert THEME_CODE.allows("script", MENU_SCRIPT), "overrides/main.html's print button"
    assert THEME_CODE.allows("script", 'var target=document.getElementById(location.hash.slice(1));'
                             'target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))'), "Material's own"
    assert not THEME_CODE.allows("script", "alert(1)")
    assert not THEME_CODE.allows("style", "body{background:url(https://evil.example/)}")
    colour = "[data-md-color-primary]{--md-primary-fg-color:#00594f;--md-primary-fg-color--light:#00594f;" \
             "--md-primary-fg-color--dark:#00594f;--md-primary-bg-color:#fff;--md-primary-bg-color--light:#ffffffb3}" \
             "[data-md-color-scheme=default]{--md-typeset-a-color:#00594f}"
    assert THEME_CODE.allows("style", colour)
    assert not THEME_CODE.allows("style", colour.replace("#00594f;", "red}body{display:none;", 1))


def _site(tmp_path: Path, body: str) -> Path:
    site = tmp_path / "site"
    (site / "page").mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text(f"<!doctype html><html><body><script>{MENU_SCRIPT}</script></body></html>", encoding="utf-8")
    (site / "page" / "index.html").write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")
    return site


def test_the_theme_script_is_hashed_and_data_blocks_are_not(tmp_path):
    site = _site(tmp_path, '<script type="application/ld+json">{"name": "A \\u003c/script\\u003e"}</script>')
    assert inline_hashes(site, THEME_CODE) == ([sha256_source(MENU_SCRIPT)], [])


@pytest.mark.parametrize("body, expected", [
    ("<script>alert(1)</script>", "inline script the theme does not write: 'alert(1)'"),
    ('<script type="application/ld+json">{"name": "</script><script>alert(1)</script>"}</script>', "not JSON"),
    ('<script data-type="application/json">alert(1)</script>', "inline script the theme does not write"),
    ("<style>body{display:none}</style>", "inline style the theme does not write"),
    ('<img src="x.png" onerror="alert(1)" alt="">', "<img onerror=...>"),
    ('<a href="#" ONCLICK="alert(1)">x</a>', "<a onclick=...>"),
    ('<p style="display:none">x</p>', "<p style=...>"),
    ('<a href=" JavaScript:alert(1)">x</a>', '<a href="javascript:...">'),
    (f"<script>{MENU_SCRIPT};alert(1)</script>", "inline script the theme does not write"),
    ("<p>end</p><script>alert(1)", "inline script the theme does not write: 'alert(1)</body></html>'"),
    ("<svg><script>alert(1)</script></svg>", "inline script the theme does not write"),
])
def test_any_other_inline_code_stops_the_headers_naming_the_page(tmp_path, capsys, body, expected):
    site = _site(tmp_path, body)
    with pytest.raises(UnsafeSite) as refused:
        inline_hashes(site, THEME_CODE)
    assert any(problem.startswith(f"{(site / 'page' / 'index.html').as_posix()}: ") and expected in problem
               for problem in refused.value.problems), refused.value.problems
    assert write_headers_main([str(site), "--nginx", str(tmp_path / "nginx.conf")]) == 1
    assert "security headers not written" in capsys.readouterr().err
    assert not (site / "_headers").exists() and not (tmp_path / "nginx.conf").exists()


@pytest.mark.parametrize("origin", ["https://a.example\r\nX-Injected: 1", 'https://a.example"', "https://a.example;",
                                    "https://*", "https://a.example/path", "'unsafe-inline'"])
def test_an_unsafe_origin_never_reaches_a_header(origin):
    problems = header_problems(all_headers(content_security_policy([], [], [origin])), [origin], "/")
    assert problems, origin


@pytest.mark.parametrize("base_path", ["/a;b/", '/a"/', "/a b/", "/a\n/", "/{x}/"])
def test_an_unsafe_folder_never_reaches_the_server_configuration(base_path):
    assert header_problems(all_headers(content_security_policy([], [], [])), [], base_path)


def test_a_header_value_with_a_line_break_or_quote_is_refused():
    headers = {**all_headers(content_security_policy([], [], [])), "Referrer-Policy": 'no-referrer"\r\nX-Injected: 1'}
    assert header_problems(headers, [], "/") == ["Referrer-Policy: holds a line break or a quote"]


def _unchecked_clinic(tmp_path: Path, site_url: str, frame_ancestors: str) -> Path:
    """A clinic file that never went through the clinic check (absolute paths, so it builds from here)."""
    config = tmp_path / "unchecked.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'docs'}\nsite_url: {site_url}\n"
                      f"watch: [{ROOT / 'snippets'}, {ROOT / 'data'}]\n"
                      f"theme: {{custom_dir: {ROOT / 'overrides'}}}\n"
                      f"extra: {{clinic: {{name: X, frame_ancestors: {frame_ancestors}}}}}\n", encoding="utf-8")
    return config


@pytest.mark.parametrize("site_url, frame_ancestors, field", [
    ("'https://clinic.example/;add_header X-Injected 1;/'", "[]", "site_url"),
    ("https://clinic.example/?q=1", "[]", "site_url"),
    ("https://clinic.example/", '["https://a.example\\nX-Injected: 1"]', "frame_ancestors"),
    ("https://clinic.example/", '["https://a.example; script-src *"]', "frame_ancestors"),
    ("https://clinic.example/", '["https://*"]', "frame_ancestors"),
    ("https://clinic.example/", "5", "frame_ancestors"),
    ("https://clinic.example/", '"https://a.example"', "frame_ancestors"),
])
def test_settings_that_skipped_the_clinic_check_are_checked_again(tmp_path, capsys, site_url, frame_ancestors, field):
    site = _site(tmp_path, "<p>ok</p>")
    config = _unchecked_clinic(tmp_path, site_url, frame_ancestors)
    assert write_headers_main([str(site), "--config", str(config), "--nginx", str(tmp_path / "nginx.conf")]) == 1
    err = capsys.readouterr().err
    assert f"{config}: {field}: " in err, err
    assert not (site / "_headers").exists() and not (site / ".htaccess").exists() and not (tmp_path / "nginx.conf").exists()


def test_checked_settings_are_written_to_all_three_files(tmp_path, capsys):
    site = _site(tmp_path, "<p>ok</p>")
    config = _unchecked_clinic(tmp_path, "https://clinic.example/patient-info/", '["https://*.clinic.example:8443"]')
    assert write_headers_main([str(site), "--config", str(config), "--nginx", str(tmp_path / "nginx.conf")]) == 0
    assert "frame-ancestors 'self' https://*.clinic.example:8443" in (site / "_headers").read_text(encoding="utf-8")
    assert "ErrorDocument 404 /patient-info/404.html" in (site / ".htaccess").read_text(encoding="utf-8")
    assert "error_page 404 /patient-info/404.html;" in (tmp_path / "nginx.conf").read_text(encoding="utf-8")
