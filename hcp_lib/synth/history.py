"""Illustrative history: 2021 Q1 – 2021 Q4, so trends across quarters (环比, 同比) have a year
before the bulletin's quarters to compare with.

No bulletin was published for these quarters: every figure here is invented, in the shape
of the 2022 plans. Volumes follow each unit's 2022 Q2 size with the city's growth, a Spring
Festival quarter (fewer evaluations, a quiet holiday week) and a trend of the unit's own
(some units grow, some shrink); active rates and 满意率 improve gradually towards 2022, each
unit on its own path. The quarters have their own random streams, evaluation numbers below
2022's and case running numbers from 5,000,001 per day, so writing them never changes a byte
of the 2022 files.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..registry import Registry
from . import HISTORY_CASE_NUMBER as CASE_NUMBER
from . import design, ledgers
from .plan import QuarterPlan, _leaves, items_of, scale_plan
from .records import (
    DAY,
    Catalogue,
    Evaluations,
    cases_without_evaluation,
    expand,
    secs,
    stable_order,
)
from .tables import case_columns, case_ids_of, evaluation_columns, write_bad_ledger
from .writers import write_parquet, write_xlsx

HISTORY = ("2021Q1", "2021Q2", "2021Q3", "2021Q4")
BOUNDS = {"2021Q1": (datetime(2021, 1, 1), datetime(2021, 4, 1)),
          "2021Q2": (datetime(2021, 4, 1), datetime(2021, 7, 1)),
          "2021Q3": (datetime(2021, 7, 1), datetime(2021, 10, 1)),
          "2021Q4": (datetime(2021, 10, 1), datetime(2022, 1, 1))}
# The city's evaluations relative to 2022 Q2 (2022 Q1 is 0.987): growth, and the Spring
# Festival quarter below the trend.
VOLUME = {"2021Q1": 0.82, "2021Q2": 0.90, "2021Q3": 0.93, "2021Q4": 0.96}
# Odds of a default (not active) evaluation relative to each unit's 2022 Q1: falling every quarter.
DEFAULTS = {"2021Q1": 2.0, "2021Q2": 1.7, "2021Q3": 1.45, "2021Q4": 1.2}
# 满意 per active evaluation (city units, districts); 基本满意 a fraction of it.
SATISFIED = {"2021Q1": (0.0026, 0.0095), "2021Q2": (0.0021, 0.0080),
             "2021Q3": (0.0017, 0.0066), "2021Q4": (0.0014, 0.0052)}
SURVEY_MEANS = {"2021Q1": ("95.62", "95.48"), "2021Q2": ("95.87", "95.71"),
                "2021Q3": ("96.03", "95.94"), "2021Q4": ("96.18", "96.08")}
BAD_REVIEWS = {"2021Q1": 96, "2021Q2": 88, "2021Q3": 81, "2021Q4": 79}
# 春节 2021: the statutory holiday (2-11 … 2-17) and the quieter days around it
QUIET = {"2021Q1": ((datetime(2021, 2, 8), datetime(2021, 2, 11), 0.6),
                    (datetime(2021, 2, 11), datetime(2021, 2, 18), 0.05),
                    (datetime(2021, 2, 18), datetime(2021, 2, 22), 0.7)),
         "2021Q2": ((datetime(2021, 5, 1), datetime(2021, 5, 6), 0.1),),
         "2021Q3": ((datetime(2021, 9, 19), datetime(2021, 9, 22), 0.1),),
         "2021Q4": ((datetime(2021, 10, 1), datetime(2021, 10, 8), 0.1),)}
FIRST_ID = 1_000_000  # 评价编号 of 2021 Q1; 2022 Q1 starts at 10,000,000


def _tops(plan: QuarterPlan) -> pd.DataFrame:
    return plan.units.groupby("top", sort=False).agg(
        n=("n", "sum"), default=("default", "sum"), hall=("hall", "sum"),
        hall_default=("hall_default", "sum"), region=("region", "first")).reset_index()


def _more_defaults(share: np.ndarray, odds: np.ndarray | float) -> np.ndarray:
    """A default share with its odds multiplied by ``odds``: a unit at 5% defaults moves a
    little, one at 50% as much in proportion, and no share reaches 100%."""
    o = share / (1 - share) * odds
    return o / (1 + o)


def plan_history(reg: Registry, seed: int, q1: QuarterPlan, q2: QuarterPlan) -> dict[str, QuarterPlan]:
    """Plans for 2021 Q1 – Q4, from the 2022 plans' unit sizes and shares."""
    rng = np.random.default_rng([seed, 1000])
    base2 = _tops(q2)
    base1 = _tops(q1).set_index("top").reindex(base2["top"]).reset_index()
    tops = base2["top"].tolist()
    is_d = base2["top"].isin({d.short_name for d in reg.districts()}).to_numpy()
    k_units = len(tops)
    growth = rng.uniform(-0.05, 0.035, k_units)  # per quarter, on top of the city's
    active_path = rng.uniform(-0.6, 0.35, k_units)  # > 0: improves faster than the city, < -0.4: falls
    sat_path = rng.uniform(-0.3, 0.4, k_units)
    sat_level = rng.lognormal(0, 0.5, k_units)
    def_share = (base1["default"] / base1["n"]).clip(0.004, 0.9).to_numpy()
    hall_def_share = (base1["hall_default"] / base1["hall"].clip(lower=1)).clip(0.01, 0.5).to_numpy()
    plans: dict[str, QuarterPlan] = {}
    for k, name in enumerate(HISTORY):
        back = 5 - k  # quarters before 2022 Q2
        f = VOLUME[name] * (1 - growth * back) * rng.uniform(0.97, 1.03, k_units)
        t = base2[["top", "region"]].copy()
        t["n"] = np.maximum(60, np.round(base2["n"].to_numpy() * f)).astype(int)
        t["hall"] = np.minimum(np.round(base2["hall"].to_numpy() * f), t["n"] // 2).astype(int)
        share = _more_defaults(def_share, DEFAULTS[name] * (1 + active_path * (4 - k) / 4))
        t["default"] = np.round(t["n"] * share).astype(int)
        t["hall_default"] = np.round(t["hall"] * _more_defaults(hall_def_share, DEFAULTS[name])).astype(int)
        t["default"] = np.maximum(t["default"], t["hall_default"])
        # non-hall defaults leave room for the active evaluations that carry levels
        t["default"] = np.minimum(t["default"], t["hall_default"] + (t["n"] - t["hall"]) * 9 // 10)

        bad = _bad_reviews(reg, rng, t, BAD_REVIEWS[name])
        t["u"] = [int(((bad["top"] == u) & (bad["final_level"] == "不满意")).sum()) for u in tops]
        t["v"] = [int(((bad["top"] == u) & (bad["final_level"] == "非常不满意")).sum()) for u in tops]
        p_city, p_district = SATISFIED[name]
        p = np.where(is_d, p_district, p_city) * sat_level * (1 + sat_path * (4 - k) / 4)
        active = (t["n"] - t["default"]).to_numpy()
        t["s"] = rng.binomial(active, np.clip(p, 0, 0.05))
        t["b"] = rng.binomial(t["s"].to_numpy(), 0.25)
        t["late"] = 0
        t["missing"] = 0
        late = rng.choice(k_units, 8, replace=False)
        t.loc[late, "late"] = rng.integers(1, 6, 8)
        miss = rng.choice(k_units, 20, replace=False)
        t.loc[miss, "missing"] = rng.integers(1, 30, 20)
        start, end = BOUNDS[name]
        plans[name] = QuarterPlan(name, start, end, _leaves(reg, t, bad), bad,
                                  strings_for_times=False, quiet_days=QUIET[name])
    return plans


def _bad_reviews(reg: Registry, rng: np.random.Generator, t: pd.DataFrame, count: int) -> pd.DataFrame:
    """Raw bad reviews on the top units, more on the bigger ones; about one in seven found true
    (属实, kept as recorded), the rest corrected to 非常满意."""
    weights = np.sqrt(t["n"].to_numpy(dtype=float))
    units = rng.choice(t["top"].to_numpy(), count, p=weights / weights.sum())
    bad = pd.DataFrame({"unit": units, "top": units})
    bad["item"] = [items_of(reg, u)[int(rng.integers(0, len(items_of(reg, u))))] for u in units]
    bad["raw_level"] = np.where(rng.random(count) < 0.55, "不满意", "非常不满意")
    bad["verdict"] = rng.choice(["属实", "误差评", "恶意差评"], count, p=[0.15, 0.65, 0.2])
    true = bad["verdict"] == "属实"
    bad["final_level"] = np.where(true, bad["raw_level"], "非常满意")
    bad["corrected_level"] = np.where(true, None, "非常满意")
    return bad.sort_values("top", kind="stable").reset_index(drop=True)


def history_ledgers(reg: Registry, seed: int) -> dict[str, dict[str, pd.DataFrame]]:
    """Survey, stars, red flags and commendations of each history quarter, all invented."""
    rng = np.random.default_rng([seed, 1007])
    centre_units = [u.short_name for u in reg.units.values() if u.in_service_centre]
    pool = [reg.full_name(u) for u in centre_units]
    districts = [d.short_name for d in reg.districts()]
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for name in HISTORY:
        year, q = int(name[:4]), int(name[-1])
        months = [f"{year}-{3 * (q - 1) + m:02d}" for m in (1, 2, 3)]
        perm = list(rng.permutation(centre_units))
        dperm = list(rng.permutation(districts))
        unit_mean, district_mean = SURVEY_MEANS[name]
        repeaters = [(p, rng.choice(pool)) for p in ledgers.invented_names(rng, 8, set())]
        out[name] = {
            "第三方评估": ledgers.survey(reg, rng, name, unit_mean, district_mean, perm[:11],
                                    perm[-7:][::-1], dperm[:2], dperm[-2:][::-1]),
            "服务之星": ledgers.stars(rng, months, repeaters, pool, 18),
            "红旗窗口": pd.DataFrame({"季度": name, "单位": [reg.full_name(u) for u in
                                                     rng.choice(centre_units, 10, replace=False)]}),
            "表扬台账": _commendations(reg, rng, months, centre_units),
        }
    return out


def _commendations(reg: Registry, rng: np.random.Generator, months: list[str],
                   units: list[str]) -> pd.DataFrame:
    rows = []
    for entry, unit in enumerate(rng.choice(units, 3, replace=False), start=1):
        rows.append((months[entry - 1], reg.full_name(unit), "", "锦旗", "办事群众", "服务热情、办事高效",
                     1, "", entry))
    for unit in rng.choice(units, 3, replace=False):
        rows.append((str(rng.choice(months)), reg.full_name(unit), "", "感谢信", "厦门示例贸易有限公司",
                     "", int(rng.integers(1, 4)), "", 4))
    for i, person in enumerate(ledgers.invented_names(rng, 8, set())):
        rows.append((months[i % 3], reg.full_name(units[int(rng.integers(0, len(units)))]), "", "表扬",
                     "12345平台", "服务热情", 1, person, 5))
    return pd.DataFrame(rows, columns=["月份", "单位", "受表扬部门", "类型", "来自", "内容", "数量",
                                       "受表扬人员", "条目"])


def _day_numbers(done: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Running numbers per completion day (from CASE_NUMBER), in completion order."""
    day = done[order] // DAY
    first_of_day = np.searchsorted(day, day, side="left")
    seq = np.empty(len(order), dtype=np.int64)
    seq[order] = CASE_NUMBER + np.arange(len(order)) - first_of_day
    return seq


def write_history(out_dir: Path, reg: Registry, seed: int, q1: QuarterPlan, q2: QuarterPlan,
                  scale: float = 1.0) -> dict[str, list[Path]]:
    """Write 2021Q1 … 2021Q4 under ``out_dir``; return the files per quarter."""
    plans = plan_history(reg, seed, q1, q2)
    if scale != 1.0:
        plans = {k: scale_plan(p, scale) for k, p in plans.items()}
    cat = Catalogue.build(reg)
    evals: dict[str, Evaluations] = {}
    next_id = FIRST_ID
    for i, (name, plan) in enumerate(plans.items()):
        evals[name] = expand(plan, cat, np.random.default_rng([seed, 1100 + i]), next_id)
        next_id += -(-len(evals[name].unit) // 100_000) * 100_000 + 100_000
    assert next_id <= 10_000_000, "history evaluation numbers would reach 2022's"

    rng = np.random.default_rng([seed, 1200])
    parts = [(ev.unit, ev.item, ev.handling, ev.place, ev.completed) for ev in evals.values()]
    for name, plan in plans.items():
        first, end = BOUNDS[name]
        c = cases_without_evaluation(plan, cat, rng, "missing", first + timedelta(days=1),
                                     end - timedelta(days=12))
        parts.append((c.unit, c.item, c.handling, c.place, c.completed))
    c_unit, c_item, c_hand, c_place, c_done = (np.concatenate(col) for col in zip(*parts, strict=True))
    order = stable_order(c_done)
    case_ids = case_ids_of(cat, c_unit, c_done, _day_numbers(c_done, order))
    place_idx = np.where(c_place == 3, 3 + c_unit, c_place)
    offsets = np.cumsum([0] + [len(ev.unit) for ev in evals.values()])
    comments = np.array(design.COMMENTS_GOOD + design.COMMENTS_BAD, dtype=object)
    led = history_ledgers(reg, seed)
    written: dict[str, list[Path]] = {}
    jobs: list[tuple[dict, Path]] = []
    sorted_done = c_done[order]
    for i, (name, plan) in enumerate(plans.items()):
        folder = Path(out_dir) / name
        folder.mkdir(parents=True, exist_ok=True)
        ev = evals[name]
        rows = pa.array(np.arange(offsets[i], offsets[i + 1]))
        jobs.append((evaluation_columns(plan, ev, cat, case_ids.take(rows), comments),
                     folder / "评价明细.parquet"))
        first, end = BOUNDS[name]
        in_period = order[(sorted_done >= secs(first)) & (sorted_done < secs(end))]
        jobs.append((case_columns(cat, case_ids.take(pa.array(in_period)), c_item[in_period],
                                  c_unit[in_period], c_hand[in_period], place_idx[in_period],
                                  c_place[in_period] == 0, c_done[in_period], plan.strings_for_times),
                     folder / "办件明细.parquet"))
        files = [folder / "评价明细.parquet", folder / "办件明细.parquet",
                 write_bad_ledger(plan, ev, folder, np.random.default_rng([seed, 1300 + i]))]
        for title, frame in led[name].items():
            files.append(write_xlsx(frame, folder / f"{title}.xlsx", title))
        written[name] = files
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job: write_parquet(*job), jobs))
    return written
