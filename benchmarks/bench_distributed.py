"""Benchmark: the Dask engine on a local cluster beside the single-machine streaming engine.

The demo quarter scaled up ``--scale`` times with fresh ids (``bench_scale.scaled``: one
Parquet file per copy, so ×10 is ≈20M evaluations + 20M cases in 10 + 10 files, written to
benchmarks/out/ and removed afterwards). Each engine runs in a fresh subprocess; figures are
whole-process wall seconds measured by the parent, CPU seconds (user + system, the driver's
and every worker's: comparable on a shared machine), the driver's peak resident memory (VmHWM;
the local cluster's scheduler runs in it), and each worker process's peak.

    python benchmarks/bench_distributed.py               # ×1 (make bench), stream beside it
    python benchmarks/bench_distributed.py --scale 10    # ≈20M + 20M, 2 workers
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import DEMO, QUARTER, ROOT, _peak_mb, scaled  # noqa: E402


def _worker_peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_s() -> float:
    """User + system CPU seconds of this process: comparable on a machine shared with others."""
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def run_stream(folder: Path, workers: int, memory: str) -> dict:
    from hcp_lib.stream import stream_quarter

    agg = stream_quarter(folder, QUARTER, mode="quarantine").aggregates
    return {"rows": agg.meta["evaluations"], "groups": len(agg.evaluations) + len(agg.cases),
            "cpu_s": _cpu_s()}


def run_dask(folder: Path, workers: int, memory: str) -> dict:
    from hcp_lib.distributed import connect, dask_quarter

    with connect(workers=workers, memory_limit=memory) as client:
        agg = dask_quarter(folder, QUARTER, client=client, mode="quarantine").aggregates
        peaks = client.run(_worker_peak_mb)
        cpu = sum(client.run(_cpu_s).values())
    return {"rows": agg.meta["evaluations"], "groups": len(agg.evaluations) + len(agg.cases),
            "worker_peak_mb": sorted(peaks.values()), "cpu_s": cpu + _cpu_s()}


ENGINES = {"stream": run_stream, "dask": run_dask}


def child(engine: str, folder: Path, workers: int, memory: str) -> None:
    sys.path.insert(0, str(ROOT))
    result = ENGINES[engine](folder, workers, memory)
    print(json.dumps({**result, "peak_mb": _peak_mb()}))


def measure(engine: str, folder: Path, repeat: int, workers: int, memory: str) -> dict:
    walls, peaks, result = [], [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--child", engine, str(folder),
                               "--workers", str(workers), "--memory", memory],
                              capture_output=True, text=True, cwd=ROOT)
        walls.append(time.perf_counter() - started)
        if done.returncode:
            return {"engine": engine, "error": done.stderr.strip().splitlines()[-3:]}
        result = json.loads(done.stdout.strip().splitlines()[-1])
        peaks.append(result.pop("peak_mb"))
    return {"engine": engine, "wall_s": statistics.median(walls), "peak_mb": max(peaks), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1,
                        help="copies of the demo quarter (10: the province quarter, ≈20M + 20M)")
    parser.add_argument("--engines", default="dask,stream")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory", default="4GiB", help="each worker's memory limit")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.workers, args.memory)
        return
    if not DEMO.is_dir():
        sys.exit(f"{DEMO} not found: run `hcp demo` (or `make report`) first")
    started = time.perf_counter()
    folder = DEMO if args.scale == 1 else scaled(args.scale)
    print(f"data: {folder.name} written in {time.perf_counter() - started:.0f} s")
    try:
        rows = [measure(e, folder, args.repeat, args.workers, args.memory)
                for e in args.engines.split(",")]
        print(f"load + validate + reduce, x{args.scale}, {args.workers} workers of "
              f"{args.memory}, median of {args.repeat}:")
        for row in rows:
            if "error" in row:
                print(f"  {row['engine']:7} failed: {row['error']}")
                continue
            workers = row.get("worker_peak_mb")
            each = ("  workers' peaks " + ", ".join(f"{w:.0f}" for w in workers) + " MB"
                    if workers else "")
            print(f"  {row['engine']:7} {row['wall_s']:7.1f} s  CPU {row['cpu_s']:6.0f} s  "
                  f"driver peak {row['peak_mb']:6.0f} MB{each}  {row['rows']:>11,} evaluations  "
                  f"{row['groups']:>7,} groups")
    finally:
        if folder != DEMO:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
