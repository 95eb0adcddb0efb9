"""Terminology: the words we use, from the Vale substitution rule (styles/NervePain/Terms.yml,
made from data/terms.yml), matched at word boundaries with one combined regex in the prose a
reader sees; the message names the preferred term, capital letter kept, and --fix writes it."""

from __future__ import annotations

from collections.abc import Iterator

from checker.config import TermRule
from checker.findings import Edit, Finding, finding
from checker.markdown import SourceFile, prose
from checker.registry import check, rule
from checker.site import Run

rule("terminology", "error", "file",
     "A discouraged word from the Vale substitution rule (swap map, ignorecase, exceptions, level, "
     "message), in prose: not in front matter (except title and description), code, HTML comments and "
     "tags, link targets, URLs, attribute lists, snippet lines, or between <!-- vale NervePain.Terms = NO "
     "--> and <!-- vale NervePain.Terms = YES --> (also vale off/on, vale NervePain = NO).",
     "words-we-use",
     "For a deliberate use, switch the rule off around it (CONTRIBUTING.md, \"Words we use\").")


def match_case(preferred: str, matched: str) -> str:
    if matched[:1].isupper() and not preferred[:1].isupper():
        return preferred[:1].upper() + preferred[1:]
    return preferred


def check_terminology(source: SourceFile, rule: TermRule, text: str) -> Iterator[tuple[Finding, Edit | None]]:
    if rule.pattern is None:
        return
    for match in rule.pattern.finditer(text):
        matched = match.group()
        if rule.literals is not None:
            preferred = rule.literals.get(matched.lower() if rule.ignorecase else matched, "")
            if not preferred:
                continue  # a Unicode case fold the trie matched but lower() spells differently
        else:
            group = match.lastgroup if match.lastgroup and match.lastgroup.startswith("t") else next(
                name for name, value in match.groupdict().items() if value is not None)
            preferred = rule.preferred[int(group[1:])]
        compare = matched.lower() if rule.ignorecase else matched
        if compare in rule.exceptions or compare == (preferred.lower() if rule.ignorecase else preferred):
            continue
        choices = [match_case(choice.strip(), matched) for choice in preferred.split("|")]
        try:
            message = rule.message % ("' or '".join(choices), matched)
        except (TypeError, ValueError):
            message = f"Use '{choices[0]}' instead of '{matched}'."
        line, column = source.position(match.start())
        yield (finding(source.path, line, column, "terminology", message, severity=rule.severity,
                       fix=f"For a deliberate use, switch {rule.name} off around it: "
                           f"<!-- vale {rule.name} = NO -->...<!-- vale {rule.name} = YES -->."),
               Edit(source.path, match.start(), match.end(), choices[0]) if len(choices) == 1 else None)


@check("file", "terminology")
def terminology(run: Run, source: SourceFile) -> Iterator[Finding]:
    if source.path in run.context.settings.generated:
        return  # the glossary must name the words we do not use
    terms = run.context.terms
    for result, edit in check_terminology(source, terms, prose(source, terms.name, run.visible_prose(source))):
        yield result
        if edit:
            run.edits.append(edit)
