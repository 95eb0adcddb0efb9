"""The warning signs, from their one source (data/warning-signs.yml), as care cards and tables.

Called by scripts/generate.py (`make generate`), which writes:
    snippets/cards/<level>-<topic>.md            a care card: one topic, one level of help
    snippets/generated/warning-signs-<topic>.md  the "normal or warning sign" table of a topic

Each other language of the guide (LANGUAGES: Spanish) has its words beside the English in
the same entry, as `<field>_<language>` (text_es, table_es, intro_es, note_es; levels and
print_note too), so a sign has one source, one level and one list of references in every
language. Its files go to snippets/<language>/cards/ and snippets/<language>/generated/,
which that language's build (mkdocs.es.yml) reads before snippets/. A sign without its
words in a language is a DataError: a translation never silently leaves a sign out.

A card keeps the NHS care-card markup the rest of the guide relies on: the level's class,
the hidden prefix screen readers announce, an h3 heading that includes the level's call
to action from snippets/contact/ (a clinic's copy has its own, with its numbers), and no
links. The table lists what is usually normal, then every sign of every card of the topic,
each with the level of help it needs. A problem in the data file is one
`data/warning-signs.yml:LINE: ...` message (DataError), never a traceback.
"""

from __future__ import annotations

import html
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SIGNS_FILE = ROOT / "data" / "warning-signs.yml"
CARDS_DIR = ROOT / "snippets" / "cards"
TABLES_DIR = ROOT / "snippets" / "generated"

# Most urgent first: the order of the cards in a table and of the checks below.
LEVELS = ("emergency", "urgent", "non_urgent")
HIDDEN_PREFIX = {
    "emergency": "Immediate action required: ",
    "urgent": "Urgent advice: ",
    "non_urgent": "Non-urgent advice: ",
}
TABLE_HEAD = ("What you notice", "What to do")
# The other languages: the words the generator itself adds. Their files go to snippets/<language>/.
LANGUAGES = {
    "es": {
        "hidden_prefix": {
            "emergency": "Acción inmediata necesaria: ",
            "urgent": "Consejo urgente: ",
            "non_urgent": "Consejo no urgente: ",
        },
        "table_head": ("Lo que nota", "Qué hacer"),
    },
}
TRANSLATED_FIELDS = ("text", "table", "intro", "note")
# Levels at which every sign must name a source: a sign is never triaged on a guess.
SOURCED_LEVELS = ("emergency", "urgent")
HEADER = "<!-- Generated from data/warning-signs.yml by scripts/generate.py. Do not edit. -->\n"


class DataError(ValueError):
    """A problem in data/warning-signs.yml, with its line."""


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping, so a message can name it."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = _Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


class _Located(dict):
    line = 0


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _name(path: Path) -> str:
    """data/warning-signs.yml for the repository's file; the path as given for any other."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _fail(path: Path, where: object, message: str) -> DataError:
    return DataError(f"{_name(path)}:{getattr(where, 'line', 1) or 1}: {message}")


def load(path: Path | None = None, references: dict | None = None) -> dict:
    """The data file, checked: levels, topics, signs, and (when given) their source keys."""
    path = path or SIGNS_FILE
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as error:
        raise DataError(f"{_name(path)}: not valid YAML: {' '.join(str(error).split())}") from None
    if not isinstance(data, dict):
        raise _fail(path, None, "expected the keys levels, normal and cards")
    for key in ("levels", "normal", "cards"):
        if not isinstance(data.get(key), dict):
            raise _fail(path, data, f"'{key}' is missing or is not a mapping")
    if not isinstance(data.get("print_note"), str) or not data["print_note"].strip():
        raise _fail(path, data, "print_note: say where the warning signs are on paper (the cards)")
    data["print_note"] = html.escape(" ".join(data["print_note"].split()))
    missing = [level for level in ("normal", *LEVELS) if not str(data["levels"].get(level) or "").strip()]
    if missing:
        raise _fail(path, data["levels"], f"levels: give the table's words for {', '.join(missing)}")
    for topic, cards in data["cards"].items():
        _check_topic(path, data, topic, cards, references)
    return data


def _check_topic(path: Path, data: dict, topic: str, cards: object, references: dict | None) -> None:
    if not isinstance(cards, dict) or not cards:
        raise _fail(path, data["cards"], f"cards: {topic}: give its cards by level ({', '.join(LEVELS)})")
    if not isinstance(data["normal"].get(topic), list):
        raise _fail(path, data["normal"], f"normal: add a list of what is usually normal for '{topic}'")
    for entry in data["normal"][topic]:
        _check_text(path, entry, f"normal: {topic}")
        _check_sources(path, entry, references, required=False)
    tables: dict[str, str] = {}
    for level, groups in cards.items():
        if level not in LEVELS:
            where = groups[0] if isinstance(groups, list) and groups else cards
            raise _fail(path, where, f"cards: {topic}: unknown level '{level}'; use one of {', '.join(LEVELS)}")
        if not isinstance(groups, list) or not groups:
            raise _fail(path, cards, f"cards: {topic}: {level}: give a list of groups, each with signs")
        for group in groups:
            if not isinstance(group, dict) or not isinstance(group.get("signs"), list) or not group["signs"]:
                raise _fail(path, group if isinstance(group, dict) else cards,
                            f"cards: {topic}: {level}: each group needs a list of signs")
            for sign in group["signs"]:
                _check_sign(path, sign, topic, level, references, tables)


def _check_text(path: Path, entry: object, where: str) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str) or not entry["text"].strip():
        raise _fail(path, entry, f"{where}: each entry needs a 'text'")


def _check_sources(path: Path, entry: dict, references: dict | None, required: bool) -> None:
    sources = entry.get("sources", [])
    if not isinstance(sources, list) or (required and not sources):
        raise _fail(path, entry, f"'{entry['text']}': an emergency or urgent sign needs "
                                 "sources: [keys of data/references.yml]")
    unknown = [key for key in sources if references is not None and key not in references]
    if unknown:
        raise _fail(path, entry, f"'{entry['text']}': no reference {', '.join(map(str, unknown))} "
                                 "in data/references.yml")


def _check_sign(path: Path, sign: object, topic: str, level: str, references: dict | None,
                tables: dict[str, str]) -> None:
    _check_text(path, sign, f"cards: {topic}: {level}")
    _check_sources(path, sign, references, required=level in SOURCED_LEVELS)
    label = table_words(sign).lower()
    if tables.setdefault(label, level) != level:
        raise _fail(path, sign, f"table: '{table_words(sign)}' is a row at level {tables[label]} too; "
                                "a row of the table has one level of help")


def table_words(sign: dict) -> str:
    return (sign.get("table") or sign["text"]).strip()


def sentence(text: str) -> str:
    """'new numbness' -> 'New numbness': a table cell starts like a sentence."""
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def language_dir(folder: Path, language: str) -> Path:
    """snippets/cards for English, snippets/es/cards for Spanish."""
    return folder if language == "en" else folder.parent / language / folder.name


def card_file(topic: str, level: str, language: str = "en") -> Path:
    """snippets/cards/non-urgent-nerve.md for the level non_urgent of the topic nerve."""
    return language_dir(CARDS_DIR, language) / f"{level.replace('_', '-')}-{topic}.md"


def table_file(topic: str, language: str = "en") -> Path:
    return language_dir(TABLES_DIR, language) / f"warning-signs-{topic}.md"


def _translated(path: Path, entry: dict, language: str) -> dict:
    """The entry with its words in `language` (text_es in place of text, ...); sources kept."""
    out = _Located(entry)
    out.line = getattr(entry, "line", 0)
    for field in TRANSLATED_FIELDS:
        if field in entry:
            words = entry.get(f"{field}_{language}")
            if not isinstance(words, str) or not words.strip():
                raise _fail(path, entry, f"'{' '.join(str(entry[field]).split())}': give its words "
                                         f"in this language as {field}_{language}")
            out[field] = words
    return out


def _translated_group(path: Path, group: dict, language: str) -> dict:
    out = _translated(path, group, language)
    out["signs"] = [_translated(path, sign, language) for sign in group["signs"]]
    return out


def translate(data: dict, language: str, path: Path | None = None) -> dict:
    """The checked data in another language: the same topics, levels, signs and sources, in
    the same order, with that language's words. A missing translation is a DataError."""
    path = path or SIGNS_FILE
    levels = data["levels"]
    missing = [level for level in ("normal", *LEVELS) if not str(levels.get(f"{level}_{language}") or "").strip()]
    if missing:
        raise _fail(path, levels, f"levels: give the words for {', '.join(missing)} as <level>_{language}")
    note = data.get(f"print_note_{language}")
    if not isinstance(note, str) or not note.strip():
        raise _fail(path, data, f"print_note_{language}: give the print note in this language")
    return {
        "levels": {level: levels[f"{level}_{language}"] for level in ("normal", *LEVELS)},
        "print_note": html.escape(" ".join(note.split())),
        "normal": {topic: [_translated(path, entry, language) for entry in entries]
                   for topic, entries in data["normal"].items()},
        "cards": {topic: {level: [_translated_group(path, group, language) for group in groups]
                          for level, groups in cards.items()}
                  for topic, cards in data["cards"].items()},
    }


def render_card(level: str, groups: list[dict], language: str = "en") -> str:
    css = level.replace("_", "-")
    prefix = HIDDEN_PREFIX if language == "en" else LANGUAGES[language]["hidden_prefix"]
    parts = [
        HEADER,
        f'<div class="care-card care-card--{css}" markdown>\n',
        f'<h3 class="care-card__heading" markdown="0"><span class="visually-hidden">{prefix[level]}</span>\n',
        f'--8<-- "contact/{css}-action.md"\n',
        "</h3>\n",
        '<div class="care-card__content" markdown>\n',
    ]
    for group in groups:
        if group.get("intro"):
            parts.append(f"\n{' '.join(group['intro'].split())}\n")
        parts.append("\n" + "".join(f"- {' '.join(sign['text'].split())}\n" for sign in group["signs"]))
        if group.get("note"):
            parts.append(f"\n{' '.join(group['note'].split())}\n")
    parts.append("\n</div>\n</div>\n")
    return "".join(parts)


def table_rows(data: dict, topic: str) -> list[tuple[str, str]]:
    """(what you notice, level) for each row of a topic's table: normal first, then by level.
    Signs of one level that share their table words make one row."""
    rows = [(entry["text"], "normal") for entry in data["normal"][topic]]
    cards = data["cards"][topic]
    for level in reversed(LEVELS):
        for group in cards.get(level, []):
            rows.extend((table_words(sign), level) for sign in group["signs"])
    return list(dict.fromkeys(rows))


def markdown_table(data: dict, rows: list[tuple[str, str]], language: str = "en") -> str:
    notice, action = TABLE_HEAD if language == "en" else LANGUAGES[language]["table_head"]
    lines = [f"| {notice} | {action} |\n", "|---|---|\n"]
    for text, level in rows:
        cell = sentence(text).replace("|", "\\|")
        lines.append(f"| {cell} | {' '.join(data['levels'][level].split())} |\n")
    return "".join(lines)


def render_table(data: dict, topic: str, language: str = "en") -> str:
    """What is usually normal, then the warning signs. On paper the warning rows give way to
    the cards, which hold the same signs in full (print keeps a handout to 2 sheets)."""
    rows = table_rows(data, topic)
    normal = [row for row in rows if row[1] == "normal"]
    warnings = [row for row in rows if row[1] != "normal"]
    return "".join([
        HEADER, "\n", markdown_table(data, normal, language),
        '\n<div class="sign-table-warnings" markdown>\n\n', markdown_table(data, warnings, language), "\n</div>\n",
        f'\n<p class="print-only">{data["print_note"]}</p>\n',
    ])


def expected_outputs(references: dict | None = None, path: Path | None = None) -> dict[Path, str]:
    """Every card and table, and the text each must hold."""
    english = load(path, references)
    outputs: dict[Path, str] = {}
    for language in ("en", *LANGUAGES):
        data = english if language == "en" else translate(english, language, path)
        for topic, cards in data["cards"].items():
            for level, groups in cards.items():
                outputs[card_file(topic, level, language)] = render_card(level, groups, language)
            outputs[table_file(topic, language)] = render_table(data, topic, language)
    return outputs


def card_sources(path: Path | None = None) -> dict[str, set[str]]:
    """The source keys of each card's signs, by card file name ('emergency-nerve.md')."""
    data = load(path)
    sources: dict[str, set[str]] = {}
    for topic, cards in data["cards"].items():
        for level, groups in cards.items():
            keys = {key for group in groups for sign in group["signs"] for key in sign.get("sources", [])}
            sources[card_file(topic, level).name] = keys
    return sources
