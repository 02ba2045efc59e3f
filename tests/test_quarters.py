from datetime import date, datetime

import pytest

from hcp_lib.quarters import Quarter, QuarterError, issue_number


@pytest.mark.parametrize("text", ["2022Q2", "2022q2", "2022-Q2", "2022-2", "2022年第二季度", " 2022Q2 "])
def test_parse_forms(text):
    assert Quarter.parse(text) == Quarter(2022, 2)


@pytest.mark.parametrize("text", ["2022Q5", "2022", "Q2", "2022年第五季度", ""])
def test_parse_rejects(text):
    with pytest.raises(QuarterError):
        Quarter.parse(text)


def test_bounds_and_neighbours():
    q = Quarter(2022, 2)
    assert q.start == datetime(2022, 4, 1)
    assert q.end == datetime(2022, 7, 1)
    assert q.last_day == date(2022, 6, 30)
    assert q.months == (4, 5, 6)
    assert q.previous() == Quarter(2022, 1)
    assert Quarter(2022, 1).previous() == Quarter(2021, 4)
    assert Quarter(2021, 4).next() == Quarter(2022, 1)
    assert q.contains(datetime(2022, 6, 30, 23, 59, 59))
    assert not q.contains(datetime(2022, 7, 1))


def test_labels():
    q = Quarter(2022, 2)
    assert str(q) == "2022Q2"
    assert q.label_cn == "2022年第二季度"
    assert q.short_cn == "二季度"
    assert q.ordinal_cn == "第二季度"


def test_issue_numbering_matches_reference_bulletin():
    number = issue_number(Quarter(2022, 2), Quarter(2020, 1))
    assert (number.in_year, number.overall) == (2, 10)
    assert number.label_cn == "第2期（总第10期）"


def test_issue_numbering_before_first_issue_fails():
    with pytest.raises(QuarterError):
        issue_number(Quarter(2019, 4), Quarter(2020, 1))
