#!/usr/bin/env python3
"""The checker: one command that says exactly what is wrong in the guide, and how to fix it.

    python scripts/check.py                     check the whole site
    python scripts/check.py docs/index.md ...   report only on these files (or folders)
    python scripts/check.py --changed           files changed against origin/main (or HEAD),
                                                plus the pages that link to or include them
    python scripts/check.py --format json|github
    python scripts/check.py --fix               rewrite discouraged terms to preferred ones
    python scripts/check.py --list-rules        every rule: severity, scope, reason and link

Output: `path:line:col: severity rule: message`. Exit status: 0 no errors (warnings allowed),
1 errors found, 2 the checker could not run. The checker itself is the package
scripts/checker/ (its README.md says how it fits together and how to add a rule).
"""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPTS_DIR = Path(__file__).resolve().parent
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

from checker.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
