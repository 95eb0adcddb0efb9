#!/usr/bin/env python3
"""Build time per clinic: 1, 10 and 50 made-up clinics built at once, as `make build-all` does.

    python scripts/bench_clinics.py [--counts 1 10 50] [--jobs N]

`make bench-clinics` runs it. For each count, a copy of the repository in a temporary folder
gets that many clinic settings files made from clinics/example.yml (each with its own name,
addresses and site_url), and scripts/build_all.py builds them all (not the neutral guide),
--jobs at once (default: the machine's cores). For each count it prints:

    wall          the whole run: the repository-wide steps once (review state, checker), then every build
    wall/clinic   the build part of the run divided by the clinics: what one more clinic costs here
    CPU/clinic    user + system time of every build process, divided by the clinics: the same cost
                  on any machine, however busy (wall times grow with the machine's load)
    one build     the mean and the slowest single build (its own wall time, from start to end)

Not part of the test suite. Exit status 1 if a build failed.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from build_all import ROOT, build_all, clinic_files, copy_sources, make, targets

EXAMPLE = ROOT / "clinics" / "example.yml"


def made_up_clinic(example: str, number: int) -> str:
    """The example clinic's settings under another name and address."""
    return (example.replace("Riverside Physiotherapy", f"Bench Clinic {number:03d}")
            .replace("clinic.example", f"clinic{number:03d}.example"))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench(count: int, jobs: int, scratch: Path) -> dict:
    root = copy_sources(scratch / "repo")
    (root / "clinics").mkdir()
    example = EXAMPLE.read_text(encoding="utf-8")
    for number in range(1, count + 1):
        (root / "clinics" / f"bench-{number:03d}.yml").write_text(made_up_clinic(example, number), encoding="utf-8")
    started = time.perf_counter()
    checked = make(root, "review-state", "check")
    if checked.returncode:
        sys.exit(f"the checker failed in the copy:\n{checked.stdout}{checked.stderr}")
    checks = time.perf_counter() - started
    cpu = children_cpu()
    results = build_all(root, targets(clinic_files(root), guide=False), scratch / "sites", jobs)
    builds = time.perf_counter() - started - checks
    failed = [f"{result.target.name}: {'; '.join(result.problems[:3])}" for result in results if result.status]
    single = [result.seconds for result in results]
    return {"clinics": count, "wall": checks + builds, "checks": checks, "per_clinic": builds / count,
            "cpu_per_clinic": (children_cpu() - cpu) / count, "mean_build": sum(single) / count,
            "slowest_build": max(single), "failed": failed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 10, 50], help="how many clinics (default 1 10 50)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="builds at once (default: cores)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Made-up clinics built in parallel by scripts/build_all.py: {args.jobs} at once, "
          f"{os.cpu_count()} CPUs, load average {load:.1f} at the start.")
    print(f"{'clinics':>7}  {'wall':>8}  {'checks':>7}  {'wall/clinic':>11}  {'CPU/clinic':>10}  "
          f"{'one build (mean, slowest)':>25}")
    failed = []
    for count in args.counts:
        with tempfile.TemporaryDirectory(prefix="bench-clinics-") as scratch:
            row = bench(count, args.jobs, Path(scratch))
        failed += row["failed"]
        print(f"{row['clinics']:>7}  {row['wall']:6.1f} s  {row['checks']:5.1f} s  {row['per_clinic']:9.2f} s  "
              f"{row['cpu_per_clinic']:8.2f} s  {row['mean_build']:10.1f} s, {row['slowest_build']:5.1f} s", flush=True)
    for line in failed:
        print(f"failed: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
