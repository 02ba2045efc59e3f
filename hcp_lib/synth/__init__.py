"""The embedded synthetic dataset: deterministic records calibrated to the 2022 Q2 bulletin.

``generate(out_dir)`` writes ``2022Q1/``, ``2022Q2/`` and ``2022Q3/`` (July 2022 up to the
bulletin's date) under ``out_dir``, each holding the tables of ``hcp_lib.contract`` under
their Chinese titles. The same seed always gives byte-identical files.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..config import load_config
from ..contract import EVALUATIONS, LEVELS
from . import design, ledgers
from .plan import QuarterPlan, plan_all, scale_plan
from .records import DAY, EPOCH, Catalogue, Evaluations, cases_without_evaluation, expand, secs
from .writers import write_parquet, write_xlsx

GENERATOR_VERSION = "1"
DEFAULT_SEED = 20220726
PERIODS = ("2022Q1", "2022Q2", "2022Q3")
MARKER = ".hcp-demo.json"
ISSUE_DATE = datetime(2022, 7, 26)
ID_BASE = {"2022Q1": 10_000_000, "2022Q2": 30_000_000, "2022Q3": 50_000_000}
PERIOD_BOUNDS = {"2022Q1": (datetime(2022, 1, 1), datetime(2022, 4, 1)),
                 "2022Q2": (datetime(2022, 4, 1), datetime(2022, 7, 1)),
                 "2022Q3": (datetime(2022, 7, 1), ISSUE_DATE)}

__all__ = ["generate", "GENERATOR_VERSION", "DEFAULT_SEED", "PERIODS", "MARKER", "marker_ok"]


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


def generate(out_dir: Path, *, seed: int = DEFAULT_SEED, periods=PERIODS, scale: float = 1.0,
             config_path: Path | None = None) -> dict[str, list[Path]]:
    """Write the synthetic dataset; return the files written per period.

    ``scale`` < 1 writes a proportionally smaller dataset (for tests); only ``scale=1``
    reproduces the bulletin's figures.
    """
    out_dir = Path(out_dir)
    cfg = load_config(config_path)
    reg = cfg.registry
    plans = plan_all(reg, seed)
    if scale != 1.0:
        plans = {k: scale_plan(p, scale) for k, p in plans.items()}
    cat = Catalogue.build(reg)
    evals: dict[str, Evaluations] = {}
    for i, (name, plan) in enumerate(plans.items()):
        evals[name] = expand(plan, cat, np.random.default_rng([seed, 100 + i]), ID_BASE[name])

    # Cases: one per evaluation, plus cases without evaluation; ids in completion order.
    parts_unit, parts_item, parts_hand, parts_place, parts_done = [], [], [], [], []
    for name in plans:
        ev = evals[name]
        parts_unit.append(ev.unit)
        parts_item.append(ev.item)
        parts_hand.append(ev.handling)
        parts_place.append(ev.place)
        parts_done.append(ev.completed)
    rng = np.random.default_rng([seed, 200])
    for name, plan in plans.items():
        first, end = PERIOD_BOUNDS[name]
        miss = cases_without_evaluation(plan, cat, rng, "missing", first + timedelta(days=1),
                                        min(end, ISSUE_DATE) - timedelta(days=12))
        pend = cases_without_evaluation(plan, cat, rng, "pending", end - timedelta(days=6),
                                        end - timedelta(hours=1))
        for c in (miss, pend):
            parts_unit.append(c.unit)
            parts_item.append(c.item)
            parts_hand.append(c.handling)
            parts_place.append(c.place)
            parts_done.append(c.completed)
    c_unit = np.concatenate(parts_unit)
    c_item = np.concatenate(parts_item)
    c_hand = np.concatenate(parts_hand)
    c_place = np.concatenate(parts_place)
    c_done = np.concatenate(parts_done)
    order = np.argsort(c_done, kind="stable")
    seq = np.empty(len(order), dtype=np.int64)
    seq[order] = np.arange(1, len(order) + 1)
    ymd = _ymd(c_done)
    region_int = np.array([int(r) for r in cat.region], dtype=np.int64)
    case_ids = _fixed([_digits(region_int[c_unit], 6), _digits(ymd, 6), _digits(seq, 7)])

    # 办理地点: none, the city hall, the online platform, or the unit's own window place
    place_dict = [design.CITY_HALL, design.CITY_HALL, design.ONLINE_PLACE, *cat.place]
    place_idx = np.where(c_place == 3, 3 + c_unit, c_place)
    written: dict[str, list[Path]] = {}
    offsets = np.cumsum([0] + [len(evals[k].unit) for k in plans])
    comments = np.array(design.COMMENTS_GOOD + design.COMMENTS_BAD, dtype=object)
    led = ledgers.build(reg, seed)
    jobs: list[tuple[dict, Path]] = []
    for i, (name, plan) in enumerate(plans.items()):
        if name not in periods:
            continue
        folder = out_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        files: list[Path] = []
        ev = evals[name]
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
        rows = np.arange(offsets[i], offsets[i + 1])
        n_rows = len(rows)
        cols = {
            "评价编号": _padded(ev.eval_no, 12),
            "办件编号": case_ids.take(pa.array(rows)),
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
        jobs.append((cols, folder / "评价明细.parquet"))
        files.append(folder / "评价明细.parquet")

        first, end = PERIOD_BOUNDS[name]
        sorted_done = c_done[order]
        in_period = order[(sorted_done >= secs(first)) & (sorted_done < secs(end))]
        cu = c_unit[in_period]
        case_cols = {
            "办件编号": case_ids.take(pa.array(in_period)),
            "事项编码": _strings(c_item[in_period], cat.item_code),
            "事项名称": _strings(c_item[in_period], cat.item_name),
            "实施单位": _strings(cu, cat.full),
            "行政区划代码": _strings(cu, cat.region),
            "办理渠道": _strings(c_hand[in_period], np.array(["网上", "窗口"], dtype=object)),
            "办理地点": _strings(place_idx[in_period], place_dict, mask=c_place[in_period] == 0),
            "办结时间": _times(c_done[in_period], text_times),
        }
        jobs.append((case_cols, folder / "办件明细.parquet"))
        files.append(folder / "办件明细.parquet")

        files.append(_write_bad_ledger(plan, ev, folder, np.random.default_rng([seed, 300 + i])))
        for title, frame in led.get(name, {}).items():
            files.append(write_xlsx(frame, folder / f"{title}.xlsx", title))
        written[name] = files
    # the big files in parallel (pyarrow releases the GIL while encoding)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job: write_parquet(*job), jobs))
    _write_marker(out_dir, seed, scale, written)
    return written


def _write_bad_ledger(plan: QuarterPlan, ev: Evaluations, folder: Path, rng) -> Path:
    import pandas as pd

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


def _write_marker(out_dir: Path, seed: int, scale: float, written: dict[str, list[Path]]) -> None:
    marker = {
        "generator_version": GENERATOR_VERSION, "seed": seed, "scale": scale,
        "files": {p.relative_to(out_dir).as_posix(): p.stat().st_size
                  for files in written.values() for p in files},
    }
    (out_dir / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=1, sort_keys=True),
                                  encoding="utf-8")


def marker_ok(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0) -> bool:
    """True when ``out_dir`` holds a complete dataset of this generator version and seed."""
    path = Path(out_dir) / MARKER
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if (marker.get("generator_version"), marker.get("seed"), marker.get("scale")) != (
            GENERATOR_VERSION, seed, scale):
        return False
    files = marker.get("files", {})
    if {Path(f).parts[0] for f in files} != set(PERIODS):
        return False
    for rel, size in files.items():
        p = Path(out_dir) / rel
        if not p.is_file() or p.stat().st_size != size:
            return False
    return True
