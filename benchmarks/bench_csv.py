"""Benchmark: a CSV evaluations export read whole versus streamed, whole process each.

Writes the demo quarter's 评价明细.parquet (≈2M rows) as a CSV export (benchmarks/out/csv/,
removed afterwards; the other files are copied as they are), then runs each case in a fresh
subprocess: wall seconds measured by the parent (interpreter start included) and the child's
peak resident memory (VmHWM).

    python benchmarks/bench_csv.py                          # UTF-8 with BOM, every case
    python benchmarks/bench_csv.py --encoding gb18030 --cases read-whole,read-stream

Cases: ``read-whole`` (``read_file``: the CSV as one table, what ``--engine memory`` reads),
``read-stream`` (the same file in batches of 500,000 rows, what the streaming engine reads),
``memory`` (``load_quarter`` + ``reduce_quarter``) and ``stream`` (``stream_quarter``).
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
OUT = ROOT / "benchmarks" / "out" / "csv"
DEMO = ROOT / "data" / "raw" / "2022Q2"
QUARTER = "2022Q2"
EVALS = "评价明细"


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _csv(folder: Path) -> Path:
    return next(folder.glob(f"{EVALS}*.csv"))


def read_whole(folder: Path) -> dict:
    from hcp_lib.contract import TABLES
    from hcp_lib.readers import read_file

    [sheet] = read_file(_csv(folder), TABLES["evaluations"])
    return {"rows": sheet.rows}


def read_stream(folder: Path) -> dict:
    from hcp_lib.contract import TABLES
    from hcp_lib.readers import open_csv, sha256_file

    path = _csv(folder)
    source = open_csv(path, TABLES["evaluations"], sha256_file(path), None)
    return {"rows": sum(sheet.rows for sheet in source.batches(500_000))}


def memory(folder: Path) -> dict:
    from hcp_lib.config import load_config
    from hcp_lib.load import load_quarter
    from hcp_lib.reduce import reduce_quarter

    inputs = load_quarter(folder, QUARTER, mode="quarantine",
                          tables=["evaluations", "cases", "bad_reviews"])
    agg = reduce_quarter(inputs.tables, load_config(), quarter=QUARTER)
    return {"rows": agg.meta["evaluations"]}


def stream(folder: Path) -> dict:
    from hcp_lib.stream import stream_quarter

    result = stream_quarter(folder, QUARTER, mode="quarantine")
    return {"rows": result.aggregates.meta["evaluations"]}


CASES = {"read-whole": read_whole, "read-stream": read_stream, "memory": memory,
         "stream": stream}


def write_quarter(encoding: str) -> Path:
    """The demo quarter with its evaluations as one CSV export in ``encoding``."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    folder = OUT / encoding
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in DEMO.iterdir():
        if path.is_file() and not path.name.startswith(EVALS):
            shutil.copy(path, folder / path.name)
    source = pq.ParquetFile(DEMO / f"{EVALS}.parquet")
    target = folder / f"{EVALS}.csv"
    with open(target, "wb") as out:
        if encoding == "utf-8-sig":
            out.write(b"\xef\xbb\xbf")
        header = True
        for batch in source.iter_batches(batch_size=200_000):
            columns = [c.cast(pa.timestamp("s")).cast(pa.string())
                       if pa.types.is_timestamp(c.type) else c for c in batch.columns]
            sink = pa.BufferOutputStream()
            pacsv.write_csv(pa.table(columns, names=batch.schema.names), sink,
                            pacsv.WriteOptions(include_header=header, quoting_style="needed"))
            text = sink.getvalue().to_pybytes()
            out.write(text if encoding.startswith("utf-8")
                      else text.decode("utf-8").encode(encoding))
            header = False
    return folder


def child(case: str, folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    result = CASES[case](folder)
    print(json.dumps({**result, "peak_mb": _peak_mb()}))


def measure(case: str, folder: Path, repeat: int) -> dict:
    walls, peaks, result = [], [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--child", case, str(folder)],
                              capture_output=True, text=True, cwd=ROOT,
                              env={"HCP_PROGRESS": "0", "PATH": "/usr/bin:/bin"})
        walls.append(time.perf_counter() - started)
        if done.returncode:
            return {"case": case, "error": done.stderr.strip().splitlines()[-1:]}
        result = json.loads(done.stdout.strip().splitlines()[-1])
        peaks.append(result.pop("peak_mb"))
    return {"case": case, "wall_s": statistics.median(walls), "peak_mb": max(peaks), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoding", default="utf-8-sig",
                        choices=["utf-8", "utf-8-sig", "gb18030", "utf-16"])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the written quarter")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    if not DEMO.is_dir():
        sys.exit(f"{DEMO} not found: run `hcp demo` (or `make report`) first")
    started = time.perf_counter()
    folder = write_quarter(args.encoding)
    size = _csv(folder).stat().st_size / 2**20
    print(f"{EVALS}.csv ({args.encoding}, {size:,.0f} MB) written in "
          f"{time.perf_counter() - started:.1f} s; median of {args.repeat}:")
    try:
        for case in args.cases.split(","):
            row = measure(case, folder, args.repeat)
            if "error" in row:
                print(f"  {case:12} failed: {row['error']}")
                continue
            print(f"  {case:12} {row['wall_s']:7.2f} s  peak {row['peak_mb']:7.0f} MB  "
                  f"{row['rows']:>11,} evaluations")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
