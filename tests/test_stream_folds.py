"""The folds' shortcuts answer as the plain computations they stand for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcp_lib import reduce as rd
from hcp_lib.hashing import key_hashes
from hcp_lib.reduce import calendar
from hcp_lib.stream import Groups, LedgerIds, _ledger_positions

# 1900-01-01 .. 2100-12-31 in seconds, with NaT now and then
MOMENTS = st.lists(st.one_of(st.integers(-2_208_988_800, 4_133_980_799), st.none()),
                   max_size=60)


def _expected(moments: np.ndarray) -> tuple[set[str], rd.Codes]:
    """The days by numpy's cast and sort; the months by a binary search over their starts."""
    valid = ~np.isnat(moments)
    days = {str(d) for d in np.unique(moments[valid].astype("datetime64[D]"))}
    if not valid.any():
        return days, (np.zeros(len(moments), dtype=np.int64), np.array([None], dtype=object))
    first = pd.Timestamp(moments[valid].min()).to_period("M")
    last = pd.Timestamp(moments[valid].max()).to_period("M")
    months = pd.period_range(first, last, freq="M")
    starts = months.to_timestamp().to_numpy().astype(moments.dtype)
    codes = np.searchsorted(starts, moments, side="right")
    codes[~valid] = 0
    return days, (codes.astype(np.int64), np.array([None, *(m.month for m in months)],
                                                   dtype=object))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@settings(max_examples=60, deadline=None)
@given(seconds=MOMENTS)
def test_calendar_is_the_days_and_the_month_codes(unit, seconds):
    moments = np.array([np.datetime64("NaT") if s is None else np.datetime64(s, "s")
                        for s in seconds], dtype="datetime64[s]").astype(f"datetime64[{unit}]")
    days, (codes, labels) = calendar(moments)
    want_days, (want_codes, want_labels) = _expected(moments)
    assert days == want_days
    assert np.issubdtype(codes.dtype, np.integer)  # of any width (rd.Codes)
    np.testing.assert_array_equal(codes, want_codes)
    assert list(labels) == list(want_labels)


def test_calendar_floors_before_1970_and_crosses_a_year():
    moments = np.array(["1969-12-31T23:59:59.999999", "1970-01-01T00:00", "NaT",
                        "1969-11-30T12:00"], dtype="datetime64[us]")
    days, (codes, labels) = calendar(moments)
    assert days == {"1969-12-31", "1970-01-01", "1969-11-30"}
    assert list(labels) == [None, 11, 12, 1]
    assert codes.tolist() == [2, 3, 0, 1]


def _ledger(ids: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({"eval_id": pd.array(ids, dtype="str")})


def _batch(ids: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({"eval_id": pd.array(ids, dtype="str"), "level": ["满意"] * len(ids)})


@pytest.mark.parametrize("ledger_ids", [["E3", "E1", "E9"], [], ["E5"]])
def test_ledger_ids_find_what_the_text_finds(ledger_ids):
    ledger = _ledger(ledger_ids)
    ev = _batch(["E1", "E2", "E3", None, "E9", "E1", "E5"])
    want = _ledger_positions(ev, ledger)
    index = LedgerIds(ledger)
    np.testing.assert_array_equal(index.positions(ev, key_hashes(ev[["eval_id"]])), want)
    np.testing.assert_array_equal(index.positions(ev, None), want)


def test_ledger_ids_let_the_text_decide_on_a_shared_hash():
    """A row carrying a ledger id's hash but another id (a collision) is not in the ledger."""
    ledger = _ledger(["E1", "E2"])
    ev = _batch(["X7", "E2", "Y8"])
    hashes = key_hashes(ev[["eval_id"]])
    hashes[0] = key_hashes(ledger[["eval_id"]])[0]  # X7 posing as E1
    assert LedgerIds(ledger).positions(ev, hashes).tolist() == [-1, 1, -1]


def test_membership_of_a_categorical_asks_its_categories():
    allowed = ["市民中心", "行政服务中心"]
    values = pd.Series(["市民中心", None, "街道", "行政服务中心", "市民中心"], dtype="category")
    want = values.astype(object).isin(allowed).to_numpy()
    np.testing.assert_array_equal(rd._in(values, allowed), want)
    np.testing.assert_array_equal(rd._in(values.astype("str"), allowed), want)
    assert rd._in(values, allowed).tolist() == [True, False, False, True, True]


def test_stacked_few_valued_columns_are_exact_categoricals(tmp_path):
    """A Parquet dictionary in value order, with values no row uses: the stacked column
    holds the used values in order of first use, so validation may take its codes as
    they are (``RawTable.exact``), and they are what ``pd.factorize`` gives."""
    from hcp_lib.contract import TABLES
    from hcp_lib.readers import read_table
    from hcp_lib.validate import _distinct

    units = pa.DictionaryArray.from_arrays(pa.array([2, 1, 2, None, 0], pa.int32()),
                                           pa.array(["丙局", "甲局", "乙局", "丁局"]))
    table = pa.table({"办件编号": ["1", "2", "3", "4", "5"], "实施单位": units,
                      "办理渠道": ["窗口"] * 5})
    pq.write_table(table, tmp_path / "办件明细.parquet")
    raw = read_table(tmp_path, TABLES["cases"])
    assert "unit" in raw.exact and "case_id" not in raw.exact
    column = raw.frame["unit"]
    assert list(column.cat.categories) == ["乙局", "甲局", "丙局"]
    codes, uniques = _distinct(column, exact=True)
    want_codes, want_uniques = pd.factorize(column.astype(object), use_na_sentinel=True)
    np.testing.assert_array_equal(codes, want_codes)
    assert list(uniques) == list(want_uniques)


def test_narrowest_holds_the_last_code():
    assert [rd.narrowest(top) for top in (0, 127, 128, 32_767, 32_768, 2**31 - 1, 2**31)] == [
        np.int8, np.int8, np.int16, np.int16, np.int32, np.int32, np.int64]


@pytest.mark.parametrize("categories", [1, 126, 127, 128, 32_766, 32_767, 40_000])
def test_codes_are_narrow_and_count_what_wide_codes_count(categories):
    """A column's codes take the narrowest type holding its last code (code 0 is a missing
    value), and the groups counted from them are those int64 codes give, at every edge of a
    type."""
    rng = np.random.default_rng(categories)
    picks = rng.integers(-1, categories, size=3000)
    picks[:categories] = np.arange(categories)[:3000]  # the last codes are used too
    values = pd.Series(pd.Categorical.from_codes(picks, categories=[f"c{i}" for i in
                                                                    range(categories)]))
    codes, labels = rd._encode(values)
    assert codes.dtype == rd.narrowest(categories)
    np.testing.assert_array_equal(codes, picks + 1)
    assert list(labels[codes[picks >= 0]]) == list(values[picks >= 0])
    flags = rng.random(3000) < 0.5
    narrow = rd._group_count({"x": lambda: (codes, labels), "hall": lambda: rd._bool_codes(flags)},
                             n=3000)
    wide = rd._group_count({"x": lambda: (codes.astype(np.int64), labels),
                            "hall": lambda: (flags.astype(np.int64), np.array([False, True],
                                                                           dtype=object))},
                           n=3000)
    pd.testing.assert_frame_equal(narrow, wide)
    groups = Groups(("x", "hall"))
    rows = groups.add({"x": (codes, labels), "hall": rd._bool_codes(flags)}, 3000)
    wide_groups = Groups(("x", "hall"))
    wide_rows = wide_groups.add({"x": (codes.astype(np.int64), labels),
                                 "hall": (flags.astype(np.int64), np.array([False, True],
                                                                       dtype=object))}, 3000)
    np.testing.assert_array_equal(rows, wide_rows)
    pd.testing.assert_frame_equal(groups.frame(), wide_groups.frame())
