"""Expand count plans into record-level arrays, vectorised with numpy.

Nothing here loops over records in Python: a plan becomes a few hundred *segments* (a leaf
unit, a mode, hall or not, a level, a bad-review index), and ``np.repeat`` turns segments into
rows; every attribute is then drawn per row from per-segment parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from ..registry import Registry
from . import design
from .plan import QuarterPlan, items_of

LEVEL_INDEX = {lv: i for i, lv in enumerate(("非常满意", "满意", "基本满意", "不满意", "非常不满意"))}
EPOCH = datetime(1970, 1, 1)
HOUR, DAY = 3600, 86400

# time-of-day profiles (weights per hour 0-23); hour 0 is never used
WINDOW_HOURS = np.array([0, 0, 0, 0, 0, 0, 0, 0, 6, 10, 10, 9, 3, 1, 6, 10, 10, 8, 2, 0, 0, 0, 0, 0],
                        dtype=float)
ONLINE_HOURS = np.array([0, .2, .1, .1, .1, .2, .5, 1.5, 4, 7, 8, 8, 5, 4, 7, 8, 8, 7, 5, 5, 6, 5, 3, 1],
                        dtype=float)


def secs(moment: datetime) -> int:
    return int((moment - EPOCH).total_seconds())


def stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for integer keys, several times faster: each key is
    made unique by its position (key · n + i), and a plain sort of those is the stable order."""
    keys = np.asarray(keys, dtype=np.int64)
    n = len(keys)
    if n == 0:
        return np.empty(0, dtype=np.intp)
    low = int(keys.min())
    if (int(keys.max()) - low + 1) * n >= 2**63:
        return np.argsort(keys, kind="stable")
    packed = (keys - low) * n + np.arange(n, dtype=np.int64)
    packed.sort()
    return packed % n


@dataclass
class Catalogue:
    """Registry units and items as arrays indexed by integers."""

    units: list[str]
    full: np.ndarray
    region: np.ndarray
    top: list[str]
    unit_index: dict[str, int]
    item_unit: np.ndarray  # per item: unit index
    item_name: np.ndarray
    item_code: np.ndarray
    item_index: dict[tuple[str, str], int]
    item_cum: np.ndarray  # cumulative weights, unit u's items span (u, u+1]
    window_share: np.ndarray  # per unit: share of non-hall cases handled at a window
    place: np.ndarray  # per unit: its own window place
    online_at_centre: np.ndarray  # per unit: share of online cases recorded at the centre

    @classmethod
    def build(cls, reg: Registry) -> Catalogue:
        units = list(reg.units)
        ui = {u: i for i, u in enumerate(units)}
        item_unit, names, codes, cum = [], [], [], []
        index = {}
        for i, u in enumerate(units):
            its = items_of(reg, u)
            w = 1.0 / (np.arange(len(its)) + 1.5)
            c = np.cumsum(w) / w.sum()
            for j, name in enumerate(its):
                index[(u, name)] = len(names)
                item_unit.append(i)
                names.append(name)
                codes.append(f"11{reg.units[u].region_code}MB0{i:03d}XK{j + 1:03d}00")
                cum.append(i + c[j])
        window = np.zeros(len(units))
        place = []
        centre = np.zeros(len(units))
        for i, u in enumerate(units):
            unit = reg.units[u]
            top = reg.top(u)
            if reg.units[top].kind == "区":
                window[i] = design.DISTRICT_WINDOW_SHARE
                place.append(f"{top}行政服务中心")
            elif unit.kind == "基层所站":
                window[i] = design.STATION_WINDOW_SHARE
                place.append(f"{unit.full_name}办事大厅")
            else:
                window[i] = design.OWN_HALL_WINDOW_SHARE.get(u, 0.0)
                place.append(f"{unit.full_name}办事大厅")
            if unit.in_service_centre:
                centre[i] = design.ONLINE_AT_CENTRE_SHARE
        return cls(units, np.array([reg.units[u].full_name for u in units], dtype=object),
                   np.array([reg.units[u].region_code for u in units], dtype=object),
                   [reg.top(u) for u in units], ui, np.array(item_unit), np.array(names, dtype=object),
                   np.array(codes, dtype=object), index, np.array(cum), window,
                   np.array(place, dtype=object), centre)


@dataclass
class Evaluations:
    """One period's evaluations (arrays of equal length), sorted by 评价时间."""

    unit: np.ndarray
    item: np.ndarray
    mode: np.ndarray  # 0 主动评价, 1 默认评价
    level: np.ndarray  # recorded level index
    channel: np.ndarray  # index into design.CHANNELS
    evaluated: np.ndarray  # seconds
    pushed: np.ndarray
    completed: np.ndarray  # of its case
    handling: np.ndarray  # 0 网上, 1 窗口
    place: np.ndarray  # 0 none, 1 city hall, 2 online platform, 3 the unit's own window place
    comment: np.ndarray  # -1 none, else index into comments
    rater: np.ndarray
    bad: np.ndarray  # index into plan.bad or -1
    eval_no: np.ndarray  # global running number (id)


def _segments(plan: QuarterPlan, cat: Catalogue, rng: np.random.Generator) -> pd.DataFrame:
    seg = []  # (unit, mode, hall, raw level, bad idx, late, count)
    bad = plan.bad.reset_index(drop=True)
    bad_by_unit = {k: list(v) for k, v in bad.groupby("unit").groups.items()}
    final = bad["final_level"].to_numpy()
    raw = bad["raw_level"].to_numpy()
    for rec in plan.units.to_dict("records"):
        u = cat.unit_index[rec["unit"]]
        n, d, h, hd = rec["n"], rec["default"], rec["hall"], rec["hall_default"]
        a = n - d
        ha = h - hd
        na = a - ha
        nd = d - hd
        specials = []  # (level, bad idx)
        my_bad = bad_by_unit.get(rec["unit"], [])
        for lv_key, label in (("s", "满意"), ("b", "基本满意"), ("u", "不满意"), ("v", "非常不满意")):
            plain = rec[lv_key] - sum(1 for i in my_bad if final[i] == label)
            assert plain >= 0, (rec["unit"], label)
            specials += [(LEVEL_INDEX[label], -1)] * plain
        specials += [(LEVEL_INDEX[raw[i]], int(i)) for i in my_bad]
        t = len(specials)
        k = int(rng.binomial(t, ha / a)) if a else 0
        k = min(max(k, t - na), ha)
        order = rng.permutation(t)
        late = min(rec["late"], na - (t - k))
        seg.append((u, 1, 1, 0, -1, 0, hd))
        seg.append((u, 1, 0, 0, -1, 0, nd))
        seg.append((u, 0, 1, 0, -1, 0, ha - k))
        seg.append((u, 0, 0, 0, -1, 0, na - (t - k) - late))
        seg.append((u, 0, 0, 0, -1, 1, late))
        for j, idx in enumerate(order):
            lv, b = specials[idx]
            seg.append((u, 0, int(j < k), lv, b, 0, 1))
    frame = pd.DataFrame(seg, columns=["unit", "mode", "hall", "level", "bad", "late", "count"])
    assert (frame["count"] >= 0).all()
    return frame[frame["count"] > 0].reset_index(drop=True)


def _draw_times(rng, start: datetime, end: datetime, n: int, hours: np.ndarray,
                first_day: int = 0, quiet: tuple = ()) -> np.ndarray:
    """Times over the period: weekdays busy, weekends quiet, and each ``quiet`` span
    ``(first, end, weight)`` (a public holiday) at ``weight`` of a weekday."""
    days = (end - start).days
    day_idx = np.arange(days)
    weekday = np.array([(start + timedelta(days=int(i))).weekday() for i in day_idx])
    w = np.where(weekday < 5, 1.0, np.where(weekday == 5, 0.3, 0.2))
    for q_first, q_end, weight in quiet:
        w[max((q_first - start).days, 0):max((q_end - start).days, 0)] = weight
    w[:first_day] = 0
    d = np.searchsorted(np.cumsum(w) / w.sum(), rng.random(n), side="right")
    d = np.minimum(d, days - 1)
    hc = np.cumsum(hours) / hours.sum()
    h = np.minimum(np.searchsorted(hc, rng.random(n), side="right"), 23)
    s = rng.integers(0, HOUR, n)
    return secs(start) + d * DAY + h * HOUR + s


def expand(plan: QuarterPlan, cat: Catalogue, rng: np.random.Generator,
           id_base: int) -> Evaluations:
    seg = _segments(plan, cat, rng)
    counts = seg["count"].to_numpy()
    sid = np.repeat(np.arange(len(seg)), counts)
    n = len(sid)
    unit = seg["unit"].to_numpy()[sid]
    mode = seg["mode"].to_numpy()[sid].astype(np.int8)
    hall = seg["hall"].to_numpy()[sid].astype(bool)
    level = seg["level"].to_numpy()[sid].astype(np.int8)
    bad = seg["bad"].to_numpy()[sid]
    late = seg["late"].to_numpy()[sid].astype(bool)

    # handling channel and place of the case
    window = hall | (rng.random(n) < cat.window_share[unit])
    handling = window.astype(np.int8)
    place = np.where(hall, 1, np.where(window, 3, 2)).astype(np.int8)
    online = ~window
    at_centre = online & (rng.random(n) < cat.online_at_centre[unit])
    place[at_centre] = 1
    place[online & ~at_centre & (rng.random(n) < 0.05)] = 0  # no place recorded

    # evaluation time
    evaluated = np.empty(n, dtype=np.int64)
    hall_default = hall & (mode == 1)
    for mask, hours, first in ((hall_default, WINDOW_HOURS, 8),
                               (window & ~hall_default, WINDOW_HOURS, 0),
                               (online, ONLINE_HOURS, 0)):
        k = int(mask.sum())
        if k:
            evaluated[mask] = _draw_times(rng, plan.start, plan.end, k, hours, first,
                                            plan.quiet_days)

    # the case's completion: minutes before an active evaluation at a window, minutes to six
    # days before one online, seven days (and up to three hours) before a default one
    completed = np.empty(n, dtype=np.int64)
    act_w = (mode == 0) & window
    act_o = (mode == 0) & online
    completed[act_w] = evaluated[act_w] - rng.integers(120, 3000, int(act_w.sum()))
    k = int(act_o.sum())
    completed[act_o] = evaluated[act_o] - np.exp(rng.uniform(np.log(300), np.log(6 * DAY), k)).astype(np.int64)
    dflt = mode == 1
    q_start = secs(plan.start)
    slack = np.maximum(evaluated[dflt] - q_start - 60, 0)
    delta = np.minimum(rng.integers(0, 3 * HOUR, int(dflt.sum())), slack)
    completed[dflt] = evaluated[dflt] - 7 * DAY - delta

    # push to the provincial system
    pushed = evaluated + np.minimum(np.exp(rng.normal(np.log(480), 1.2, n)), 20 * HOUR).astype(np.int64) + 5
    pushed[late] = evaluated[late] + rng.integers(25 * HOUR, 100 * HOUR, int(late.sum()))
    pushed = np.minimum(pushed, np.maximum(secs(plan.end) - 1, evaluated))
    if plan.period == "2022Q3":
        assert not late.any()

    # evaluation channel, consistent with how the case was handled
    mixes = [design.CHANNEL_MIX[k] for k in ("window_active", "window_default", "online_active",
                                               "online_default")]
    cls = np.where(window, 0, 2) + (mode == 1)
    cum = np.concatenate([np.cumsum(m) / sum(m) + i for i, m in enumerate(mixes)])
    pos = np.searchsorted(cum, cls + rng.random(n) * 0.999999, side="right")
    channel = (pos - cls * len(design.CHANNELS)).astype(np.int8)

    # item: the unit's items, weighted; bad reviews on their planned item
    item = np.searchsorted(cat.item_cum, unit + rng.random(n) * 0.999999, side="right")
    bad_rows = np.flatnonzero(bad >= 0)
    for r in bad_rows:
        b = plan.bad.iloc[bad[r]]
        item[r] = cat.item_index[(b["unit"], b["item"])]
    assert (cat.item_unit[item] == unit).all()

    comment = np.full(n, -1, dtype=np.int16)
    good = rng.random(n) < 0.03
    comment[good] = rng.integers(0, len(design.COMMENTS_GOOD), int(good.sum()))
    comment[bad_rows] = len(design.COMMENTS_GOOD) + rng.integers(0, len(design.COMMENTS_BAD), len(bad_rows))
    rater = rng.integers(0, 1_000_000, n)

    order = stable_order(evaluated)
    out = Evaluations(unit[order], item[order], mode[order], level[order], channel[order],
                      evaluated[order], pushed[order], completed[order], handling[order],
                      place[order], comment[order], rater[order], bad[order],
                      id_base + np.arange(n, dtype=np.int64))
    return out


@dataclass
class Cases:
    unit: np.ndarray
    item: np.ndarray
    handling: np.ndarray
    place: np.ndarray
    completed: np.ndarray
    evaluated_by: np.ndarray  # (period index, row) or -1 for none: period*10**9 + row


def cases_without_evaluation(plan: QuarterPlan, cat: Catalogue, rng: np.random.Generator,
                             column: str, first: datetime, last: datetime) -> Cases:
    """Cases of the period with no evaluation (``missing``: well before the period's end;
    ``pending``: the last week of a partial period)."""
    counts = plan.units[column].to_numpy()
    unit = np.repeat([cat.unit_index[u] for u in plan.units["unit"]], counts)
    n = len(unit)
    window = rng.random(n) < np.maximum(cat.window_share[unit], 0.3)
    item = np.searchsorted(cat.item_cum, unit + rng.random(n) * 0.999999, side="right")
    completed = rng.integers(secs(first), secs(last), n)
    return Cases(unit, item, window.astype(np.int8), np.where(window, 3, 2).astype(np.int8),
                 completed, np.full(n, -1, dtype=np.int64))
