"""Record arrays to Arrow columns in the contract's order: the evaluations and cases tables
of one period, shared by the bulletin quarters and the illustrative history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..contract import EVALUATIONS, LEVELS
from . import design
from .plan import QuarterPlan
from .records import DAY, EPOCH, Catalogue, Evaluations
from .writers import write_xlsx


def _strings(values: np.ndarray, dictionary, mask: np.ndarray | None = None) -> pa.Array:
    """dictionary[values] as a dictionary-encoded Arrow array (written as plain strings)."""
    # a dictionary with repeated entries (many units share a region code) is written
    # non-deterministically by Parquet; map to its distinct values first
    uniq, inverse = np.unique(np.asarray(list(dictionary), dtype=object).astype(str),
                              return_inverse=True)
    idx = pa.array(inverse.astype(np.int32)[np.asarray(values, dtype=np.int64)], mask=mask)
    return pa.DictionaryArray.from_arrays(idx, pa.array(uniq.tolist(), pa.string()))


def _fixed(parts: list[np.ndarray]) -> pa.Array:
    """Fixed-width text from byte matrices (n × width each), joined column-wise."""
    mat = np.ascontiguousarray(np.concatenate(parts, axis=1), dtype=np.uint8)
    n, width = mat.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(mat.tobytes()))


def _digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative integers as an (n × width) byte matrix."""
    x = np.array(numbers, dtype=np.int64)
    out = np.empty((len(x), width), dtype=np.uint8)
    for k in range(width - 1, -1, -1):
        q = x // 10
        out[:, k] = x - q * 10 + 48
        x = q
    return out


def _const(text: str, n: int) -> np.ndarray:
    b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    return np.broadcast_to(b, (n, len(b)))


def _padded(numbers: np.ndarray, width: int) -> pa.Array:
    return _fixed([_digits(numbers, width)])


def _times(seconds: np.ndarray, as_text: bool) -> pa.Array:
    ts = pa.array(seconds, pa.int64()).cast(pa.timestamp("s"))
    return ts.cast(pa.string()) if as_text else ts


def _ymd(seconds: np.ndarray) -> np.ndarray:
    days = (seconds // DAY).astype("datetime64[D]")
    y = days.astype("datetime64[Y]").astype(int) + 1970
    m = days.astype("datetime64[M]").astype(int) % 12 + 1
    d = (days - days.astype("datetime64[M]")).astype(int) + 1
    return (y % 100) * 10000 + m * 100 + d


def case_ids_of(cat: Catalogue, unit: np.ndarray, done: np.ndarray, seq: np.ndarray) -> pa.Array:
    """办件编号: region code + completion date YYMMDD + 7-digit running number."""
    region_int = np.array([int(r) for r in cat.region], dtype=np.int64)
    return _fixed([_digits(region_int[unit], 6), _digits(_ymd(done), 6), _digits(seq, 7)])


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
        "评价人": _fixed([_const("测试用户", n_rows), _digits(ev.rater, 6)]),
        "联系方式": _fixed([_const("138****", n_rows), _digits(ev.rater % 10000, 4)]),
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
