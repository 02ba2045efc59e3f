"""Each section of the bulletin on a few hand-built records whose figures are worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from hcp_lib.config import load_config
from hcp_lib.contract import LEVELS
from hcp_lib.metrics import compute_bulletin
from hcp_lib.metrics._common import Units
from hcp_lib.metrics.evaluations import evaluation_summary
from hcp_lib.metrics.satisfaction import district_rates
from hcp_lib.percent import format_number, format_percent
from hcp_lib.quarters import Quarter
from hcp_lib.reduce import Aggregates, reduce_quarter

CFG = load_config()
Q = Quarter.parse("2022Q2")
T0 = datetime(2022, 4, 10, 9, 0)


def evals(rows: list[tuple]) -> pd.DataFrame:
    """rows: (eval_id, case_id, unit, region_code, level, mode, item_code[, push_hours])."""
    out = []
    for r in rows:
        eid, cid, unit, region, level, mode, item = r[:7]
        push = r[7] if len(r) > 7 else 1
        out.append({
            "eval_id": eid, "case_id": cid, "item_code": item, "item_name": f"名{item}",
            "unit": unit, "unit_name": unit, "region_code": region, "channel": "PC端",
            "level": level, "mode": mode, "evaluated_at": T0,
            "pushed_at": T0 + timedelta(hours=push),
        })
    frame = pd.DataFrame(out)
    frame["level"] = pd.Categorical(frame["level"], categories=LEVELS, ordered=True)
    return frame


def cases(rows: list[tuple]) -> pd.DataFrame:
    """rows: (case_id, unit, handling_channel, place, completed_at)."""
    return pd.DataFrame([
        {"case_id": c, "item_code": "I1", "item_name": "名I1", "unit": u, "unit_name": u,
         "region_code": "350200", "handling_channel": ch, "place": p, "completed_at": at}
        for c, u, ch, p, at in rows
    ])


def ledger(rows: list[tuple]) -> pd.DataFrame:
    """rows: (eval_id, verdict, corrected_level)."""
    return pd.DataFrame([
        {"eval_id": e, "verdict": v, "corrected_level": c, "verified_at": T0,
         "rectification": None, "rectified_at": pd.NaT} for e, v, c in rows
    ], columns=["eval_id", "verdict", "corrected_level", "verified_at", "rectification",
                "rectified_at"])


def bulletin(tables, previous=None, nxt=None, config=CFG, until=date(2022, 7, 26)):
    tables.setdefault("cases", cases([]))
    tables.setdefault("bad_reviews", ledger([]))
    agg = reduce_quarter(tables, config, quarter=Q, next_evaluations=nxt, until=until)
    prev = reduce_quarter(previous, config, quarter=Q.previous()) if previous else None
    return compute_bulletin(agg, prev, {}, config, quarter=Q, issue_date=until)


A, D = "主动评价", "默认评价"


def test_evaluations_use_levels_after_verification():
    b = bulletin({
        "evaluations": evals([
            ("e1", "c1", "市民政局", "350200", "非常满意", A, "I1"),
            ("e2", "c2", "市民政局", "350200", "非常不满意", A, "I1"),  # 误差评 -> 非常满意
            ("e3", "c3", "思明区民政局", "350203", "不满意", D, "I2"),  # 恶意, level kept
            ("e4", "c4", "湖里区", "350206", "满意", D, "I3"),
        ]),
        "bad_reviews": ledger([("e2", "误差评", "非常满意"), ("e3", "恶意差评", None)]),
    })
    ev = b.evaluations
    assert (ev.total, ev.active, ev.active_rate) == (4, 2, Fraction(1, 2))
    assert ev.levels == {"非常满意": 2, "满意": 1, "基本满意": 0, "不满意": 1, "非常不满意": 0}
    assert ev.satisfied_rate == Fraction(3, 4)
    city, siming, huli = ev.regions[:3]
    assert (city.label, city.total, city.active, city.levels["非常满意"]) == ("厦门市直", 2, 2, 2)
    assert (siming.label, siming.total, siming.levels["不满意"]) == ("思明区", 1, 1)
    assert (huli.total, huli.active) == (1, 0)
    assert [r.label for r in ev.regions] == ["厦门市直", "思明区", "湖里区", "集美区", "海沧区",
                                            "同安区", "翔安区"]
    # Bad reviews count raw levels, with their verdicts.
    assert b.bad_reviews.total == 2
    assert b.bad_reviews.verdicts == {"误差评": 1, "恶意差评": 1}


def test_satisfaction_rates_means_and_below():
    rows = [("a1", "c", "市商务局", "350200", "非常满意", A, "I"),
            ("a2", "c", "市商务局", "350200", "基本满意", A, "I"),   # (100+40)/2 = 70
            ("b1", "c", "市民政局", "350200", "满意", A, "I"),
            ("b2", "c", "市民政局", "350200", "非常满意", A, "I"),   # (70+100)/2 = 85
            ("s1", "c", "市市场监管局思明分局", "350203", "非常满意", A, "I"),  # rolls into 市市场监管局
            ("d1", "c", "思明区民政局", "350203", "满意", A, "I"),
            ("d2", "c", "湖里区", "350206", "非常不满意", A, "I")]
    b = bulletin({"evaluations": evals(rows)})
    s = b.satisfaction
    # Districts by the record's region code: 思明 (100 + 70)/2 = 85, 湖里 0.
    assert [(r.unit, r.rate, r.evaluations) for r in s.district_rates] == [
        ("思明区", Fraction(85, 100), 2), ("湖里区", Fraction(0), 1)]
    assert s.district_mean == Fraction(85, 200)
    # City units by roll-up: 商务局 0.70, 民政局 0.85, 市场监管局 1.00 -> mean 0.85.
    assert {r.unit: r.rate for r in s.city_rates} == {
        "市商务局": Fraction(7, 10), "市民政局": Fraction(85, 100), "市市场监管局": Fraction(1)}
    assert s.city_mean == Fraction(85, 100)
    assert [r.unit for r in s.below_city_mean] == ["市商务局"]  # 民政局 equals the mean: not below


def test_district_attribution_by_unit_is_configurable():
    config = CFG.model_copy(update={"satisfaction": CFG.satisfaction.model_copy(
        update={"district_attribution": "unit"})})
    rows = [("s1", "c", "市市场监管局思明分局", "350203", "基本满意", A, "I"),
            ("d1", "c", "思明区民政局", "350203", "满意", A, "I")]
    s = bulletin({"evaluations": evals(rows)}, config=config).satisfaction
    assert [(r.unit, r.rate) for r in s.district_rates] == [("思明区", Fraction(7, 10))]


def test_bad_review_groups_roll_up_and_list():
    rows = []
    for i in range(6):
        rows.append((f"g{i}", "c", "市公积金中心", "350200", "不满意", A, "I9"))
    rows.append(("h0", "c", "市住房局", "350200", "非常不满意", A, "I9"))
    for i in range(4):
        rows.append((f"m{i}", "c", "市市场监管局思明分局", "350203", "不满意", A, "I8"))
    rows.append(("m9", "c", "市市场监管局", "350200", "不满意", A, "I8"))
    rows += [("t1", "c", "同安区人社局", "350212", "不满意", A, "I7"),
             ("t2", "c", "同安区", "350212", "不满意", A, "I7"),
             ("x1", "c", "翔安区", "350213", "不满意", A, "I7")]
    b = bulletin({"evaluations": evals(rows)})
    br = b.bad_reviews
    assert br.total == 15 and br.verdicts == {"未核实": 15}
    housing, market = br.units
    assert (housing.unit, housing.count, housing.parts, housing.includes_stations) == (
        "市住房局", 7, {"市公积金中心": 6, "市住房局": 1}, False)
    assert (market.unit, market.count, market.parts, market.includes_stations) == (
        "市市场监管局", 5, {}, True)
    assert [(g.unit, g.count) for g in br.districts] == [("同安区", 2), ("翔安区", 1)]
    assert [g.unit for g in br.listed_units] == ["市住房局", "市市场监管局"]  # >= 5
    assert [g.unit for g in br.listed_districts] == ["同安区"]  # >= 2


def test_mechanism_checks():
    end = Q.end
    tables = {
        "evaluations": evals([
            ("e1", "c1", "市民政局", "350200", "非常满意", A, "I1", 24),  # exactly 24 h: on time
            ("e2", "c2", "市商务局", "350200", "非常满意", A, "I1", 24.5),  # late
            ("e3", "c3", "湖里区民政局", "350206", "非常满意", D, "I1", 30),  # late, district
            ("e4", "c9", "市民政局", "350200", "不满意", A, "REP"),
            ("e5", "c9", "市民政局", "350200", "非常不满意", A, "REP"),
            ("e6", "c9", "市民政局", "350200", "不满意", A, "ONE"),
        ]),
        "cases": cases([
            ("c1", "市民政局", "网上", None, T0),
            ("c4", "市商务局", "网上", None, end - timedelta(days=10)),  # no evaluation: missing
            ("c5", "市教育局", "网上", None, end - timedelta(days=3)),  # too recent to check
            ("c6", "思明区", "网上", None, end - timedelta(days=30)),  # evaluated next quarter
            ("c7", "集美区人社局", "网上", None, end - timedelta(days=30)),  # missing, district
        ]),
    }
    nxt = evals([("n1", "c6", "思明区", "350203", "满意", A, "X"),
                 ("n2", "c0", "市民政局", "350200", "不满意", A, "REP"),
                 ("n3", "c0", "市民政局", "350200", "不满意", A, "REP"),
                 ("n4", "c0", "市民政局", "350200", "不满意", A, "ONE"),
                 ("n5", "c0", "市民政局", "350200", "不满意", A, "ONE")])
    nxt["evaluated_at"] = end + timedelta(days=5)
    late_nxt = nxt.iloc[[0]].assign(eval_id="n9", evaluated_at=datetime(2022, 7, 27, 8))
    # Without the look-ahead, c5 is too recent, c6 lacks an evaluation, nothing repeats.
    m = bulletin({k: v.copy() for k, v in tables.items()}, nxt=None).mechanism
    assert m.missing_eval_units == ["市商务局"]
    assert m.missing_eval_districts == ["思明区", "集美区"]
    assert m.repeat_items == []
    b = bulletin(tables, nxt=pd.concat([nxt, late_nxt], ignore_index=True))
    m = b.mechanism
    assert m.late_push_units == ["市商务局"] and m.late_push_districts == ["湖里区"]
    # With the look-ahead to 7-26 (data end 7-27), c5 is checked too and c6 found.
    assert m.missing_eval_units == ["市教育局", "市商务局"]  # registry order
    assert m.missing_eval_districts == ["集美区"]
    assert [(r.item_code, r.item_name, r.unit, r.in_quarter, r.after_quarter)
            for r in m.repeat_items] == [("REP", "名REP", "市民政局", 2, 2)]


def test_active_rates_hall_ranking_and_big_units():
    config = CFG.model_copy(update={"active_rate": CFG.active_rate.model_copy(
        update={"big_unit_cases": 2, "leaders_top_n": 2})})
    hall = "厦门市行政服务中心"
    rows = ([(f"a{i}", f"h{i}", "市商务局", "350200", "非常满意", A, "I") for i in range(3)]
            + [("b1", "h9", "市民政局", "350200", "非常满意", A, "I"),
               ("b2", "x", "市民政局", "350200", "非常满意", D, "I"),
               ("c1", "x", "市教育局", "350200", "非常满意", A, "I"),
               ("c2", "x", "市教育局", "350200", "非常满意", D, "I"),
               ("d1", "x", "市科技局", "350200", "非常满意", A, "I"),
               ("d2", "x", "市科技局", "350200", "非常满意", A, "I"),
               ("z1", "x", "思明区", "350203", "非常满意", D, "I")])
    case_rows = [("h0", "市商务局", "窗口", hall, T0), ("h1", "市商务局", "窗口", hall, T0),
                 ("h2", "市商务局", "网上", hall, T0), ("h9", "市民政局", "窗口", "别处", T0),
                 ("x", "市科技局", "网上", None, T0)]
    b = bulletin({"evaluations": evals(rows), "cases": cases(case_rows)}, config=config,
                 previous={"evaluations": evals([("p1", "c", "市民政局", "350200", "满意", D, "I"),
                                                 ("p2", "c", "市民政局", "350200", "满意", A, "I")])})
    a = b.active
    assert (a.hall_active, a.hall_total, a.hall_rate) == (2, 2, Fraction(1))
    assert a.city_rate == Fraction(7, 9) and a.city_rate_previous == Fraction(1, 2)
    # 商务局 3/3 beats 科技局 2/2 on evaluations; 民政局 and 教育局 tie at 1/2: registry order.
    assert [x.unit for x in a.ranking] == ["市商务局", "市科技局", "市教育局", "市民政局"]
    assert [x.unit for x in a.leaders] == ["市商务局", "市科技局"]
    assert [(x.unit, x.cases) for x in a.big_units] == [("市商务局", 3)]  # cases > 2, rate >= 90%
    assert [x.unit for x in a.below_threshold] == ["市教育局", "市民政局"]
    assert a.below_threshold == b.mechanism.below_active_threshold


def test_survey_means_and_lists():
    rows = [("2022Q2", "市商务局", "窗口单位", "97.50"), ("2022Q2", "厦门海关", "窗口单位", 94.1),
            ("2022Q2", "市民政局", "窗口单位", "97.5"), ("2022Q2", "市税务局", "窗口单位", "95"),
            ("2022年第二季度", "翔安区", "区", "96.32"), ("2022Q2", "海沧区", "区", "95.06"),
            ("2022Q1", "市商务局", "窗口单位", "98"), ("2022Q1", "翔安区", "区", "96.10")]
    survey = pd.DataFrame(rows, columns=["quarter", "unit", "group", "score"])
    b = bulletin({"evaluations": evals([("e", "c", "市商务局", "350200", "满意", A, "I")]),
                  "survey": survey})
    units = b.survey.units
    assert units.count == 4
    assert units.mean == Fraction(Decimal("384.1")) / 4  # 96.025: exact, no float drift
    assert units.previous_mean == 98
    assert [e.unit for e in units.scores] == ["市商务局", "市民政局", "厦门税务", "厦门海关"]
    assert units.scores[0].score == Decimal("97.50") and units.scores[3].score == Decimal("94.1")
    assert units.top[:2] == ["市商务局", "市民政局"]
    assert units.bottom[:2] == ["厦门海关", "厦门税务"]
    d = b.survey.districts
    assert (d.count, d.mean, d.previous_mean) == (2, Fraction(Decimal("191.38")) / 2,
                                                  Fraction(Decimal("96.10")))
    assert (d.top, d.bottom) == (["翔安区", "海沧区"], ["海沧区", "翔安区"])


def test_survey_absent_is_none():
    b = bulletin({"evaluations": evals([("e", "c", "市商务局", "350200", "满意", A, "I")])})
    assert b.survey is None and b.commendations is None


def test_awards():
    stars = pd.DataFrame([("2022-04", "陈雅玲", "市市场监管局"), ("2022-05", "陈雅玲", "市市场监管局"),
                          ("2022-04", "倪艳云", "厦门市民政局"), ("2022-06", "倪艳云", "市民政局"),
                          ("2022-04", "一次", "市民政局"), ("2022-03", "上季度", "市民政局"),
                          ("2022-01", "上季度", "市民政局")], columns=["month", "person", "unit"])
    flags = pd.DataFrame([("2022Q2", "市交通运输局"), ("2022Q1", "市商务局"), ("2022Q2", "厦门税务")],
                         columns=["quarter", "unit"])
    b = bulletin({"evaluations": evals([("e", "c", "市商务局", "350200", "满意", A, "I")]),
                  "stars": stars, "red_flags": flags})
    assert b.awards.red_flags == ["厦门市交通运输局", "国家税务总局厦门市税务局"]
    assert [(s.person, s.unit, s.unit_full_name, s.awards) for s in b.awards.stars] == [
        ("陈雅玲", "市市场监管局", "厦门市市场监督管理局", 2),
        ("倪艳云", "市民政局", "厦门市民政局", 2)]


def test_commendations_paragraphs_letters_praise():
    cols = ["month", "unit", "subunit", "kind", "source", "wording", "count", "persons", "entry"]
    rows = [
        ("2022-04", "市民政局", None, "锦旗", "星谷", "服务贴心", None, None, None),
        ("2022-04", "市建设局", None, "锦旗", "万科", "一心一意", 1, None, 2),
        ("2022-04", "市城建档案馆", None, "锦旗", "万科", "真诚服务", 1, None, 2),
        ("2022-05", "市民政局", None, "锦旗", "潜水协会", "尽职尽责", None, None, None),
        ("2022-05", "市资源规划局", "直属分局", "锦旗", "邮轮城", "主动服务", None, None, None),
        ("2022-04", "市发改委", None, "感谢信", "土地发展中心", None, 3, None, None),
        ("2022-06", "市工信局", None, "感谢信", "摩多科技", None, 2, None, None),
        ("2022-05", "市人社局", None, "表扬", "12345", None, None, "余卫强", None),
        ("2022-06", "市医保局", None, "表扬", None, None, None, "罗明雨、林宸晖", None),
        ("2022-07", "市医保局", None, "表扬", None, None, None, "下季度", None),
    ]
    b = bulletin({"evaluations": evals([("e", "c", "市商务局", "350200", "满意", A, "I")]),
                  "commendations": pd.DataFrame(rows, columns=cols)})
    c = b.commendations
    assert [(g.months, g.units, len(g.entries)) for g in c.banners] == [
        ([4, 5], ["市民政局"], 2), ([4], ["市建设局", "市城建档案馆"], 2), ([5], ["市资源规划局"], 1)]
    assert c.banners[2].entries[0].subunit == "直属分局"
    assert (c.letters, c.letter_units, c.letter_sources, c.letter_months) == (
        5, ["市发改委", "市工信局"], ["土地发展中心", "摩多科技"], [4, 6])
    assert c.praised_persons == [("市人社局", "余卫强"), ("市医保局", "罗明雨"), ("市医保局", "林宸晖")]
    assert (c.praise_units, c.praise_months) == (["市人社局", "市医保局"], [5, 6])


def test_headline_of_the_published_bulletin():
    # The 2022 Q2 region table's counts, rebuilt as aggregates, give the published headline.
    table = {"350200": (1063749, 1030300, [1063461, 218, 69, 0, 1]),
             "350203": (149946, 149506, [149919, 24, 3, 0, 0]),
             "350206": (116527, 115351, [116521, 6, 0, 0, 0]),
             "350211": (157610, 157180, [157590, 18, 2, 0, 0]),
             "350205": (119890, 118668, [119877, 9, 4, 0, 0]),
             "350212": (214612, 213962, [214608, 4, 0, 0, 0]),
             "350213": (127972, 127399, [127948, 21, 3, 0, 0])}
    rows = []
    for code, (total, active, levels) in table.items():
        # All default (non-active) evaluations are 非常满意, as the bulletin's table implies.
        rows.append((code, "默认评价", "非常满意", total - active))
        levels = levels.copy()
        levels[0] -= total - active
        rows += [(code, "主动评价", lv, n) for lv, n in zip(LEVELS, levels, strict=True) if n]
    frame = pd.DataFrame(rows, columns=["region_code", "mode", "level", "count"])
    frame = frame.assign(unit="市商务局", item_code="I", channel="PC端", month=5, hall=False,
                         late=False)
    frame["level"] = pd.Categorical(frame["level"], categories=LEVELS, ordered=True)
    agg = Aggregates("2022Q2", frame, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    ev = evaluation_summary(agg, None, CFG)
    assert (ev.total, ev.active) == (1950306, 1912366)
    assert format_percent(ev.active_rate, CFG.display.policy_for("active_rate_all")) == "98.05%"
    assert format_percent(ev.satisfied_rate, CFG.display.policy_for("satisfied_rate")) == "99.99%"
    assert [format_percent(ev.share(lv), CFG.display.policy_for("level_share"))
            for lv in LEVELS[:3]] == ["99.98%", "0.01%", "0.01%"]
    city = ev.regions[0]
    assert format_percent(Fraction(city.active, city.total),
                          CFG.display.policy_for("active_rate_city")) == "96.86%"
    rates = district_rates(agg, CFG, Units(CFG.registry))
    mean = sum(r.rate for r in rates) / len(rates)
    assert format_number(mean * 100, 3) == "99.996"  # the bulletin's district mean


@pytest.mark.parametrize("until", [date(2022, 7, 26), datetime(2022, 7, 26, 12)])
def test_lookahead_cutoff(until):
    nxt = evals([("n1", "c", "市民政局", "350200", "不满意", A, "I"),
                 ("n2", "c", "市民政局", "350200", "不满意", A, "I")])
    nxt["evaluated_at"] = [datetime(2022, 7, 26, 10), datetime(2022, 7, 26, 18)]
    tables = {"evaluations": evals([("e", "c", "市民政局", "350200", "不满意", A, "I")]),
              "cases": cases([]), "bad_reviews": ledger([])}
    agg = reduce_quarter(tables, CFG, quarter=Q, next_evaluations=nxt, until=until)
    expected = 2 if isinstance(until, date) and not isinstance(until, datetime) else 1
    assert int(agg.post_bad_reviews["count"].sum()) == expected


def test_small_tables_passed_raw_are_normalised():
    agg = reduce_quarter({"evaluations": evals([("e", "c", "市商务局", "350200", "满意", A, "I")]),
                          "cases": cases([]), "bad_reviews": ledger([])}, CFG, quarter=Q)
    stars = pd.DataFrame({"month": [pd.Period("2022-04", "M"), pd.Timestamp("2022-05-01")],
                          "person": ["甲", "甲"], "unit": ["市商务局", "市商务局"]})
    survey = pd.DataFrame({"quarter": ["2022年第二季度"], "unit": ["市商务局"],
                           "group": ["窗口单位"], "score": [96.25]})
    b = compute_bulletin(agg, None, {"stars": stars, "survey": survey}, CFG, quarter=Q,
                         issue_date=date(2022, 7, 26))
    assert [(s.person, s.awards) for s in b.awards.stars] == [("甲", 2)]
    assert b.survey.units.scores[0].score == Decimal("96.25")


def test_unresolved_unit_in_bad_reviews_shows_its_recorded_name():
    frame = evals([("e", "c", "市商务局", "350200", "不满意", A, "I")])
    frame["unit"] = pd.NA
    frame["unit_name"] = "某未登记单位"
    b = bulletin({"evaluations": frame})
    assert [(g.unit, g.count) for g in b.bad_reviews.units] == [("某未登记单位", 1)]
    assert b.evaluations.total == 1 and b.satisfaction.city_rates == []


def test_previous_quarter_unit_rates_by_the_same_rules():
    now = [("a1", "c", "市商务局", "350200", "非常满意", A, "I"),
           ("b1", "c", "市民政局", "350200", "满意", A, "I"),
           ("d1", "c", "思明区", "350203", "非常满意", A, "I")]
    before = [("p1", "c", "市商务局", "350200", "满意", A, "I"),        # 0.70 -> 1.00: up
              ("p2", "c", "市民政局", "350200", "满意", A, "I"),        # 0.70 -> 0.70: not up
              ("p3", "c", "市市场监管局", "350200", "满意", A, "I"),    # not rated now
              ("p4", "c", "思明区民政局", "350203", "基本满意", A, "I")]  # 思明区 0.40 -> 1.00
    s = bulletin({"evaluations": evals(now)}, previous={"evaluations": evals(before),
                 "cases": cases([]), "bad_reviews": ledger([])}).satisfaction
    assert [(r.unit, r.rate) for r in s.district_rates_previous] == [("思明区", Fraction(4, 10))]
    assert {r.unit: r.rate for r in s.city_rates_previous} == {
        "市商务局": Fraction(7, 10), "市民政局": Fraction(7, 10), "市市场监管局": Fraction(7, 10)}
    # 思明区 rose, but five districts have no evaluations: no 各区 claim
    assert (s.districts_improvement.improved, s.districts_improvement.all) == (1, False)
    imp = s.city_improvement
    assert (imp.improved, imp.compared, imp.units) == (1, 2, 2)
    assert not imp.most(Fraction(1, 2)) and imp.most(Fraction(1, 3))
    assert bulletin({"evaluations": evals(now)}).satisfaction.city_improvement is None


def test_level_counts_by_a_key_are_each_groups_level_counts():
    """The one-pass sums equal ``level_counts`` of each masked part: missing keys and levels
    outside the scale left out, every level present, groups in order of appearance."""
    from hcp_lib.metrics._common import level_counts, level_counts_by

    frame = pd.DataFrame({
        "top": ["甲", "乙", None, "甲", "丙", "乙", "丙"],
        "level": [LEVELS[0], LEVELS[-1], LEVELS[0], LEVELS[0], "不存在", LEVELS[2], "不存在"],
        "count": [3, 1, 7, 2, 5, 4, 6],
    })
    by = level_counts_by(frame, "top")
    assert list(by) == ["甲", "乙", "丙"]
    for key, counts in by.items():
        assert counts == level_counts(frame.loc[frame["top"] == key])
    assert by["甲"][LEVELS[0]] == 5 and sum(by["丙"].values()) == 0
