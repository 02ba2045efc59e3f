"""`make report` from nothing: a fresh clone, no .venv, no data; each step timed on its own.

The steps are exactly `make report`'s: the venv and the package (`make .venv/.installed`: the
bootstrap with uv or pip, and `hcp kernel install`), the demo data (`hcp demo --if-missing`),
the report (`hcp run 2022Q2`). The package caches are temporary folders, so the user's own
are neither used nor touched: "cold" starts with empty caches, as a new machine does; "warm"
is a second clone installing from the caches the cold one filled. Wall seconds, and the CPU
seconds of the step's processes (user + system), which a busy machine changes least.
PYTHONDONTWRITEBYTECODE is dropped from the steps' environment, as on a user's machine: uv
does not byte-compile at install, so the first import of each module writes its cache.

    python benchmarks/bench_setup.py                      # uv, cold then warm
    python benchmarks/bench_setup.py --installer pip      # the fallback: pip alone
    python benchmarks/bench_setup.py --cache cold --steps install
    python benchmarks/bench_setup.py --rev 083c253 --cache cold   # an older commit, to compare

It downloads the packages (≈ 300 MB) on every cold round and takes minutes, so `make bench`
leaves it out: `make bench-setup` runs it. Clones the committed HEAD: commit changes first.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("install", "demo", "run")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path, env: dict[str, str], log: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one command; its output goes to ``log``; a failure stops here."""
    cpu, start = _children_cpu(), time.perf_counter()
    with log.open("ab") as out:
        done = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}); see {log}")
    return wall, _children_cpu() - cpu


def one_round(label: str, work: Path, caches: Path, installer: str, steps: list[str],
              quarter: str, rev: str) -> dict[str, tuple[float, float]]:
    clone = work / label
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "--quiet", rev], cwd=clone, check=True)
    env = {**os.environ, "UV_CACHE_DIR": str(caches / "uv"), "PIP_CACHE_DIR": str(caches / "pip"),
           "HCP_INSTALLER": installer}
    for name in ("VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    log = work / f"{label}.log"
    commands = {
        "install": ["make", "--no-print-directory", ".venv/.installed"],
        "demo": [".venv/bin/hcp", "demo", "--if-missing"],
        "run": [".venv/bin/hcp", "run", quarter],
    }
    figures: dict[str, tuple[float, float]] = {}
    for step in STEPS:
        if step in steps:
            figures[step] = timed(commands[step], clone, env, log)
            print(f"  {label:10s} {step:8s} {figures[step][0]:7.1f} s wall "
                  f"{figures[step][1]:7.1f} s CPU", flush=True)
    shutil.rmtree(clone, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--installer", choices=("uv", "pip"), default="uv",
                        help="uv (the default set-up, pip only as its fallback) or pip alone")
    parser.add_argument("--cache", choices=("cold", "warm", "both"), default="both",
                        help="warm installs from the caches a cold round filled first")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help="comma-separated, from install,demo,run (default: all)")
    parser.add_argument("--quarter", default="2022Q2")
    parser.add_argument("--rev", default="HEAD",
                        help="the commit to set up (default HEAD): an older one for a before/after")
    args = parser.parse_args()
    steps = [s for s in args.steps.split(",") if s]
    if "install" not in steps:
        sys.exit("--steps needs install: nothing runs without the venv")
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    if dirty:
        print("note: uncommitted changes are not in the clone being timed")
    rounds = ["cold", "warm"] if args.cache == "both" else [args.cache]
    work = Path(tempfile.mkdtemp(prefix="hcp-bench-setup-"))
    caches = work / "caches"
    print(f"{args.rev}, HCP_INSTALLER={args.installer} (commits before bootstrap.py use pip); "
          f"load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores; work in {work}")
    try:
        results = {}
        if rounds == ["warm"]:  # fill the caches, untimed
            print("  filling the caches first (untimed)")
            one_round("fill", work, caches, args.installer, ["install"], args.quarter, args.rev)
        for label in rounds:
            results[label] = one_round(label, work, caches, args.installer, steps, args.quarter,
                                       args.rev)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
        for label, figures in results.items():
            wall = sum(w for w, _ in figures.values())
            cpu = sum(c for _, c in figures.values())
            parts = ", ".join(f"{s} {w:.1f}" for s, (w, _) in figures.items())
            print(f"make report from nothing, {args.rev} {args.installer}, {label} cache: "
                  f"{wall:.1f} s wall "
                  f"({parts}), {cpu:.1f} s CPU")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
