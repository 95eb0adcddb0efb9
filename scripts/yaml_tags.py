"""Read mkdocs.yml, a clinic's settings and the data files outside MkDocs, safely.

MkDocs' own tags (`!ENV [OFFLINE, false]`, `!relative`) mean nothing to plain PyYAML;
`TagIgnoringLoader` reads each tagged value as None, so the scripts and tests that only
need the file's other settings can read it safely; `FastTagIgnoringLoader` is the same on
libyaml (ten times faster on a 1,000-page site: the checker uses it), and `FastCheckedLoader`
reads a page's front matter. (scripts/zensical_config.py keeps the tags: it writes them back.)

Files that editors write are also refused, with the line, when they are hostile or
careless in ways plain YAML lets through (`RefusedYaml`, a YAML error with a mark):
an impossible date (2026-02-30), an alias (`*name`, which can multiply a small file
into a huge one), collections nested deeper than MAX_DEPTH (libyaml slows down
quadratically on deep nesting, then overflows its stack), and, with `load_checked`,
a key written twice in one mapping (YAML silently keeps the last).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

MAX_DEPTH = 32

OPENING_TOKENS = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken,
                  yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken)
CLOSING_TOKENS = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


class RefusedYaml(yaml.MarkedYAMLError):
    """YAML that parses but that we refuse; `problem` says why, `problem_mark` where."""

    def __init__(self, problem: str, mark: yaml.Mark | None):
        super().__init__(problem=problem, problem_mark=mark)


def checked_timestamp(loader: yaml.BaseLoader, node: yaml.ScalarNode) -> Any:
    """A YAML date, or a refusal at its line when the date does not exist (2026-02-30)."""
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as error:
        raise RefusedYaml(f"{node.value} is not a real date ({error})", node.start_mark) from None


def refuse_hostile_yaml(text: str, loader: type = yaml.SafeLoader) -> None:
    """Raise RefusedYaml at the first alias, or where collections nest deeper than MAX_DEPTH.

    It reads tokens, stopping at the first refusal, so even a hostile file costs little.
    Texts with too few of the characters these need are not read at all.
    """
    if "*" not in text and sum(text.count(c) for c in "[{-?:") <= MAX_DEPTH:
        return
    depth = 0
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(token, yaml.AliasToken):
                raise RefusedYaml(f"the alias *{token.value} repeats another value: YAML aliases are not "
                                  f"allowed here, write the value out in full", token.start_mark)
            if isinstance(token, OPENING_TOKENS):
                depth += 1
                if depth > MAX_DEPTH:
                    raise RefusedYaml(f"lists and mappings nest more than {MAX_DEPTH} deep", token.start_mark)
            elif isinstance(token, CLOSING_TOKENS):
                depth -= 1
    except RefusedYaml:
        raise
    except yaml.YAMLError:
        return  # broken YAML: loading it reports the error, with its line


def duplicate_keys(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key, first, repeat) for each key written twice in one mapping, anywhere in a document."""
    seen_nodes: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            keys: dict[tuple[str, str], yaml.Node] = {}
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    first = keys.setdefault((key.tag, key.value), key)
                    if first is not key:
                        yield key.value, first, key
                stack += [key, value]
        elif isinstance(current, yaml.SequenceNode):
            stack += current.value


def load_checked(text: str, loader: type = yaml.SafeLoader, first_line: int = 1) -> Any:
    """Load one YAML document as `loader` does, after refuse_hostile_yaml, refusing repeated keys.

    `first_line` is the line of the file where `text` starts (for the message naming both lines)."""
    refuse_hostile_yaml(text, loader)
    reader = loader(text)
    try:
        node = reader.get_single_node()
        for key, first, repeat in duplicate_keys(node):
            raise RefusedYaml(f"'{key}' is written twice (lines {first.start_mark.line + first_line} and "
                              f"{repeat.start_mark.line + first_line}) and YAML keeps only the last; keep one",
                              repeat.start_mark)
        return reader.construct_document(node) if node is not None else None
    finally:
        reader.dispose()


# libyaml's safe loader when PyYAML has it: the same results, much faster.
FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _ignoring_tags(loader: type) -> type:
    """`loader`, reading `!tag` and `!!python/...` values as None and refusing impossible dates."""
    loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    loader.add_constructor("tag:yaml.org,2002:timestamp", checked_timestamp)
    return loader


class TagIgnoringLoader(yaml.SafeLoader):
    """A safe YAML loader that reads any `!tag` value as None."""


class FastTagIgnoringLoader(FAST_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """TagIgnoringLoader on libyaml."""


class FastCheckedLoader(FAST_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """A page's front matter: an impossible date is a refusal at its line, not a crash."""


_ignoring_tags(TagIgnoringLoader)
_ignoring_tags(FastTagIgnoringLoader)
FastCheckedLoader.add_constructor("tag:yaml.org,2002:timestamp", checked_timestamp)


def yaml_error_text(path: object, error: Exception) -> str:
    """`path:line:column: problem` for a refusal with a mark, else `path: error`."""
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, RefusedYaml) and mark is not None:
        return f"{path}:{mark.line + 1}:{mark.column + 1}: {error.problem}"
    return f"{path}: {error}"
