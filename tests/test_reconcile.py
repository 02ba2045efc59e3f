from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcp_lib.config import load_config
from hcp_lib.published import Entry, load_published, parse_published
from hcp_lib.reconcile import (
    ReconcileError,
    ReconcileResult,
    check_entry,
    months_text,
    reconcile,
    row_percents,
)
from tests.bulletin_factory import pct, published_2022q2

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "data" / "published" / "2022Q2.yaml"
KNOWN = {"evaluations.region.思明区.基本满意.share", "evaluations.region.思明区.非常满意.share"}


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def published():
    return load_published(PUBLISHED)


@pytest.fixture(scope="module")
def bulletin(config):
    return published_2022q2(config)


def statuses(result: ReconcileResult) -> dict[str, str]:
    return {r.id: r.status for r in result.rows}


def test_full_transcription_reconciles_with_only_documented_differences(published, bulletin, config):
    result = reconcile(published, bulletin, config)
    st = statuses(result)
    assert {i for i, s in st.items() if s == "known"} == KNOWN
    assert {s for i, s in st.items() if i not in KNOWN} == {"match"}
    assert result.ok
    assert result.summary["match"] == len(published.entries) - 2


def test_every_section_is_transcribed(published):
    sections = {e.section for e in published.entries}
    assert sections == {"header", "awards", "evaluations", "survey", "satisfaction", "bad_reviews",
                        "mechanism", "active", "commendations"}
    region = [e for e in published.entries if e.id.startswith("evaluations.region.")
              and e.id.count(".") >= 3]
    assert len(region) == 7 * 12  # seven rows: total, active, five levels × (count, share)


def test_changed_figure_is_a_mismatch(published, bulletin, config):
    ev = replace(bulletin.evaluations, total=bulletin.evaluations.total + 1)
    result = reconcile(published, replace(bulletin, evaluations=ev), config)
    assert statuses(result)["evaluations.total"] == "mismatch"
    assert not result.ok
    assert "evaluations.total" in result.summary_text()


def test_changed_list_order_is_a_mismatch(published, bulletin, config):
    aw = replace(bulletin.awards, red_flags=list(reversed(bulletin.awards.red_flags)))
    result = reconcile(published, replace(bulletin, awards=aw), config)
    assert statuses(result)["awards.red_flags"] == "mismatch"


def test_region_share_follows_the_whole_row(published, bulletin, config):
    rows = list(bulletin.evaluations.regions)
    rows[2] = replace(rows[2], levels={**rows[2].levels, "满意": 60, "非常满意": 116467})
    result = reconcile(published, replace(bulletin, evaluations=replace(bulletin.evaluations, regions=rows)), config)
    st = statuses(result)
    assert st["evaluations.region.湖里区.满意.share"] == "mismatch"
    assert st["evaluations.region.湖里区.非常满意.share"] == "mismatch"


@pytest.mark.parametrize(("previous", "status"), [
    ("96.27", "match"),      # down 0.58
    ("96.19", "match"),      # down exactly 0.50
    ("96.29", "match"),      # down exactly 0.60
    ("96.35", "mismatch"),   # down 0.66: not "nearly 0.6"
    ("96.00", "mismatch"),   # down 0.31
    ("95.00", "mismatch"),   # up
])
def test_range_claim_on_a_drop(published, bulletin, config, previous, status):
    d = replace(bulletin.survey.districts, previous_mean=Fraction(previous))
    b = replace(bulletin, survey=replace(bulletin.survey, districts=d))
    row = check_entry(published.entry("survey.districts.mean.change"), b, config)
    assert row.status == status


@pytest.mark.parametrize(("previous", "status"), [
    ("94.92", "match"), ("95.40", "mismatch"), ("94.80", "mismatch"), ("97.00", "mismatch")])
def test_range_claim_on_a_rise(published, bulletin, config, previous, status):
    b = replace(bulletin, active=replace(bulletin.active, city_rate_previous=pct(previous)))
    assert check_entry(published.entry("active.city_rate.change"), b, config).status == status


def test_count_range_claim(published, bulletin, config):
    entry = published.entry("commendations.praise.person_times")
    cm = bulletin.commendations
    assert check_entry(entry, bulletin, config).status == "match"
    fewer = replace(bulletin, commendations=replace(cm, praised_persons=cm.praised_persons[:19]))
    assert check_entry(entry, fewer, config).status == "mismatch"


def test_known_inconsistency_that_matches_is_flagged(published, bulletin, config):
    entry = Entry(id="evaluations.total", figure="count", published=1950306,
                  known_inconsistency={"reason": "test", "expected": 1950307})
    row = check_entry(entry, bulletin, config)
    assert row.status == "unexpected_match"
    result = ReconcileResult("2022Q2", (row,))
    assert not result.ok


def test_known_inconsistency_with_another_value_is_a_mismatch(published, bulletin, config):
    rows = list(bulletin.evaluations.regions)
    rows[1] = replace(rows[1], levels={**rows[1].levels, "基本满意": 30, "非常满意": 149892})
    b = replace(bulletin, evaluations=replace(bulletin.evaluations, regions=rows))
    row = check_entry(published.entry("evaluations.region.思明区.基本满意.share"), b, config)
    assert row.status == "mismatch"  # 0.02%: neither the print nor the documented 0.01%


def test_absent_section_is_missing_and_not_ok(published, bulletin, config):
    result = reconcile(published, replace(bulletin, survey=None), config)
    st = statuses(result)
    assert st["survey.units.mean"] == "missing"
    assert not result.ok


def test_frame_and_summary(published, bulletin, config):
    result = reconcile(published, bulletin, config)
    frame = result.to_frame()
    assert list(frame.columns) == ["项目", "通报值", "计算值", "结果", "说明"]
    assert len(frame) == len(published.entries)
    assert "OK" in result.summary_text() and "2 known" in result.summary_text()


def test_unknown_id_and_wrong_quarter_are_errors(bulletin, config):
    entry = Entry(id="evaluations.nonsense", figure="count", published=1)
    with pytest.raises(ReconcileError, match="evaluations.nonsense"):
        check_entry(entry, bulletin, config)
    doc = parse_published({"quarter": "2022Q1", "entries": []})
    with pytest.raises(ReconcileError, match="2022Q1"):
        reconcile(doc, bulletin, config)


def test_unknown_display_policy_names_the_entry(bulletin, config):
    entry = Entry(id="evaluations.active_rate", figure="percent", display="nope", published="98.05%")
    with pytest.raises(ReconcileError, match="evaluations.active_rate"):
        check_entry(entry, bulletin, config)


def test_row_percents_total_100(config):
    policy = config.display.policy_for("region_level_share")
    city = (Fraction(1, 1063749), Fraction(0), Fraction(69, 1063749), Fraction(218, 1063749),
            Fraction(1063461, 1063749))
    assert row_percents(city, policy) == ["0.01%", "0.00%", "0.01%", "0.02%", "99.96%"]


def test_months_text():
    assert months_text([4]) == "4月份"
    assert months_text([5, 4]) == "4-5月份"
    assert months_text([4, 6]) == "4、6月份"


@given(st.lists(st.integers(0, 10**6), min_size=5, max_size=5).filter(any))
def test_row_percents_total_100_always(counts):
    policy = load_config().display.policy_for("region_level_share")
    total = sum(counts)
    printed = row_percents(tuple(Fraction(c, total) for c in counts), policy)
    assert sum(Decimal(p.removesuffix("%")) for p in printed) == 100
    assert all(p != "0.00%" for p, c in zip(printed, counts, strict=True) if c)


def _unit_rates_previous(bulletin, districts_step: Fraction, city_rose: int):
    """The previous quarter's rates: districts lower by the step, the first ``city_rose`` city
    units lower and the others higher than now."""
    s = bulletin.satisfaction
    d = [replace(r, rate=r.rate - districts_step) for r in s.district_rates]
    c = [replace(r, rate=r.rate + (Fraction(-1, 10000) if i < city_rose else Fraction(1, 10000)))
         for i, r in enumerate(s.city_rates)]
    return replace(bulletin, satisfaction=replace(s, district_rates_previous=d, city_rates_previous=c))


@pytest.mark.parametrize(("districts_step", "city_rose", "districts", "city"), [
    (Fraction(1, 10000), 28, "match", "match"),        # 28 of 54: more than half
    (Fraction(1, 10000), 27, "match", "mismatch"),     # exactly half is not 多数
    (Fraction(0), 54, "mismatch", "match"),            # unchanged is not 提高
])
def test_improvement_flags(published, bulletin, config, districts_step, city_rose, districts, city):
    b = _unit_rates_previous(bulletin, districts_step, city_rose)
    d = check_entry(published.entry("satisfaction.districts.all_improved"), b, config)
    c = check_entry(published.entry("satisfaction.city_units.most_improved"), b, config)
    assert (d.status, c.status) == (districts, city)
    assert c.computed.endswith(f"（{city_rose}/54 家提高）")


def test_improvement_flags_without_previous_rates_are_missing(published, bulletin, config):
    s = replace(bulletin.satisfaction, district_rates_previous=None, city_rates_previous=None)
    row = check_entry(published.entry("satisfaction.districts.all_improved"),
                      replace(bulletin, satisfaction=s), config)
    assert row.status == "missing"
