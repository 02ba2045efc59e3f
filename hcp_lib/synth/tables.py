"""Record arrays to Arrow columns in the contract's order: the evaluations and cases tables
of one period, shared by the bulletin quarters and the illustrative history."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import EVALUATIONS, LEVELS
from . import design
from .plan import QuarterPlan
from .records import DAY, EPOCH, HOUR, Catalogue, Evaluations
from .writers import write_xlsx


def _strings(values: np.ndarray, dictionary, mask: np.ndarray | None = None) -> pa.Array:
    """dictionary[values] as a dictionary-encoded Arrow array (written as plain strings)."""
    # a dictionary with repeated entries (many units share a region code) is written
    # non-deterministically by Parquet; map to its distinct values first
    uniq, inverse = np.unique(np.asarray(list(dictionary), dtype=object).astype(str),
                              return_inverse=True)
    idx = pa.array(inverse.astype(np.int32).take(values), mask=mask)
    return pa.DictionaryArray.from_arrays(idx, pa.array(uniq.tolist(), pa.string()))


def _fixed(parts: list[np.ndarray]) -> pa.Array:
    """Fixed-width text from byte matrices (n × width each), joined column-wise."""
    mat = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
    mat = np.ascontiguousarray(mat, dtype=np.uint8)
    n, width = mat.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    # Arrow reads the matrix's memory in place: no copy of the text
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(mat.reshape(-1)))


# '0000' … '9999' as 4-byte words: decimal digits four at a time, by table look-up
_QUADS = np.frombuffer("".join(f"{i:04d}" for i in range(10_000)).encode("ascii"), dtype=np.uint32)


def _digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits (the low ``width``) of non-negative integers as an
    (n × width) byte matrix."""
    x = np.asarray(numbers, dtype=np.int64)
    n = len(x)
    out = np.empty((n, width), dtype=np.uint8)
    k = width
    while k > 0:
        q = x // 10_000
        quad = _QUADS.take(x - q * 10_000).view(np.uint8).reshape(n, 4)
        step = min(4, k)
        out[:, k - step:k] = quad[:, 4 - step:]
        x, k = q, k - step
    return out


def _rows(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``table[index]`` for a (k × width) byte matrix: one copy per row, not per byte."""
    width = table.shape[1]
    flat = np.ascontiguousarray(table, dtype=np.uint8).view(f"V{width}").reshape(-1)
    return flat.take(index).view(np.uint8).reshape(len(index), width)


def _const(text: str, n: int) -> np.ndarray:
    b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    return np.broadcast_to(b, (n, len(b)))


def _padded(numbers: np.ndarray, width: int) -> pa.Array:
    return _fixed([_digits(numbers, width)])


def _by_day(seconds: np.ndarray, fmt: str) -> np.ndarray:
    """Each moment's day as ``strftime(fmt)``: the few distinct days formatted once, then
    looked up (an n × width byte matrix)."""
    days = np.asarray(seconds, dtype=np.int64) // DAY
    first = int(days.min()) if len(days) else 0
    span = int(days.max()) - first + 1 if len(days) else 0
    table = [(EPOCH + timedelta(days=first + i)).strftime(fmt) for i in range(span)]
    width = len(table[0]) if table else len(EPOCH.strftime(fmt))
    mat = np.frombuffer("".join(table).encode("ascii"), dtype=np.uint8).reshape(span, width)
    return _rows(mat, days - first)


@cache
def _clock() -> np.ndarray:
    """'HH:MM:SS' of every second of a day (86,400 × 8 bytes), made once."""
    s = np.arange(DAY)
    colon = _const(":", DAY)
    return np.concatenate([_digits(s // HOUR, 2), colon, _digits(s // 60 % 60, 2), colon,
                           _digits(s % 60, 2)], axis=1)


def _times(seconds: np.ndarray, as_text: bool) -> pa.Array:
    """Moments as timestamps, or as the text Arrow prints for them ('YYYY-MM-DD HH:MM:SS')."""
    if not as_text:
        return pa.array(seconds, pa.int64()).cast(pa.timestamp("s"))
    seconds = np.asarray(seconds, dtype=np.int64)
    return _fixed([_by_day(seconds, "%Y-%m-%d "), _rows(_clock(), seconds % DAY)])


def case_ids_of(cat: Catalogue, unit: np.ndarray, done: np.ndarray, seq: np.ndarray) -> pa.Array:
    """办件编号: region code + completion date YYMMDD + 7-digit running number."""
    region_int = np.array([int(r) for r in cat.region], dtype=np.int64)
    return _fixed([_rows(_digits(region_int, 6), unit), _by_day(done, "%y%m%d"),
                   _digits(seq, 7)])


def evaluation_columns(plan: QuarterPlan, ev: Evaluations, cat: Catalogue, case_ids: pa.Array,
                       comments: np.ndarray) -> dict[str, pa.Array]:
    """评价明细 of one period; ``case_ids`` holds each evaluation's 办件编号."""
    text_times = plan.strings_for_times
    # levels as labels; as descending codes (5 = 非常满意) for the units the plan names
    level_dict = [*LEVELS, *(str(5 - k) for k in range(len(LEVELS)))]
    level_idx = ev.level.astype(np.int32)
    if plan.level_codes_for:
        coded_units = np.isin(np.array(cat.top, dtype=object), list(plan.level_codes_for))
        level_idx = level_idx + 5 * coded_units[ev.unit]
    channel = ([str(k + 1) for k in range(len(design.CHANNELS))]
               if plan.channel_codes else list(design.CHANNELS))
    comment = _strings(np.maximum(ev.comment, 0), comments, mask=ev.comment < 0)
    n_rows = len(ev.unit)
    rater = _digits(ev.rater, 6)
    cols = {
        "评价编号": _padded(ev.eval_no, 12),
        "办件编号": case_ids,
        "事项编码": _strings(ev.item, cat.item_code),
        "事项名称": _strings(ev.item, cat.item_name),
        "实施单位": _strings(ev.unit, cat.full),
        "行政区划代码": _strings(ev.unit, cat.region),
        "评价渠道": _strings(ev.channel, channel),
        "评价等级": _strings(level_idx, level_dict),
        "评价方式": _strings(ev.mode, np.array(["主动评价", "默认评价"], dtype=object)),
        "评价时间": _times(ev.evaluated, text_times),
        "汇聚时间": _times(ev.pushed, text_times),
        "评价内容": comment,
        "评价人": _fixed([_const("测试用户", n_rows), rater]),
        "联系方式": _fixed([_const("138****", n_rows), rater[:, 2:]]),  # its last four digits
    }
    assert list(cols) == [c.header for c in EVALUATIONS.columns]
    return cols


def case_columns(cat: Catalogue, case_ids: pa.Array, item: np.ndarray, unit: np.ndarray,
                 handling: np.ndarray, place_idx: np.ndarray, no_place: np.ndarray,
                 done: np.ndarray, text_times: bool) -> dict[str, pa.Array]:
    """办件明细 of one period; ``place_idx`` indexes none / city hall / online / 3 + unit."""
    # 办理地点: none, the city hall, the online platform, or the unit's own window place
    place_dict = [design.CITY_HALL, design.CITY_HALL, design.ONLINE_PLACE, *cat.place]
    return {
        "办件编号": case_ids,
        "事项编码": _strings(item, cat.item_code),
        "事项名称": _strings(item, cat.item_name),
        "实施单位": _strings(unit, cat.full),
        "行政区划代码": _strings(unit, cat.region),
        "办理渠道": _strings(handling, np.array(["网上", "窗口"], dtype=object)),
        "办理地点": _strings(place_idx, place_dict, mask=no_place),
        "办结时间": _times(done, text_times),
    }


def write_bad_ledger(plan: QuarterPlan, ev: Evaluations, folder: Path, rng) -> Path:
    """差评核实台账: every raw bad review of the period with its verdict, in time order."""
    rows = np.flatnonzero(ev.bad >= 0)
    rows = rows[np.argsort(ev.evaluated[rows], kind="stable")]
    bad = plan.bad.iloc[ev.bad[rows]].reset_index(drop=True)
    verified = ev.evaluated[rows] + rng.integers(DAY // 2, 5 * DAY, len(rows))
    true = (bad["verdict"] == "属实").to_numpy()
    rectified = verified + rng.integers(2 * DAY, 9 * DAY, len(rows))
    ts = lambda s: (EPOCH + timedelta(seconds=int(s))).strftime("%Y-%m-%d %H:%M:%S")  # noqa: E731
    frame = pd.DataFrame({
        "评价编号": [f"{int(x):012d}" for x in ev.eval_no[rows]],
        "核实结果": bad["verdict"].tolist(),
        "更正后等级": [c if isinstance(c, str) else "" for c in bad["corrected_level"]],
        "核实时间": [ts(v) for v in verified],
        "整改情况": ["已回访并整改：优化告知材料" if t else "" for t in true],
        "整改完成时间": [ts(r) if t else "" for r, t in zip(rectified, true, strict=True)],
    })
    return write_xlsx(frame, folder / "差评核实台账.xlsx", "差评核实台账", text_columns=("评价编号",))
