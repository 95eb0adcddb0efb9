#!/usr/bin/env python3
"""Policy numbers that several scripts, tests, the Makefile and CI share, each held here once.

(The checker's own limits, such as the description length and the reading grade, live in
data/checker.yml and are read with checker.config.load_settings.)

    python scripts/policy.py     prints SOURCE_DATE_EPOCH=... (for CI's $GITHUB_ENV)

The Makefile reads SOURCE_DATE_EPOCH from this file; the workflows add it to their
environment with the command above.
"""

from __future__ import annotations

import os

# The date every build claims (sitemap dates, gzip headers): 2026-01-01 00:00 UTC. A fixed
# date keeps builds byte-for-byte reproducible (tests/test_reproducible.py).
SOURCE_DATE_EPOCH = 1767225600


def build_environment(**extra: str) -> dict[str, str]:
    """The environment for a reproducible MkDocs build: this process's, SOURCE_DATE_EPOCH, no
    Material end-of-life banner, and `extra` (such as OFFLINE="true")."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH), **extra}


if __name__ == "__main__":
    print(f"SOURCE_DATE_EPOCH={SOURCE_DATE_EPOCH}")
