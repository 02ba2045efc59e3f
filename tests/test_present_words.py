from fractions import Fraction as F

import pytest

from hcp_lib.config import PercentPolicy
from hcp_lib.percent import format_number, format_percent, format_shares
from hcp_lib.present import words


@pytest.mark.parametrize(
    ("current", "previous", "word"),
    [(F("0.9998"), F("0.9994"), "有所提高"), (F("0.9990"), F("0.9994"), "有所下降"),
     (F("0.99981"), F("0.99980"), "基本持平")],
)
def test_change_words_on_both_sides(current, previous, word):
    assert words.change(current, previous).word() == word


def test_no_previous_value_means_no_comparison():
    assert words.change(F(1, 2), None) is None


@pytest.mark.parametrize(
    ("points", "text"),
    [(F("0.57"), "近0.6"), (F("1.96"), "近2"), (F(2), "2"), (F("2.3"), "约2"),
     (F("0.6"), "0.6"), (F("0.63"), "约0.6"), (F("0.97"), "近1")],
)
def test_approx_points(points, text):
    assert words.approx_points(points) == text


def test_survey_mean_change_in_points():
    c = words.change(F("95.69"), F("96.26"), scale=1)
    assert c.direction == "down" and c.approx == "近0.6" and not c.slight()
    assert words.change(F("96.25"), F("96.41"), scale=1).slight()


def test_small_wording_helpers():
    assert words.join(["A", "B", "C"], last="以及") == "A、B以及C"
    assert words.join(["A"], last="以及") == "A"
    assert words.months_label([4]) == "4 月份"
    assert words.months_label([5, 4]) == "4-5 月份"
    assert words.cn_number(12) == "十二" and words.cn_number(20) == "二十" and words.cn_number(5) == "五"
    assert words.count_cn(1, "面") == "一面" and words.count_cn(2, "面") == "两面"
    assert words.person_times(23) == "20余人次" and words.person_times(20) == "20人次"
    assert words.person_times(7) == "7人次"
    assert words.wan(20000) == "2 万"


def test_percent_policies():
    table = PercentPolicy(method="half_up", decimals=2, min_nonzero=True, total_100=True)
    assert format_shares([1, 0, 69, 218, 1063461], table) == [
        "0.01%", "0.00%", "0.01%", "0.02%", "99.96%"]
    headline = PercentPolicy(method="truncate", decimals=2)
    assert format_percent(F(19999999, 20000000), headline) == "99.99%"
    assert format_percent(F(1030300, 1063749), PercentPolicy(method="half_up")) == "96.86%"
    assert format_percent(F(1, 10**7), PercentPolicy(method="truncate", min_nonzero=True)) == "0.01%"
    assert format_percent(F(999999, 10**6), PercentPolicy(method="half_up", below_100=True)) == "99.99%"
    assert format_number(F("96.245"), 2, "half_up") == "96.25"
    assert format_number(F("96.249"), 2, "truncate") == "96.24"
