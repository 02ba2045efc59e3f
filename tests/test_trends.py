"""Trends across quarters agree with each quarter's own bulletin; 环比 and 同比 by hand."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from hcp_lib.analysis.trends import (
    CITY,
    DISTRICT,
    UNIT,
    complete_quarters,
    quarter_range,
    trends,
    with_changes,
)
from hcp_lib.config import load_config
from hcp_lib.pipeline import build_bulletin

CFG = load_config()


@pytest.fixture()
def small(small_dataset):
    return small_dataset


def _pct(x: Fraction) -> float:
    return float(x) * 100


def test_complete_quarters_leave_out_the_look_ahead(small):
    assert [str(q) for q in complete_quarters(small)] == ["2022Q1", "2022Q2"]
    assert [str(q) for q in quarter_range(small, "2022Q2", "2022Q3")] == ["2022Q2", "2022Q3"]


def test_trends_agree_with_each_quarters_bulletin(small, tmp_path):
    t = trends(small, CFG, cache_dir=tmp_path / "cache")
    assert t.quarters == ["2022Q1", "2022Q2"]
    for q in t.quarters:
        b = build_bulletin(q, small, CFG)
        rows = t.table[t.table["季度"] == q].set_index(["类别", "名称"])
        city = rows.loc[(CITY, CITY)]
        assert (city["评价数"], city["主动评价数"], city["差评数"]) == (
            b.evaluations.total, b.evaluations.active, b.bad_reviews.total)
        assert city["满意率"] == pytest.approx(_pct(b.satisfaction.city_mean), abs=1e-9)
        for region in b.evaluations.regions[1:]:
            row = rows.loc[(DISTRICT, region.label)]
            assert (row["评价数"], row["主动评价数"]) == (region.total, region.active)
        for r in b.satisfaction.district_rates:
            assert rows.loc[(DISTRICT, r.unit), "满意率"] == pytest.approx(_pct(r.rate), abs=1e-9)
        for u in b.active.ranking:
            row = rows.loc[(UNIT, u.unit)]
            assert (row["评价数"], row["主动评价数"]) == (u.evaluations, u.active)
            assert row["主动评价率"] == pytest.approx(_pct(u.rate), abs=1e-9)
        for g in b.bad_reviews.units:
            assert rows.loc[(UNIT, g.unit), "差评数"] == g.count
    # 环比 of the second quarter is the difference with the first
    q1 = t.table[(t.table["季度"] == "2022Q1") & (t.table["名称"] == CITY)].iloc[0]
    q2 = t.table[(t.table["季度"] == "2022Q2") & (t.table["名称"] == CITY)].iloc[0]
    assert q2["满意率环比"] == pytest.approx(q2["满意率"] - q1["满意率"])
    assert pd.isna(q2["满意率同比"])
    # a second look reads the cached aggregates and gives the same table
    again = trends(small, CFG, cache_dir=tmp_path / "cache")
    pd.testing.assert_frame_equal(again.table, t.table)


def test_changes_quarter_on_quarter_and_year_on_year():
    rows = [(q, UNIT, "市商务局", n, rate, bad) for q, n, rate, bad in [
        ("2021Q2", 100, 90.0, 4), ("2022Q1", 150, 95.0, 0), ("2022Q2", 200, 97.5, 2)]]
    table = pd.DataFrame(rows, columns=["季度", "类别", "名称", "评价数", "满意率", "差评数"])
    table["主动评价率"] = None
    out = with_changes(table).set_index("季度")
    assert out.at["2022Q2", "满意率环比"] == pytest.approx(2.5)
    assert out.at["2022Q2", "满意率同比"] == pytest.approx(7.5)
    assert out.at["2022Q2", "评价数同比"] == pytest.approx(100.0)
    assert out.at["2022Q2", "差评数同比"] == pytest.approx(-50.0)
    assert pd.isna(out.at["2022Q1", "差评数环比"])  # no 2021Q4
    assert pd.isna(out.at["2022Q2", "差评数环比"])  # from 0: no percentage


def test_trends_over_two_years(tiny_history, tmp_path):
    quarters = [str(q) for q in complete_quarters(tiny_history)]
    assert quarters == ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"]
    t = trends(tiny_history, CFG, cache_dir=tmp_path / "cache")
    assert t.quarters == quarters
    city = t.table[t.table["名称"] == CITY].set_index("季度")
    # 同比 on the same quarter a year earlier, 环比 across the turn of the year
    for q, year_before in (("2022Q1", "2021Q1"), ("2022Q2", "2021Q2")):
        assert city.at[q, "满意率同比"] == pytest.approx(city.at[q, "满意率"] - city.at[year_before, "满意率"])
        assert city.at[q, "评价数同比"] == pytest.approx(
            (city.at[q, "评价数"] - city.at[year_before, "评价数"]) / city.at[year_before, "评价数"] * 100)
    assert city.at["2022Q1", "主动评价率环比"] == pytest.approx(
        city.at["2022Q1", "主动评价率"] - city.at["2021Q4", "主动评价率"])
    assert city["满意率同比"].notna().sum() == 2
    # a history quarter's row is its own bulletin's
    b = build_bulletin("2021Q3", tiny_history, CFG)
    assert city.at["2021Q3", "评价数"] == b.evaluations.total
    assert city.at["2021Q3", "差评数"] == b.bad_reviews.total


def test_analyst_section_reads_earlier_quarters_from_the_cache(tiny_history, tmp_path):
    import typing

    from hcp_lib.analysis.section import TITLE, bulletin_trends, city_table, section_html
    from hcp_lib.documents.html import removed_tags
    from hcp_lib.documents.settings import Section

    b = build_bulletin("2022Q2", tiny_history, CFG)
    cache = tmp_path / "cache"
    t = bulletin_trends(b, CFG, tiny_history, cache)
    assert t.quarters == ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"]
    entries = [p for p in cache.iterdir() if p.name != "trends"]
    assert len(entries) == 5  # each earlier quarter reduced once, stored
    assert len(list((cache / "trends").glob("*.json"))) == 5  # and its rows kept
    again = bulletin_trends(b, CFG, tiny_history, cache)
    pd.testing.assert_frame_equal(again.table, t.table)
    table = city_table(t)
    assert list(table["季度"]) == ["2021年第一季度", "2021年第二季度", "2021年第三季度", "2021年第四季度",
                                 "2022年第一季度", "2022年第二季度"]
    assert table.loc[0, "满意率同比（个百分点）"] == "—"  # no 2020
    html = section_html(t)
    assert TITLE in html and "2021年第一季度" in html and html.count("<img") == 2
    # the section is in the analyst copy, never in the leadership copy
    assert "trends" in CFG.documents.analyst.sections
    assert "section-trends" in removed_tags(CFG.documents.leadership, typing.get_args(Section))


def test_analyst_section_with_one_quarter(small, tmp_path):
    from hcp_lib.analysis.section import bulletin_trends, section_html

    b = build_bulletin("2022Q1", small, CFG)
    t = bulletin_trends(b, CFG, small, tmp_path / "cache")
    assert t.quarters == ["2022Q1"]
    assert "暂无环比、同比" in section_html(t)


def test_an_unreadable_earlier_quarter_is_left_out_not_fatal(tiny_history, tmp_path):
    import shutil

    from hcp_lib.analysis.section import bulletin_trends, section_html

    data = tmp_path / "data"
    for q in ("2021Q4", "2022Q1", "2022Q2"):
        shutil.copytree(tiny_history / q, data / q)
    (data / "2021Q4" / "评价明细.parquet").write_bytes(b"not parquet")
    b = build_bulletin("2022Q2", data, CFG)
    t = bulletin_trends(b, CFG, data, tmp_path / "cache")
    assert t.quarters == ["2022Q1", "2022Q2"] and t.skipped == ["2021Q4"]
    assert "2021年第四季度的数据未能读取" in section_html(t)


def test_trend_charts_are_the_pixels_savefig_draws(small, tmp_path):
    """Drawn in one pass (``present.charts.png_bytes``), as savefig draws them at the same dpi."""
    import io

    import numpy as np
    from PIL import Image

    from hcp_lib.analysis.section import TREND_DPI, _png, bulletin_trends
    from hcp_lib.analysis.trend_charts import trend_chart
    from hcp_lib.present.fonts import setup_fonts

    setup_fonts()
    t = bulletin_trends(build_bulletin("2022Q2", small, CFG), CFG, small, tmp_path / "cache")
    for args in (("满意率", DISTRICT), ("主动评价率", CITY, [CITY])):
        buf = io.BytesIO()
        trend_chart(t, *args).savefig(buf, format="png", dpi=TREND_DPI)
        drawn = Image.open(io.BytesIO(_png(trend_chart(t, *args))))
        assert drawn.mode == "RGB"
        assert np.array_equal(np.asarray(drawn), np.asarray(Image.open(buf).convert("RGB")))
