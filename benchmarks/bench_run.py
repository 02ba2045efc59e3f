"""Wall time and peak memory of a full ``hcp run`` against the floor of the tooling itself.

The floor is what any papermill-based report over these inputs pays: papermill executing a
one-cell notebook under the same kernel, one nbconvert HTML export, and one read of the
quarter's input Parquet files. Goals: cold (nothing cached) at most 1.5x the floor, warm (the
aggregates cached by an earlier run) at most 1.1x; a whole quarter under 30 s. Each round runs
the floor, then each variant; the goals are judged on the median of each round's ratio to its
own floor (``paired rounds``), which a busy spell on a shared machine moves least.

    python benchmarks/bench_run.py                  # real data if present, else the fixture
    python benchmarks/bench_run.py --data data/raw  # a quarter of raw exports
    python benchmarks/bench_run.py --bulletin FILE  # a saved bulletin (rendering only)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 30.0
GOAL_RATIO = {"hcp run cold": 1.5, "hcp run warm": 1.1}

FLOOR_SCRIPT = """
import sys, nbformat, papermill
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_notebook
src, out, html, kernel, data = sys.argv[1:6]
if data:
    import pathlib
    import pyarrow.parquet as pq
    for path in sorted(pathlib.Path(data).glob('*.parquet')):
        pq.read_table(path)
nb = new_notebook(cells=[new_code_cell('x = 1', metadata={'tags': ['parameters']})],
                  metadata={'kernelspec': {'name': kernel, 'display_name': kernel, 'language': 'python'}})
nbformat.write(nb, src)
papermill.execute_notebook(src, out, parameters={'x': 2}, kernel_name=kernel, progress_bar=False)
body, _ = HTMLExporter().from_filename(out)
open(html, 'w', encoding='utf-8').write(body)
"""


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB of the largest process in the tree, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(proc.stderr.read().decode(errors="replace"))
    return wall, usage.ru_maxrss / 1024, proc.returncode


def fixture_bulletin(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT))
    from present_fixtures import make_bulletin

    from hcp_lib.present.io import save_bulletin

    return save_bulletin(make_bulletin(), folder / "bulletin.json")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quarter", default="2022Q2")
    parser.add_argument("--data", default=None)
    parser.add_argument("--bulletin", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kernel", default="hcp")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args()

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    work = Path(tempfile.mkdtemp(prefix="hcp-bench-"))
    try:
        return _bench(args, env, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bench(args: argparse.Namespace, env: dict[str, str], work: Path) -> int:
    run_args = ["run", args.quarter, "--quiet", "--kernel", args.kernel]
    if args.bulletin:
        source = f"saved bulletin {args.bulletin}"
        run_args += ["--bulletin", args.bulletin]
    elif args.data or (ROOT / "data" / "raw").is_dir():
        data = args.data or str(ROOT / "data" / "raw")
        source = f"raw data {data}"
        run_args += ["--data", data]
    else:
        bulletin = fixture_bulletin(work)
        source = "fixture bulletin (tests/present_fixtures.py)"
        run_args += ["--bulletin", str(bulletin)]

    quarter_data = ""
    if "--data" in run_args:
        root = Path(run_args[run_args.index("--data") + 1])
        quarter_data = str(root / args.quarter if (root / args.quarter).is_dir() else root)
    floor_cmd = [sys.executable, "-c", FLOOR_SCRIPT, str(work / "one.ipynb"),
                 str(work / "one-out.ipynb"), str(work / "one.html"), args.kernel, quarter_data]
    # Cold: every input loaded, validated and reduced. Warm: the aggregates come from the
    # cache a previous run left (a re-run, or the notebook re-executed by an analyst).
    variants = {"hcp run": [*run_args, "--no-cache"]}
    if "--data" in run_args:
        variants = {"hcp run cold": [*run_args, "--no-cache"],
                    "hcp run warm": [*run_args, "--cache", str(work / "cache")]}
    results: dict[str, list[tuple[float, float]]] = {"floor": [], **{k: [] for k in variants}}
    if "hcp run warm" in variants:  # fill the cache first: every timed warm run finds it
        _, _, code = measure([sys.executable, "-m", "hcp_lib.cli", *variants["hcp run warm"],
                              "--out", str(work / "reports" / args.quarter)], env)
        if code:
            return code
    for i in range(args.repeat):
        wall, rss, code = measure(floor_cmd, env)
        if code:
            return code
        results["floor"].append((wall, rss))
        for name, variant in variants.items():
            out = work / "reports" / args.quarter
            wall, rss, code = measure(
                [sys.executable, "-m", "hcp_lib.cli", *variant, "--out", str(out)], env)
            if code:
                return code
            results[name].append((wall, rss))
        print(f"  round {i + 1}: " + ", ".join(
            f"{name} {rows[-1][0]:.2f} s" for name, rows in results.items()), file=sys.stderr)

    summary = {
        name: {"median_seconds": round(statistics.median(w for w, _ in rows), 2),
               "min_seconds": round(min(w for w, _ in rows), 2),
               "peak_rss_mib": round(max(r for _, r in rows), 1)}
        for name, rows in results.items()
    }
    floor = summary["floor"]
    print(f"source: {source}; {args.repeat} rounds; {os.cpu_count()} CPUs")
    print(f"{'':14} {'median s':>9} {'min s':>7} {'peak RSS MiB':>13}")
    for name, s in summary.items():
        print(f"{name:14} {s['median_seconds']:9.2f} {s['min_seconds']:7.2f} {s['peak_rss_mib']:13.1f}")
    for name in variants:
        full = summary[name]
        over = full["median_seconds"] - floor["median_seconds"]
        ratio = full["median_seconds"] / floor["median_seconds"]
        # Each round's run against the same round's floor: a busy spell moves both.
        paired = statistics.median(run[0] / base[0]
                                   for run, base in zip(results[name], results["floor"], strict=True))
        full["paired_ratio"] = round(paired, 3)
        goal = GOAL_RATIO.get(name)
        against = f"; goal <= {goal}x: {'met' if paired <= goal else 'NOT met'}" if goal else ""
        print(f"{name} costs {over:.2f} s over the floor ({ratio:.2f}x the median floor, "
              f"{paired:.2f}x in paired rounds{against}); goal < {GOAL_SECONDS:.0f} s: "
              f"{'met' if full['median_seconds'] < GOAL_SECONDS else 'NOT met'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"source": source, **summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
