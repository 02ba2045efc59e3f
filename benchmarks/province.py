"""Province-shaped benchmark data: evaluations and their cases at a large province's volume.

The embedded generator (``hcp_lib.synth``) plans a quarter that reproduces Xiamen's published
bulletin to the last figure; this one only has to look like a province's export, at any size,
fast and in bounded memory. It writes ``评价明细.parquet`` and ``办件明细.parquet`` chunk by chunk
(one Parquet row group per chunk of ``--chunk`` evaluations; nothing holds more than a chunk),
with the units, regions and items of the embedded configuration's registry so that the rows
pass the loader's rules, and a handful of deliberately bad rows (``PLANTED``), as real exports
have.

The shape (docs/scale.md, "Province-shaped data"):

- about 14 million evaluations a month (``MONTHLY``): ``--months 12`` alone gives a
  province-year's 168M; ``--rows`` sets the count directly;
- levels: 非常满意 96.8% (``LEVEL_SHARES``); 默认评价 (no rating within the deadline) about a
  quarter of the rows, always 非常满意;
- channels as a large province splits them (政务服务网 41%, 实体大厅 37%, 各地APP 18%, 热线 2%,
  the rest small), mapped onto the configured channel vocabulary (``CHANNEL_SHARES``);
- one case per evaluation (same unit, item and region; 窗口 at a hall or QR-code channel,
  网上 otherwise) plus 3% cases nobody evaluated.

Dates run over ``--months`` months from the first day of ``--quarter``: the loader checks a
quarter at a time, so months past the quarter's third are rows out of its period (rejected,
as a year's file read as one quarter would be). Seeded and deterministic: chunk ``i`` draws
from ``numpy.random.default_rng([seed, i])``, so the files depend only on the arguments.

    python benchmarks/province.py --rows 2000000 --out benchmarks/out/province
    python benchmarks/province.py --months 3 --seed 7      # a province's quarter, ≈42M rows
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hcp_lib.config import Config, load_config  # noqa: E402
from hcp_lib.quarters import Quarter  # noqa: E402
from hcp_lib.synth.records import Catalogue  # noqa: E402

MONTHLY = 14_000_000
"""Evaluations a month in a large province (Guangdong published about 13.9M in one month)."""

LEVEL_SHARES = {"非常满意": 0.968, "满意": 0.022, "基本满意": 0.006, "不满意": 0.0025,
                "非常不满意": 0.0015}
DEFAULT_SHARE = 0.25
"""Share of 默认评价 rows (the system's default after the rating deadline): all 非常满意."""

PROVINCE_CHANNELS = {"政务服务网": 0.41, "实体大厅": 0.37, "各地APP": 0.18, "热线": 0.02, "其他": 0.02}
CHANNEL_SHARES = {
    "PC端": 0.41,               # 政务服务网 (the provincial web portal)
    "政务大厅平板电脑": 0.30,    # 实体大厅: the tablet at the window ...
    "政务大厅其他终端": 0.07,    # ... and the hall's other terminals
    "移动端": 0.18,             # 各地APP (the province's and cities' apps)
    "电话": 0.02,               # 热线 (12345 hotline)
    "二维码": 0.012,            # the rest: QR codes at the window ...
    "短信": 0.008,              # ... and text messages
}
"""The province's channels in the configured vocabulary (data/config/xiamen.yaml input.channels)."""
WINDOW_CHANNELS = ("政务大厅平板电脑", "政务大厅其他终端", "二维码")
"""Channels used at a window: their case was handled 窗口, the others 网上."""

EXTRA_CASES = 0.03
"""Cases with no evaluation, as a share of the evaluations."""
CHUNK_ROWS = 1_000_000
ONLINE_PLACE = "福建省网上办事大厅"

PLANTED = {"evaluations": 4, "cases": 1}
"""Deliberately bad rows per file (when it has at least 2 chunks' worth or 10 rows): an unknown
unit, a level that is no level, an empty 评价时间 and a repeated 评价编号 in the last chunk;
a case handled by 邮寄 (no such handling channel)."""

FILES = ("评价明细.parquet", "办件明细.parquet")
IDS = {"评价编号", "办件编号", "评价时间", "汇聚时间", "办结时间"}
"""Near-unique columns: no dictionary pages (as the embedded generator writes them)."""

COMMENTS = ("办事效率高", "服务态度好", "材料一次讲清", "流程便捷", "等候时间长", "系统卡顿")
MINUTE, HOUR, DAY = 60_000, 3_600_000, 86_400_000  # milliseconds


@dataclass
class Written:
    """What ``generate`` wrote: files, row counts and the bad rows it planted."""

    folder: Path
    evaluations: int
    cases: int
    planted: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class _Shape:
    """The registry as arrays: units weighted, their items, regions and hall places."""

    cat: Catalogue
    unit_cum: np.ndarray
    centre: np.ndarray  # per unit: handled at the city's service centre
    hall_place: np.ndarray  # per unit: the window's place
    levels_active: np.ndarray  # cumulative level shares of active evaluations

    @classmethod
    def build(cls, config: Config, seed: int) -> _Shape:
        reg = config.registry
        cat = Catalogue.build(reg)
        n = len(cat.units)
        # Some units carry most evaluations (social security, housing fund, market regulation):
        # Zipf-like weights over the registry's units in a seeded order.
        weight = np.empty(n)
        weight[np.random.default_rng([seed, 1 << 30]).permutation(n)] = 1 / (np.arange(n) + 2.0)
        centre = np.array([reg.units[u].in_service_centre for u in cat.units], dtype=bool)
        hall = config.active_rate.hall_places[0] if config.active_rate.hall_places else ""
        place = np.where(centre, hall, cat.place).astype(object)
        shares = np.array(list(LEVEL_SHARES.values()))
        active = shares / (1 - DEFAULT_SHARE)
        active[0] = (shares[0] - DEFAULT_SHARE) / (1 - DEFAULT_SHARE)
        return cls(cat, np.cumsum(weight) / weight.sum(), centre, place, np.cumsum(active))


def _fixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded numbers as an Arrow string array, built from one byte buffer."""
    head = prefix.encode()
    size = len(head) + width
    out = np.empty((len(numbers), size), dtype=np.uint8)
    out[:, :len(head)] = np.frombuffer(head, dtype=np.uint8)
    rest = numbers.astype(np.int64)
    for k in range(size - 1, len(head) - 1, -1):
        out[:, k] = 48 + rest % 10
        rest = rest // 10
    offsets = np.arange(len(numbers) + 1, dtype=np.int64) * size
    return pa.LargeStringArray.from_buffers(len(numbers), pa.py_buffer(offsets),
                                            pa.py_buffer(out.ravel())).cast(pa.string())


def _labels(codes: np.ndarray, labels: np.ndarray | list) -> pa.Array:
    """Text by dictionary (a negative code is empty): cheap to build, read back as plain text."""
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(labels), pa.string()))


def _times(ms: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~valid
    return pa.array(ms.astype("datetime64[ms]"), pa.timestamp("ms"), mask=mask)


def _chunk(shape: _Shape, seed: int, index: int, first: int, n: int, start_ms: int,
           span_ms: int, total: int) -> tuple[pa.Table, pa.Table]:
    """Evaluations ``first``..``first + n`` (times in their slice of the span) and their cases."""
    rng = np.random.default_rng([seed, index])
    cat = shape.cat
    units = len(cat.units)
    unit = np.minimum(np.searchsorted(shape.unit_cum, rng.random(n), side="right"), units - 1)
    item = np.searchsorted(cat.item_cum, unit + rng.random(n) * 0.999999, side="right")
    channels = list(CHANNEL_SHARES)
    channel = np.minimum(np.searchsorted(np.cumsum(list(CHANNEL_SHARES.values())),
                                         rng.random(n), side="right"), len(channels) - 1)
    window = np.isin(channel, [channels.index(c) for c in WINDOW_CHANNELS])
    default = rng.random(n) < DEFAULT_SHARE
    level = np.minimum(np.searchsorted(shape.levels_active, rng.random(n), side="right"), 4)
    level[default] = 0

    lo = start_ms + span_ms * first // total
    hi = max(start_ms + span_ms * (first + n) // total, lo + 1)
    evaluated = np.sort(rng.integers(lo, hi, n))
    pushed = evaluated + 5_000 + np.minimum(np.exp(rng.normal(np.log(8 * MINUTE), 1.2, n)),
                                            20 * HOUR).astype(np.int64)
    late = rng.random(n) < 0.01
    pushed[late] = evaluated[late] + rng.integers(25 * HOUR, 100 * HOUR, int(late.sum()))
    before = np.where(default, 7 * DAY + rng.integers(0, 3 * HOUR, n),
                      np.where(window, rng.integers(2 * MINUTE, 50 * MINUTE, n),
                               rng.integers(5 * MINUTE, 3 * DAY, n)))
    completed = np.maximum(evaluated - before, start_ms)
    comment = np.where(rng.random(n) < 0.01, rng.integers(0, len(COMMENTS), n), -1)
    rater = rng.integers(0, len(_RATERS), n)

    numbers = np.arange(first, first + n, dtype=np.int64)
    ev_unit, unit_labels = unit, [*cat.full, "某某省不存在管理局"]
    level_labels = [*LEVEL_SHARES, "还行"]
    evaluated_ok = None
    if index == 0 and n >= 10:  # an unknown unit, a level that is no level, an empty 评价时间
        ev_unit = unit.copy()
        ev_unit[1] = len(unit_labels) - 1
        level[2] = len(level_labels) - 1
        evaluated_ok = np.ones(n, dtype=bool)
        evaluated_ok[3] = False
    eval_numbers = numbers
    if first + n == total and total >= 10 and n >= 2:  # the first id again, in the last chunk
        eval_numbers = numbers.copy()
        eval_numbers[n // 2] = 0
    case_id = _fixed_ids("C", numbers, 15)
    evaluations = pa.table({
        "评价编号": _fixed_ids("E", eval_numbers, 15),
        "办件编号": case_id,
        "事项编码": _labels(item, cat.item_code),
        "事项名称": _labels(item, cat.item_name),
        "实施单位": _labels(ev_unit, unit_labels),
        "行政区划代码": _labels(unit, cat.region),
        "评价渠道": _labels(channel, channels),
        "评价等级": _labels(level, level_labels),
        "评价方式": _labels(default.astype(np.int8), ["主动评价", "默认评价"]),
        "评价时间": _times(evaluated, evaluated_ok),
        "汇聚时间": _times(pushed),
        "评价内容": _labels(comment, COMMENTS),
        "评价人": _labels(rater, _RATERS),
        "联系方式": _labels(rater % len(_PHONES), _PHONES),
    })

    # Cases: this chunk's evaluated ones, then the ones nobody evaluated.
    extra = int(round(n * EXTRA_CASES))
    x_unit = np.minimum(np.searchsorted(shape.unit_cum, rng.random(extra), side="right"),
                        units - 1)
    x_item = np.searchsorted(cat.item_cum, x_unit + rng.random(extra) * 0.999999, side="right")
    all_unit = np.concatenate([unit, x_unit])
    all_item = np.concatenate([item, x_item])
    all_window = np.concatenate([window, rng.random(extra) < 0.4])
    handling = all_window.astype(np.int8)
    if index == 0 and n >= 10:
        handling[4] = 2  # 邮寄: no such handling channel
    place = np.where(all_window, all_unit + 1, 0)
    cases = pa.table({
        "办件编号": pa.concat_arrays([case_id, _fixed_ids(
            "X", index * 10_000_000 + np.arange(extra, dtype=np.int64), 15)]),
        "事项编码": _labels(all_item, cat.item_code),
        "事项名称": _labels(all_item, cat.item_name),
        "实施单位": _labels(all_unit, cat.full),
        "行政区划代码": _labels(all_unit, cat.region),
        "办理渠道": _labels(handling, ["网上", "窗口", "邮寄"]),
        "办理地点": _labels(place, [ONLINE_PLACE, *shape.hall_place]),
        "办结时间": _times(np.concatenate([completed, rng.integers(lo, hi, extra)])),
    })
    return evaluations, cases


_RATERS = [f"用户{i:05d}" for i in range(100_000)]
_PHONES = [f"1{3 + i % 7}{i % 10}****{i:04d}" for i in range(10_000)]


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """Dictionary pages for the few-valued columns; no Arrow schema in the file, so they read
    back as the plain text an export holds."""
    few = [f.name for f in schema if f.name not in IDS and not pa.types.is_timestamp(f.type)]
    return pq.ParquetWriter(path, schema, compression="zstd", compression_level=1,
                            use_dictionary=few, write_statistics=True, store_schema=False)


def generate(folder: str | Path, rows: int | None = None, *, months: float = 3,
             quarter: str = "2022Q2", seed: int = 20220726, chunk_rows: int = CHUNK_ROWS,
             config: Config | None = None) -> Written:
    """Write ``评价明细.parquet`` and ``办件明细.parquet`` into ``folder``, a chunk at a time."""
    started = time.perf_counter()
    total = int(rows if rows is not None else round(MONTHLY * months))
    config = config or load_config()
    shape = _Shape.build(config, seed)
    q = Quarter.parse(quarter)
    start = datetime(q.start.year, q.start.month, q.start.day)
    start_ms = int((start - datetime(1970, 1, 1)).total_seconds() * 1000)
    month = start.month - 1 + int(np.ceil(months))
    end = datetime(start.year + month // 12, month % 12 + 1, 1)
    span_ms = int((end - start).total_seconds() * 1000 * (months / np.ceil(months)))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cases = 0
    writers: list[pq.ParquetWriter] = []
    try:
        for index, first in enumerate(range(0, total, chunk_rows)):
            n = min(chunk_rows, total - first)
            tables = _chunk(shape, seed, index, first, n, start_ms, span_ms, total)
            if not writers:
                writers = [_writer(folder / name, t.schema)
                           for name, t in zip(FILES, tables, strict=True)]
            for writer, t in zip(writers, tables, strict=True):
                writer.write_table(t, row_group_size=chunk_rows)
            cases += tables[1].num_rows
    finally:
        for writer in writers:
            writer.close()
    planted = dict(PLANTED) if total >= 10 and min(chunk_rows, total) >= 10 else {}
    return Written(folder, total, cases, planted, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None,
                        help=f"evaluations (default: {MONTHLY:,} a month times --months)")
    parser.add_argument("--months", type=float, default=3,
                        help="months the dates span from the quarter's first day (default 3)")
    parser.add_argument("--quarter", default="2022Q2")
    parser.add_argument("--seed", type=int, default=20220726)
    parser.add_argument("--chunk", type=int, default=CHUNK_ROWS, help="rows per row group")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "province" / "2022Q2"))
    args = parser.parse_args(argv)
    done = generate(args.out, args.rows, months=args.months, quarter=args.quarter,
                    seed=args.seed, chunk_rows=args.chunk)
    size = sum(p.stat().st_size for p in done.folder.glob("*.parquet")) / 1e6
    print(f"{done.folder}: {done.evaluations:,} evaluations, {done.cases:,} cases, "
          f"{size:,.0f} MB, {done.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
