#!/usr/bin/env python3
"""One small stylesheet for the built site: the CSS the guide uses, and nothing else.

    python scripts/slim_css.py site

`make build` runs it after MkDocs (or Zensical) and print_qr.py, before
security_headers.py. Every page of the theme links four stylesheets in its <head>:
Material's main.css and palette.css, then extra.css and print.css (mkdocs.yml, extra_css).
Each blocks the first paint until it has arrived, and most of Material's rules style
features the guide does not use (blog, tags, tabs, code blocks, versions, ...). This step:

  1. reads the stylesheets a page links (rel="stylesheet", from the site itself), in order;
  2. parses them with tinycss2 (a CSS parser, never regexes over CSS) and keeps a rule only
     for the selectors that can match something the site has: each class, id and attribute
     value a selector needs must appear as a word in the built HTML, or as a class or
     attribute name of Material's kind (md-..., data-md-..., --md-..., aria-...) in the
     site's own JavaScript. Material's script builds its search results, tooltips, drawer,
     colour toggle and the rest from class names written out in bundle.*.min.js, so
     reading the scripts keeps every class they add at run time (PurgeCSS's method:
     content = the HTML and the JS). Other words in the scripts are not a reason to keep
     a rule: the bundle names every feature Material has (tabs, annotations, code copy
     buttons, ...), used or not. SAFELIST holds what the scripts add under other names.
     Names inside :not(), :is(), :where() and :has() are never a reason to drop a rule;
     @keyframes stay only if a kept rule names them; custom properties stay only if a
     kept rule, a page or a script reads them;
  3. writes what is left, without comments or spare white space, as one stylesheet
     named by its content: assets/stylesheets/site.<hash>.min.css (a changed stylesheet
     gets a new name, so hosts can cache it for a year); `@media print` rules stay in it,
     so printing needs no request of its own and print.css never blocks the screen;
  4. replaces the links of every page with one link to it, in the place of the first,
     and removes the stylesheets it replaced (and their source maps).

The cascade is unchanged: the rules keep their order, and nothing may stand between the
links (an inline <style> there would change what wins; the step stops and says so).
Running it twice is harmless: the second run finds one stylesheet, already slim.
Exit status: 0 done, 1 a page it cannot rewrite safely (nothing written), 2 no site.
"""

from __future__ import annotations

import argparse
import hashlib
import html.parser
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinycss2

BUNDLE_NAME = "site.{hash}.min.css"
# Words in the HTML and scripts: class names, ids, attribute values, custom properties.
WORD = re.compile(r"[\w-]+")
# Names Material's script gives elements at run time without an md- prefix:
#   focus-visible, js-focus-visible  its focus-visible polyfill marks keyboard focus (the
#                                    focus ring of links, the colour toggle, ...);
#   tooltip                          [role=tooltip]: the abbreviation tooltips;
#   hidden                           [hidden]: what it hides (search results, ...).
# (Classes it builds from pieces, `md-tag--${...}`, `md-color-${...}`, are for tags, source
# facts and colour swatches, which the guide does not use.)
SAFELIST = frozenset({"focus-visible", "js-focus-visible", "tooltip", "hidden"})
# The words of a script that name Material's classes, attributes and custom properties.
SCRIPT_NAMES = ("md-", "data-md-", "--md-", "aria-")
# Material's script names every feature it has; it builds these only when the pages' markup
# has the word on the right (a class, or an attribute value Material's templates write):
# code annotations, code copy buttons, repository facts, page status, tags, versions,
# and the colours of Mermaid diagrams.
SCRIPT_FEATURES = {
    "--md-mermaid": "mermaid",
    "md-annotation": "annotate",
    "md-code": "highlight",
    "md-source": "md-source",
    "md-status": "md-status",
    "md-tag": "md-tags",
    "md-version": "outdated",
}
GROUPING_RULES = {"media", "supports", "layer", "container", "document", "-moz-document"}
KEYFRAMES = {"keyframes", "-webkit-keyframes"}
ANIMATION_PROPERTIES = {"animation", "animation-name", "-webkit-animation", "-webkit-animation-name"}


class SlimError(Exception):
    """A page or stylesheet this step cannot rewrite safely; one line per problem."""


# ---------------------------------------------------------------- the pages and their links

@dataclass
class Link:
    tag: str  # the tag exactly as written in the page
    href: str
    file: Path  # the stylesheet in the built site


@dataclass
class Head:
    """What a page's <head> says about stylesheets."""

    links: list[Link] = field(default_factory=list)
    between: list[str] = field(default_factory=list)  # styles between the first and the last link
    pending: list[str] = field(default_factory=list)  # styles after the last link so far

    def add_link(self, link: Link) -> None:
        if self.links:
            self.between += self.pending
        self.pending = []
        self.links.append(link)


class HeadReader(html.parser.HTMLParser):
    def __init__(self, page: Path, site: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.site, self.head, self.in_head = page, site, Head(), True

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: (value or "") for name, value in attrs}
        if tag == "body":
            self.in_head = False
        if not self.in_head:
            return
        if tag == "link" and "stylesheet" in attributes.get("rel", "").lower().split():
            media = attributes.get("media", "all").strip().lower()
            file = local_file(self.page, self.site, attributes.get("href", ""))
            if file and media in ("all", "screen", ""):
                self.head.add_link(Link(self.get_starttag_text(), attributes["href"], file))
            else:
                self.head.pending.append(self.get_starttag_text())
        elif tag == "style":
            self.head.pending.append("<style>")

    handle_startendtag = handle_starttag


def local_file(page: Path, site: Path, href: str) -> Path | None:
    """The built file a stylesheet link points to, or None for another site's."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    if path.startswith("/"):  # an absolute path under the site's folder (site_url with a path)
        pieces = path.strip("/").split("/")
        candidates = [site.joinpath(*pieces[i:]) for i in range(len(pieces))]
    else:
        candidates = [page.parent / path]
    for candidate in candidates:
        resolved = Path(os.path.normpath(candidate))
        if resolved.is_file() and resolved.is_relative_to(site):
            return resolved
    return None


def read_head(page: Path, site: Path) -> Head:
    reader = HeadReader(page, site)
    reader.feed(page.read_text(encoding="utf-8"))
    return reader.head


# ---------------------------------------------------------------- what the site uses

class MarkupWords(html.parser.HTMLParser):
    """The words of a page's markup: element and attribute names and attribute values
    (not its text: a page that says "warning" has no class "warning"), and every word of
    its inline scripts (the theme's own, short: the menu button's class is one)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: set[str] = set()
        self.elements: set[str] = set()
        self.script: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.add(tag)
        for name, value in attrs:
            self.words.add(name)
            self.words.update(WORD.findall(value or ""))
        # JSON blocks (Material's settings, JSON-LD) are data, not code that adds classes.
        self._in_script = tag == "script" and dict(attrs).get("type", "") not in ("application/json", "application/ld+json")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script.append(data)


@dataclass
class Content:
    """What the built site can put on a page, as far as a selector cares."""

    words: set[str] = field(default_factory=set)  # classes, ids, attribute names and values
    elements: set[str] = field(default_factory=set)  # element names a page or a script can make
    script_names: set[str] = field(default_factory=set)  # md-..., data-md-... named in scripts

    def add_script(self, text: str) -> None:
        found = WORD.findall(text)
        self.script_names.update(word for word in found if word.startswith(SCRIPT_NAMES))
        self.elements.update(word.lower() for word in found)  # createElement("mark"), ...

    def finish(self) -> "Content":
        """Add the script names of the features the pages have, and the safelist."""
        self.words |= SAFELIST | {name for name in self.script_names if self.feature_in_use(name)}
        return self

    def feature_in_use(self, name: str) -> bool:
        for family, trigger in SCRIPT_FEATURES.items():
            if name.startswith(family):
                return trigger in self.words
        return True

    def matches(self, selector: list) -> bool:
        words, elements = needed(selector)
        return all(word in self.words for word in words) and all(name in self.elements for name in elements)


def site_content(site: Path) -> Content:
    """The words of the built pages' markup, and the names of Material's kind in the scripts."""
    content = Content()
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html" and path.is_file():
            reader = MarkupWords()
            reader.feed(path.read_text(encoding="utf-8"))
            reader.close()
            inline = "\n".join(reader.script)
            content.words |= reader.words | set(WORD.findall(inline))
            content.elements |= reader.elements
            content.add_script(inline)
        elif path.suffix == ".js" and path.is_file():
            content.add_script(path.read_text(encoding="utf-8", errors="replace"))
    return content.finish()


def split_selectors(prelude: list) -> list[list]:
    """A rule's prelude as its comma-separated selectors (tokens, outer white space kept)."""
    selectors, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(current)
            current = []
        else:
            current.append(token)
    selectors.append(current)
    return selectors


COMBINATORS = {">", "+", "~"}


def needed(selector: list) -> tuple[list[str], list[str]]:
    """(class names, ids and attribute words; element names) a selector needs a page to have."""
    words, elements, previous = [], [], None
    for token in selector:
        after = previous.value if previous is not None and previous.type == "literal" else None
        if token.type == "ident" and after == ".":
            words.append(token.value)
        elif token.type == "ident" and (previous is None or previous.type == "whitespace" or after in COMBINATORS):
            elements.append(token.lower_value)  # a type selector: `kbd`, `.md-typeset table`
        elif token.type == "hash" and token.is_identifier:
            words.append(token.value)
        elif token.type == "[] block":
            words += attribute_words(token.content)
        # function tokens (:not(...), :is(...), ...) are never a reason to drop a selector
        previous = token
    return words, elements


def attribute_words(content: list) -> list[str]:
    """[name], [name=value], [name="value"]: the name, and a one-word value when it must equal."""
    tokens = [token for token in content if token.type not in ("whitespace", "comment")]
    if not tokens or tokens[0].type != "ident":
        return []
    words = [tokens[0].value]
    if len(tokens) >= 3 and tokens[1].type == "literal" and tokens[1].value == "=" \
            and tokens[2].type in ("ident", "string") and WORD.fullmatch(tokens[2].value):
        words.append(tokens[2].value)
    return words


# ---------------------------------------------------------------- slimming and writing

def compact(tokens: list, selector: bool = False) -> str:
    """Tokens as text with comments gone and white space only where it means something.

    A space stays between words (`0 auto`, `.a .b`, `and (`) and around + and - in a value
    (`calc(1px + 2px)` needs it); it goes around , ; : and block brackets, and around the
    combinators > + ~ of a selector."""
    no_space_after = ",;(" + (">+~" if selector else ":")
    no_space_before = (",", ";", ")", "{") + ((">", "+", "~") if selector else ())
    text, pending_space = [], False
    for token in tokens:
        if token.type == "comment":
            continue
        if token.type == "whitespace":
            pending_space = bool(text)
            continue
        piece = serialize_block(token, selector) if token.type in BLOCKS else token.serialize()
        if pending_space and text[-1][-1] not in no_space_after and not piece.startswith(no_space_before):
            text.append(" ")
        text.append(piece)
        pending_space = False
    return "".join(text)


BLOCKS = ("() block", "[] block", "{} block", "function")


def serialize_block(token, selector: bool) -> str:
    if token.type == "function":
        return f"{tinycss2.serializer.serialize_identifier(token.name)}({compact(token.arguments, selector)})"
    opening, closing = {"() block": "()", "[] block": "[]", "{} block": "{}"}[token.type]
    return opening + compact(token.content, selector and token.type != "{} block") + closing


def declarations(content: list) -> list:
    """A block's declarations and nested rules, without comments and white space."""
    return tinycss2.parse_blocks_contents(content or [], skip_comments=True, skip_whitespace=True)


def serialize_declaration(declaration) -> str:
    value = compact(declaration.value)
    if declaration.name.startswith("--"):
        return f"{declaration.name}:{value or ' '}" + ("!important" if declaration.important else "")
    return f"{declaration.lower_name}:{value}" + ("!important" if declaration.important else "")


@dataclass
class Style:
    """A kept style rule: the selectors that can match, and its declarations."""

    selectors: list[list]
    declarations: list


@dataclass
class Group:
    """A kept @media, @supports, ... with the rules kept inside it."""

    rule: object
    children: list


@dataclass
class Slimmer:
    content: Content
    kept_selectors: int = 0
    dropped_selectors: int = 0

    def rules(self, rules: list) -> list:
        """The rules that can match something, with only their selectors that can."""
        kept = []
        for rule in rules:
            if rule.type == "qualified-rule":
                selectors = split_selectors(rule.prelude)
                matching = [selector for selector in selectors if self.content.matches(selector)]
                self.kept_selectors += len(matching)
                self.dropped_selectors += len(selectors) - len(matching)
                if matching:
                    kept.append(Style(matching, [d for d in declarations(rule.content) if d.type == "declaration"]))
            elif rule.type == "at-rule" and rule.lower_at_keyword in GROUPING_RULES and rule.content is not None:
                children = self.rules(declarations(rule.content))
                if children:
                    kept.append(Group(rule, children))
            else:
                kept.append(rule)
        return kept


def used_names(rules: list, words: set[str]) -> tuple[set[str], set[str]]:
    """(animation names, custom properties) the kept rules, the pages or the scripts use.

    A custom property counts as used when a property that is not one reads it, or a used
    custom property does (--a: var(--b) keeps --b only while --a is used), or a page or
    a script names it."""
    animations, properties = set(), {word for word in words if word.startswith("--")}
    reads: dict[str, set[str]] = {}  # custom property -> the custom properties its values read
    for rule in flatten(rules):
        for declaration in rule.declarations if isinstance(rule, Style) else []:
            read = set(var_names(declaration.value))
            if declaration.name.startswith("--"):
                reads.setdefault(declaration.name, set()).update(read)
            else:
                properties |= read
            if declaration.lower_name in ANIMATION_PROPERTIES:
                animations.update(t.value for t in declaration.value if t.type == "ident")
    pending = list(properties)
    while pending:
        for name in reads.get(pending.pop(), ()):
            if name not in properties:
                properties.add(name)
                pending.append(name)
    return animations, properties


def relative_urls(nodes: list):
    """The relative addresses in url(...) of rules or tokens (not data: or another site's)."""
    for node in nodes:
        if node.type == "url" or (node.type == "function" and node.lower_name == "url"):
            address = node.value if node.type == "url" else "".join(
                t.value for t in node.arguments if t.type == "string")
            if not re.match(r"(?:[a-z][a-z0-9+.-]*:|/|#)", address, re.IGNORECASE):
                yield address
        for children in ("prelude", "content", "arguments", "value"):
            inner = getattr(node, children, None)
            if isinstance(inner, list):
                yield from relative_urls(inner)


def var_names(tokens: list):
    """The custom properties a value reads with var(), however deeply nested."""
    for token in tokens:
        if token.type == "function":
            if token.lower_name == "var":
                yield from (t.value for t in token.arguments if t.type == "ident" and t.value.startswith("--"))
            yield from var_names(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from var_names(token.content)


def flatten(rules: list):
    for rule in rules:
        yield rule
        if isinstance(rule, Group):
            yield from flatten(rule.children)


def render(rules: list, animations: set[str], properties: set[str]) -> str:
    out = []
    for rule in rules:
        if isinstance(rule, Style):
            body = [serialize_declaration(d) for d in rule.declarations
                    if not d.name.startswith("--") or d.name in properties]
            if body:
                out.append(",".join(compact(s, selector=True) for s in rule.selectors) + "{" + ";".join(body) + "}")
        elif isinstance(rule, Group):
            inner = render(rule.children, animations, properties)
            if inner:
                out.append(f"@{rule.rule.at_keyword} {compact(rule.rule.prelude)}{{{inner}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in KEYFRAMES and compact(rule.prelude) not in animations:
            continue
        else:  # @page, @font-face, @keyframes, ...
            prelude = compact(rule.prelude)
            block = "{" + compact(rule.content) + "}" if rule.content is not None else ";"
            out.append(f"@{rule.at_keyword}{' ' + prelude if prelude else ''}{block}")
    return "".join(out)


def slim(sources: list[Path], content: Content) -> tuple[str, Slimmer]:
    """The stylesheets, in order, as one slim stylesheet (in the first one's folder)."""
    rules = []
    for source in sources:
        parsed = tinycss2.parse_stylesheet(source.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)
        errors = [rule for rule in parsed if rule.type == "error"]
        if errors:
            raise SlimError(f"{source}:{errors[0].source_line}:{errors[0].source_column}: not CSS this step can "
                            f"read ({errors[0].message}); fix the stylesheet")
        moved = [url for url in relative_urls(parsed) if source.parent != sources[0].parent]
        if moved:
            raise SlimError(f"{source}: url({moved[0]}) is relative to its folder, and the slim stylesheet is written "
                            f"to {sources[0].parent.name}/; use a data: URL or an address from the site's root")
        rules += parsed
    slimmer = Slimmer(content)
    kept = slimmer.rules(rules)
    animations, properties = used_names(kept, content.words)
    return render(kept, animations, properties) + "\n", slimmer


# ---------------------------------------------------------------- the build folder

def rewrite_page(page: Path, head: Head, bundle: Path) -> None:
    text = page.read_text(encoding="utf-8")
    first = head.links[0]
    text = text.replace(first.tag, f'<link rel="stylesheet" href="{bundle_href(first, bundle, page)}">', 1)
    for link in head.links[1:]:
        text = re.sub(r"[ \t]*" + re.escape(link.tag) + r"\n?", "", text, count=1)
    page.write_text(text, encoding="utf-8")


def bundle_href(first: Link, bundle: Path, page: Path) -> str:
    """The bundle's address as the page wrote the first stylesheet's: absolute or relative."""
    path = urlsplit(first.href).path
    if path.startswith("/"):  # same folder as the first stylesheet, so only its name changes
        return path.rsplit("/", 1)[0] + "/" + bundle.name
    return Path(os.path.relpath(bundle, page.parent)).as_posix()


def slim_site(site: Path) -> list[tuple[Path, Slimmer, list[Path]]]:
    """Rewrite the build: one slim stylesheet for the pages that link the same stylesheets
    (all of them, in a build of the guide); [] if no page links one."""
    site = site.resolve()
    heads = {page: read_head(page, site) for page in sorted(site.rglob("*.html"))}
    heads = {page: head for page, head in heads.items() if head.links}
    problems = [f"{page}: {', '.join(head.between)} between the stylesheet links would change the cascade; "
                "move it after them" for page, head in heads.items() if head.between]
    if problems:
        raise SlimError("\n".join(problems))
    groups: dict[tuple[Path, ...], list[Path]] = {}
    for page, head in heads.items():
        groups.setdefault(tuple(link.file for link in head.links), []).append(page)
    content = site_content(site) if groups else None
    written = []
    for sources, pages in groups.items():
        css, slimmer = slim(list(sources), content)
        bundle = sources[0].parent / BUNDLE_NAME.format(hash=hashlib.sha256(css.encode("utf-8")).hexdigest()[:8])
        bundle.write_text(css, encoding="utf-8")
        for page in pages:
            rewrite_page(page, heads[page], bundle)
        written.append((bundle, slimmer, list(sources)))
    bundles = {bundle for bundle, _, _ in written}
    for source in {source for sources in groups for source in sources} - bundles:
        source.unlink()
        Path(str(source) + ".map").unlink(missing_ok=True)
    return written


def site_argument(description: str, argv: list[str] | None) -> Path | None:
    """The built site folder named on the command line; None, said on stderr, if it is not one."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="the built site folder, for example site")
    site = parser.parse_args(argv).site
    if not (site / "index.html").is_file():
        print(f"{site}: no built site here; run `make build` first", file=sys.stderr)
        return None
    return site


def main(argv: list[str] | None = None) -> int:
    site = site_argument(__doc__, argv)
    if site is None:
        return 2
    try:
        written = slim_site(site)
    except SlimError as error:
        print(f"{error}\nstylesheets not slimmed: fix the lines above and build again", file=sys.stderr)
        return 1
    if not written:
        print(f"{site}: no page links a stylesheet of its own; nothing to do")
    for bundle, slimmer, sources in written:
        print(f"wrote {bundle.relative_to(site.resolve())} ({bundle.stat().st_size} bytes) from "
              f"{', '.join(source.name for source in sources)}: kept {slimmer.kept_selectors} selectors, "
              f"dropped {slimmer.dropped_selectors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
