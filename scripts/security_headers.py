#!/usr/bin/env python3
"""Write ready-to-use security headers for a built site, for the common kinds of host.

    python scripts/security_headers.py site [--config clinics/example.yml] [--nginx site-headers/nginx.conf]

`make build` runs it after the strict build. It reads every HTML page of the build and
writes:

    site/_headers                   Netlify and Cloudflare Pages
    site/.htaccess                  Apache (needs mod_headers; also sets the 404 page)
    site-headers/nginx.conf         nginx: `include` it inside the `location` that serves the guide

The Content-Security-Policy allows scripts, styles, images, fonts and connections from the
site's own origin only, inline scripts and styles only by hash, no plugins, no <base>
changes, and framing only by the site itself plus the clinic's `frame_ancestors`
(extra.clinic in its settings file). The other headers: Strict-Transport-Security (one
year, see HOSTING.md), Referrer-Policy, X-Content-Type-Options and a Permissions-Policy
that turns off features the guide never uses.

Only the theme's own inline code gets into the policy, and the look-up page's script
(scripts/lookup.js, put inline by scripts/content_api.py), allowed only as it is, character
for character. Every inline <script> and <style> of the theme's templates (Material's and
overrides/, read from the installed theme) is an allow-list entry: its text, with each
`{{ value }}` allowed to hold only characters that cannot leave a string (letters, digits,
space and # . / : % ~ + -). An inline script or
style in a page that matches no entry, an event-handler attribute (onclick=...), a style
attribute or a javascript: link stops the build with the page's name: the policy would
either block it or, worse, allow what someone slipped in. JSON data blocks (JSON-LD,
Material's configuration) are not code: they must parse as JSON and are not hashed.

Every value that reaches a header is checked again here with the clinic validator's own
functions (site_url, frame_ancestors), and any header value holding a line break, a quote
or a semicolon where it does not belong stops the build.

Exit status: 0 headers written, 1 unsafe content or settings (nothing written), 2 no site
or no readable configuration. Rebuild the headers whenever the site is rebuilt: a changed
theme changes the hashes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html.parser
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from clinic_settings import URL_FOLDER, origin_problem, shown, site_url_problem
from content_api import lookup_script

ROOT = Path(__file__).resolve().parent.parent

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
HSTS_MAX_AGE = 31_536_000  # one year, in seconds
OTHER_HEADERS = {
    "Strict-Transport-Security": f"max-age={HSTS_MAX_AGE}",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": PERMISSIONS_POLICY,
}

# ---------------------------------------------------------------- the theme's own inline code

DATA_TYPES = ("application/json", "application/ld+json")
TEMPLATE_ELEMENT = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
TEMPLATE_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.DOTALL)
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
# What a {{ value }} inside the theme's inline code may become: a base URL, a #rrggbb colour,
# a font name. None of these characters can end a JavaScript string or a CSS declaration.
TEMPLATE_VALUE = r"[\w #./:%~+-]*"
CSP_SOURCE = re.compile(r"'(?:self|none|sha256-[A-Za-z0-9+/]+=*)'|data:|https://[^\s;,\"'\\]+")
LINE_OR_QUOTE = re.compile(r"[\r\n\"]")


class UnsafeSite(Exception):
    """Content or settings that must not reach the headers; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ThemeCode:
    """The inline scripts and styles the theme's templates can write, as patterns."""

    scripts: list[re.Pattern] = field(default_factory=list)
    styles: list[re.Pattern] = field(default_factory=list)

    def allows(self, kind: str, body: str) -> bool:
        return any(pattern.fullmatch(body) for pattern in (self.scripts if kind == "script" else self.styles))


def template_pattern(body: str) -> re.Pattern:
    """A template's inline code as a pattern: its text, with each {{ value }} a safe hole."""
    parts = TEMPLATE_TAG.split(body)
    return re.compile("".join(
        TEMPLATE_VALUE if part.startswith("{{") else "" if part.startswith(("{%", "{#")) else re.escape(part)
        for part in parts))


def is_data(attributes: str | dict) -> bool:
    if isinstance(attributes, dict):
        return (attributes.get("type") or "").strip().lower() in DATA_TYPES
    found = re.search(r"""\btype=["']?([^"'\s>]+)""", attributes)
    return bool(found) and found.group(1).lower() in DATA_TYPES


def theme_code(template_dirs: list[str]) -> ThemeCode:
    """Every inline script and style of the templates in use (custom_dir first, as MkDocs reads them)."""
    code, seen = ThemeCode(), set()
    for folder in map(Path, template_dirs):
        for template in sorted(folder.rglob("*.html")):
            name = template.relative_to(folder).as_posix()
            if name in seen:
                continue  # overridden by an earlier folder
            seen.add(name)
            source = TEMPLATE_COMMENT.sub("", template.read_text(encoding="utf-8"))  # a comment writes nothing
            for kind, attributes, body in TEMPLATE_ELEMENT.findall(source):
                if kind.lower() == "script" and (re.search(r"\bsrc=", attributes) or is_data(attributes)):
                    continue
                (code.scripts if kind.lower() == "script" else code.styles).append(template_pattern(body))
    # The look-up page's script (lookup/, written by scripts/content_api.py), exactly as it is.
    code.scripts.append(re.compile(re.escape(lookup_script())))
    return code


# ---------------------------------------------------------------- reading the pages

class InlineCode(html.parser.HTMLParser):
    """The inline scripts, styles, data blocks and event handlers of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict, str]] = []  # (script|style, attributes, body)
        self.inline_attributes: list[str] = []
        self._open: tuple[str, dict] | None = None
        self._body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for name, value in attributes.items():
            if name.startswith("on") or name == "style":
                self.inline_attributes.append(f"<{tag} {name}=...>")
            elif name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                self.inline_attributes.append(f"<{tag} {name}=\"javascript:...\">")
        if tag in ("script", "style") and not (tag == "script" and "src" in attributes):
            self._open, self._body = (tag, attributes), []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._body.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[0]:
            self._end()

    def close(self) -> None:
        super().close()
        if self._open:  # a browser runs a script left open at the end of the page too
            self._body.append(self.rawdata)  # what the parser kept back, unread
            self._end()

    def _end(self) -> None:
        self.found.append((self._open[0], self._open[1], "".join(self._body)))
        self._open = None


def sha256_source(text: str) -> str:
    """'sha256-…' for an inline script or style body, exactly as the browser hashes it."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def page_problems(name: str, page: InlineCode, allowed: ThemeCode, scripts: set, styles: set) -> list[str]:
    """What in one page the policy must not allow; the hashes of what it may go into the sets."""
    problems = [f"{name}: {what}: inline code the policy blocks; use the theme's own scripts and styles"
                for what in page.inline_attributes]
    for kind, attributes, body in page.found:
        if kind == "script" and is_data(attributes):
            try:
                json.loads(body)
            except ValueError:
                problems.append(f"{name}: a JSON data block that is not JSON ({shown(body)!r}): a value broke out of it")
        elif allowed.allows(kind, body):
            (scripts if kind == "script" else styles).add(sha256_source(body))
        else:
            problems.append(f"{name}: inline {kind} the theme does not write: {shown(body, 60)!r}; "
                            "remove it (a page, a setting or a template put it there)")
    return problems


def inline_hashes(site: Path, allowed: ThemeCode) -> tuple[list[str], list[str]]:
    """The hashes of the theme's inline scripts and styles in the build; UnsafeSite for anything else."""
    scripts: set[str] = set()
    styles: set[str] = set()
    problems: list[str] = []
    for page in sorted(site.rglob("*.html")):
        parser = InlineCode()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        problems += page_problems(page.as_posix(), parser, allowed, scripts, styles)
    if problems:
        raise UnsafeSite(problems)
    return sorted(scripts), sorted(styles)


def content_security_policy(script_hashes: list[str], style_hashes: list[str], frame_ancestors: list[str]) -> str:
    directives = [
        ("default-src", ["'self'"]),
        ("script-src", ["'self'", *script_hashes]),
        ("style-src", ["'self'", *style_hashes]),
        # Material draws its icons with data: SVG images from its stylesheet.
        ("img-src", ["'self'", "data:"]),
        ("font-src", ["'self'"]),
        ("connect-src", ["'self'"]),
        # Search runs in a Web Worker loaded from the site itself.
        ("worker-src", ["'self'"]),
        ("object-src", ["'none'"]),
        ("base-uri", ["'self'"]),
        ("form-action", ["'self'"]),
        ("frame-ancestors", ["'self'", *frame_ancestors]),
    ]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)


def all_headers(policy: str) -> dict[str, str]:
    return {"Content-Security-Policy": policy, **OTHER_HEADERS}


def header_problems(headers: dict[str, str], frame_ancestors: list[str], base_path: str) -> list[str]:
    """Anything that could end a header line, a quoted value or a CSP directive early."""
    problems = [f"{name}: holds a line break or a quote" for name, value in headers.items() if LINE_OR_QUOTE.search(value)]
    for directive in headers["Content-Security-Policy"].split("; "):
        _, *sources = directive.split(" ")
        problems += [f"Content-Security-Policy: {source!r} is not a source this script writes"
                     for source in sources if not CSP_SOURCE.fullmatch(source)]
    problems += [f"frame_ancestors: {origin!r}: {origin_problem(origin)}" for origin in frame_ancestors if origin_problem(origin)]
    if not re.fullmatch(URL_FOLDER, base_path):
        problems.append(f"site_url: the folder {base_path!r} cannot go into a server configuration")
    return problems


def render_netlify(headers: dict[str, str]) -> str:
    # Paths in _headers are read from the deployed folder's root, wherever it is published.
    lines = ["# Security headers for Netlify and Cloudflare Pages (made by scripts/security_headers.py).", "/*"]
    lines += [f"  {name}: {value}" for name, value in headers.items()]
    return "\n".join(lines) + "\n"


def render_apache(headers: dict[str, str], base_path: str) -> str:
    lines = [
        "# Security headers for Apache (made by scripts/security_headers.py). Needs mod_headers.",
        f"ErrorDocument 404 {base_path}404.html",
        "<IfModule mod_headers.c>",
    ]
    lines += [f'  Header always set {name} "{value}"' for name, value in headers.items()]
    lines.append("</IfModule>")
    return "\n".join(lines) + "\n"


def render_nginx(headers: dict[str, str], base_path: str) -> str:
    lines = [
        "# Security headers for nginx (made by scripts/security_headers.py).",
        f"# Include it inside the location that serves the guide, for example: location {base_path} {{ include …; }}",
        f"error_page 404 {base_path}404.html;",
    ]
    lines += [f'add_header {name} "{value}" always;' for name, value in headers.items()]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SiteSettings:
    base_path: str  # the folder part of site_url, "/" if none
    frame_ancestors: list[str]
    template_dirs: list[str]  # where the theme's templates are, custom_dir first


def site_settings(config_file: Path) -> SiteSettings:
    """What the headers need from the configuration, checked again with the clinic validator's rules."""
    from mkdocs.config import load_config  # the same reading of INHERIT as the build

    config = load_config(str(config_file))
    site_url = config.get("site_url") or ""
    clinic = (config.get("extra") or {}).get("clinic") or {}
    origins = clinic.get("frame_ancestors") or []
    problems = [f"site_url: {site_url_problem(site_url)}"] if site_url and site_url_problem(site_url) else []
    if not isinstance(origins, list) or not all(isinstance(origin, str) for origin in origins):
        problems.append(f"frame_ancestors: write a list of origins, for example [\"https://clinic.example\"] (got {shown(str(origins))!r})")
        origins = []
    problems += [f"frame_ancestors: {problem}" for problem in map(origin_problem, origins) if problem]
    if problems:
        raise UnsafeSite([f"{config_file}: {problem}" for problem in problems])
    return SiteSettings(urlsplit(site_url).path or "/", list(origins), list(config.theme.dirs))


def write_headers(site: Path, settings: SiteSettings, nginx_file: Path) -> dict[str, str]:
    """Check the build, then write the three header files (nothing is written if a check fails)."""
    scripts, styles = inline_hashes(site, theme_code(settings.template_dirs))
    headers = all_headers(content_security_policy(scripts, styles, settings.frame_ancestors))
    problems = header_problems(headers, settings.frame_ancestors, settings.base_path)
    if problems:
        raise UnsafeSite(problems)
    (site / "_headers").write_text(render_netlify(headers), encoding="utf-8")
    (site / ".htaccess").write_text(render_apache(headers, settings.base_path), encoding="utf-8")
    nginx_file.parent.mkdir(parents=True, exist_ok=True)
    nginx_file.write_text(render_nginx(headers, settings.base_path), encoding="utf-8")
    return headers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="the built site folder, for example site")
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml", help="mkdocs.yml or a clinic's settings file")
    parser.add_argument("--nginx", type=Path, default=None, help="where to write the nginx snippet (default: site-headers/nginx.conf next to the site)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: no built site here; run `make build` first", file=sys.stderr)
        return 2
    nginx_file = args.nginx or args.site.parent / "site-headers" / "nginx.conf"
    try:
        try:
            settings = site_settings(args.config)
        except UnsafeSite:
            raise
        except Exception as error:  # mkdocs reports a bad config with its own exception types
            print(f"{args.config}: cannot read the configuration: {' '.join(str(error).split())}", file=sys.stderr)
            return 2
        write_headers(args.site, settings, nginx_file)
    except UnsafeSite as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print("security headers not written: fix the lines above and build again", file=sys.stderr)
        return 1
    print(f"wrote {args.site / '_headers'}, {args.site / '.htaccess'} and {nginx_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
