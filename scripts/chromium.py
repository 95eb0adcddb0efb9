"""Debian's Chromium, as the tests and the web benchmark start it (one place for both).

Playwright drives /usr/bin/chromium (package `chromium`; CI installs it in .ci/run) and never
downloads a browser. Set CHROMIUM=/path/to/chromium to use another build. The flags keep a
headless Chromium from calling home on a machine whose only network is the loopback.
"""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch(playwright):
    """A headless Chromium through Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
