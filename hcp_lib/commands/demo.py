"""`hcp demo`: Write the embedded synthetic dataset (2022Q1, 2022Q2, 2022Q3 to the bulletin's date)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..exitcodes import ERROR, OK, USAGE
from . import exit_codes

DEFAULT_OUT = Path("data/raw")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo", help="写出合成数据 / write the embedded synthetic dataset",
        description="写出项目自带的合成数据（2022年一季度、二季度和三季度至通报印发日的评价明细、"
                    "办件明细和各台账），并核对能否复现2022年第2期通报的每个数字。\n"
                    "Write the embedded synthetic dataset (2022Q1, 2022Q2, 2022Q3 to the "
                    "bulletin's date) and check it reproduces every figure of the 2022 Q2 bulletin.",
        epilog=exit_codes(OK, ERROR, USAGE))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="写入各季度文件夹的目录 / folder to write the quarter folders into "
                             "(default: data/raw)")
    parser.add_argument("--seed", type=int, default=None,
                        help="随机种子 / random seed (default: 20220726)")
    parser.add_argument("--if-missing", action="store_true",
                        help="该目录已有完整的同一套数据时不重写；写出时跳过与通报的核对（安装用，测试会核对） / "
                             "do nothing when the folder already holds this dataset, complete; when "
                             "writing, skip the check against the bulletin (set-up; the tests run it)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="按比例写出较小的数据集（测试用；只有 1.0 与通报一致） / write a "
                             "proportionally smaller dataset (tests; only 1.0 matches the bulletin)")
    parser.add_argument("--history", action="store_true",
                        help="另写出示意性的 2021Q1–2021Q4 四个季度（用于趋势分析） / also write the "
                             "illustrative quarters 2021Q1-2021Q4 (for trends)")
    parser.add_argument("--no-check", action="store_true",
                        help="不根据写出的文件重算通报数字 / skip recomputing the bulletin's "
                             "figures from the files written")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..synth import DEFAULT_SEED, GENERATOR_VERSION, generate, marker_ok

    seed = DEFAULT_SEED if args.seed is None else args.seed
    out: Path = args.out
    if args.if_missing and marker_ok(out, seed, args.scale, args.history):
        print(f"hcp demo: 合成数据已存在，无需重写 / {out} already holds the synthetic dataset "
              f"(generator {GENERATOR_VERSION}, "
              f"seed {seed}); nothing to do")
        return 0
    started = time.perf_counter()
    written = generate(out, seed=seed, scale=args.scale, history=args.history)
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
    print(f"hcp demo: 已写出合成数据 / wrote {sum(len(f) for f in written.values())} files for "
          f"{', '.join(written)} in {elapsed:.1f} s (seed {seed})")
    if args.no_check or args.if_missing or args.scale != 1.0:
        return 0
    from ..synth.check import check_against_targets

    started = time.perf_counter()
    problems = check_against_targets(out)
    elapsed = time.perf_counter() - started
    if problems:
        print(f"hcp demo: {len(problems)} 个数字与2022年第2期通报不一致 / figure(s) differ from the "
              "2022 Q2 bulletin:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return ERROR
    print(f"hcp demo: 与2022年第2期通报核对，每个数字一致 / check against the 2022 Q2 bulletin: "
          f"every figure holds ({elapsed:.1f} s)")
    return 0
