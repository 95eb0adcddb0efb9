"""US English for a clinic's copy of the guide (a clinic's `locale: en-US`).

The words come from one place, data/terms.yml: each term's `en_us:` entry and the
`en_us_words` list. scripts/assemble_clinic.py calls this on the copy it writes into
build/<clinic>/ (docs/ is never changed), so MkDocs and Zensical build the US words with no
hook or plugin:

  - swap_prose(): each UK word becomes its US one in the prose a reader sees, as the
    checker's terminology rule reads it (scripts/checker/markdown.py): not in code, URLs,
    link targets, front matter other than title and description, HTML comments, tags and
    attributes, or snippet lines. Case is kept (Physiotherapy -> Physical therapy; a GP at
    the start of a sentence -> Primary care doctor). Where a page switches the terminology
    rule off to name the other word on purpose ("In some countries a physiotherapist is
    called a physical therapist"), the two words change places, so the sentence keeps its sense;
  - us_terms(): the glossary entries in US English, for the copy's glossary, tooltips and
    terminology rule (scripts/generate.py renders them as it renders the guide's).

Numbers and the level of a warning sign are never words of this list.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

SCRIPTS_DIR = Path(__file__).resolve().parent
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))

from checker.markdown import BARE_URL, SourceFile, blank_out, may_hold_url, prose_without_urls, vale_off_spans  # noqa: E402

ROOT = SCRIPTS_DIR.parent
TERMS_FILE = "data/terms.yml"
LOCALE = "en-US"  # the clinic setting's value that asks for this copy
TERMS_RULE = "NervePain.Terms"  # the rule whose Vale switches mark a deliberate use of the other word
# A word here starts a sentence: text start, after . ! ? or a line's list, quote, table or heading mark.
SENTENCE_START = re.compile(r"(?:\A|[.!?][\"')]*|\n[ \t]*(?:[-*+>#|]+|[0-9]+[.)])?|(?:\A|\n)(?:title|description):)[ \t\"'*_]*\Z")


class TextSource(SourceFile):
    """A text in memory, read as the checker reads a file."""

    def __init__(self, path: str, text: str) -> None:  # noqa: D107 (no file is read)
        self.path, self.absolute, self.raw, self.problem = path, Path(path), b"", None
        self.text = text


@dataclass(frozen=True)
class Words:
    """The UK -> US word pairs (as written: GP, physiotherapist), and one regex that finds either word."""

    pairs: dict[str, str]
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, pairs: dict[str, str]) -> "Words":
        pairs = {uk: us for uk, us in pairs.items() if uk.lower() != us.lower()}
        keys = sorted({word.lower() for pair in pairs.items() for word in pair}, key=len, reverse=True)
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(key).replace("\\ ", r"\s+") for key in keys) + r")\b",
                             re.IGNORECASE)
        return cls(pairs, pattern)

    def swap(self, text: str, start: int, matched: str, both_ways: bool) -> str:
        """The word to write for `matched` (at `start` of `text`): its US word, or, where
        both_ways, the other word of its pair."""
        key = " ".join(matched.lower().split())
        pair = next(((uk, us) for uk, us in self.pairs.items() if uk.lower() == key), None)
        if pair is None and both_ways:
            pair = next(((us, uk) for uk, us in self.pairs.items() if us.lower() == key), None)
        if pair is None:
            return matched
        written, word = pair
        if written == written.lower():  # a lower-case word: a capital where the text has one
            capital = matched[:1].isupper()
        else:  # an abbreviation (GP): a capital only at the start of a sentence
            capital = bool(SENTENCE_START.search(text[max(0, start - 80):start]))
        return word[:1].upper() + word[1:] if capital else word


def load_words(data: dict) -> Words:
    """Every UK -> US swap of data/terms.yml: each term's en_us term, then the en_us_words."""
    pairs = {term["term"]: term["en_us"]["term"] for term in data.get("terms") or []
             if isinstance(term.get("en_us"), dict) and term["en_us"].get("term")}
    pairs.update({str(uk): str(us) for uk, us in (data.get("en_us_words") or {}).items()})
    return Words.of(pairs)


def read_words(root: Path = ROOT) -> Words:
    """load_words of the data/terms.yml under `root`."""
    import yaml

    return load_words(yaml.safe_load((root / TERMS_FILE).read_text(encoding="utf-8")) or {})


def swap_prose(path: str, text: str, words: Words) -> str:
    """The text with each UK word of its prose in US English (lines and everything else unchanged)."""
    source = TextSource(path, text)
    seen = prose_without_urls(source)
    if may_hold_url(seen):
        seen = BARE_URL.sub(blank_out, seen)
    if len(seen) != len(source.text):
        raise ValueError(f"{path}: cannot tell its prose from its markup")
    off = vale_off_spans(source.text, TERMS_RULE)
    pieces, last = [], 0
    for match in words.pattern.finditer(seen):
        both_ways = any(start <= match.start() < end for start, end in off)
        pieces += [source.text[last:match.start()],
                   words.swap(source.text, match.start(), source.text[match.start():match.end()], both_ways)]
        last = match.end()
    return "".join(pieces) + source.text[last:]


def swap_plain(text: str, words: Words) -> str:
    """A plain sentence (a definition, a navigation title, a care card's line) in US English."""
    return words.pattern.sub(lambda match: words.swap(text, match.start(), match.group(), False), text)


def us_terms(data: dict, words: Words) -> list[dict]:
    """The glossary entries in US English, sorted as the guide's: each term with its en_us
    entry over it, its medical word and definition swapped, and (unless en_us gives them)
    the UK term as its variant, in place of any variant that is the US term."""
    terms = []
    for term in data.get("terms") or []:
        us = term.get("en_us") or {}
        entry = {key: value for key, value in term.items() if key not in ("es", "en_us")} | us
        if "variants" not in us and entry["term"] != term["term"]:
            entry["variants"] = [v for v in term.get("variants", []) if v.lower() != entry["term"].lower()] + [term["term"]]
        for key in ("medical", "definition"):
            if entry.get(key):
                entry[key] = swap_plain(entry[key], words)
        terms.append(entry)
    return sorted(terms, key=lambda entry: entry["term"].lower())


SVG_TEXT = re.compile(r'<text\b([^>]*)>([^<]*)</text>')
VIEW_BOX = re.compile(r'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+) [0-9.]+"')
GLYPH = 0.5  # a sans-serif letter is about half the font size wide, on average
MARGIN = 6  # room kept at the right edge of a figure


def swap_figure(path: str, text: str, words: Words) -> str:
    """An SVG illustration's words (its title, description and lines) in US English. A line
    the longer words would push out of the figure is drawn narrower to fit (textLength),
    never cut off; its full words stay in the description screen readers read."""
    swapped = swap_prose(path, text, words)
    before, after = SVG_TEXT.findall(text), list(SVG_TEXT.finditer(swapped))
    view_box = VIEW_BOX.search(text)
    if not view_box or len(before) != len(after):
        return swapped
    width, size = float(view_box.group(1)), float((re.search(r'font-size="([0-9.]+)"', text) or [0, "16"])[1])

    def fitted(match: re.Match[str], original: tuple[str, str]) -> str:
        attributes, line = match.groups()
        x = float((re.search(r'\bx="([0-9.]+)"', attributes) or [0, "0"])[1])
        room = width - x - MARGIN
        if line == original[1] or len(line) * size * GLYPH <= room or "textLength" in attributes:
            return match.group()
        return f'<text{attributes} textLength="{room:g}" lengthAdjust="spacingAndGlyphs">{line}</text>'

    pieces, last = [], 0
    for match, original in zip(after, before):
        pieces += [swapped[last:match.start()], fitted(match, original)]
        last = match.end()
    return "".join(pieces) + swapped[last:]
