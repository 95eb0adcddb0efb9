"""`make build-all` (scripts/build_all.py): the neutral guide and every clinic built at once;
a clinic with bad settings fails alone with its file:line message, the others still build,
and the exit status says something failed. Also: `make build` and build-all run one list of
steps (the Makefile's site-build).

One real run, in a copy of the repository with two clinics: `good` (the example clinic under
another name) and `broken` (a brand colour white text cannot be read on)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import build_all
from build_all import Result, Target, problem_lines, table
from conftest import CLINIC_EXAMPLE, ROOT, VENV_BIN
from handouts import patient_pages

GOOD_NAME = "Hillside Physio & Rehab"
BAD_COLOUR = "#ffff00"  # white text on yellow: contrast 1.1 to 1


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """build_all.py run from a copy of the repository holding the two clinics, without the neutral guide."""
    root = build_all.copy_sources(tmp_path_factory.mktemp("build-all") / "repo")
    (root / "clinics").mkdir()
    example = CLINIC_EXAMPLE.read_text(encoding="utf-8")
    good = example.replace("\n    name: Riverside Physiotherapy\n", f'\n    name: "{GOOD_NAME}"\n')
    (root / "clinics" / "good.yml").write_text(re.sub(r"\n    languages: .*\n", "\n    languages: [en, es]\n", good),
                                              encoding="utf-8")
    (root / "clinics" / "broken.yml").write_text(example.replace('colour: "#00594f"', f'colour: "{BAD_COLOUR}"'),
                                                 encoding="utf-8")
    result = subprocess.run([str(VENV_BIN / "python"), str(root / "scripts" / "build_all.py"), "--no-guide"],
                            cwd=root.parent, capture_output=True, text=True, timeout=600)
    return result, root.parent / "sites"


def test_a_broken_clinic_fails_alone_and_the_exit_status_says_so(run):
    result, sites = run
    assert result.returncode == 1, result.stdout + result.stderr
    table_lines = result.stdout.split("\n\n")[0].splitlines()[2:]  # after "building ..." and the heading
    rows = {line.split()[0]: line.split()[1:] for line in table_lines}
    assert set(rows) == {"good", "broken"}, result.stdout
    assert rows["broken"][0] == "-" and rows["broken"][-1] == "FAILED", result.stdout
    assert rows["good"][-1] == "none", result.stdout
    assert int(rows["good"][0]) == len(patient_pages(sites / "good")) > 20
    assert "1 built, 1 failed: broken" in result.stdout


def test_the_broken_clinic_is_named_with_its_file_line_message_and_nothing_of_it_is_left(run):
    result, sites = run
    message = re.search(r"clinics/broken\.yml:\d+:\d+: error clinic-colour: .*#ffff00.*", result.stdout)
    assert message, result.stdout
    assert message.group(0) in (sites / "broken.log").read_text(encoding="utf-8")
    assert not (sites / "broken").exists(), "a failed clinic must leave no site to publish"
    assert "Traceback" not in result.stdout + result.stderr


def test_the_good_clinic_is_built_with_every_step_of_make_build(run):
    _, sites = run
    site = sites / "good"
    page = (site / "nerve-pain" / "warning-signs" / "index.html").read_text(encoding="utf-8")
    assert "Hillside Physio &amp; Rehab" in page
    assert "<svg" in page.split('data-print-qr="', 1)[1][:400], "print_qr.py ran: the QR code is in"
    assert "Content-Security-Policy" in (site / "_headers").read_text(encoding="utf-8"), "security_headers.py ran"
    assert (sites / "good-headers" / "nginx.conf").is_file(), "each clinic's nginx snippet beside its site"


def test_every_language_the_clinic_lists_is_built(run):
    """The good clinic lists [en, es]: make site-build (the Makefile's LANGUAGES) builds its Spanish copy too."""
    _, sites = run
    page = (sites / "good" / "es" / "nerve-pain" / "warning-signs" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in page and "Hillside Physio &amp; Rehab" in page
    assert "Llame al 999" in page, "the Spanish care cards hold the clinic's emergency number"
    assert "<svg" in page.split('data-print-qr="', 1)[1][:400], "print_qr.py ran on the Spanish pages too"


def test_make_build_and_build_all_run_the_same_list_of_steps():
    """`make build` = the repository-wide steps + site-build; build_all runs site-build per clinic."""
    def dry_run(*arguments: str) -> list[str]:
        venv = VENV_BIN.parent
        done = subprocess.run(["make", "-n", "-C", str(ROOT), f"VENV={venv}", f"--old-file={venv}/.site", *arguments],
                              capture_output=True, text=True, check=True)
        return [line for line in done.stdout.splitlines() if "scripts/" in line or "mkdocs build" in line]

    site_steps = dry_run("site-build", "CLINIC=clinics/example.yml", "SITE=sites/example")
    names = [re.search(r"mkdocs build|scripts/\w+\.py", step).group(0) for step in site_steps]
    assert names[:4] == ["scripts/clinic_settings.py", "scripts/assemble_clinic.py", "scripts/check_clinic.py",
                         "scripts/reviews.py"], "the clinic's checks and its assembled copy first"
    assert names.index("mkdocs build") < names.index("scripts/print_qr.py") < len(names) - 1
    assert names[-1] == "scripts/security_headers.py", "last: it hashes the final inline scripts"
    assert "sites/example-headers/nginx.conf" in site_steps[-1]
    build = dry_run("build", "CLINIC=clinics/example.yml", "SITE=sites/example")
    assert build[-len(site_steps):] == site_steps
    repository_wide = [re.search(r"scripts/\w+\.py", step).group(0) for step in build[:-len(site_steps)]]
    assert repository_wide == ["scripts/reviews.py", "scripts/translations.py", "scripts/check.py"]


def test_a_file_that_is_not_a_clinics_settings_is_refused_before_anything_is_built(capsys):
    assert build_all.main(["mkdocs.yml"]) == 2
    assert "not a clinic's settings file: mkdocs.yml" in capsys.readouterr().err


def test_clinic_files_leave_out_approval_records(tmp_path):
    (tmp_path / "clinics").mkdir()
    for name in ("b.yml", "a.yml", "a.reviews.yml", "notes.txt"):
        (tmp_path / "clinics" / name).write_text("", encoding="utf-8")
    assert build_all.clinic_files(tmp_path) == ["clinics/a.yml", "clinics/b.yml"]


def test_problem_lines_keep_messages_and_drop_makes_own_lines():
    output = ("clinics/x.yml:3:5: error clinic-phone: phone: ...\n"
              "make: *** [Makefile:40: clinic-check] Error 1\n"
              "WARNING -  Doc file 'a.md' contains a link\n"
              "INFO    -  Building documentation\n")
    assert problem_lines(output) == ["clinics/x.yml:3:5: error clinic-phone: phone: ...",
                                     "WARNING -  Doc file 'a.md' contains a link"]


def test_the_table_lists_each_clinic_with_pages_time_and_problems():
    results = [Result(Target("guide", ""), 0, 12.34, 27),
               Result(Target("x", "clinics/x.yml"), 1, 0.2, None, ["clinics/x.yml:3:5: error clinic-phone: ..."])]
    lines = table(results).splitlines()
    assert lines[0].split() == ["clinic", "pages", "time", "problems"]
    assert lines[1].split() == ["guide", "27", "12.3", "s", "none"]
    assert lines[2].split() == ["x", "-", "0.2", "s", "FAILED"]
    assert "  clinics/x.yml:3:5: error clinic-phone: ..." in lines
