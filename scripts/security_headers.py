#!/usr/bin/env python3
"""Write ready-to-use security headers for a built site, for the common kinds of host.

    python scripts/security_headers.py site [--config clinics/example.yml] [--nginx site-headers/nginx.conf]

`make build` runs it after the strict build. It reads every HTML page of the build,
hashes each inline <script> and <style> (sha256, as CSP wants), and writes:

    site/_headers                   Netlify and Cloudflare Pages
    site/.htaccess                  Apache (needs mod_headers; also sets the 404 page)
    site-headers/nginx.conf         nginx: `include` it inside the `location` that serves the guide

The Content-Security-Policy allows scripts, styles, images, fonts and connections from the
site's own origin only, inline scripts and styles only by hash, no plugins, no <base>
changes, and framing only by the site itself plus the clinic's `frame_ancestors`
(extra.clinic in its settings file). The other headers: Referrer-Policy,
X-Content-Type-Options and a Permissions-Policy that turns off features the guide never uses.

Rebuild the headers whenever the site is rebuilt: a changed theme changes the hashes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)
DATA_SCRIPT_TYPE = re.compile(r"""type=["']?application/(?:ld\+)?json""", re.IGNORECASE)

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
OTHER_HEADERS = {
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def sha256_source(text: str) -> str:
    """'sha256-…' for an inline script or style body, exactly as the browser hashes it."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def inline_hashes(site: Path) -> tuple[list[str], list[str]]:
    """The hashes of every distinct inline script (not JSON data) and style in the build."""
    scripts, styles = set(), set()
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for attributes, body in INLINE_SCRIPT.findall(html):
            if not DATA_SCRIPT_TYPE.search(attributes):
                scripts.add(sha256_source(body))
        styles.update(sha256_source(body) for body in INLINE_STYLE.findall(html))
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


def site_settings(config_file: Path) -> tuple[str, list[str]]:
    """The site's base path (from site_url) and the clinic's frame_ancestors."""
    from mkdocs.config import load_config  # the same reading of INHERIT as the build

    config = load_config(str(config_file))
    base_path = urlsplit(config.get("site_url") or "").path or "/"
    clinic = (config.get("extra") or {}).get("clinic") or {}
    return (base_path if base_path.endswith("/") else base_path + "/"), list(clinic.get("frame_ancestors") or [])


def write_headers(site: Path, base_path: str, frame_ancestors: list[str], nginx_file: Path) -> dict[str, str]:
    scripts, styles = inline_hashes(site)
    headers = all_headers(content_security_policy(scripts, styles, frame_ancestors))
    (site / "_headers").write_text(render_netlify(headers), encoding="utf-8")
    (site / ".htaccess").write_text(render_apache(headers, base_path), encoding="utf-8")
    nginx_file.parent.mkdir(parents=True, exist_ok=True)
    nginx_file.write_text(render_nginx(headers, base_path), encoding="utf-8")
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
    try:
        base_path, frame_ancestors = site_settings(args.config)
    except Exception as error:  # mkdocs reports a bad config with its own exception types
        print(f"{args.config}: cannot read the configuration: {error}", file=sys.stderr)
        return 2
    nginx_file = args.nginx or args.site.parent / "site-headers" / "nginx.conf"
    write_headers(args.site, base_path, frame_ancestors, nginx_file)
    print(f"wrote {args.site / '_headers'}, {args.site / '.htaccess'} and {nginx_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
