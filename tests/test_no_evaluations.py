"""A district with no evaluations is shown as 无评价 and compared like with like."""

from __future__ import annotations

from fractions import Fraction

from hcp_lib.present.narrative import Narrator
from hcp_lib.present.tables import NO_EVALUATIONS, district_satisfaction_table, region_table
from tests.test_metrics_sections import CFG, A, bulletin, cases, evals, ledger

DISTRICTS = [(d.name, d.code) for d in CFG.city.districts]


def _rows(levels: dict[str, str], prefix: str) -> list[tuple]:
    rows = [(f"{prefix}u1", "c", "市商务局", "350200", "非常满意", A, "I"),
            (f"{prefix}u2", "c", "市民政局", "350200", "满意", A, "I")]
    for i, (name, code) in enumerate(DISTRICTS):
        if name in levels:
            rows.append((f"{prefix}d{i}", "c", name, code, levels[name], A, "I"))
    return rows


def _five_of_six():
    """翔安区 rated last quarter (非常满意) but not this quarter; the other five rose."""
    last = _rows({name: "满意" for name, _ in DISTRICTS[:-1]} | {"翔安区": "非常满意"}, "p")
    now = _rows({name: "非常满意" for name, _ in DISTRICTS[:-1]}, "n")
    previous = {"evaluations": evals(last), "cases": cases([]), "bad_reviews": ledger([])}
    return bulletin({"evaluations": evals(now)}, previous=previous)


def test_unrated_district_is_listed_and_left_out_of_the_comparison():
    s = _five_of_six().satisfaction
    assert s.districts_unrated == ["翔安区"]
    assert [r.unit for r in s.district_rates] == [name for name, _ in DISTRICTS[:-1]]
    # previous mean over the same five districts (all 满意 = 0.70), not the six (0.75)
    assert s.district_mean_previous == Fraction(7, 10)
    imp = s.districts_improvement
    assert (imp.improved, imp.compared, imp.units) == (5, 5, 5) and not imp.all


def test_unrated_district_reads_no_evaluations_in_tables_and_text():
    b = _five_of_six()
    table = region_table(b, CFG)
    xiang = table[table.iloc[:, 0] == "翔安区"].iloc[0].tolist()
    assert xiang[1] == NO_EVALUATIONS and "0.00%" not in xiang and 0 not in xiang[2:]
    other = table[table.iloc[:, 0] == "思明区"].iloc[0].tolist()
    assert "100.00%" in other
    d = district_satisfaction_table(b, CFG)
    assert d.iloc[:, 0].tolist() == [name for name, _ in DISTRICTS]
    assert d.iloc[-1].tolist() == ["翔安区", 0, NO_EVALUATIONS]
    text = Narrator(b, CFG).satisfaction()[1].text
    assert "各区" not in text and "均有所提高" not in text
    assert "五个区的政务服务满意率平均得分为100.000%（翔安区本季度无评价）" in text
    assert "按两个季度均有评价的五个区计，平均得分从70.000%提升到100.000%" in text


def test_district_unrated_last_quarter_is_not_compared():
    last = _rows({name: "满意" for name, _ in DISTRICTS[1:]}, "p")  # 思明区 new this quarter
    now = _rows({name: "非常满意" for name, _ in DISTRICTS}, "n")
    b = bulletin({"evaluations": evals(now)}, previous={
        "evaluations": evals(last), "cases": cases([]), "bad_reviews": ledger([])})
    s = b.satisfaction
    assert s.districts_unrated == [] and not s.districts_improvement.all
    assert s.district_mean_previous == Fraction(7, 10)
    text = Narrator(b, CFG).satisfaction()[1].text
    assert "各区" not in text
    assert "（思明区一季度无评价）；按两个季度均有评价的五个区计，平均得分从70.000%提升到100.000%" in text


def test_quarter_without_any_evaluations_prints_no_rates():
    b = bulletin({"evaluations": evals([("x", "c", "市商务局", "350200", "非常满意", A, "I")])})
    table = region_table(b, CFG)
    assert (table.iloc[1:, 1] == NO_EVALUATIONS).all()
    text = Narrator(b, CFG).satisfaction()[1].text
    assert "各区二季度均无评价" in text and "为0.000%" not in text and "从0.000%" not in text
