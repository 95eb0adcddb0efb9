"""Read mkdocs.yml and a clinic's settings outside MkDocs, leaving its tags alone.

MkDocs' own tags (`!ENV [OFFLINE, false]`, `!relative`) mean nothing to plain PyYAML;
`TagIgnoringLoader` reads each tagged value as None, so the scripts and tests that only
need the file's other settings can read it safely. (The checker keeps a faster C-based
variant of its own; scripts/zensical_config.py keeps the tags, since it writes them back.)
"""

from __future__ import annotations

import yaml


class TagIgnoringLoader(yaml.SafeLoader):
    """A safe YAML loader that reads any `!tag` value as None."""


TagIgnoringLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
