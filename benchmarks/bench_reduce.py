"""Benchmark: reduce a synthetic quarter of 2M and 20M evaluations (+ as many cases).

Each (size, engine) runs in a fresh subprocess, so its peak memory (VmHWM, reset after the
data is generated) is its own. Beside ``reduce_quarter`` the same join + group-by runs in
DuckDB and Polars for scale. The data is random, with the contract's columns: ids as Arrow
strings, low-cardinality columns as categoricals (what a loader should hand over), plus one
run with plain object strings (what ``read_csv`` gives by default).

    python benchmarks/bench_reduce.py            # 2M and 20M
    python benchmarks/bench_reduce.py --sizes 1e6
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HALL = "厦门市行政服务中心"


def generate(n: int, *, object_strings: bool = False, seed: int = 0):
    """A random quarter: n evaluations of n cases (some cases without, some evaluations orphan)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from hcp_lib.config import load_config
    from hcp_lib.contract import LEVELS

    cfg = load_config()
    rng = np.random.default_rng(seed)
    units = list(cfg.registry.units)
    regions = [cfg.city.city_region_code] + [d.code for d in cfg.city.districts]
    items = [f"3502{i:06d}" for i in range(3000)]
    start = np.datetime64("2022-04-01T00:00:00", "s").astype("datetime64[us]")
    span = np.int64(91 * 86400 * 10**6)

    def ids(prefix: str, numbers) -> pd.Series:
        text = pc.binary_join_element_wise(prefix, pa.array(numbers).cast(pa.string()), "")
        series = pd.Series(pd.arrays.ArrowStringArray(text.cast(pa.large_string())))
        return series.astype(object) if object_strings else series

    def cat(values, labels) -> pd.Series:
        series = pd.Series(pd.Categorical.from_codes(values, categories=labels))
        return series.astype(object) if object_strings else series

    # Items belong to units; a record carries its unit's region code, now and then another;
    # channels and items are skewed, as in real data.
    item_weight = rng.pareto(1.2, len(items)) + 1
    item_of_case = rng.choice(len(items), n, p=item_weight / item_weight.sum())
    unit_of_item = rng.integers(0, len(units), len(items))
    unit_region = np.array([regions.index(cfg.registry.units[u].region_code) for u in units])

    def region_of(unit_codes):
        other = rng.random(len(unit_codes)) < 0.1
        return np.where(other, rng.integers(0, len(regions), len(unit_codes)),
                        unit_region[unit_codes])

    channel_p = [.30, .35, .10, .15, .05, .03, .02]
    completed = start + rng.integers(0, span, n).astype("timedelta64[us]")
    cases = pd.DataFrame({
        "case_id": ids("C", np.arange(n)),
        "item_code": cat(item_of_case, items),
        "item_name": cat(item_of_case, [f"事项{i}" for i in items]),
        "unit": cat(unit_of_item[item_of_case], units),
        "region_code": cat(region_of(unit_of_item[item_of_case]), regions),
        "handling_channel": cat(rng.integers(0, 2, n), ["网上", "窗口"]),
        "place": cat(rng.integers(0, 3, n), [HALL, "思明区行政服务中心", "湖里区行政服务中心"]),
        "completed_at": completed,
    })
    pick = rng.permutation(n)
    orphan = rng.random(n) < 0.01
    case_numbers = np.where(orphan, n + np.arange(n), pick)
    evaluated = np.minimum(completed[pick] + rng.integers(0, 3 * 86400 * 10**6, n)
                           .astype("timedelta64[us]"), start + span - 1)
    push = rng.choice(np.array([3600, 7200, 86400, 90000], dtype=np.int64) * 10**6, n,
                      p=[.5, .4, .09, .01]).astype("timedelta64[us]")
    evaluations = pd.DataFrame({
        "eval_id": ids("E", np.arange(n)),
        "case_id": ids("C", case_numbers),
        "item_code": cat(item_of_case[pick], items),
        "item_name": cat(item_of_case[pick], [f"事项{i}" for i in items]),
        "unit": cat(unit_of_item[item_of_case[pick]], units),
        "region_code": cat(region_of(unit_of_item[item_of_case[pick]]), regions),
        "channel": cat(rng.choice(7, n, p=channel_p), list(cfg.input.channels)),
        "level": pd.Series(pd.Categorical.from_codes(
            rng.choice(5, n, p=[.9995, .0003, .0001, .00005, .00005]), categories=LEVELS,
            ordered=True)),
        "mode": cat(rng.choice(2, n, p=[.97, .03]), ["主动评价", "默认评价"]),
        "evaluated_at": evaluated,
        "pushed_at": evaluated + push,
    })
    if object_strings:
        evaluations["level"] = evaluations["level"].astype(object)
    bad = evaluations.loc[evaluations["level"].astype(object).isin(["不满意", "非常不满意"])]
    ledger = pd.DataFrame({
        "eval_id": bad["eval_id"].astype(object).to_numpy(),
        "verdict": "误差评",
        "corrected_level": pd.Categorical(["非常满意"] * len(bad), categories=LEVELS),
        "verified_at": bad["evaluated_at"].to_numpy(),
        "rectification": None,
        "rectified_at": pd.NaT,
    })
    return cfg, {"evaluations": evaluations, "cases": cases, "bad_reviews": ledger}


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def run_hcp(cfg, tables):
    from hcp_lib.reduce import reduce_quarter

    agg = reduce_quarter(tables, cfg, quarter="2022Q2")
    return {"groups": len(agg.evaluations) + len(agg.cases)}


def run_duckdb(cfg, tables):
    import duckdb

    ev, cases = tables["evaluations"], tables["cases"]  # noqa: F841 (read by DuckDB by name)
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    hall = f"(c.handling_channel = '窗口' AND c.place = '{HALL}')"
    n1 = con.execute(f"""
        SELECT count(*) FROM (
          SELECT e.unit, e.region_code, e.item_code, e.channel, e.level, e.mode,
                 month(e.evaluated_at) AS m, coalesce({hall}, false) AS hall,
                 (e.pushed_at - e.evaluated_at) > INTERVAL 24 HOUR AS late, count(*) AS n
          FROM ev e LEFT JOIN cases c ON e.case_id = c.case_id
          GROUP BY ALL)""").fetchone()[0]
    n2 = con.execute(f"""
        SELECT count(*) FROM (
          SELECT c.unit, c.region_code, c.item_code, c.handling_channel, {hall} AS hall,
                 month(c.completed_at) AS m, count(*) AS n,
                 count(*) FILTER (WHERE s.case_id IS NULL) AS without_evaluation
          FROM cases c LEFT JOIN (SELECT DISTINCT case_id FROM ev) s ON c.case_id = s.case_id
          GROUP BY ALL)""").fetchone()[0]
    return {"groups": n1 + n2}


def run_polars(cfg, tables):
    import polars as pl

    t0 = time.perf_counter()
    ev = pl.from_pandas(tables["evaluations"])
    cases = pl.from_pandas(tables["cases"])
    convert = time.perf_counter() - t0
    hall = (pl.col("handling_channel").cast(pl.Utf8) == "窗口") & (pl.col("place").cast(pl.Utf8) == HALL)
    c = cases.lazy().select("case_id", hall.alias("hall"))
    n1 = (ev.lazy().join(c, on="case_id", how="left")
          .with_columns(pl.col("evaluated_at").dt.month().alias("m"),
                        pl.col("hall").fill_null(False),
                        ((pl.col("pushed_at") - pl.col("evaluated_at"))
                         > pl.duration(hours=24)).alias("late"))
          .group_by(["unit", "region_code", "item_code", "channel", "level", "mode", "m",
                     "hall", "late"]).len().collect().height)
    seen = ev.lazy().select("case_id").unique().with_columns(pl.lit(True).alias("seen"))
    n2 = (cases.lazy().join(seen, on="case_id", how="left")
          .with_columns(hall.alias("hall"), pl.col("completed_at").dt.month().alias("m"),
                        pl.col("seen").is_null().alias("without"))
          .group_by(["unit", "region_code", "item_code", "handling_channel", "hall", "m"])
          .agg(pl.len(), pl.col("without").sum()).collect().height)
    return {"groups": n1 + n2, "convert_s": convert}


ENGINES = {"hcp": run_hcp, "duckdb": run_duckdb, "polars": run_polars}


def child(n: int, engine: str, object_strings: bool) -> None:
    t0 = time.perf_counter()
    cfg, tables = generate(n, object_strings=object_strings)
    gen = time.perf_counter() - t0
    base = _status("VmRSS:")
    _reset_peak()
    t0 = time.perf_counter()
    result = ENGINES[engine](cfg, tables)
    seconds = time.perf_counter() - t0
    peak = _status("VmHWM:")
    print(json.dumps({"n": n, "engine": engine, "object": object_strings, "generate_s": gen,
                      "seconds": seconds, "data_mb": base / 2**20, "peak_mb": peak / 2**20,
                      "extra_mb": (peak - base) / 2**20, "result": result}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=float, default=[2e6, 2e7])
    parser.add_argument("--engines", nargs="*", default=list(ENGINES))
    parser.add_argument("--child", nargs=3, metavar=("N", "ENGINE", "OBJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1], args.child[2] == "1")
        return
    runs = [(int(n), e, False) for n in args.sizes for e in args.engines]
    runs.append((int(min(args.sizes)), "hcp", True))
    print(f"{'rows':>11} {'engine':<14} {'seconds':>8} {'data MB':>8} {'peak MB':>8} "
          f"{'extra MB':>8} {'groups':>8}  note")
    for n, engine, obj in runs:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(n), engine, "1" if obj else "0"],
            capture_output=True, text=True, check=False)
        if proc.returncode:
            print(f"{n:>11,} {engine:<14} failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        label = engine + (" (object)" if obj else "")
        note = f"from_pandas {r['result']['convert_s']:.2f}s" if engine == "polars" else ""
        print(f"{n:>11,} {label:<14} {r['seconds']:>8.2f} {r['data_mb']:>8.0f} {r['peak_mb']:>8.0f} "
              f"{r['extra_mb']:>8.0f} {r['result']['groups']:>8,}  {note}", flush=True)
    print("seconds: the reduction (join + group-bys) only; data MB: RSS holding the generated "
          "tables; peak MB: the process's peak RSS during the run; extra MB: peak - data; "
          "groups: rows of the evaluation + case aggregates.")


if __name__ == "__main__":
    main()
