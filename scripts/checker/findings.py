"""What the checker reports (Finding), how (text, json, github), and what --fix writes (Edit).

scripts/clinic_settings.py reports with the same Finding and the same formats.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from checker.registry import all_rules

FORMATS = ("text", "json", "github")


class ConfigError(Exception):
    """The checker cannot run: a configuration or data file is missing or malformed (exit 2)."""


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    rule: str
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity} {self.rule}: {self.message}"


@dataclass(frozen=True)
class Edit:
    """A replacement --fix makes: offsets into the text as SourceFile reads it."""
    path: str
    start: int
    end: int
    replacement: str


def finding(path: str, line: int, column: int, rule: str, problem: str, fix: str | None = None,
            severity: str | None = None) -> Finding:
    """A finding of a registered rule, whose message says the problem, then how to fix it."""
    spec = all_rules()[rule]
    problem = problem.strip()
    text = problem + ("" if problem.endswith((".", "?", "!")) else ".") + " " + (fix if fix is not None else spec.fix)
    return Finding(path, max(line, 1), max(column, 1), rule, severity or spec.severity, text.strip())


def deduplicate(findings: Iterable[Finding]) -> list[Finding]:
    """The same problem once: the first finding for each file, line, column and rule."""
    seen: dict[tuple[str, int, int, str], Finding] = {}
    for item in findings:
        seen.setdefault((item.path, item.line, item.column, item.rule), item)
    return sorted(seen.values())


def guarded(path: str, findings: Iterable[Finding]) -> list[Finding]:
    """Run one check on one file; a checker bug becomes a finding, never a traceback."""
    try:
        return list(findings)
    except RecursionError:
        return [finding(path, 1, 1, "internal-error", "the checker ran too deep on this file")]
    except Exception as error:  # noqa: BLE001: bad content must never crash the checker
        return [finding(path, 1, 1, "internal-error", f"the checker failed on this file ({type(error).__name__}: "
                                                      f"{error})")]


# ------------------------------------------------------------------ output

def rule_link(rule_id: str) -> str:
    spec = all_rules().get(rule_id)
    return spec.link if spec else ""


def github_escape(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_findings(findings: list[Finding], style: str, link: Callable[[str], str] = rule_link) -> str:
    """The findings as text (path:line:col: severity rule: message), JSON or GitHub annotations."""
    if style == "json":
        return json.dumps([{**dataclasses.asdict(f), "link": link(f.rule)} for f in findings], indent=2,
                          ensure_ascii=False)
    if style == "github":
        return "\n".join(
            f"::{f.severity} file={github_escape(f.path, True)},line={f.line},col={f.column},"
            f"title={github_escape(f.rule, True)}::{github_escape(f.message)}" for f in findings)
    return "\n".join(str(f) for f in findings)


class ArgumentError(Exception):
    """The command line is wrong (exit status 2)."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors reach main() (one line, exit status 2), not sys.exit."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ArgumentError(message)


def exit_status(findings: Iterable[Finding]) -> int:
    """0 no errors (warnings allowed), 1 errors found (2, could not run, is the caller's)."""
    return 1 if any(f.severity == "error" for f in findings) else 0


def close_match(wanted: str, candidates: Iterable[str]) -> str:
    """' Did you mean …?' with the nearest candidate, or '' when none is near."""
    matches = difflib.get_close_matches(wanted, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean '{matches[0]}'?" if matches else ""
