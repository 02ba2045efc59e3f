"""Count plans: per unit and quarter, how many evaluations of each kind to write.

A plan fixes every count a figure depends on (evaluations, defaults, hall evaluations and
their defaults, levels after verification, bad reviews with verdicts, late pushes, cases
without evaluation); ``records.py`` only expands it. 2022 Q2 is solved from ``targets``;
2022 Q1 and July 2022 are derived from it with the directions the bulletin gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

import numpy as np
import pandas as pd

from ..registry import Registry
from . import design, targets
from .solve import fit_active, fit_satisfaction, in_window, window

LEVELS = targets.LEVELS
POINTS = {"s": 30, "b": 60, "u": 90, "v": 100}  # deficit from 100 per evaluation
COLUMNS = ("unit", "top", "region", "n", "default", "hall", "hall_default",
           "s", "b", "u", "v", "late", "missing", "pending")


@dataclass
class QuarterPlan:
    period: str  # folder name: 2022Q1 …
    start: datetime
    end: datetime  # exclusive end of the evaluations written
    units: pd.DataFrame  # one row per leaf unit, COLUMNS
    bad: pd.DataFrame  # one row per raw bad review
    strings_for_times: bool = False  # write timestamps as text
    level_codes_for: tuple[str, ...] = ()  # top units whose levels are written as codes
    channel_codes: bool = False
    quiet_days: tuple[tuple[datetime, datetime, float], ...] = ()  # holidays: (first, end, weight)


# ---------------------------------------------------------------------------------------
# helpers


def _largest_remainder(total: int, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() == 0:
        return np.zeros(len(w), dtype=np.int64)
    raw = w / w.sum() * total
    out = np.floor(raw).astype(np.int64)
    rest = total - out.sum()
    order = np.argsort(-(raw - out), kind="stable")
    out[order[:rest]] += 1
    return out


def _rate(points: int, n: int) -> Fraction:
    return 100 - Fraction(points, n)


def _points(row) -> int:
    return sum(POINTS[k] * int(row[k]) for k in POINTS)


def items_of(reg: Registry, unit: str) -> tuple[str, ...]:
    """The items a leaf unit handles: its own, its bureau's, or its district part's."""
    top = reg.top(unit)
    if reg.units[top].kind == "区":
        return design.DISTRICT_ITEMS[unit[len(top):]]
    return design.ITEMS[top]


def city_top_units(reg: Registry) -> list[str]:
    kinds = {"市直部门", "事业单位", "驻厦单位", "国有企业"}
    return [u.short_name for u in reg.units.values() if u.kind in kinds and u.parent is None]


# ---------------------------------------------------------------------------------------
# 2022 Q2


def _q2_city(reg: Registry, rng: np.random.Generator) -> pd.DataFrame:
    tops = city_top_units(reg)
    assert set(tops) == set(design.CITY_Q2), set(tops) ^ set(design.CITY_Q2)
    n = {u: v[0] for u, v in design.CITY_Q2.items()}
    m = dict.fromkeys(tops, 0)

    # Six units below the city mean: (n, m) from their printed rates.
    low_m = {"市商务局": (40, (400, 700)), "市海洋发展局": (12, (150, 300)),
             "厦门港口管理局": (20, (1500, 3000)), "市住房局": (20, (1500, 3000)),
             "市卫健委": (25, (2500, 4500)), "市建设局": (25, (4500, 7000))}
    for unit, printed in targets.BELOW_CITY_MEAN:
        mm, rng_n = low_m[unit]
        n[unit], m[unit], _exact = fit_satisfaction(printed, [mm], rng_n)
    # Active evaluations: the big units' printed rates (sizes move by a few evaluations).
    default = dict.fromkeys(tops, 0)
    remainder_unit = "市不动产登记中心"
    for unit, printed in targets.BIG_UNITS:
        if unit != remainder_unit:
            n[unit], default[unit] = fit_active(printed, n[unit])
    city_total = targets.REGION_TABLE[0][2]
    n[remainder_unit] = city_total - sum(v for k, v in n.items() if v is not None)
    printed = dict(targets.BIG_UNITS)[remainder_unit]
    n2, default[remainder_unit] = fit_active(printed, n[remainder_unit], spread=1)
    assert n2 == n[remainder_unit]
    leader_sizes = [n[u] for u in targets.LEADERS]
    assert all(a > b for a, b in zip(leader_sizes, leader_sizes[1:], strict=False)), leader_sizes
    below = np.linspace(0.4253, 0.7935, len(targets.BELOW_80))
    for unit, r in zip(targets.BELOW_80, below, strict=True):
        default[unit] = int(round(n[unit] * (1 - r)))
    free = [u for u in tops if design.CITY_Q2[u][1] is not None]
    want = n_defaults = sum(n.values()) - targets.REGION_TABLE[0][3]
    fixed = sum(default[u] for u in tops if u not in free)
    approx = np.array([n[u] * (1 - design.CITY_Q2[u][1]) for u in free])
    alloc = _largest_remainder(want - fixed, approx)
    for u, d in zip(free, alloc, strict=True):
        default[u] = int(d)
    assert sum(default.values()) == n_defaults

    # Hall evaluations and their defaults: hall rate 93.72% (half-up), inside the window.
    hall = {u: int(round(n[u] * design.CITY_Q2[u][2])) if reg.units[u].in_service_centre else 0
            for u in tops}
    hall = _stations_out_of_hall(n, hall)
    hall_default = _solve_hall(tops, n, default, hall, targets.HALL_ACTIVE_RATE, 2)

    # Satisfaction: the remaining 30-point deficits so the mean prints 99.912.
    frame = pd.DataFrame({"top": tops, "n": [n[u] for u in tops],
                          "default": [default[u] for u in tops],
                          "hall": [hall[u] for u in tops],
                          "hall_default": [hall_default[u] for u in tops],
                          "m": [m[u] for u in tops]})
    frame["v"] = (frame["top"] == "市市场监管局").astype(int)  # the malicious review kept as is
    levels = targets.REGION_TABLE[0][4]
    m_total = levels["满意"] + 2 * levels["基本满意"]
    frame = _spread_deficits(frame, m_total, targets.CITY_MEAN, fixed=set(low_m), rng=rng,
                             cap=Fraction(7, 100))
    frame = _split_sb(frame, levels["基本满意"], rng)
    frame["u"] = 0
    return frame


def _stations_out_of_hall(n, hall):
    """Hall evaluations are on the top unit itself, never on its 基层所站."""
    out = dict(hall)
    for top, parts in design.STATIONS.items():
        own = n[top] - sum(int(round(n[top] * s)) for s in parts.values())
        out[top] = min(out[top], int(own * 0.9))
    return out


def _solve_hall(tops, n, default, hall, printed, decimals, strict=True):
    """Hall defaults per unit so that hall active / hall all prints ``printed`` %."""
    lo_u = {u: max(0, default[u] - (n[u] - hall[u])) for u in tops}
    hi_u = {u: min(default[u], hall[u]) for u in tops}
    h_total = sum(hall.values())
    w = window(printed, decimals, strict)
    # defaults D with w0 <= 1 - D/H <= w1
    d_lo = int(np.ceil(float((1 - w[1]) * h_total)))
    d_hi = int(np.floor(float((1 - w[0]) * h_total)))
    target = (d_lo + d_hi) // 2
    assert d_lo <= d_hi, (printed, h_total)
    lo_sum, hi_sum = sum(lo_u.values()), sum(hi_u.values())
    assert lo_sum <= target <= hi_sum, (lo_sum, target, hi_sum)
    t = (target - lo_sum) / (hi_sum - lo_sum) if hi_sum > lo_sum else 0.0
    out = {u: lo_u[u] + int(np.floor(t * (hi_u[u] - lo_u[u]))) for u in tops}
    short = target - sum(out.values())
    for u in sorted(tops, key=lambda x: -(hi_u[x] - out[x])):
        if short == 0:
            break
        add = min(short, hi_u[u] - out[u])
        out[u] += add
        short -= add
    assert short == 0
    assert in_window(Fraction(h_total - target, h_total), w)
    return out


def _spread_deficits(frame, m_total, printed_mean, fixed, rng, cap, extra_points=None,
                     above_mean=True, mid_min=1_000):
    """Give the non-fixed units 30-point deficits (m) so that the mean rate prints as
    ``printed_mean`` (preferred window) and every one of them stays above it."""
    frame = frame.copy()
    extra = extra_points if extra_points is not None else frame["v"] * 100
    k = len(frame)
    lo, hi = window(printed_mean, 3, strict=True)
    target = (lo + hi) / 2 * 100  # mean rate on 0-100
    free = frame.index[~frame["top"].isin(fixed)]
    m_left = m_total - int(frame["m"].sum())
    assert m_left >= 0
    # Mid-sized units carry most of the remaining deficit; big units take the rest cheaply.
    n = frame["n"].to_numpy()

    def mean_rate(mm):
        pts = 30 * mm + extra.to_numpy()
        return sum(100 - Fraction(int(p), int(nn)) for p, nn in zip(pts, n, strict=True)) / k

    mm = frame["m"].to_numpy().copy()
    big = [i for i in free if n[i] >= 20_000]
    mid = [i for i in free if mid_min <= n[i] < 20_000]
    # start: all on big units, proportional to size
    mm[big] += _largest_remainder(m_left, n[big])
    cur = mean_rate(mm)
    order = list(rng.permutation(mid))
    it = 0
    while not (lo * 100 <= cur <= hi * 100):
        it += 1
        assert it < 10_000, "deficit spreading did not converge"
        if cur > target:  # too good: move one m from a big unit to a mid unit
            src = max(big, key=lambda i: mm[i] / n[i] if mm[i] > 0 else -1)
            if mm[src] == 0:
                raise ValueError("not enough deficit to reach the city mean")
            dst = None
            for i in order:
                if Fraction(30 * (mm[i] + 1), int(n[i])) < cap * 100 / 100:
                    dst = i
                    break
                order.remove(i)
            if dst is None:
                raise ValueError("mid units cannot carry the deficit")
            mm[src] -= 1
            mm[dst] += 1
            order.append(order.pop(order.index(dst)))
        else:  # too bad: move one m from a mid unit back to the biggest unit
            src = max(mid, key=lambda i: Fraction(30 * int(mm[i]), int(n[i])))
            dst = max(big, key=lambda i: n[i])
            mm[src] -= 1
            mm[dst] += 1
        cur = mean_rate(mm)
    frame["m"] = mm
    pts = 30 * mm + extra.to_numpy()
    rates = [100 - Fraction(int(p), int(nn)) for p, nn in zip(pts, n, strict=True)]
    mean = sum(rates) / k
    for i in free:
        assert rates[i] > mean or not above_mean, frame.loc[i, "top"]
    return frame


def _split_sb(frame, b_total, rng):
    """Split each unit's m into 满意 (s) and 基本满意 (b): m = s + 2b, with Σb = b_total."""
    frame = frame.copy()
    m = frame["m"].to_numpy()
    cap = m // 2
    b = _largest_remainder(b_total, cap * (0.5 + rng.random(len(m))))
    b = np.minimum(b, cap)
    short = b_total - b.sum()
    for i in np.argsort(-(cap - b)):
        if short == 0:
            break
        add = min(short, cap[i] - b[i])
        b[i] += add
        short -= add
    assert short == 0
    frame["b"] = b
    frame["s"] = m - 2 * b
    return frame


def _district_rows() -> pd.DataFrame:
    """Top-level district rows of Q2 from the region table."""
    rows = []
    for label, code, total, active, levels in targets.REGION_TABLE[1:]:
        rows.append({"top": label, "region": code, "n": total, "default": total - active,
                     "s": levels["满意"], "b": levels["基本满意"], "u": levels["不满意"],
                     "v": levels["非常不满意"], "hall": 0, "hall_default": 0})
    return pd.DataFrame(rows)


def _q2_bad(reg: Registry, rng: np.random.Generator, city: pd.DataFrame,
            districts: pd.DataFrame) -> pd.DataFrame:
    """The 90 raw bad reviews with leaf units, items, verdicts and corrected levels."""
    spec: list[tuple[str, int]] = [
        ("市市场监管局", 28), ("市市场监管局思明分局", 4), ("市市场监管局湖里分局", 3),
        ("市市场监管局同安分局", 2), ("市市场监管局火炬高新区分局", 2),
        ("市生态环境局", 10),
        ("市公安局", 4), ("市公安局交警支队", 2), ("市公安局思明分局", 1),
        ("市住房局", 1), ("市公积金中心", 6),
        ("市商务局", 4), ("市社保中心", 3), ("市人社局", 3), ("市不动产登记中心", 3),
        ("厦门税务", 2), ("市医保中心", 2), ("市交通运输局", 2), ("市卫健委", 1),
        ("同安区", 3), ("翔安区政务服务中心", 1), ("翔安区", 1), ("思明区人社局", 1), ("集美区", 1),
    ]
    assert sum(c for _, c in spec) == targets.BAD_REVIEWS_TOTAL
    # repeat items: these units' bad reviews fall on one item several times
    repeat = {"市市场监管局": 7, "市公积金中心": 4, "市生态环境局": 3}
    rows = []
    for unit, count in spec:
        top = reg.top(unit)
        others = [i for i in items_of(reg, unit) if i != design.REPEAT_ITEMS.get(unit)]
        k = 0
        for j in range(count):
            if unit in repeat and j < repeat[unit]:
                item = design.REPEAT_ITEMS[unit]
            else:
                item = others[k % len(others)]
                k += 1
            rows.append({"unit": unit, "top": top, "item": item})
    bad = pd.DataFrame(rows)
    bad["raw_level"] = np.where(rng.random(len(bad)) < 0.55, "不满意", "非常不满意")
    bad["verdict"] = np.where(rng.random(len(bad)) < 0.8, "误差评", "恶意差评")
    bad["final_level"] = "非常满意"
    # the one malicious review that keeps its level
    keep = bad.index[bad["unit"] == "市市场监管局"][-1]
    bad.loc[keep, ["raw_level", "verdict", "final_level"]] = ["非常不满意", "恶意差评", "非常不满意"]
    # corrected to 满意 / 基本满意 where the unit's final counts have room
    counts = pd.concat([city[["top", "s", "b"]], districts[["top", "s", "b"]]]).set_index("top")
    for top, idx in bad.groupby("top").groups.items():
        s_room, b_room = int(counts.loc[top, "s"]), int(counts.loc[top, "b"])
        for i in idx:
            if i == keep:
                continue
            x = rng.random()
            if s_room > 0 and x < 0.3:
                bad.loc[i, "final_level"] = "满意"
                s_room -= 1
            elif b_room > 0 and x < 0.4:
                bad.loc[i, "final_level"] = "基本满意"
                b_room -= 1
    bad["corrected_level"] = np.where(bad.index == keep, None, bad["final_level"])
    return bad


def _leaves(reg: Registry, tops: pd.DataFrame, bad: pd.DataFrame) -> pd.DataFrame:
    """Split top-level plans over the leaf units that record evaluations."""
    rows = []
    bad_counts = bad.groupby(["unit", "final_level"]).size().to_dict()
    for rec in tops.to_dict("records"):
        top = rec["top"]
        if reg.units[top].kind == "区":
            parts = {(top if p == "" else f"{top}{p}"): s for p, s in design.DISTRICT_PARTS.items()}
        elif top in design.STATIONS:
            st = design.STATIONS[top]
            parts = {top: 1 - sum(st.values()), **st}
        else:
            parts = {top: 1.0}
        names = list(parts)
        shares = np.array([parts[p] for p in names])
        n = _largest_remainder(rec["n"], shares)
        # hall stays on the top unit itself
        non_hall_n = n.copy()
        non_hall_n[0] -= rec["hall"]
        assert non_hall_n[0] >= 0
        default_nonhall = _largest_remainder(rec["default"] - rec["hall_default"], non_hall_n)
        lv = {}
        for key, label in (("s", "满意"), ("b", "基本满意"), ("u", "不满意"), ("v", "非常不满意")):
            reserved = np.array([bad_counts.get((p, label), 0) for p in names])
            rest = int(rec[key]) - reserved.sum()
            assert rest >= 0, (top, key)
            if reg.units[top].kind == "区":
                lv[key] = reserved + _largest_remainder(rest, shares)
            else:
                lv[key] = reserved + np.array([rest] + [0] * (len(names) - 1))
        for i, p in enumerate(names):
            rows.append({
                "unit": p, "top": top, "region": reg.units[p].region_code, "n": int(n[i]),
                "default": int(default_nonhall[i]) + (rec["hall_default"] if i == 0 else 0),
                "hall": rec["hall"] if i == 0 else 0,
                "hall_default": rec["hall_default"] if i == 0 else 0,
                "s": int(lv["s"][i]), "b": int(lv["b"][i]), "u": int(lv["u"][i]),
                "v": int(lv["v"][i]),
                "late": int(rec.get("late", 0)) if i == 0 else 0,
                "missing": int(rec.get("missing", 0)) if i == 0 else 0,
                "pending": 0,
            })
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    # every leaf's active evaluations must hold its levels and bad reviews
    active = out["n"] - out["default"]
    assert (active >= out[["s", "b", "u", "v"]].sum(axis=1)).all()
    return out


LATE_UNITS_Q2 = ("市气象局", "市烟草专卖局", "市消防救援支队", "厦门水务集团", "厦门供电公司",
                 "市退役军人局", "市人防办", "市邮政管理局", "市统计局")
LATE_DISTRICTS_Q2 = ("集美区", "海沧区")
MISSING_UNITS_Q2 = ("市社保中心", "市医保中心", "厦门税务", "市资源规划局", "市生态环境局", "市建设局",
                    "市住房局", "市卫健委", "市交通运输局", "市公安局", "市市场监管局", "市人社局",
                    "市司法局", "市发改委", "市财政局", "市应急局", "市医保局", "厦门海关",
                    "市水利局", "市市政园林局", "市工信局", "市房屋事务中心")


def plan_q2(reg: Registry, rng: np.random.Generator) -> QuarterPlan:
    city = _q2_city(reg, rng)
    districts = _district_rows()
    bad = _q2_bad(reg, rng, city, districts)
    tops = pd.concat([city.assign(region="350200"), districts], ignore_index=True)
    tops["late"] = 0
    tops["missing"] = 0
    late = set(LATE_UNITS_Q2) | set(LATE_DISTRICTS_Q2)
    assert len(MISSING_UNITS_Q2) == targets.MISSING_EVAL_OTHER_UNITS
    assert not set(MISSING_UNITS_Q2) & set(LATE_UNITS_Q2)
    tops.loc[tops["top"].isin(late), "late"] = rng.integers(1, 12, tops["top"].isin(late).sum())
    miss = tops["top"].isin(set(MISSING_UNITS_Q2)) | tops["top"].isin(targets.DISTRICT_BY_CODE.values())
    tops.loc[miss, "missing"] = rng.integers(1, 40, miss.sum())
    units = _leaves(reg, tops, bad)
    return QuarterPlan("2022Q2", datetime(2022, 4, 1), datetime(2022, 7, 1), units, bad,
                       strings_for_times=False)


# ---------------------------------------------------------------------------------------
# 2022 Q1: derived, with the bulletin's statements about it


def plan_q1(reg: Registry, rng: np.random.Generator, q2: QuarterPlan) -> QuarterPlan:
    top2 = q2.units.groupby("top", sort=False).agg(
        n=("n", "sum"), default=("default", "sum"), hall=("hall", "sum"),
        region=("region", "first")).reset_index()
    is_d = top2["top"].isin(targets.DISTRICT_BY_CODE.values())
    f = np.where(is_d, rng.uniform(0.95, 1.02, len(top2)), rng.uniform(0.93, 1.03, len(top2)))
    top2["n"] = np.maximum(50, np.round(top2["n"] * f)).astype(int)
    top2["hall"] = np.minimum(np.round(top2["hall"] * f).astype(int), top2["n"])
    top2.loc[top2["top"].isin(design.STATIONS), "hall"] = [
        int(min(h, n * 0.5)) for h, n in
        top2.loc[top2["top"].isin(design.STATIONS), ["hall", "n"]].to_numpy()]

    # Active rates: city units' combined about 1.9 points below Q2; districts a little lower.
    city = top2[~is_d].copy()
    q2_rate = targets.CITY_ACTIVE
    want_rate = q2_rate - Fraction(191, 10000)
    n_city = int(city["n"].sum())
    want_def = int(round(float((1 - want_rate) * n_city)))
    base = (top2.loc[~is_d, "default"] / top2.loc[~is_d, "n"].clip(lower=1)).to_numpy()
    w = (base + 0.02) * city["n"].to_numpy() * rng.uniform(0.8, 1.2, len(city))
    city_def = np.minimum(_largest_remainder(want_def, w), city["n"].to_numpy() - 5)
    assert city_def.sum() == want_def
    top2.loc[~is_d, "default"] = city_def
    top2.loc[is_d, "default"] = np.round(top2.loc[is_d, "default"] * rng.uniform(1.1, 1.4, is_d.sum())).astype(int)

    tops = top2["top"].tolist()
    n = dict(zip(tops, top2["n"], strict=True))
    default = dict(zip(tops, top2["default"], strict=True))
    hall = dict(zip(tops, top2["hall"], strict=True))
    hall_default = _solve_hall(tops, n, default, hall, "91.46", 2)
    top2["hall_default"] = [hall_default[u] for u in tops]

    # Bad reviews of Q1: some found true (属实) and kept as recorded.
    bad_units = ["市市场监管局"] * 20 + ["市公安局交警支队"] * 6 + ["市人社局"] * 8 + ["市公积金中心"] * 5 + \
        ["市不动产登记中心"] * 6 + ["厦门税务"] * 4 + ["市社保中心"] * 5 + ["市建设局"] * 3 + \
        ["思明区", "湖里区民政局", "集美区", "海沧区", "同安区人社局", "翔安区"] * 3 + ["市卫健委"] * 2
    bad = pd.DataFrame({"unit": bad_units})
    bad["top"] = [reg.top(u) for u in bad["unit"]]
    bad["item"] = [items_of(reg, u)[j % len(items_of(reg, u))] for j, u in enumerate(bad["unit"])]
    bad["raw_level"] = np.where(rng.random(len(bad)) < 0.6, "不满意", "非常不满意")
    verdict = rng.choice(["属实", "误差评", "恶意差评"], len(bad), p=[0.1, 0.7, 0.2])
    bad["verdict"] = verdict
    bad["final_level"] = np.where(verdict == "属实", bad["raw_level"], "非常满意")
    bad["corrected_level"] = np.where(verdict == "属实", None, "非常满意")
    true_pts = bad[bad["verdict"] == "属实"].assign(
        p=lambda d: np.where(d["raw_level"] == "不满意", 90, 100)).groupby("top")["p"].sum()
    top2["u"] = [int(((bad["top"] == t) & (bad["final_level"] == "不满意")).sum()) for t in tops]
    top2["v"] = [int(((bad["top"] == t) & (bad["final_level"] == "非常不满意")).sum()) for t in tops]
    extra = top2["top"].map(true_pts).fillna(0).astype(int)

    # Satisfaction: district mean 99.436, city mean 99.974 (preferred windows).
    d_idx = top2.index[is_d]
    dd = top2.loc[d_idx].copy()
    lo, hi = window(targets.Q1_DISTRICT_MEAN, 3)
    want_def_sum = (100 - (lo + hi) / 2 * 100) * len(dd)
    share = rng.uniform(0.7, 1.3, len(dd))
    share = share / share.sum() * float(want_def_sum)
    m_d = np.maximum(0, np.round(share * dd["n"].to_numpy() / 30 - extra[d_idx].to_numpy() / 30)).astype(int)

    def d_mean(mm):
        return sum(100 - Fraction(30 * int(a) + int(e), int(nn))
                   for a, e, nn in zip(mm, extra[d_idx], dd["n"], strict=True)) / len(dd)

    i = 0
    while not (lo * 100 <= d_mean(m_d) <= hi * 100):
        m_d[i % len(m_d)] += 1 if d_mean(m_d) > hi * 100 else -1
        i += 1
        assert i < 100_000
    top2.loc[d_idx, "m"] = m_d
    c = top2.loc[~is_d].copy().reset_index(drop=True)
    c["m"] = 0
    c["v"] = 0  # extra points passed explicitly
    c_extra = extra[~is_d].reset_index(drop=True)
    lo_c, hi_c = window(targets.Q1_CITY_MEAN, 3)
    m_total = int(round(float((100 - (lo_c + hi_c) / 2 * 100) * int(c["n"].sum()) / 30)))
    c = _spread_deficits(c, m_total, targets.Q1_CITY_MEAN, fixed=set(), rng=rng,
                         cap=Fraction(12, 100), extra_points=c_extra, above_mean=False,
                         mid_min=200)
    top2.loc[~is_d, "m"] = c["m"].to_numpy()
    top2["m"] = top2["m"].astype(int)
    top2["v"] = [int(((bad["top"] == t) & (bad["final_level"] == "非常不满意")).sum()) for t in tops]
    top2 = _split_sb(top2, int(top2["m"].sum() // 5), rng)
    top2["late"] = 0
    top2["missing"] = 0
    late = rng.choice(len(top2), 8, replace=False)
    top2.loc[late, "late"] = rng.integers(1, 6, 8)
    miss = rng.choice(len(top2), 20, replace=False)
    top2.loc[miss, "missing"] = rng.integers(1, 30, 20)
    units = _leaves(reg, top2, bad)
    plan = QuarterPlan("2022Q1", datetime(2022, 1, 1), datetime(2022, 4, 1), units, bad,
                       strings_for_times=True, level_codes_for=("同安区",))
    return plan


# ---------------------------------------------------------------------------------------
# July 2022 up to the bulletin's date


def plan_q3(reg: Registry, rng: np.random.Generator, q2: QuarterPlan,
            end: datetime) -> QuarterPlan:
    start = datetime(2022, 7, 1)
    days = (end - start).days
    top2 = q2.units.groupby("top", sort=False).agg(
        n=("n", "sum"), default=("default", "sum"), hall=("hall", "sum"),
        hall_default=("hall_default", "sum")).reset_index()
    f = days / 91 * rng.uniform(0.95, 1.05, len(top2))
    for col in ("n", "default", "hall", "hall_default"):
        top2[col] = np.round(top2[col] * f).astype(int)
    top2["n"] = np.maximum(top2["n"], top2["default"] + 5)
    top2["hall_default"] = np.minimum(top2["hall_default"], top2["hall"])
    top2["default"] = np.maximum(top2["default"], top2["hall_default"])
    top2["hall_default"] = np.maximum(top2["hall_default"],
                                      top2["default"] - (top2["n"] - top2["hall"]))
    # bad reviews: the repeat items continue; a few others
    spec = [("市市场监管局", 3, "食品经营许可证核发"), ("市公积金中心", 2, "住房公积金提取"),
            ("市生态环境局", 1, "建设项目环境影响评价文件审批"), ("市市场监管局湖里分局", 1, None),
            ("市人社局", 2, None), ("市公安局", 1, None), ("同安区", 1, None), ("市不动产登记中心", 1, None)]
    rows = []
    for u, c, it in spec:
        others = [i for i in items_of(reg, u) if i != design.REPEAT_ITEMS.get(u)]
        rows += [{"unit": u, "top": reg.top(u), "item": it or others[(j + 1) % len(others)]}
                 for j in range(c)]
    bad = pd.DataFrame(rows)
    bad["raw_level"] = np.where(rng.random(len(bad)) < 0.5, "不满意", "非常不满意")
    bad["verdict"] = rng.choice(["误差评", "恶意差评", "属实"], len(bad), p=[0.7, 0.2, 0.1])
    bad["final_level"] = np.where(bad["verdict"] == "属实", bad["raw_level"], "非常满意")
    bad["corrected_level"] = np.where(bad["verdict"] == "属实", None, "非常满意")
    tops = top2["top"].tolist()
    top2["u"] = [int(((bad["top"] == t) & (bad["final_level"] == "不满意")).sum()) for t in tops]
    top2["v"] = [int(((bad["top"] == t) & (bad["final_level"] == "非常不满意")).sum()) for t in tops]
    top2["s"] = (top2["n"] * rng.uniform(0, 0.0004, len(top2))).astype(int)
    top2["b"] = (top2["s"] * rng.uniform(0, 0.4, len(top2))).astype(int)
    top2["late"] = 0
    top2["missing"] = 0
    units = _leaves(reg, top2, bad)
    # cases completed in the last week, not evaluated yet when the data was read
    units["pending"] = np.round(units["default"] * 7 / days).astype(int) + rng.integers(0, 3, len(units))
    return QuarterPlan("2022Q3", start, end, units, bad, strings_for_times=True, channel_codes=True)


def plan_all(reg: Registry, seed: int) -> dict[str, QuarterPlan]:
    rng = np.random.default_rng([seed, 1])
    q2 = plan_q2(reg, rng)
    q1 = plan_q1(reg, rng, q2)
    q3 = plan_q3(reg, rng, q2, datetime(2022, 7, 26))
    return {"2022Q1": q1, "2022Q2": q2, "2022Q3": q3}


def scale_plan(plan: QuarterPlan, scale: float) -> QuarterPlan:
    """A proportionally smaller plan (tests): bad reviews and level counts are kept, the rest
    scaled; no figure of the bulletin holds at scale < 1."""
    u = plan.units.copy()
    extra = plan.bad[plan.bad["final_level"] == "非常满意"].groupby("unit").size()
    specials = u[["s", "b", "u", "v"]].sum(axis=1) + u["unit"].map(extra).fillna(0).astype(int)
    hall = np.round(u["hall"] * scale).astype(int)
    hd = np.minimum(np.round(u["hall_default"] * scale).astype(int), hall)
    default = np.maximum(np.round(u["default"] * scale).astype(int), hd)
    late = np.minimum(u["late"], 2)
    n = np.maximum(np.round(u["n"] * scale).astype(int), default + (hall - hd) + specials + late + 1)
    u["n"], u["default"], u["hall"], u["hall_default"], u["late"] = n, default, hall, hd, late
    u["missing"] = np.minimum(u["missing"], 3)
    u["pending"] = np.round(u["pending"] * scale).astype(int)
    return QuarterPlan(plan.period, plan.start, plan.end, u, plan.bad, plan.strings_for_times,
                       plan.level_codes_for, plan.channel_codes, plan.quiet_days)
