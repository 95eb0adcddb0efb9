"""The editors' workflow files: GitHub workflows, pull request template, pre-commit, CONTRIBUTING.md.

The workflows are validated offline against GitHub's workflow schema with check-jsonschema
(its schemas ship in the wheel); the other checks read the files as data.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, VENV_BIN

WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
PR_TEMPLATE = ROOT / ".github" / "pull_request_template.md"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
# Any network use would fail fast: proof that the schema check works offline.
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
PINNED_ACTION = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def run_commands(workflow: dict) -> list[str]:
    return [step["run"] for step in steps(workflow) if "run" in step]


def workflow_triggered_by(event: str) -> dict:
    found = [load(path) for path in WORKFLOW_FILES if event in load(path)["on"]]
    assert len(found) == 1, f"expected one workflow on {event}, found {len(found)}"
    return found[0]


def check_jsonschema(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True, text=True, timeout=60, env={**os.environ, **OFFLINE},
    )


# ---------------------------------------------------------------- GitHub workflows

def test_workflow_files_match_githubs_workflow_schema_offline():
    assert WORKFLOW_FILES, "no workflow files in .github/workflows"
    result = check_jsonschema(*WORKFLOW_FILES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pull_request\njobs:\n  check:\n    steps:\n      - run: make check\n", encoding="utf-8")
    result = check_jsonschema(broken)
    assert result.returncode == 1
    assert "'runs-on' is a required property" in result.stdout


def test_pull_requests_run_the_checker_with_annotations_the_strict_build_and_the_tests():
    workflow = workflow_triggered_by("pull_request")
    commands = "\n".join(run_commands(workflow))
    assert re.search(r"scripts/check\.py\b[^\n]*--format github", commands), "checker with --format github"
    assert re.search(r"mkdocs build --strict", commands), "strict build"
    assert ".ci/run" in commands or "make test" in commands, "the README's test command"


def test_the_tests_run_on_debian_so_chromium_comes_from_debian():
    workflow = workflow_triggered_by("pull_request")
    test_jobs = [job for job in workflow["jobs"].values()
                 if any(".ci/run" in step.get("run", "") for step in job["steps"])]
    assert len(test_jobs) == 1
    image = test_jobs[0]["container"]
    image = image["image"] if isinstance(image, dict) else image
    assert "bookworm" in image or "debian" in image, image


def test_no_workflow_runs_mkdocs_quietly_or_verbosely():
    """With -q or -v, `mkdocs build --strict` can pass a broken link (MkDocs 1.6.1)."""
    builds = [cmd for path in WORKFLOW_FILES for cmd in run_commands(load(path)) if "mkdocs build" in cmd]
    assert builds
    for command in builds:
        words = shlex.split(command.split("mkdocs build", 1)[1].split("\n")[0])
        assert "--strict" in words, command
        assert not {"-q", "--quiet", "-v", "--verbose"} & set(words), command


def test_pushes_to_main_build_and_deploy_to_github_pages():
    workflow = load(WORKFLOWS / "publish.yml")  # clinics.yml runs on pushes to main too
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["concurrency"]["group"] and workflow["concurrency"]["cancel-in-progress"] is False
    uses = [step.get("uses", "") for step in steps(workflow)]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    upload = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site", "mkdocs build writes site/"
    deploy = next(job for job in workflow["jobs"].values()
                  if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in job["steps"]))
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["needs"] in ("build", ["build"])


# ---------------------------------------------------------------- every clinic (clinics.yml)

CLINICS_WORKFLOW = WORKFLOWS / "clinics.yml"


def test_clinics_are_built_as_a_matrix_from_build_alls_list_and_one_failure_stops_no_other():
    workflow = load(CLINICS_WORKFLOW)
    assert workflow["on"]["push"]["branches"] == ["main"]
    listing = workflow["jobs"]["list"]
    assert any("scripts/build_all.py --list" in command for command in run_commands({"jobs": {"list": listing}}))
    clinic = workflow["jobs"]["clinic"]
    assert clinic["needs"] == "list"
    assert clinic["strategy"]["matrix"]["clinic"] == "${{ fromJSON(needs.list.outputs.clinics) }}"
    assert clinic["strategy"]["fail-fast"] is False
    assert clinic["environment"]["name"] == "clinic-${{ matrix.clinic }}", "each clinic's secrets in its own environment"


def test_build_alls_list_is_the_clinics_settings_files():
    listed = subprocess.run([str(VENV_BIN / "python"), "scripts/build_all.py", "--list"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    assert json.loads(listed) == sorted(path.stem for path in (ROOT / "clinics").glob("*.yml")
                                        if not path.name.endswith(".reviews.yml"))


def test_each_clinic_is_built_with_make_build_and_no_value_is_pasted_into_a_shell_command():
    """The clinic's name and the secrets reach the shell through the environment, never as ${{ }}
    inside `run:` (a file name or a secret holding `"; rm -rf` would be run)."""
    job = load(CLINICS_WORKFLOW)["jobs"]["clinic"]
    commands = [step["run"] for step in job["steps"] if "run" in step]
    assert 'make build CLINIC="$CLINIC"' in commands
    assert job["env"]["CLINIC"] == "clinics/${{ matrix.clinic }}.yml"
    assert not [command for command in commands if "${{" in command]


def test_publishing_uses_the_clinics_secrets_and_skips_a_clinic_without_a_host():
    steps_ = load(CLINICS_WORKFLOW)["jobs"]["clinic"]["steps"]
    publish = next(step for step in steps_ if "rsync" in step.get("run", ""))
    assert publish["env"] == {name: f"${{{{ secrets.{name} }}}}" for name in
                              ("DEPLOY_TARGET", "DEPLOY_SSH_KEY", "DEPLOY_KNOWN_HOSTS")}
    assert 'if [ -z "$DEPLOY_TARGET" ]' in publish["run"] and "exit 0" in publish["run"]
    assert "StrictHostKeyChecking=yes" in publish["run"]
    upload = next(step for step in steps_ if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "site" and upload["with"]["include-hidden-files"] is True


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_version(path):
    for step in steps(load(path)):
        if "uses" in step:
            assert PINNED_ACTION.match(step["uses"]), f"{path.name}: pin {step['uses']} to @vN or a commit"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflows_read_the_repository_only_and_never_run_on_pull_request_target(path):
    workflow = load(path)
    assert "pull_request_target" not in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}


# ---------------------------------------------------------------- pull request template

@pytest.mark.parametrize("item", ["Plain language", "Sources", "Warning signs", "Clinical review", "Checker clean"])
def test_the_pull_request_template_has_a_checklist_item_for(item):
    boxes = [line for line in PR_TEMPLATE.read_text(encoding="utf-8").splitlines() if line.startswith("- [ ] ")]
    assert any(item.lower() in line.lower() for line in boxes), f"no checklist item for {item}"


# ---------------------------------------------------------------- pre-commit

def test_pre_commit_uses_only_local_hooks_that_call_the_checker():
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"] * len(config["repos"]), "only repo: local"
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert hooks
    for hook in hooks:
        assert hook["language"] in ("system", "python"), hook["id"]
        assert "scripts/check.py" in hook["entry"], hook["id"]
        if hook["language"] == "python":
            assert not hook.get("additional_dependencies"), "nothing may be downloaded"


def pre_commit_hooks() -> list[dict]:
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def test_pre_commit_runs_on_changed_pages_and_on_what_affects_every_page():
    (hook,) = pre_commit_hooks()
    assert hook.get("pass_filenames", True)
    pattern = re.compile(hook["files"])
    for path in ("docs/nerve-pain/causes.md", "mkdocs.yml", "data/terms.yml", "snippets/cards/urgent-nerve.md"):
        assert pattern.search(path), path
    for path in ("README.md", "docs/assets/stylesheets/extra.css", "tests/test_build.py"):
        assert not pattern.search(path), path


@pytest.mark.parametrize(
    ("changed", "checker_args"),
    [
        (["docs/index.md", "docs/nerve-pain/causes.md"], "scripts/check.py docs/index.md docs/nerve-pain/causes.md"),
        (["docs/index.md", "mkdocs.yml"], "scripts/check.py"),
        (["data/terms.yml"], "scripts/check.py"),
    ],
)
def test_pre_commit_checks_pages_by_name_and_everything_after_other_changes(tmp_path, changed, checker_args):
    """Runs the hook's command with a stand-in for .venv/bin/python that prints its arguments."""
    (hook,) = pre_commit_hooks()
    fake_python = tmp_path / ".venv" / "bin" / "python"
    fake_python.parent.mkdir(parents=True)
    fake_python.write_text('#!/bin/sh\necho "$@"\n', encoding="utf-8")
    fake_python.chmod(0o755)
    result = subprocess.run([*shlex.split(hook["entry"]), *changed], cwd=tmp_path, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == checker_args


# ---------------------------------------------------------------- CONTRIBUTING.md

def github_slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_terminology_rule_links_to_a_heading_in_contributing():
    rule = yaml.safe_load((ROOT / "styles" / "NervePain" / "Terms.yml").read_text(encoding="utf-8"))
    file_name, _, anchor = rule["link"].partition("#")
    headings = re.findall(r"^#{1,6} (.+)$", (ROOT / file_name).read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert anchor in {github_slug(h) for h in headings}, f"{rule['link']}: no such heading"


def test_every_make_command_in_contributing_exists():
    text = CONTRIBUTING.read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, flags=re.MULTILINE))
    used = set(re.findall(r"(?:`|^)make ([a-z][\w-]*)", text, flags=re.MULTILINE))
    assert {"serve", "check", "new-page"} <= used
    assert used <= targets, f"not in the Makefile: {used - targets}"


def test_every_file_contributing_names_exists():
    text = CONTRIBUTING.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:docs|data|snippets|styles|scripts)/[\w./-]+\.\w+)`", text))
    assert named
    missing = [name for name in named if not (ROOT / name).exists() and "sleep" not in name]
    assert not missing, missing
