"""Benchmark: quarters whose rows are set aside by the million.

The demo quarter's folder is copied to benchmarks/out/rejects/ three ways: as it is; with its
evaluations file twice (the second copy's 1.95M rows all repeat the first's ids); and with
every evaluation bad (half the levels not a level, every date-time in a format no export
uses: one or two reasons a row). ``hcp validate --mode quarantine --rejects`` runs over each
in a fresh process: wall and CPU seconds, peak memory, the rejects file's size, and the rows
set aside a second. Before rejected rows cost in proportion the two bad quarters took 59 s
and 70 s (see docs/scale.md, *Rejected rows*).

    python benchmarks/bench_rejects.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "rejects"
DEMO = ROOT / "data" / "raw" / "2022Q2"
QUARTER = "2022Q2"
EVALUATIONS = "评价明细"


def quarter(name: str, twice: bool = False, spoiled: bool = False) -> Path:
    """The demo quarter alone (no neighbouring quarters to validate beside it) under
    ``<root>/2022Q2``, its evaluations file ``twice`` or ``spoiled``; returns the root."""
    root = OUT / name
    folder = root / QUARTER
    folder.mkdir(parents=True)
    for path in DEMO.iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    if twice:
        source = next(DEMO.glob(f"{EVALUATIONS}*.parquet"))
        shutil.copy(source, folder / f"{source.stem}_2{source.suffix}")
    if spoiled:
        spoil(next(folder.glob(f"{EVALUATIONS}*.parquet")))
    return root


def spoil(path: Path) -> None:
    """Every evaluation bad: half the levels '很好', every date-time written '2022年4月1日 8时'."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    level = table.column("评价等级").to_numpy(zero_copy_only=False).astype(object)
    level[::2] = "很好"
    table = table.set_column(table.schema.get_field_index("评价等级"), "评价等级",
                             pa.array(level, pa.string()))
    written = np.full(table.num_rows, "2022年4月1日 8时", dtype=object)
    table = table.set_column(table.schema.get_field_index("评价时间"), "评价时间",
                             pa.array(written, pa.string()))
    pq.write_table(table, path)


def child(data: str, rejects: str) -> None:
    """One ``hcp validate`` in this process; prints its figures as JSON."""
    import resource

    sys.path.insert(0, str(ROOT))
    from bench_scale import _peak_mb  # VmHWM: getrusage's peak carries the parent's over exec

    from hcp_lib.cli import main

    code = main(["validate", QUARTER, "--data", data, "--mode", "quarantine",
                 "--rejects", rejects, "--json", str(Path(rejects) / "report.json")])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"code": code, "cpu_s": usage.ru_utime + usage.ru_stime,
                      "peak_mb": _peak_mb()}))


def run_once(data: Path) -> dict:
    rejects = OUT / "set-aside"
    shutil.rmtree(rejects, ignore_errors=True)
    rejects.mkdir(parents=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", str(data), str(rejects)],
                          capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"bench_rejects: the child failed: {done.stderr.strip()[-500:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    report = json.loads((rejects / "report.json").read_text(encoding="utf-8"))
    table = report["tables"]["evaluations"]
    written = sum(p.stat().st_size for p in rejects.rglob("*_rejects.csv"))
    return {"wall_s": wall, **figures, "rejected": table["rejected"], "read": table["read"],
            "rejects_mb": written / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("DATA", "REJECTS"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if not DEMO.is_dir():
        raise SystemExit("bench_rejects: no demo data; run `hcp demo` (or `make report`) first")
    try:
        shutil.rmtree(OUT, ignore_errors=True)
        cases = {"clean quarter": quarter("clean"), "exported twice": quarter("twice", twice=True),
                 "every row bad": quarter("bad", spoiled=True)}
        print(f"hcp validate --mode quarantine --rejects, {QUARTER}, median of {args.repeat}:")
        for name, data in cases.items():
            runs = [run_once(data) for _ in range(args.repeat)]
            wall = statistics.median(r["wall_s"] for r in runs)
            last = runs[-1]
            rate = f"{last['rejected'] / wall / 1e6:5.2f}M rows set aside/s" if last["rejected"] \
                else ""
            cpu = statistics.median(r["cpu_s"] for r in runs)
            print(f"  {name:15s} {wall:6.2f} s  CPU {cpu:6.2f} s"
                  f"  peak {max(r['peak_mb'] for r in runs):6.0f} MB  read {last['read']:>10,}"
                  f"  set aside {last['rejected']:>10,}  rejects file {last['rejects_mb']:6.0f} MB"
                  f"  {rate}")
    finally:
        shutil.rmtree(OUT, ignore_errors=True)


if __name__ == "__main__":
    main()
