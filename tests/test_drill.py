"""Drill-down: every breakdown adds up to the unit's figures in its bulletin; no ids."""

from __future__ import annotations

from fractions import Fraction

import pytest

from hcp_lib.analysis import drill
from hcp_lib.analysis.aggregates import quarter_aggregates
from hcp_lib.pipeline import build_bulletin


@pytest.fixture(scope="module")
def quarter(small_dataset, config, tmp_path_factory):
    cache = tmp_path_factory.mktemp("drill_cache")
    agg = quarter_aggregates("2022Q2", small_dataset, config, cache_dir=cache)
    return agg, build_bulletin("2022Q2", small_dataset, config), cache


def _pct(x: Fraction) -> float:
    return float(x) * 100


@pytest.mark.parametrize("by", list(drill.BY))
def test_unit_breakdowns_add_up_to_the_bulletin(quarter, config, by):
    agg, b, _ = quarter
    bad = {g.unit: g for g in b.bad_reviews.units}
    rates = {r.unit: r.rate for r in b.satisfaction.city_rates}
    checked = 0
    for u in b.active.ranking:
        t = drill.target(u.unit, config)
        table = drill.breakdown(agg, t, config, by)
        assert table["评价数"].sum() == u.evaluations
        assert table["主动评价数"].sum() == u.active
        # the bulletin may group a unit's bad reviews under another (公积金中心 in 住房局's parts)
        expected_bad = sum(g.parts.get(u.unit, 0) if g.parts else g.count * (g.unit == u.unit)
                           for g in bad.values())
        assert table["差评数"].sum() == expected_bad
        whole = drill.summary(agg, t, config).iloc[0]
        assert whole["主动评价率"] == pytest.approx(_pct(u.rate))
        assert whole["满意率"] == pytest.approx(_pct(rates[u.unit]))
        checked += 1
    assert checked > 10


def test_district_breakdown_adds_up_to_the_region_table(quarter, config):
    agg, b, _ = quarter
    for region in b.evaluations.regions[1:]:
        table = drill.breakdown(agg, drill.target(region.label, config), config, "实施单位")
        assert (table["评价数"].sum(), table["主动评价数"].sum()) == (region.total, region.active)


def test_compare_with_previous_quarter_and_no_ids(quarter, config, small_dataset):
    agg, b, cache = quarter
    previous = quarter_aggregates("2022Q1", small_dataset, config, cache_dir=cache)
    unit = b.bad_reviews.units[0].unit
    t = drill.target(unit, config)
    table = drill.compare(agg, previous, t, config, "渠道")
    before = drill.breakdown(previous, t, config, "渠道")
    assert table["评价数（上季度）"].sum() == before["评价数"].sum()
    both = table.dropna(subset=["评价数", "评价数（上季度）"])
    assert (both["评价数变化"] == both["评价数"] - both["评价数（上季度）"]).all()
    shown = drill.verdicts(agg, t, config)
    assert shown["合计"].sum() == drill.summary(agg, t, config).iloc[0]["差评数"]
    for frame in (table, shown, drill.bad_reviews_of(agg, t, config)):
        assert not {"eval_id", "case_id", "rater", "contact", "comment"} & set(frame.columns)


def test_unknown_target_is_a_clear_error(config):
    with pytest.raises(ValueError, match="unknown unit or district: 不存在局"):
        drill.target("不存在局", config)
