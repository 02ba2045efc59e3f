"""Benchmark: load and validate a province-sized quarter of evaluations in each format.

Generates into benchmarks/out/ (git-ignored) 2,000,000 evaluation rows as a GB18030 CSV and
as Parquet, and a smaller XLSX case (XLSX_ROWS rows over two files, the first with two
sheets: writing and reading XLSX runs row by row in Python, so it is sized down). Each case
is then loaded with ``load_quarter`` in a fresh subprocess, which prints wall seconds and
its peak resident memory, interpreter included: ``VmHWM`` from /proc/self/status on Linux
(``getrusage`` max RSS survives exec and can report the parent's pages), else
``resource.getrusage`` max RSS.

    python benchmarks/bench_load.py [--rows N] [--xlsx-rows N] [--cases csv,parquet,xlsx]
"""

from __future__ import annotations

import argparse
import codecs
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
ROWS = 2_000_000
XLSX_ROWS = 200_000
QUARTER = "2022Q2"
HEADERS = ["评价编号", "办件编号", "事项编码", "事项名称", "实施单位", "行政区划代码", "评价渠道",
           "评价等级", "评价方式", "评价时间", "汇聚时间", "评价内容", "评价人", "联系方式"]


def evaluations(n: int, seed: int = 7) -> pa.Table:
    """n synthetic evaluations: real unit names, level codes, channel codes, padded regions."""
    sys.path.insert(0, str(ROOT))
    from hcp_lib.config import load_config

    rng = np.random.default_rng(seed)
    units = [u.full_name for u in load_config().registry.units.values()]
    ids = pa.array(np.arange(1, n + 1)).cast(pa.string())
    start = np.datetime64("2022-04-01T00:00:00")
    offsets = rng.integers(0, 91 * 86400, n).astype("timedelta64[s]")
    evaluated = pa.array(start + offsets)
    pushed = pa.array(start + offsets + rng.integers(60, 86400, n).astype("timedelta64[s]"))
    items = np.array([f"11350200MB{i:04d}" for i in range(800)])
    names = np.array([f"事项{i}号办理" for i in range(800)])
    item = rng.integers(0, 800, n)
    comments = np.array(["", "", "", "服务很好", "办事效率高，点赞", "等待时间太长", "工作人员态度好"])
    columns = [
        pc.utf8_lpad(ids, 12, "0"),
        pc.utf8_lpad(pa.array(rng.integers(1, 10**9, n)).cast(pa.string()), 10, "0"),
        pa.array(items[item]),
        pa.array(names[item]),
        pa.array(np.array(units)[rng.integers(0, len(units), n)]),
        pa.array(np.array(["350200", "350203", "350206000000", "350211"])[rng.integers(0, 4, n)]),
        pa.array(rng.integers(1, 8, n).astype(str)),
        pa.array(rng.choice(np.array(["5", "4", "3", "2", "1"]), n, p=[.95, .03, .01, .005, .005])),
        pa.array(np.array(["主动评价", "默认评价"])[rng.integers(0, 2, n)]),
        pc.strftime(evaluated, format="%Y-%m-%d %H:%M:%S"),
        pc.strftime(pushed, format="%Y-%m-%d %H:%M:%S"),
        pa.array(comments[rng.integers(0, len(comments), n)]),
        pa.array(np.array(["张三", "李四", "王五"])[rng.integers(0, 3, n)]),
        pa.array(np.array(["13800000000", "13900000000"])[rng.integers(0, 2, n)]),
    ]
    return pa.table(columns, names=HEADERS)


def write_gb18030_csv(table: pa.Table, path: Path) -> None:
    """pyarrow writes UTF-8 only; transcode in blocks (no BOM, as GBK exports come)."""
    utf8 = path.with_suffix(".utf8.tmp")
    pacsv.write_csv(table, utf8, pacsv.WriteOptions(quoting_style="needed"))
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(utf8, "rb") as src, open(path, "wb") as dst:
        for block in iter(lambda: src.read(1 << 24), b""):
            dst.write(decoder.decode(block).encode("gb18030"))
        dst.write(decoder.decode(b"", final=True).encode("gb18030"))
    utf8.unlink()


def write_xlsx(table: pa.Table, folder: Path) -> None:
    """Two files, the first with two sheets, as split exports come (constant_memory mode)."""
    import xlsxwriter

    n = table.num_rows
    plan = [("评价明细_1.xlsx", [(0, n // 4), (n // 4, n // 2)]), ("评价明细_2.xlsx", [(n // 2, n)])]
    for name, sheets in plan:
        book = xlsxwriter.Workbook(folder / name, {"constant_memory": True})
        for k, (lo, hi) in enumerate(sheets, start=1):
            sheet = book.add_worksheet(f"Sheet{k}")
            sheet.write_row(0, 0, HEADERS)
            part = table.slice(lo, hi - lo).to_pylist()
            for r, row in enumerate(part, start=1):
                sheet.write_row(r, 0, [row[h] for h in HEADERS])
        book.close()


def generate(rows: int, xlsx_rows: int, cases: list[str]) -> dict[str, Path]:
    folders = {c: OUT / f"{c}_{QUARTER}" for c in cases}
    stamp = OUT / f"generated_{rows}_{xlsx_rows}.json"
    if stamp.exists() and all(f.exists() for f in folders.values()):
        return folders
    t0 = time.perf_counter()
    table = evaluations(rows)
    for case, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        if case == "csv":
            write_gb18030_csv(table, folder / "评价明细.csv")
        elif case == "parquet":
            pq.write_table(table, folder / "evaluations.parquet")
        elif case == "xlsx":
            write_xlsx(table.slice(0, xlsx_rows), folder)
    stamp.write_text(json.dumps({"rows": rows, "xlsx_rows": xlsx_rows}))
    print(f"generated in {time.perf_counter() - t0:.1f} s")
    return folders


def peak_rss_mb() -> int:
    """Peak resident memory of this process since exec, in MiB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def run_case(folder: str) -> None:
    """In a fresh process: load, validate, report time and peak RSS as JSON."""
    sys.path.insert(0, str(ROOT))
    from hcp_lib.config import load_config
    from hcp_lib.load import load_quarter

    config = load_config()
    t0, c0 = time.perf_counter(), time.process_time()
    inputs = load_quarter(folder, QUARTER, config, mode="quarantine", tables=["evaluations"])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    table = inputs.report.tables["evaluations"]
    frame = inputs.tables["evaluations"]
    print(json.dumps({
        "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
        "max_rss_mb": peak_rss_mb(),
        "frame_mb": round(frame.memory_usage(deep=True).sum() / 2**20),
        "read": table.read, "accepted": table.accepted, "rejected": table.rejected,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--xlsx-rows", type=int, default=XLSX_ROWS)
    parser.add_argument("--cases", default="csv,parquet,xlsx")
    parser.add_argument("--run-case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_case:
        run_case(args.run_case)
        return
    cases = args.cases.split(",")
    folders = generate(args.rows, args.xlsx_rows, cases)
    for case, folder in folders.items():
        size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
        out = subprocess.run([sys.executable, __file__, "--run-case", str(folder)],
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{case:8} {result['read']:>10,} rows {size:8.0f} MB on disk  "
              f"{result['seconds']:7.2f} s wall {result['cpu_seconds']:7.2f} s CPU  peak RSS {result['max_rss_mb']:6,} MB  "
              f"frame {result['frame_mb']:5,} MB  accepted {result['accepted']:,}")


if __name__ == "__main__":
    main()
