"""A small random quarter with the loader's columns, for tests that check metrics by brute force."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from hcp_lib.config import Config
from hcp_lib.contract import LEVELS
from hcp_lib.quarters import Quarter


def random_quarter(
    config: Config, quarter: Quarter, n_eval: int, seed: int, *, id_prefix: str = ""
) -> dict[str, pd.DataFrame]:
    """Evaluations, cases and a bad-review ledger whose every field is drawn at random.

    Levels are skewed to bad ones so bad reviews, corrections and repeats all occur; some
    evaluations have no case in the table, some cases no evaluation, some pushes are late.
    """
    rng = np.random.default_rng(seed)
    reg = config.registry.frame()
    units = reg["unit"].tolist()
    region_of = dict(zip(reg["unit"], reg["region_code"], strict=True))
    codes = [config.city.city_region_code] + [d.code for d in config.city.districts]
    items = [f"ITEM{i:03d}" for i in range(40)]
    item_unit = {it: units[rng.integers(len(units))] for it in items}

    n_case = n_eval
    case_item = rng.choice(items, n_case)
    case_unit = np.array([item_unit[i] for i in case_item], dtype=object)
    # Most records carry their unit's region code; some carry another (a station in a district).
    case_region = np.array([region_of[u] for u in case_unit], dtype=object)
    swap = rng.random(n_case) < 0.1
    case_region[swap] = rng.choice(codes, swap.sum())
    start = quarter.start
    span = (quarter.end - quarter.start).total_seconds()
    completed = [start + timedelta(seconds=float(s)) for s in rng.random(n_case) * span]
    cases = pd.DataFrame({
        "case_id": [f"{id_prefix}C{i:06d}" for i in range(n_case)],
        "item_code": case_item,
        "item_name": [f"事项{c[-3:]}" for c in case_item],
        "unit": case_unit,
        "unit_name": case_unit,
        "region_code": case_region,
        "handling_channel": rng.choice(["网上", "窗口"], n_case),
        "place": rng.choice(["厦门市行政服务中心", "思明区行政服务中心", None], n_case),
        "completed_at": pd.to_datetime(completed),
    })

    # Evaluations: most of a case (one or two each), a few of cases not in the table.
    # Almost every case gets one evaluation; a few get two, leaving a few cases without any.
    pick = rng.permutation(n_case)
    twice = rng.random(n_eval) < 0.004
    pick[twice] = rng.integers(0, n_case, twice.sum())
    orphan = rng.random(n_eval) < 0.003
    case_id = cases["case_id"].to_numpy()[pick].astype(object)
    case_id[orphan] = [f"{id_prefix}X{i:06d}" for i in range(orphan.sum())]
    evaluated = [min(completed[p] + timedelta(hours=float(h)), quarter.end - timedelta(seconds=1))
                 for p, h in zip(pick, rng.exponential(48, n_eval), strict=True)]
    evaluated = pd.to_datetime(evaluated)
    # Pushes at exactly the 24-hour limit are on time; a rare few are later.
    delay = pd.to_timedelta(rng.choice([1, 5, 23, 24, 24.01, 100], n_eval,
                                       p=[.4, .3, .1, .197, .002, .001]), unit="h")
    level = rng.choice(LEVELS, n_eval, p=[0.8, 0.08, 0.04, 0.04, 0.04])
    evaluations = pd.DataFrame({
        "eval_id": [f"{id_prefix}E{i:06d}" for i in range(n_eval)],
        "case_id": case_id,
        "item_code": case_item[pick],
        "item_name": cases["item_name"].to_numpy()[pick],
        "unit": case_unit[pick],
        "unit_name": case_unit[pick],
        "region_code": case_region[pick],
        "channel": rng.choice(list(config.input.channels), n_eval),
        "level": pd.Categorical(level, categories=LEVELS, ordered=True),
        "mode": rng.choice(["主动评价", "默认评价"], n_eval, p=[0.85, 0.15]),
        "evaluated_at": evaluated,
        "pushed_at": evaluated + delay,
    })

    bad = evaluations.loc[evaluations["level"].isin(["不满意", "非常不满意"])]
    in_ledger = bad.loc[rng.random(len(bad)) < 0.9]
    verdict = rng.choice(["属实", "误差评", "恶意差评"], len(in_ledger))
    corrected = np.where(verdict == "误差评", rng.choice(["非常满意", "满意"], len(in_ledger)),
                         np.where(verdict == "恶意差评",
                                  rng.choice(["非常满意", None], len(in_ledger)), None))
    ledger = pd.DataFrame({
        "eval_id": in_ledger["eval_id"].to_numpy(),
        "verdict": verdict,
        "corrected_level": pd.Categorical(corrected, categories=LEVELS, ordered=True),
        "verified_at": in_ledger["evaluated_at"].to_numpy() + np.timedelta64(2, "D"),
        "rectification": None,
        "rectified_at": pd.NaT,
    })
    return {"evaluations": evaluations, "cases": cases, "bad_reviews": ledger}


def later(quarter: Quarter, days: int) -> datetime:
    return quarter.end + timedelta(days=days)
