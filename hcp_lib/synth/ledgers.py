"""The small ledgers the office keeps by hand: survey scores, service stars, red-flag windows,
commendations. 2022 Q2 reproduces the bulletin; 2022 Q1 is invented in the same shape."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from ..registry import Registry
from . import design, targets


def invented_names(rng: np.random.Generator, k: int, avoid: set[str]) -> list[str]:
    out: list[str] = []
    seen = set(avoid)
    while len(out) < k:
        name = rng.choice(list(design.SURNAMES)) + "某" + rng.choice(list(design.SUFFIXES))
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _scores(rng, names: list[str], top: list[str], bottom: list[str], mean: str,
            top_range=(9780, 9930), bottom_range=(9250, 9540)) -> dict[str, Decimal]:
    """Scores (hundredths) with ``top`` best first, ``bottom`` lowest first and an exact mean."""
    k = len(names)
    target_sum = int(Decimal(mean) * 100) * k  # in hundredths
    rest = [u for u in names if u not in top and u not in bottom]
    for _ in range(1000):
        top_sc = np.sort(rng.choice(np.arange(*top_range), len(top), replace=False))[::-1]
        bottom_sc = np.sort(rng.choice(np.arange(*bottom_range), len(bottom), replace=False))
        lo, hi = int(bottom_sc.max()) + 5, int(top_sc.min()) - 5
        need = target_sum - int(top_sc.sum()) - int(bottom_sc.sum())
        centre = need / max(len(rest), 1)
        # The rest must be able to make up the mean between the lists; with few units (six
        # districts) a draw of the top and bottom scores can leave no room: draw again.
        if lo <= centre <= hi and (rest or need == 0):
            break
    else:
        raise ValueError(f"survey scores cannot reach the mean {mean}")
    spread = min(centre - lo, hi - centre) / 2.5
    mid = np.clip(np.round(centre + rng.normal(0, spread, len(rest))), lo, hi).astype(np.int64)
    diff = need - int(mid.sum())
    i = 0
    while diff:
        j = i % len(mid)
        step = 1 if diff > 0 else -1
        if lo <= mid[j] + step <= hi:
            mid[j] += step
            diff -= step
        i += 1
        assert i < 10_000_000, "survey scores cannot reach the mean"
    out = {}
    for u, s in zip(top, top_sc, strict=True):
        out[u] = s
    for u, s in zip(bottom, bottom_sc, strict=True):
        out[u] = s
    for u, s in zip(rest, mid, strict=True):
        out[u] = s
    assert sum(out.values()) == target_sum
    return {u: Decimal(int(v)) / 100 for u, v in out.items()}


def survey(reg: Registry, rng, quarter_label: str, unit_mean: str, district_mean: str,
           unit_top, unit_bottom, district_top, district_bottom) -> pd.DataFrame:
    units = [u.short_name for u in reg.units.values() if u.in_service_centre]
    districts = [d.short_name for d in reg.districts()]
    us = _scores(rng, units, list(unit_top), list(unit_bottom), unit_mean)
    # districts: spread the middle two around the mean
    centre = int(Decimal(district_mean) * 100)
    ds = _scores(rng, districts, list(district_top), list(district_bottom), district_mean,
                 top_range=(centre + 80, centre + 200), bottom_range=(centre - 200, centre - 80))
    rows = [(quarter_label, reg.full_name(u), "窗口单位", float(us[u])) for u in units]
    rows += [(quarter_label, d, "区", float(ds[d])) for d in districts]
    return pd.DataFrame(rows, columns=["季度", "单位", "类别", "得分"])


def stars(rng, months: list[str], repeaters: list[tuple[str, str]], pool_units: list[str],
          per_month: int) -> pd.DataFrame:
    """Monthly awards: every repeater first appears in the first month, in order, and wins
    once more in a later month; the other winners win once."""
    avoid = {p for p, _ in repeaters}
    rows = []
    n_one = per_month * len(months) - 2 * len(repeaters)
    ones = invented_names(rng, n_one, avoid)
    one_units = rng.choice(pool_units, n_one)
    second = rng.integers(1, len(months), len(repeaters))
    k = 0
    for mi, month in enumerate(months):
        month_rows = []
        if mi == 0:
            month_rows += [(month, p, u) for p, u in repeaters]
        else:
            month_rows += [(month, p, u) for (p, u), s in zip(repeaters, second, strict=True) if s == mi]
        while len(month_rows) < per_month and k < n_one:
            month_rows.append((month, ones[k], one_units[k]))
            k += 1
        if mi == 0:  # interleave some one-time winners without changing the repeaters' order
            head = month_rows[: len(repeaters)]
            tail = month_rows[len(repeaters):]
            mixed = []
            for i, r in enumerate(head):
                mixed.append(r)
                if i % 4 == 3 and tail:
                    mixed.append(tail.pop())
            month_rows = mixed + tail
        rows += month_rows
    rows += [(months[-1], ones[j], one_units[j]) for j in range(k, n_one)]
    return pd.DataFrame(rows, columns=["月份", "姓名", "单位"])


def commendations_q2(reg: Registry, rng) -> pd.DataFrame:
    rows = []
    for entry, month, unit, sub, source, wording in targets.BANNERS:
        rows.append((f"2022-{month:02d}", reg.full_name(unit), sub, "锦旗", source, wording, 1, "", entry))
    # 23 letters to 12 units; the bulletin names five units and four senders first
    letter_units = list(targets.LETTER_UNITS_FIRST) + ["市社保中心", "市不动产登记中心", "厦门税务",
                                                       "市公积金中心", "市人社局", "市交通运输局", "市医保局"]
    assert len(letter_units) == targets.LETTER_UNITS
    sources = list(targets.LETTER_SOURCES_FIRST) + ["厦门示例贸易有限公司", "办事群众", "厦门示例物流有限公司",
                                                    "厦门示例置业有限公司", "办事群众", "厦门示例医药有限公司",
                                                    "厦门示例建设工程有限公司", "办事群众"]
    counts = [3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 2]
    assert sum(counts) == targets.LETTERS_TOTAL
    months = [4, 4, 5, 5, 6, 4, 5, 6, 4, 5, 6, 6]
    for u, s, c, m in zip(letter_units, sources, counts, months, strict=True):
        rows.append((f"2022-{m:02d}", reg.full_name(u), "", "感谢信", s, "", c, "", 11))
    # praise: the named persons first, then invented ones to 24 person-times over 12 units
    named = list(targets.PRAISE_FIRST)
    grouped: dict[str, list[str]] = {}
    for u, p in named:
        grouped.setdefault(u, []).append(p)
    more_units = ["市公安局", "市社保中心", "市公积金中心", "市市场监管局", "厦门税务", "市交通运输局"]
    extra = invented_names(rng, 24 - len(named), {p for _, p in named})
    praise_rows = [(4, u, ps, "办事企业群众") for u, ps in grouped.items()]
    all_units = list(grouped) + more_units
    assert len(all_units) == targets.PRAISE_UNITS
    for i, p in enumerate(extra):
        u = all_units[(i + len(grouped)) % len(all_units)]
        praise_rows.append((4 + i % 3, u, [p], "12345平台" if i % 2 else "办事企业群众"))
    for m, u, ps, src in praise_rows:
        rows.append((f"2022-{m:02d}", reg.full_name(u), "", "表扬", src, "主动靠前、服务热情、办事高效",
                     len(ps), "、".join(ps), 12))
    return pd.DataFrame(rows, columns=["月份", "单位", "受表扬部门", "类型", "来自", "内容", "数量",
                                       "受表扬人员", "条目"])


def commendations_q1(reg: Registry, rng) -> pd.DataFrame:
    rows = [
        ("2022-01", "市人社局", "", "锦旗", "厦门示例人力资源有限公司", "服务热情、办事高效", 1, "", 1),
        ("2022-02", "市公安局", "", "锦旗", "办事群众", "为民服务、情系百姓", 1, "", 2),
        ("2022-03", "市不动产登记中心", "", "锦旗", "厦门示例置业有限公司", "高效便民、服务一流", 1, "", 3),
        ("2022-01", "市发改委", "", "感谢信", "厦门示例能源有限公司", "", 2, "", 4),
        ("2022-02", "市商务局", "", "感谢信", "办事群众", "", 3, "", 4),
        ("2022-03", "市税务局", "", "感谢信", "厦门示例贸易有限公司", "", 4, "", 4),
    ]
    names = invented_names(rng, 12, set())
    for i, p in enumerate(names):
        u = ["市社保中心", "市医保中心", "市政务服务保障中心", "市民政局"][i % 4]
        rows.append((f"2022-{1 + i % 3:02d}", u, "", "表扬", "12345平台", "服务热情", 1, p, 5))
    frame = pd.DataFrame(rows, columns=["月份", "单位", "受表扬部门", "类型", "来自", "内容", "数量",
                                        "受表扬人员", "条目"])
    frame["单位"] = [reg.full_name(reg.resolve(u)) for u in frame["单位"]]
    return frame


def build(reg: Registry, seed: int) -> dict[str, dict[str, pd.DataFrame]]:
    rng = np.random.default_rng([seed, 7])
    centre_units = [u.short_name for u in reg.units.values() if u.in_service_centre]
    pool = [reg.full_name(u) for u in centre_units]
    out: dict[str, dict[str, pd.DataFrame]] = {"2022Q1": {}, "2022Q2": {}}

    units_q2 = [u for u in centre_units]
    districts = [d.short_name for d in reg.districts()]
    out["2022Q2"]["第三方评估"] = survey(
        reg, rng, "2022年第二季度", targets.SURVEY_UNITS_MEAN, targets.SURVEY_DISTRICTS_MEAN,
        targets.SURVEY_UNITS_TOP, targets.SURVEY_UNITS_BOTTOM,
        targets.SURVEY_DISTRICTS_TOP, targets.SURVEY_DISTRICTS_BOTTOM)
    perm = list(rng.permutation(units_q2))
    dperm = list(rng.permutation(districts))
    out["2022Q1"]["第三方评估"] = survey(
        reg, rng, "2022Q1", targets.Q1_SURVEY_UNITS_MEAN, targets.Q1_SURVEY_DISTRICTS_MEAN,
        perm[:11], perm[-7:][::-1], dperm[:2], dperm[-2:][::-1])

    out["2022Q2"]["服务之星"] = stars(rng, ["2022-04", "2022-05", "2022-06"], list(targets.STARS),
                                    pool, 20)
    q1_rep = [(p, rng.choice(pool)) for p in invented_names(rng, 9, {p for p, _ in targets.STARS})]
    out["2022Q1"]["服务之星"] = stars(rng, ["2022-01", "2022-02", "2022-03"], q1_rep, pool, 18)

    out["2022Q2"]["红旗窗口"] = pd.DataFrame({"季度": "2022Q2", "单位": list(targets.RED_FLAGS)})
    q1_flags = [reg.full_name(u) for u in rng.choice(centre_units, 10, replace=False)]
    out["2022Q1"]["红旗窗口"] = pd.DataFrame({"季度": "2022Q1", "单位": q1_flags})

    out["2022Q2"]["表扬台账"] = commendations_q2(reg, rng)
    out["2022Q1"]["表扬台账"] = commendations_q1(reg, rng)
    return out
