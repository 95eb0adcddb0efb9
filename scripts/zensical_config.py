#!/usr/bin/env python3
"""Write a configuration Zensical can build from: mkdocs.yml or a clinic's settings file.

    python scripts/zensical_config.py clinics/example.yml --site-dir site-zensical > .zensical.yml
    zensical build -f .zensical.yml

Zensical reads mkdocs.yml and follows INHERIT, but refuses a docs_dir outside the folder
of the file it is given ("docs_dir must be within project root"). A clinic's file lives
in clinics/ and points back with ../docs, so this writes the same settings as a file for
the repository root, with each folder path rebased from the settings file's folder. It
resolves INHERIT itself, as MkDocs does (Zensical would append the lists of a file and its
parent: two navigations, two language selectors). It changes nothing else. `make zensical` runs it; see HOSTING.md, "Building with Zensical".
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import mergedeep
import yaml

ROOT = Path(__file__).resolve().parent.parent


class _KeepTags(yaml.SafeLoader):
    """Keeps !ENV tags as they are, so Zensical still sees them."""


def _env_representer(dumper: yaml.SafeDumper, value: "_Env") -> yaml.Node:
    return dumper.represent_sequence("!ENV", value.items) if value.items else dumper.represent_scalar("!ENV", value.name)


class _Env:
    def __init__(self, name: str = "", items: list | None = None) -> None:
        self.name, self.items = name, items


def _env_constructor(loader: yaml.SafeLoader, node: yaml.Node) -> _Env:
    if isinstance(node, yaml.SequenceNode):
        return _Env(items=loader.construct_sequence(node))
    return _Env(name=loader.construct_scalar(node))


_KeepTags.add_constructor("!ENV", _env_constructor)
yaml.SafeDumper.add_representer(_Env, _env_representer)


def rebase(value: str, from_folder: Path) -> str:
    """A path written relative to `from_folder`, rewritten relative to the repository root."""
    return os.path.relpath((from_folder / value).resolve(), ROOT)


def inherited(config_file: Path) -> dict:
    """The settings as MkDocs reads them, INHERIT resolved. Zensical merges INHERIT itself but
    appends lists, where MkDocs replaces them: a language's or a clinic's navigation, Markdown
    extensions and language selector (extra.alternate) would come twice."""
    settings = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_KeepTags) or {}
    parent = settings.pop("INHERIT", None)
    if isinstance(parent, str):
        # MkDocs' own merge (mkdocs/utils/yaml.py): mappings key by key, anything else replaced.
        return mergedeep.merge(inherited(config_file.resolve().parent / parent), settings)
    return settings


def root_config(config_file: Path, site_dir: str) -> dict:
    settings = inherited(config_file)
    folder = config_file.resolve().parent  # MkDocs reads every path from the file it is given
    if isinstance(settings.get("docs_dir"), str):
        settings["docs_dir"] = rebase(settings["docs_dir"], folder)
    theme = settings.get("theme")
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        theme["custom_dir"] = rebase(theme["custom_dir"], folder)
    if isinstance(settings.get("watch"), list):
        settings["watch"] = [rebase(path, folder) for path in settings["watch"]]
    settings["site_dir"] = site_dir
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", type=Path, help="mkdocs.yml or clinics/<name>.yml")
    parser.add_argument("--site-dir", default="site-zensical")
    args = parser.parse_args(argv)
    try:
        settings = root_config(args.config, args.site_dir)
    except (OSError, yaml.YAMLError) as error:
        print(f"{args.config}: cannot read it: {error}", file=sys.stderr)
        return 2
    print(f"# Made by scripts/zensical_config.py from {args.config}; do not edit.")
    print(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True, width=1000), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
