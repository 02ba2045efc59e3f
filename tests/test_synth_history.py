"""The illustrative history (2021Q1 … 2021Q4): the 2022 files do not move, ids stay unique,
and the quarters look like a city's (a Spring Festival quarter, gradual improvement)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from hcp_lib.config import load_config
from hcp_lib.synth import HISTORY_PERIODS, PERIODS, marker_ok, targets
from hcp_lib.synth.history import plan_history
from hcp_lib.synth.plan import plan_all


def _digests(root: Path, prefix: str) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.glob(f"{prefix}*/*")) if p.is_file()}


def _column(root: Path, period: str, table: str, column: str) -> pd.Series:
    return pq.read_table(root / period / f"{table}.parquet", columns=[column]).column(0).to_pandas()


def test_the_2022_files_are_the_same_bytes_with_history(tiny_data, tiny_history):
    before, after = _digests(tiny_data, "2022"), _digests(tiny_history, "2022")
    assert len(before) == 17
    assert before == after


def test_history_quarters_are_complete_and_marked(tiny_data, tiny_history):
    from catalogue import TINY_SCALE

    for q in HISTORY_PERIODS:
        names = sorted(p.name for p in (tiny_history / q).iterdir())
        assert names == sorted(["办件明细.parquet", "评价明细.parquet", "差评核实台账.xlsx", "第三方评估.xlsx",
                                "服务之星.xlsx", "红旗窗口.xlsx", "表扬台账.xlsx"])
    assert marker_ok(tiny_history, scale=TINY_SCALE, history=True)
    assert marker_ok(tiny_history, scale=TINY_SCALE)
    assert not marker_ok(tiny_data, scale=TINY_SCALE, history=True)


def test_ids_are_unique_over_all_quarters(tiny_history):
    periods = [*HISTORY_PERIODS, *PERIODS]
    evals = {q: _column(tiny_history, q, "评价明细", "评价编号").astype("int64") for q in periods}
    all_ids = pd.concat(evals.values())
    assert all_ids.is_unique
    # chronological: every 2021 number is below 2022's, each quarter below the next
    for a, b in zip(periods, periods[1:], strict=False):
        assert evals[a].max() < evals[b].min()
    cases = pd.concat([_column(tiny_history, q, "办件明细", "办件编号") for q in periods])
    assert cases.is_unique
    assert cases.str.len().eq(19).all()


def test_history_evaluations_refer_to_cases_in_the_files(tiny_history):
    cases = set(pd.concat([_column(tiny_history, q, "办件明细", "办件编号") for q in HISTORY_PERIODS]))
    for q in HISTORY_PERIODS[1:]:  # 2021Q1's first week refers to December 2020
        refs = _column(tiny_history, q, "评价明细", "办件编号")
        assert refs.isin(cases).all(), q


def test_the_spring_festival_week_is_quiet(tiny_history):
    times = _column(tiny_history, "2021Q1", "评价明细", "评价时间")
    days = times.dt.normalize().value_counts()
    holiday = days[(days.index >= "2021-02-11") & (days.index < "2021-02-18")].sum()
    week_after = days[(days.index >= "2021-03-01") & (days.index < "2021-03-08")].sum()
    assert holiday * 5 < week_after


@pytest.fixture(scope="module")
def plans():
    reg = load_config().registry
    plans = plan_all(reg, 20220726)
    return {**plan_history(reg, 20220726, plans["2022Q1"], plans["2022Q2"]), **plans}


def _city_active_rate(plan) -> float:
    u = plan.units[~plan.units["top"].isin(targets.DISTRICT_BY_CODE.values())]
    return 1 - u["default"].sum() / u["n"].sum()


def test_history_moves_the_way_a_city_would(plans):
    n = {q: int(p.units["n"].sum()) for q, p in plans.items()}
    assert n["2021Q1"] < n["2021Q2"] < n["2021Q3"] < n["2021Q4"]  # growth; Q1 has the festival
    assert n["2021Q1"] < n["2022Q1"] and n["2021Q2"] < n["2022Q2"]  # a year's growth
    rates = [_city_active_rate(plans[q]) for q in (*HISTORY_PERIODS, "2022Q1", "2022Q2")]
    assert rates == sorted(rates)  # active evaluation improves quarter by quarter
    by_unit = {q: plans[q].units.groupby("top")["n"].sum() for q in ("2021Q1", "2022Q1")}
    change = by_unit["2022Q1"] / by_unit["2021Q1"]
    assert (change > 1).sum() > 10 and (change < 1).sum() > 2  # some units rise, some fall
