"""The completeness gates and plausibility checks as pure functions (the runs: the catalogue)."""

from dataclasses import replace
from fractions import Fraction

from present_fixtures import make_bulletin

from hcp_lib.config import GatesConfig, PlausibilityConfig, VolumeCheck
from hcp_lib.gates import check as gates
from hcp_lib.plausibility import check as plausible
from hcp_lib.quarters import Quarter

Q = Quarter.parse("2022Q2")
ALL_MONTHS = ["2022-04-01", "2022-05-01", "2022-06-30"]


def report(read: int = 1000, rejected: int = 0, ledgers: bool = True) -> dict:
    table = {"files": [{"path": "x"}], "read": read, "accepted": read - rejected,
             "rejected": rejected}
    tables = {"evaluations": table, "cases": dict(table, rejected=0, accepted=read)}
    if ledgers:
        for name in ("bad_reviews", "survey", "stars", "red_flags", "commendations"):
            tables[name] = {"files": [{"path": name}], "read": 1, "accepted": 1, "rejected": 0}
    return {"tables": tables}


def covered(days=ALL_MONTHS) -> dict:
    return {"evaluations": list(days), "cases": list(days)}


def test_a_whole_quarter_passes_without_notices():
    outcome = gates(report(), covered(), Q, GatesConfig(), "strict")
    assert outcome.ok and outcome.notices == []


def test_the_rejected_ceiling_is_inclusive_and_only_for_quarantine():
    at = gates(report(read=1000, rejected=1), covered(), Q, GatesConfig(), "quarantine")
    assert at.ok and "其中 1 行未通过校验" in at.notices[0]
    above = gates(report(read=1000, rejected=2), covered(), Q, GatesConfig(), "quarantine")
    assert not above.ok and "0.20% of the rows" in above.failures[0]


def test_day_coverage_names_runs_of_missing_days():
    days = [f"2022-04-{d:02d}" for d in range(1, 31)] + ["2022-05-02"]
    outcome = gates(report(), covered(days), Q, GatesConfig(coverage="day"), "strict")
    assert "缺少2022-05-01、2022-05-03至2022-06-30的记录" in outcome.failures[0]
    assert gates(report(), covered([]), Q, GatesConfig(coverage="off"), "strict").ok


def test_missing_optional_ledgers_are_notices_required_ones_failures():
    outcome = gates(report(ledgers=False), covered(), Q, GatesConfig(), "strict")
    assert outcome.ok and len(outcome.notices) == 5
    outcome = gates(report(ledgers=False), covered(), Q,
                    GatesConfig(required_ledgers=("bad_reviews",)), "strict")
    assert outcome.failures == ["差评核实台账：没有文件 (the required ledger bad_reviews is "
                                "missing for 2022Q2)"]


def test_a_plausible_bulletin_passes():
    assert plausible(make_bulletin(), PlausibilityConfig()) == []


def test_a_rate_above_100_percent_and_a_wild_survey_mean_are_named():
    b = make_bulletin()
    b = replace(b, evaluations=replace(b.evaluations, satisfied_rate=Fraction(3, 2)))
    if b.survey is not None:
        b = replace(b, survey=replace(b.survey, units=replace(b.survey.units,
                                                              mean=Fraction(10**30))))
    found = {f.check for f in plausible(b, PlausibilityConfig())}
    assert "rates_in_range" in found
    assert b.survey is None or "survey_means_in_range" in found
    off = PlausibilityConfig(rates_in_range=False, survey_means_in_range=False)
    assert plausible(b, off) == []


def test_volume_compares_with_the_previous_quarter():
    b = make_bulletin()
    e = b.evaluations
    if not e.previous_levels:
        b = replace(b, evaluations=replace(e, previous_levels=dict(e.levels)))
        e = b.evaluations
    tenfold = replace(b, evaluations=replace(e, total=e.total * 11))
    assert [f.check for f in plausible(tenfold, PlausibilityConfig())] == ["volume"]
    loose = PlausibilityConfig(volume=VolumeCheck(max_ratio=20))
    assert plausible(tenfold, loose) == []
