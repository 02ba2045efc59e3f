"""Time the synthetic dataset: all three periods at full size; print seconds and peak RSS.

    python benchmarks/bench_generate.py [--scale 1.0] [--out DIR] [--check] [--history]

``--history`` adds 2021Q1 … 2021Q4 (what ``hcp demo --history`` writes).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hcp_lib.synth import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=None, help="keep the files here")
    parser.add_argument("--check", action="store_true", help="also time the bulletin check")
    parser.add_argument("--history", action="store_true", help="also write 2021Q1 … 2021Q4")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="hcp-bench-"))
    try:
        started = time.perf_counter()
        written = generate(out, scale=args.scale, history=args.history)
        seconds = time.perf_counter() - started
        rows = 0
        import pyarrow.parquet as pq

        for files in written.values():
            rows += sum(pq.ParquetFile(p).metadata.num_rows for p in files if p.suffix == ".parquet")
        size = sum(p.stat().st_size for files in written.values() for p in files)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"generate: {seconds:.1f} s, {rows:,} Parquet rows, {size / 1e6:.0f} MB written, "
              f"peak RSS {peak:.0f} MB")
        if args.check:
            from hcp_lib.synth.check import check_against_targets

            started = time.perf_counter()
            problems = check_against_targets(out)
            print(f"check: {time.perf_counter() - started:.1f} s, {len(problems)} discrepancies")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
