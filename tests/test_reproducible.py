"""Reproducible builds: two clean builds of the same sources give byte-identical site/
trees, wherever the sources and the output live. SOURCE_DATE_EPOCH (exported by the
Makefile, set by conftest.build_site) fixes the only date MkDocs writes: the sitemap's
<lastmod> and the timestamp in the header of sitemap.xml.gz."""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
from pathlib import Path

from conftest import ROOT, build_site
from policy import SOURCE_DATE_EPOCH



def tree_digest(site: Path) -> dict[str, str]:
    """Every file of a build: relative path -> sha256 of its bytes."""
    return {
        path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def test_two_clean_builds_are_byte_identical(built_site, tmp_path):
    """The second build runs from a copy of the sources in another folder, into another
    output folder, so no absolute path and no build time can hide in the output."""
    sources = tmp_path / "elsewhere" / "sources"
    sources.mkdir(parents=True)
    for name in ("docs", "data", "snippets", "overrides"):
        shutil.copytree(ROOT / name, sources / name)
    shutil.copy(ROOT / "mkdocs.yml", sources / "mkdocs.yml")
    second = tmp_path / "another" / "output"
    result = build_site(second, sources / "mkdocs.yml")
    assert result.returncode == 0, result.stderr

    first_tree, second_tree = tree_digest(built_site), tree_digest(second)
    assert first_tree.keys() == second_tree.keys(), (
        f"only in one build: {sorted(first_tree.keys() ^ second_tree.keys())}"
    )
    differing = sorted(path for path in first_tree if first_tree[path] != second_tree[path])
    assert not differing, f"files that differ between two builds: {differing}"


def test_sitemap_gzip_header_carries_source_date_epoch(built_site):
    header = (built_site / "sitemap.xml.gz").read_bytes()[:10]
    assert header[:2] == b"\x1f\x8b", "not a gzip file"
    (mtime,) = struct.unpack("<I", header[4:8])
    assert mtime == SOURCE_DATE_EPOCH, f"gzip mtime {mtime}, not SOURCE_DATE_EPOCH"


def test_makefile_exports_the_same_source_date_epoch():
    """make reads the value from scripts/policy.py (a target added on the command line prints it)."""
    result = subprocess.run(["make", "--no-print-directory", "-s", "--eval", "epoch: ; @echo $$SOURCE_DATE_EPOCH",
                             "epoch"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"})
    assert result.stdout.strip() == str(SOURCE_DATE_EPOCH), result.stderr


def test_every_workflow_takes_source_date_epoch_from_the_policy_file():
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        text = workflow.read_text(encoding="utf-8")
        assert str(SOURCE_DATE_EPOCH) not in text, f"{workflow.name}: read it from scripts/policy.py"
        if "mkdocs build" in text:
            assert 'python3 scripts/policy.py >> "$GITHUB_ENV"' in text, workflow.name
