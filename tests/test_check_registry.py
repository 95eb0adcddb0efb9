"""The checker's registry against its code: every rule id a check can emit is registered, every
registered rule can be emitted, and the command line lists them all (issue 13)."""

from __future__ import annotations

import ast
import subprocess
import sys

from checker.registry import SCOPES, all_rules, always_reported, checks
from conftest import ROOT

PACKAGE = ROOT / "scripts" / "checker"


def emitted_ids() -> dict[str, set[str]]:
    """Rule id -> the modules whose finding(...) calls name it; every call must name a literal id."""
    emitted: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "finding":
                rule = node.args[3] if len(node.args) > 3 else next(
                    (k.value for k in node.keywords if k.arg == "rule"), None)
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert isinstance(rule, ast.Constant) and isinstance(rule.value, str), \
                    f"{where}: finding() must name its rule id as a literal, so this test can see it"
                emitted.setdefault(rule.value, set()).add(where)
    return emitted


def test_every_emitted_rule_is_registered_and_every_registered_rule_is_emitted():
    emitted = emitted_ids()
    assert not set(emitted) - set(all_rules()), "emitted but not registered"
    assert not set(all_rules()) - set(emitted), "registered but never emitted"


def test_every_check_runs_registered_rules_and_every_rule_has_a_check():
    declared = {rule for scope in SCOPES for item in checks(scope) for rule in item.emits}
    assert declared <= set(all_rules()), declared - set(all_rules())
    assert set(all_rules()) <= declared, set(all_rules()) - declared


def test_every_rule_has_a_severity_a_scope_a_reason_and_a_fix():
    for rule in all_rules().values():
        assert rule.severity in ("error", "warning") and rule.scope in SCOPES, rule.id
        assert len(rule.reason) > 20 and rule.fix.endswith("."), rule.id


def test_the_rules_reported_on_partial_runs_are_those_of_site_scope():
    assert always_reported() == {"orphan", "unused-reference", "duplicate-title"}


def test_list_rules_prints_every_rule_with_its_severity_and_link():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check.py"), "--list-rules"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for rule in all_rules().values():
        assert f"{rule.id}  {rule.severity}  {rule.scope}  {rule.link}" in result.stdout
        assert rule.reason.split()[0] in result.stdout


def test_the_entry_point_is_thin_and_no_module_is_over_600_lines():
    assert len((ROOT / "scripts" / "check.py").read_text(encoding="utf-8").splitlines()) <= 150
    for path in PACKAGE.rglob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 600, path
