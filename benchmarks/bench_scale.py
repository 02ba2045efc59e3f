"""Benchmark: load + validate + reduce a quarter, whole process, beside DuckDB on the same files.

Each engine runs in a fresh subprocess over the demo quarter's own Parquet files (``hcp demo``
writes them to data/raw), or over a copy scaled up ``--scale`` times with fresh ids (written to
benchmarks/out/, removed afterwards). Figures are whole-process: wall seconds measured by the
parent (interpreter start and exit included; every child exits as an ``hcp`` command does) and
the child's peak resident memory (VmHWM). The engines take turns, one run each per round, and
each round's ratio to DuckDB is kept: the median of those (``paired rounds``) moves least when
the machine is busy for a while.

    python benchmarks/bench_scale.py                  # the default quarter, every engine
    python benchmarks/bench_scale.py --scale 10       # ten times the rows (≈20M + 20M)
    python benchmarks/bench_scale.py --engines stream,duckdb --repeat 1
    python benchmarks/bench_scale.py --row-group-rows 122880   # as DuckDB writes Parquet
    python benchmarks/bench_scale.py --province 2000000,5000000,10000000,20000000 --repeat 1
    python benchmarks/bench_scale.py --province 100000000 --engines stream --repeat 1

``--row-group-rows`` rewrites the quarter's Parquet files in row groups of that many rows
(another exporter's layout: DuckDB writes 122,880, Arrow up to 1,048,576), into
benchmarks/out/ and removed afterwards. ``--province`` sizes run on province-shaped data instead (benchmarks/province.py: that many
evaluations and 3% more cases, in one quarter), one size at a time, each folder removed before
the next is written; the table adds seconds per million evaluations (linearity).

Engines: ``memory`` (``load_quarter`` + ``reduce_quarter``, the whole tables in memory),
``stream`` (``hcp_lib.stream.stream_quarter``: bounded batches) and ``duckdb`` (the same
join and group-by in SQL straight over the Parquet files, no validation: the floor).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "scale"
DEMO = ROOT / "data" / "raw" / "2022Q2"
QUARTER = "2022Q2"
BIG = ("评价明细", "办件明细")
HALL = "厦门市行政服务中心"


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_memory(folder: Path) -> dict:
    from hcp_lib.load import load_quarter
    from hcp_lib.reduce import reduce_quarter

    inputs = load_quarter(folder, QUARTER, mode="quarantine",
                          tables=["evaluations", "cases", "bad_reviews"])
    agg = reduce_quarter(inputs.tables, _config(), quarter=QUARTER)
    return {"groups": len(agg.evaluations) + len(agg.cases), "rows": agg.meta["evaluations"]}


def run_stream(folder: Path) -> dict:
    from hcp_lib import early

    early.start(folder)  # as the commands do: decoding begins while pandas is imported
    from hcp_lib.stream import stream_quarter

    result = stream_quarter(folder, QUARTER, _config(), mode="quarantine")
    agg = result.aggregates
    return {"groups": len(agg.evaluations) + len(agg.cases), "rows": agg.meta["evaluations"]}


def run_duckdb(folder: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    ev = f"read_parquet('{folder}/评价明细*.parquet')"
    cases = f"read_parquet('{folder}/办件明细*.parquet')"
    hall = f"(c.\"办理渠道\" = '窗口' AND c.\"办理地点\" = '{HALL}')"
    n1 = con.execute(f"""
        SELECT count(*) FROM (
          SELECT e."实施单位", e."行政区划代码", e."事项编码", e."评价渠道", e."评价等级",
                 e."评价方式", month(CAST(e."评价时间" AS TIMESTAMP)) AS m,
                 coalesce({hall}, false) AS hall,
                 CAST(e."汇聚时间" AS TIMESTAMP) - CAST(e."评价时间" AS TIMESTAMP)
                   > INTERVAL 24 HOUR AS late, count(*) AS n
          FROM {ev} e LEFT JOIN {cases} c ON e."办件编号" = c."办件编号"
          GROUP BY ALL)""").fetchone()[0]
    n2 = con.execute(f"""
        SELECT count(*) FROM (
          SELECT c."实施单位", c."行政区划代码", c."事项编码", c."办理渠道", {hall} AS hall,
                 month(CAST(c."办结时间" AS TIMESTAMP)) AS m, count(*) AS n,
                 count(*) FILTER (WHERE s.k IS NULL) AS without_evaluation
          FROM {cases} c LEFT JOIN (SELECT DISTINCT "办件编号" AS k FROM {ev}) s
            ON c."办件编号" = s.k
          GROUP BY ALL)""").fetchone()[0]
    rows = con.execute(f"SELECT count(*) FROM {ev}").fetchone()[0]
    return {"groups": n1 + n2, "rows": rows}


ENGINES = {"memory": run_memory, "stream": run_stream, "duckdb": run_duckdb}


def _config():
    from hcp_lib.config import load_config

    return load_config()


def child(engine: str, folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    # Every engine's process ends as an ``hcp`` command's does (``hcp_lib.cli.exit_quickly``:
    # the collector frozen at exit, not run again over every module's objects). Done here by
    # hand, so that DuckDB's process imports nothing of hcp.
    atexit.register(gc.freeze)
    result = ENGINES[engine](folder)
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({**result, "peak_mb": _peak_mb(), "cpu_s": usage.ru_utime + usage.ru_stime}))


def scaled(times: int) -> Path:
    """The demo quarter with its two big tables copied ``times`` times under fresh ids."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    folder = OUT / f"x{times}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for path in DEMO.iterdir():
        if path.is_file() and not path.name.startswith(BIG):
            shutil.copy(path, folder / path.name)
    for path in sorted(DEMO.glob("*.parquet")):
        if not path.name.startswith(BIG):
            continue
        source = pq.ParquetFile(path)
        for copy in range(times):
            with pq.ParquetWriter(folder / f"{path.stem}_{copy + 1}.parquet",
                                  source.schema_arrow) as writer:
                for batch in source.iter_batches(batch_size=500_000):
                    table = pa.Table.from_batches([batch])
                    for name in ("评价编号", "办件编号"):
                        if name in table.column_names and copy:
                            i = table.schema.get_field_index(name)
                            fresh = pc.binary_join_element_wise(
                                f"R{copy}-", table.column(i).cast(pa.string()), "")
                            table = table.set_column(i, name, fresh)
                    writer.write_table(table)
    return folder


def regrouped(source: Path, rows: int) -> Path:
    """``source``'s files, the Parquet ones written again in row groups of ``rows`` rows."""
    import pyarrow.parquet as pq

    folder = OUT / f"rg{rows}" / source.name
    shutil.rmtree(folder.parent, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in source.iterdir():
        if path.suffix != ".parquet":
            shutil.copy(path, folder / path.name)
            continue
        reader = pq.ParquetFile(path)
        with pq.ParquetWriter(folder / path.name, reader.schema_arrow) as writer:
            for batch in reader.iter_batches(batch_size=1 << 20):
                writer.write_batch(batch, row_group_size=rows)
    return folder


def run_once(engine: str, folder: Path) -> dict:
    """One run of ``engine`` in a fresh process: wall seconds (measured here), the child's CPU
    seconds (user + system, its own: what a busy machine changes least) and peak memory."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", engine, str(folder)],
                          capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    return {"wall_s": wall, **json.loads(done.stdout.strip().splitlines()[-1])}


def measure(engines: list[str], folder: Path, repeat: int) -> dict[str, dict]:
    """``repeat`` rounds, each running every engine once in turn: the median wall and CPU
    seconds, the largest peak, and the median of each round's ratio to DuckDB's wall (the
    engines of one round meet the same machine, so a busy spell moves both sides)."""
    runs: dict[str, list[dict]] = {e: [] for e in engines}
    failed: dict[str, dict] = {}
    for _ in range(repeat):
        for engine in engines:
            if engine in failed:
                continue
            done = run_once(engine, folder)
            if "error" in done:
                failed[engine] = {"engine": engine, **done}
            else:
                runs[engine].append(done)
    out: dict[str, dict] = {}
    floor = runs.get("duckdb") if "duckdb" not in failed else None
    for engine in engines:
        if engine in failed:
            out[engine] = failed[engine]
            continue
        rows = runs[engine]
        result = {k: v for k, v in rows[-1].items() if k not in ("wall_s", "cpu_s", "peak_mb")}
        out[engine] = {"engine": engine, **result,
                       "wall_s": statistics.median(r["wall_s"] for r in rows),
                       "cpu_s": statistics.median(r["cpu_s"] for r in rows),
                       "peak_mb": max(r["peak_mb"] for r in rows)}
        if floor:
            out[engine]["paired"] = statistics.median(
                r["wall_s"] / d["wall_s"] for r, d in zip(rows, floor, strict=True))
    return out


def province_folder(rows: int) -> Path:
    """Province-shaped evaluations and cases (benchmarks/province.py) under benchmarks/out/."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from province import generate

    folder = OUT / f"province-{rows}" / QUARTER
    shutil.rmtree(folder.parent, ignore_errors=True)
    done = generate(folder, rows, quarter=QUARTER)
    size = sum(p.stat().st_size for p in folder.glob("*.parquet")) / 1e9
    print(f"wrote {done.evaluations:,} evaluations + {done.cases:,} cases ({size:.2f} GB) "
          f"in {done.seconds:.0f} s", flush=True)
    return folder


def report(title: str, rows: dict[str, dict], per_million: bool = False) -> None:
    floor = rows.get("duckdb", {}).get("wall_s")
    print(title)
    for row in rows.values():
        if "error" in row:
            print(f"  {row['engine']:8} failed: {row['error']}")
            continue
        ratio = (f"  {row['wall_s'] / floor:4.2f}x duckdb (paired rounds {row['paired']:4.2f}x)"
                 if floor and "paired" in row else "")
        rate = (f"  {row['wall_s'] / row['rows'] * 1e6:6.2f} s/M wall, "
                f"{row['cpu_s'] / row['rows'] * 1e6:6.2f} s/M CPU"
                if per_million and row["rows"] else "")
        print(f"  {row['engine']:8} {row['wall_s']:7.2f} s  CPU {row['cpu_s']:7.2f} s  "
              f"peak {row['peak_mb']:7.0f} MB  "
              f"{row['rows']:>11,} evaluations  {row['groups']:>7,} groups{rate}{ratio}",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--engines", default="memory,stream,duckdb")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--province", default=None, metavar="ROWS[,ROWS...]",
                        help="province-shaped data of these sizes instead of the demo quarter")
    parser.add_argument("--row-group-rows", type=int, default=None, metavar="ROWS",
                        help="the Parquet files rewritten in row groups of this many rows")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    if args.province:
        engines = args.engines if args.engines != parser.get_default("engines") \
            else "stream,duckdb"
        for size in (int(float(x)) for x in args.province.split(",")):
            folder = province_folder(size)
            try:
                rows = measure(engines.split(","), folder, args.repeat)
                report(f"province-shaped, {size:,} evaluations, median of {args.repeat}:", rows,
                       per_million=True)
            finally:
                shutil.rmtree(folder.parent, ignore_errors=True)
        return
    if not DEMO.is_dir():
        sys.exit(f"{DEMO} not found: run `hcp demo` (or `make report`) first")
    folder = DEMO if args.scale == 1 else scaled(args.scale)
    made = [] if folder == DEMO else [folder]
    shown = f"{folder.name} (x{args.scale})"
    try:
        if args.row_group_rows:
            folder = regrouped(folder, args.row_group_rows)
            made.append(folder.parent)
            shown += f", row groups of {args.row_group_rows:,} rows"
        rows = measure(args.engines.split(","), folder, args.repeat)
        report(f"load + validate + reduce, {shown}, median of {args.repeat}:", rows)
    finally:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
