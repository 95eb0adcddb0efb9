"""The registry: every rule the checker reports, and every check that finds them.

A *rule* is what a finding carries: its id, severity, scope, why it exists (reason), where
CONTRIBUTING.md explains it (link) and what to do (fix). A *check* is a function the engine
runs; it yields findings of the rules it names in `emits`. Each rule family in checker/rules/
registers its rules and checks once, here, when it is imported; the engine, `--list-rules`,
the command's help and the selection (ALWAYS_REPORTED) all read this registry.

Scopes (what a check is given, and when the engine runs it):
  configuration  check(run): the data files and mkdocs.yml, before the pages
  page           check(run, page): each readable page under docs/ (a Page: name, path, source)
  file           check(run, source): each readable file a page is made of (page or snippet), once
  site           check(run): after every page, when the whole site is known (orphans, unused
                 sources, repeated titles: a change in one file makes them appear in another)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

GUIDE = "CONTRIBUTING.md"
SCOPES = ("configuration", "page", "file", "site")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # "error" or "warning"
    scope: str  # one of SCOPES: what a finding of the rule is about
    reason: str  # why the rule exists: what it catches
    anchor: str  # the section of CONTRIBUTING.md that explains it (or a file)
    fix: str  # what to do, appended to every message of the rule

    @property
    def link(self) -> str:
        return self.anchor if "/" in self.anchor or self.anchor.endswith(".py") else f"{GUIDE}#{self.anchor}"


@dataclass(frozen=True)
class Check:
    name: str
    scope: str
    emits: tuple[str, ...]  # the rule ids it can report
    where: str  # the file an internal error is reported on (configuration and site checks)
    run: Callable[..., Iterable[Any]]


_rules: dict[str, Rule] = {}
_checks: list[Check] = []
RULES = MappingProxyType(_rules)


def rule(rule_id: str, severity: str, scope: str, reason: str, anchor: str, fix: str) -> Rule:
    """Register a rule (once: a second registration of the same id is a bug)."""
    if rule_id in _rules:
        raise ValueError(f"rule {rule_id} is registered twice")
    if severity not in ("error", "warning") or scope not in SCOPES:
        raise ValueError(f"rule {rule_id}: severity {severity!r} or scope {scope!r} is not known")
    _rules[rule_id] = Rule(rule_id, severity, scope, reason, anchor, fix)
    return _rules[rule_id]


def check(scope: str, *emits: str, where: str = "scripts/check.py") -> Callable:
    """Register the decorated function as a check of `scope` that reports the rules `emits`."""
    if scope not in SCOPES:
        raise ValueError(f"scope {scope!r} is not one of {SCOPES}")

    def register(function: Callable) -> Callable:
        _checks.append(Check(function.__name__, scope, emits, where, function))
        return function

    return register


def checks(scope: str) -> list[Check]:
    """The checks of one scope, in the order they were registered."""
    load_rules()
    return [item for item in _checks if item.scope == scope]


def all_rules() -> MappingProxyType:
    load_rules()
    return RULES


def load_rules() -> None:
    """Import every rule family (each registers itself on import)."""
    from checker import rules  # noqa: F401  (importing it registers the rules)


def always_reported() -> frozenset[str]:
    """Rules whose findings appear in one file because of a change in another (scope site)."""
    return frozenset(rule_id for rule_id, item in all_rules().items() if item.scope == "site")
