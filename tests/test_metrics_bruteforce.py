"""Metrics from the reduction equal metrics computed record by record from the raw tables."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from fractions import Fraction

import pandas as pd
import pytest
from synthetic import random_quarter

from hcp_lib.config import load_config
from hcp_lib.contract import LEVELS
from hcp_lib.metrics import compute_bulletin
from hcp_lib.quarters import Quarter
from hcp_lib.reduce import Aggregates, reduce_quarter

CFG = load_config()
REG = CFG.registry
Q = Quarter.parse("2022Q2")
ISSUE = date(2022, 7, 26)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (v if not (isinstance(v, float) and v != v) else None) for k, v in row.items()}
        for row in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]


def _levels_after(evals: list[dict], ledger: list[dict]) -> dict[str, str]:
    corrected = {r["eval_id"]: r["corrected_level"] for r in ledger if r["corrected_level"]}
    return {e["eval_id"]: corrected.get(e["eval_id"], e["level"]) for e in evals}


def _weight_rate(levels: list[str]) -> Fraction:
    w = CFG.satisfaction.weights
    return sum(Fraction(str(w[lv])) for lv in levels) / (100 * len(levels))


def reference(tables, prev_tables, nxt_evals, until_end: datetime) -> dict:
    """The figures, straight from the records with loops and dicts."""
    evals, cases, ledger = (_records(tables[k]) for k in ("evaluations", "cases", "bad_reviews"))
    after = _levels_after(evals, ledger)
    out: dict = {}
    out["total"] = len(evals)
    out["active"] = sum(e["mode"] == "主动评价" for e in evals)
    out["levels"] = {lv: sum(after[e["eval_id"]] == lv for e in evals) for lv in LEVELS}
    rows = [(CFG.city.city_row_label, CFG.city.city_region_code)]
    rows += [(d.name, d.code) for d in CFG.city.districts]
    out["regions"] = [
        (label, sum(e["region_code"] == code for e in evals),
         sum(e["region_code"] == code and e["mode"] == "主动评价" for e in evals),
         [sum(e["region_code"] == code and after[e["eval_id"]] == lv for e in evals)
          for lv in LEVELS])
        for label, code in rows
    ]
    # 满意率
    by_region = defaultdict(list)
    by_top = defaultdict(list)
    for e in evals:
        by_region[e["region_code"]].append(after[e["eval_id"]])
        by_top[REG.top(e["unit"])].append(after[e["eval_id"]])
    out["district_rates"] = {d.name: _weight_rate(by_region[d.code])
                             for d in CFG.city.districts if by_region[d.code]}
    city = {u: _weight_rate(v) for u, v in by_top.items()
            if REG.units[u].kind in CFG.satisfaction.city_mean_kinds}
    out["city_mean"] = sum(city.values()) / len(city)
    out["below"] = sorted(u for u, r in city.items() if r < out["city_mean"])
    # Bad reviews, raw levels.
    bad = [e for e in evals if e["level"] in CFG.bad_reviews.levels]
    verdict = {r["eval_id"]: r["verdict"] for r in ledger}
    out["bad_total"] = len(bad)
    out["verdicts"] = Counter(verdict.get(e["eval_id"], "未核实") for e in bad)
    out["bad_units"] = Counter(REG.bad_review_group(e["unit"]) for e in bad
                               if not REG.is_district(e["unit"]))
    out["bad_districts"] = Counter(REG.top(e["unit"]) for e in bad if REG.is_district(e["unit"]))
    # Mechanism.
    limit = timedelta(hours=CFG.mechanism.push_limit_hours)
    late = {REG.top(e["unit"]) for e in evals if e["pushed_at"] - e["evaluated_at"] > limit}
    out["late"] = late
    nxt = [e for e in _records(nxt_evals) if Q.end <= e["evaluated_at"] < until_end]
    seen = {e["case_id"] for e in evals} | {e["case_id"] for e in nxt}
    cutoff = until_end - timedelta(days=CFG.mechanism.missing_eval_grace_days)
    out["missing"] = {REG.top(c["unit"]) for c in cases
                      if c["completed_at"] <= cutoff and c["case_id"] not in seen}
    in_q = Counter(e["item_code"] for e in bad)
    post = Counter(e["item_code"] for e in nxt if e["level"] in CFG.bad_reviews.levels)
    out["repeat"] = sorted(i for i in in_q if in_q[i] >= CFG.mechanism.repeat_min_in_quarter
                           and post[i] >= CFG.mechanism.repeat_min_after)
    # Active rates.
    case_by_id = {c["case_id"]: c for c in cases}
    hall = [e for e in evals if (c := case_by_id.get(e["case_id"]))
            and c["handling_channel"] == CFG.active_rate.hall_handling_channel
            and c["place"] in CFG.active_rate.hall_places]
    out["hall"] = (sum(e["mode"] == "主动评价" for e in hall), len(hall))
    case_count = Counter(REG.top(c["unit"]) for c in cases)
    activity = {}
    for u in by_top:
        if REG.units[u].kind in CFG.active_rate.unit_kinds:
            mine = [e for e in evals if REG.top(e["unit"]) == u]
            activity[u] = (case_count[u], len(mine), sum(e["mode"] == "主动评价" for e in mine))
    out["activity"] = activity
    prev = _records(prev_tables["evaluations"])
    city_prev = [e for e in prev if e["region_code"] == CFG.city.city_region_code]
    out["city_rate_previous"] = Fraction(sum(e["mode"] == "主动评价" for e in city_prev),
                                         len(city_prev))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reduced_metrics_equal_brute_force(seed, tmp_path):
    tables = random_quarter(CFG, Q, 3000, seed)
    prev = random_quarter(CFG, Q.previous(), 1500, seed + 100, id_prefix="P")
    nxt = random_quarter(CFG, Q.next(), 1500, seed + 200, id_prefix="N")["evaluations"]
    # Some next-period evaluations are of this quarter's cases (late evaluations).
    nxt.loc[nxt.index[:300], "case_id"] = tables["cases"]["case_id"].iloc[:300].to_numpy()
    until_end = datetime(2022, 7, 27)

    agg = reduce_quarter(tables, CFG, next_evaluations=nxt, quarter=Q, until=ISSUE)
    prev_agg = reduce_quarter(prev, CFG, quarter=Q.previous())
    # A cached round trip must not change a figure.
    agg = Aggregates.from_parquet(agg.to_parquet(tmp_path / "agg"))
    b = compute_bulletin(agg, prev_agg, {}, CFG, quarter=Q, issue_date=ISSUE)
    ref = reference(tables, prev, nxt, until_end)

    ev = b.evaluations
    assert (ev.total, ev.active, ev.levels) == (ref["total"], ref["active"], ref["levels"])
    assert [(r.label, r.total, r.active, [r.levels[lv] for lv in LEVELS]) for r in ev.regions] \
        == ref["regions"]
    assert ev.satisfied_rate == Fraction(sum(ref["levels"][lv] for lv in LEVELS[:3]), ref["total"])

    s = b.satisfaction
    assert {r.unit: r.rate for r in s.district_rates} == ref["district_rates"]
    assert s.city_mean == ref["city_mean"]
    assert sorted(r.unit for r in s.below_city_mean) == ref["below"]
    assert [r.rate for r in s.below_city_mean] == sorted(r.rate for r in s.below_city_mean)

    br = b.bad_reviews
    assert br.total == ref["bad_total"]
    assert br.verdicts == dict(ref["verdicts"])
    assert {g.unit: g.count for g in br.units} == dict(ref["bad_units"])
    assert {g.unit: g.count for g in br.districts} == dict(ref["bad_districts"])

    m = b.mechanism
    assert set(m.late_push_units) | set(m.late_push_districts) == ref["late"]
    assert set(m.missing_eval_units) | set(m.missing_eval_districts) == ref["missing"]
    assert sorted(r.item_code for r in m.repeat_items) == ref["repeat"]

    a = b.active
    assert (a.hall_active, a.hall_total) == ref["hall"]
    assert {x.unit: (x.cases, x.evaluations, x.active) for x in a.ranking} == ref["activity"]
    assert a.city_rate_previous == ref["city_rate_previous"]
    limit = Fraction(str(CFG.mechanism.active_rate_threshold))
    assert {x.unit for x in m.below_active_threshold} == {
        u for u, (_, n, act) in ref["activity"].items() if Fraction(act, n) < limit}


def test_input_dtypes_do_not_change_the_reduction():
    tables = random_quarter(CFG, Q, 2000, 7)
    plain = reduce_quarter(tables, CFG, quarter=Q)
    arrowed = {k: v.copy() for k, v in tables.items()}
    ev = arrowed["evaluations"]
    for col in ("eval_id", "case_id", "item_code", "unit", "region_code"):
        ev[col] = ev[col].astype("string[pyarrow]")
    ev["level"] = ev["level"].astype(object)
    ev["channel"] = ev["channel"].astype("category")
    arrowed["cases"]["case_id"] = arrowed["cases"]["case_id"].astype("category")
    other = reduce_quarter(arrowed, CFG, quarter=Q)

    def canon(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        frame = frame.astype({c: object for c in keys})
        return frame.sort_values(keys, ignore_index=True, key=lambda s: s.astype(str))

    keys = [c for c in plain.evaluations.columns if c != "count"]
    pd.testing.assert_frame_equal(canon(plain.evaluations, keys), canon(other.evaluations, keys),
                                  check_dtype=False, check_categorical=False)
    keys = [c for c in plain.cases.columns if c not in ("cases", "checked", "without_evaluation")]
    pd.testing.assert_frame_equal(canon(plain.cases, keys), canon(other.cases, keys),
                                  check_dtype=False, check_categorical=False)
