"""Benchmark: one full workbook sheet (Excel's 1,048,576 rows) read by calamine or streamed by
openpyxl, whole process each: is streaming a sheet's rows worth it?

Writes the first ``--rows`` evaluations of the demo quarter to one .xlsx sheet (benchmarks/out/
workbook/, removed afterwards), then runs each case in a fresh subprocess: wall seconds from the
parent, peak resident memory (VmHWM) from the child.

    python benchmarks/bench_workbook.py                  # a full sheet
    python benchmarks/bench_workbook.py --rows 200000

Cases: ``calamine`` (``read_file``, what hcp does: calamine loads the sheet, rows become Arrow
text in blocks), ``openpyxl`` (openpyxl's read-only mode: rows parsed as they stream, nothing
converted or kept: a floor for a streaming reader built on it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "workbook"
DEMO = ROOT / "data" / "raw" / "2022Q2" / "评价明细.parquet"
SHEET_ROWS = 1_048_576


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def calamine(path: Path) -> int:
    from hcp_lib.contract import TABLES
    from hcp_lib.readers import read_file

    return sum(sheet.rows for sheet in read_file(path, TABLES["evaluations"]))


def openpyxl(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
    book.close()
    return rows


CASES = {"calamine": calamine, "openpyxl": openpyxl}


def write_sheet(rows: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import xlsxwriter

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "评价明细.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_urls": False})
    sheet = book.add_worksheet("评价明细")
    source = pq.ParquetFile(DEMO)
    sheet.write_row(0, 0, source.schema_arrow.names)
    at = 1
    for batch in source.iter_batches(batch_size=100_000):
        columns = [c.cast(pa.timestamp("s")).cast(pa.string())
                   if pa.types.is_timestamp(c.type) else c for c in batch.columns]
        for row in zip(*(c.to_pylist() for c in columns), strict=True):
            if at >= rows + 1:
                break
            sheet.write_row(at, 0, ["" if v is None else v for v in row])
            at += 1
    book.close()
    return path


def child(case: str, path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    rows = CASES[case](path)
    print(json.dumps({"rows": rows, "peak_mb": _peak_mb()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=SHEET_ROWS - 1)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--keep", action="store_true", help="keep the written workbook")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "PATH"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    if not DEMO.is_file():
        sys.exit(f"{DEMO} not found: run `hcp demo` (or `make report`) first")
    started = time.perf_counter()
    path = write_sheet(args.rows)
    print(f"{path.name}: {args.rows:,} rows, {path.stat().st_size / 2**20:,.0f} MB, written in "
          f"{time.perf_counter() - started:.0f} s")
    try:
        for case in args.cases.split(","):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, __file__, "--child", case, str(path)],
                                  capture_output=True, text=True, cwd=ROOT)
            wall = time.perf_counter() - started
            if done.returncode:
                print(f"  {case:9} failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  {case:9} {wall:7.1f} s  peak {result['peak_mb']:6.0f} MB  "
                  f"{result['rows']:>10,} rows")
    finally:
        if not args.keep:
            shutil.rmtree(OUT, ignore_errors=True)


if __name__ == "__main__":
    main()
