"""The checker's configuration: data/checker.yml (Settings), the terminology rule, the domain
and reference lists, and mkdocs.yml (docs folder, snippet paths, navigation, titles).

Every file is read with yaml_tags.load_checked (no aliases, no repeated keys, no impossible
dates, no deep nesting); anything missing or malformed is a ConfigError naming the file and,
where YAML knows it, the line: the checker then stops with exit status 2.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from checker.findings import ConfigError
from yaml_tags import FastTagIgnoringLoader, load_checked, yaml_error_text

SCRIPTS_DIR = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = SCRIPTS_DIR.parent
SETTINGS_FILE = "data/checker.yml"
DOMAINS_FILE = "data/external-domains.yml"
REFERENCES_FILE = "data/references.yml"
MKDOCS_FILE = "mkdocs.yml"


@dataclass(frozen=True)
class Settings:
    required_fields: Mapping[str, str]
    description_max: int
    review_warning_days: int
    reading_grade_max: float
    reading_exempt: tuple[str, ...]
    orphan_exempt: tuple[str, ...]
    terminology_rule: str
    generated: Mapping[str, str]
    templates_dir: str


def load_yaml_file(path: Path, what: str) -> Any:
    """A data file, read with load_checked: no aliases, no repeated keys, no impossible dates."""
    try:
        return load_checked(path.read_text(encoding="utf-8"), FastTagIgnoringLoader)
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read {what} {yaml_error_text(path, error)}") from None


def compose_yaml_file(path: Path, what: str) -> yaml.Node | None:
    """The YAML node tree of a data file (for the line of each value), after load_yaml_file."""
    try:
        return yaml.compose(path.read_text(encoding="utf-8"), Loader=FastTagIgnoringLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read {what} {yaml_error_text(path, error)}") from None


def load_settings(root: Path = DEFAULT_ROOT) -> Settings:
    data = load_yaml_file(root / SETTINGS_FILE, "checker settings")
    try:
        front = data["front_matter"]
        required = front["required"]
        if not isinstance(required, dict):
            raise TypeError("front_matter.required must map field names to examples")
        return Settings(
            required_fields=MappingProxyType({str(k): str(v) for k, v in required.items()}),
            description_max=positive(front["description_max_chars"], "front_matter.description_max_chars"),
            review_warning_days=positive(data["review"]["warning_days"], "review.warning_days"),
            reading_grade_max=float(positive(data["reading_level"]["max_grade"], "reading_level.max_grade", float)),
            reading_exempt=tuple(data["reading_level"].get("exempt") or ()),
            orphan_exempt=tuple(data["structure"].get("orphan_exempt") or ()),
            terminology_rule=str(data["terminology"]["rule_file"]),
            generated=MappingProxyType({str(k): str(v) for k, v in (data.get("generated") or {}).items()}),
            templates_dir=str(data.get("templates_dir") or "overrides"),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ConfigError(f"{SETTINGS_FILE}: missing or malformed setting: {error}") from None


def positive(value: Any, name: str, kind: type = int) -> Any:
    """A number above 0: a whole number, or with kind=float any number (true and false are not numbers)."""
    kinds = (int, float) if kind is float else (int,)
    if isinstance(value, bool) or not isinstance(value, kinds) or value <= 0:
        raise ValueError(f"{name} must be a {'number' if kind is float else 'whole number'} above 0, not {value!r}")
    return value


@dataclass(frozen=True)
class TermRule:
    """A Vale substitution rule: one combined regex, and the preferred term of each key."""
    name: str
    path: str
    pattern: re.Pattern[str] | None
    preferred: tuple[str, ...]  # by group index t0, t1, ... (when some key is a regex)
    literals: Mapping[str, str] | None  # matched text (lower case if ignorecase) -> preferred, for a trie
    message: str
    severity: str
    exceptions: frozenset[str]
    ignorecase: bool


def load_term_rule(root: Path, rule_file: str) -> TermRule:
    path = root / rule_file
    data = load_yaml_file(path, "terminology rule")
    if not isinstance(data, dict) or data.get("extends") != "substitution" or not isinstance(data.get("swap"), dict):
        raise ConfigError(f"{rule_file}: not a Vale substitution rule (needs extends: substitution and a swap map)")
    ignorecase = bool(data.get("ignorecase", False))
    keys = sorted(((str(k), str(v)) for k, v in data["swap"].items()), key=lambda kv: -len(kv[0]))
    parts = []
    for index, (key, _) in enumerate(keys):
        try:
            re.compile(key)
        except re.error as error:
            raise ConfigError(f"{rule_file}: swap key {key!r} is not a valid regex: {error}") from None
        parts.append(f"(?P<t{index}>{key})")
    flags = re.IGNORECASE if ignorecase else 0
    literals = {literal_text(key): value for key, value in keys}
    if parts and all(literals):
        # Every key is a plain word or phrase (as generate.py writes them): one trie-shaped
        # regex tests a single character at each word boundary instead of every key.
        literals = {(k.lower() if ignorecase else k): v for k, v in literals.items()}
        pattern = re.compile(r"\b" + trie_regex(list(literals)) + r"\b", flags)
    else:
        literals = None
        pattern = re.compile(r"\b(?:" + "|".join(parts) + r")\b", flags) if parts else None
    level = str(data.get("level", "warning"))
    severity = "error" if level == "error" else "warning"
    style = Path(rule_file).parent.name
    return TermRule(
        name=f"{style}.{Path(rule_file).stem}" if style else Path(rule_file).stem,
        path=rule_file,
        pattern=pattern,
        preferred=tuple(v for _, v in keys),
        literals=MappingProxyType(literals) if literals is not None else None,
        message=str(data.get("message", "Use '%s' instead of '%s'.")),
        severity=severity,
        exceptions=frozenset(str(e).lower() if ignorecase else str(e) for e in data.get("exceptions") or ()),
        ignorecase=ignorecase,
    )


def literal_text(key: str) -> str:
    """The text a swap key matches when it is a plain (escaped) phrase; '' when it is a regex."""
    if re.search(r"[.^$*+?{}\[\]|()]", re.sub(r"\\.", "", key)) or key.endswith("\\"):
        return ""
    return re.sub(r"\\(.)", r"\1", key)


def trie_regex(words: list[str]) -> str:
    """One regex for a set of phrases, shaped as a trie: (?:c(?:hronic|linician)|d...)."""
    trie: dict = {}
    for word in words:
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}

    def branch(node: dict) -> str:
        alternatives = [re.escape(character) + branch(child) for character, child in sorted(node.items()) if character]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 and "" not in node else "(?:" + "|".join(alternatives) + ")"
        return body + "?" if "" in node else body

    return branch(trie)


@dataclass(frozen=True)
class Domains:
    allowed: frozenset[str]
    blocked: frozenset[str]


def load_domains(root: Path) -> Domains:
    data = load_yaml_file(root / DOMAINS_FILE, "external domain list")
    if not isinstance(data, dict) or not isinstance(data.get("allowed") or {}, dict) \
            or not isinstance(data.get("blocked") or {}, dict):
        raise ConfigError(f"{DOMAINS_FILE}: needs `allowed:` and `blocked:` maps of domain: reason")
    return Domains(
        allowed=frozenset(str(d).lower() for d in (data.get("allowed") or {})),
        blocked=frozenset(str(d).lower() for d in (data.get("blocked") or {})),
    )


@dataclass(frozen=True)
class YamlEntry:
    """A value from a YAML file, with where it is."""
    key: str
    value: Any
    line: int
    column: int


def scalar_positions(node: yaml.Node, wanted: str) -> dict[str, YamlEntry]:
    """In a mapping node, the position of each key's `wanted` sub-key value (url, ...)."""
    found: dict[str, YamlEntry] = {}
    if not isinstance(node, yaml.MappingNode):
        return found
    for key_node, value_node in node.value:
        if isinstance(value_node, yaml.MappingNode):
            for sub_key, sub_value in value_node.value:
                if getattr(sub_key, "value", None) == wanted and isinstance(sub_value, yaml.ScalarNode):
                    found[str(key_node.value)] = YamlEntry(str(key_node.value), sub_value.value,
                                                           sub_value.start_mark.line + 1,
                                                           sub_value.start_mark.column + 1)
    return found


@dataclass(frozen=True)
class References:
    keys: Mapping[str, YamlEntry]  # key -> where the key is
    urls: Mapping[str, YamlEntry]  # key -> where its url is


def load_references(root: Path) -> References:
    path = root / REFERENCES_FILE
    load_yaml_file(path, "reference list")  # refuses aliases, repeated keys and impossible dates
    node = compose_yaml_file(path, "reference list")
    references = mapping_child(mapping_child(node, "extra"), "references")
    keys: dict[str, YamlEntry] = {}
    if isinstance(references, yaml.MappingNode):
        for key_node, _ in references.value:
            keys[str(key_node.value)] = YamlEntry(str(key_node.value), None, key_node.start_mark.line + 1,
                                                  key_node.start_mark.column + 1)
    elif references is not None:
        raise ConfigError(f"{REFERENCES_FILE}: extra.references must map keys to sources")
    return References(MappingProxyType(keys), MappingProxyType(scalar_positions(references, "url")
                                                               if references is not None else {}))


def mapping_child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) == key:
            return value_node
    return None


@dataclass(frozen=True)
class NavEntry:
    target: str
    line: int
    column: int


@dataclass(frozen=True)
class SiteConfig:
    docs_dir: str  # repo-relative
    snippet_dirs: tuple[str, ...]  # repo-relative
    auto_append: tuple[str, ...]
    nav: tuple[NavEntry, ...]
    has_nav: bool
    not_in_nav: tuple[str, ...]
    titles: tuple[NavEntry, ...] = ()  # nav titles, site_name and site_description, shown as text


def entry_at(node: yaml.Node) -> NavEntry:
    return NavEntry(str(node.value), node.start_mark.line + 1, node.start_mark.column + 1)


def nav_items(node: yaml.Node | None) -> Iterator[tuple[bool, NavEntry]]:
    """(is_title, entry) for every title and every page or URL in the nav, with its position."""
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from nav_items(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield True, entry_at(key)
            yield from nav_items(value)
    elif isinstance(node, yaml.ScalarNode) and node.value:
        yield False, entry_at(node)


def nav_entries(node: yaml.Node | None) -> Iterator[NavEntry]:
    """Every page or URL named in the nav, with its position in mkdocs.yml."""
    return (entry for is_title, entry in nav_items(node) if not is_title)


def load_site_config(root: Path, config_file: str = MKDOCS_FILE) -> SiteConfig:
    """mkdocs.yml, or another language's configuration (mkdocs.es.yml: its docs folder, its snippet
    paths with snippets/es first, its navigation). A key a file leaves to the file it INHERITs is
    read there, as MkDocs does for these keys (lists and text replace, they never merge)."""
    path = root / config_file
    config = load_yaml_file(path, "MkDocs configuration")
    if not isinstance(config, dict):
        raise ConfigError(f"{config_file}: not a YAML mapping")
    node = compose_yaml_file(path, "MkDocs configuration")
    if isinstance(config.get("INHERIT"), str):
        parent = path.parent / config["INHERIT"]
        inherited = load_yaml_file(parent, "MkDocs configuration")
        config = {**inherited, **config} if isinstance(inherited, dict) else config
        if mapping_child(node, "nav") is None:
            node = compose_yaml_file(parent, "MkDocs configuration")
    snippet_dirs: tuple[str, ...] = (".",)
    auto_append: tuple[str, ...] = ()
    for extension in config.get("markdown_extensions") or []:
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            options = extension["pymdownx.snippets"] or {}
            base = options.get("base_path", ["."])
            snippet_dirs = tuple([base] if isinstance(base, str) else base)
            auto_append = tuple(options.get("auto_append") or ())
    not_in_nav = config.get("not_in_nav") or ""
    return SiteConfig(
        docs_dir=posixpath.normpath(str(config.get("docs_dir") or "docs")),
        snippet_dirs=tuple(posixpath.normpath(str(d)) for d in snippet_dirs),
        auto_append=auto_append,
        nav=tuple(nav_entries(mapping_child(node, "nav"))),
        has_nav="nav" in config,
        not_in_nav=tuple(line.strip() for line in str(not_in_nav).splitlines() if line.strip()),
        titles=(*(entry for is_title, entry in nav_items(mapping_child(node, "nav")) if is_title),
                *(entry_at(value) for key in ("site_name", "site_description")
                  if isinstance(value := mapping_child(node, key), yaml.ScalarNode))),
    )


@dataclass(frozen=True)
class Context:
    """What every rule may read: the settings, the data files, and today's date."""
    root: Path
    settings: Settings
    config: SiteConfig
    terms: TermRule
    domains: Domains
    references: References
    today: dt.date


def load_context(root: Path, today: dt.date | None = None) -> Context:
    """Every configuration file under `root`; raises ConfigError when one cannot be used."""
    settings = load_settings(root)
    return Context(
        root=root,
        settings=settings,
        config=load_site_config(root),
        terms=load_term_rule(root, settings.terminology_rule),
        domains=load_domains(root),
        references=load_references(root),
        today=today or dt.date.today(),
    )
