"""`hcp demo`: Write the embedded synthetic dataset (2022Q1, 2022Q2, 2022Q3 to the bulletin's date)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..exitcodes import ERROR

DEFAULT_OUT = Path("data/raw")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="Write the embedded synthetic dataset (2022Q1, 2022Q2, 2022Q3 to the bulletin's date).", description="Write the embedded synthetic dataset (2022Q1, 2022Q2, 2022Q3 to the bulletin's date).")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder to write the quarter folders into (default: data/raw)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: 20220726)")
    parser.add_argument("--if-missing", action="store_true",
                        help="do nothing when the folder already holds this dataset, complete; when writing, "
                             "skip the check against the bulletin (set-up; the tests run it)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="write a proportionally smaller dataset (tests; only 1.0 matches the bulletin)")
    parser.add_argument("--no-check", action="store_true",
                        help="skip recomputing the bulletin's figures from the files written")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..synth import DEFAULT_SEED, GENERATOR_VERSION, generate, marker_ok

    seed = DEFAULT_SEED if args.seed is None else args.seed
    out: Path = args.out
    if args.if_missing and marker_ok(out, seed, args.scale):
        print(f"hcp demo: {out} already holds the synthetic dataset (generator {GENERATOR_VERSION}, "
              f"seed {seed}); nothing to do")
        return 0
    started = time.perf_counter()
    written = generate(out, seed=seed, scale=args.scale)
    elapsed = time.perf_counter() - started
    import pyarrow.parquet as pq

    for files in written.values():
        for path in files:
            if path.suffix == ".parquet":
                rows = pq.ParquetFile(path).metadata.num_rows
            else:
                import pandas as pd
                rows = len(pd.read_excel(path, engine="calamine"))
            print(f"{path}  {rows:>10,} rows  {path.stat().st_size / 1e6:8.2f} MB")
    print(f"hcp demo: wrote {sum(len(f) for f in written.values())} files for "
          f"{', '.join(written)} in {elapsed:.1f} s (seed {seed})")
    if args.no_check or args.if_missing or args.scale != 1.0:
        return 0
    from ..synth.check import check_against_targets

    started = time.perf_counter()
    problems = check_against_targets(out)
    elapsed = time.perf_counter() - started
    if problems:
        print(f"hcp demo: {len(problems)} figure(s) differ from the 2022 Q2 bulletin:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return ERROR
    print(f"hcp demo: check against the 2022 Q2 bulletin: every figure holds ({elapsed:.1f} s)")
    return 0
