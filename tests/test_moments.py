"""Date-times re-expressed by integer arithmetic are numpy's casts, value for value."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcp_lib.moments import in_unit

UNITS = ["s", "ms", "us", "ns"]
# within what nanoseconds hold (1678-2262), so every cast below is defined
TICKS = st.lists(st.one_of(st.integers(-9_000_000_000_000_000, 9_000_000_000_000_000),
                           st.none()), max_size=40)


@pytest.mark.parametrize("have", UNITS)
@pytest.mark.parametrize("want", UNITS)
@settings(max_examples=40, deadline=None)
@given(ns=TICKS)
def test_in_unit_is_the_cast(have, want, ns):
    base = np.array([np.iinfo(np.int64).min if v is None else v for v in ns], dtype=np.int64)
    stamps = base.view("datetime64[ns]").astype(f"datetime64[{have}]")
    got = in_unit(stamps, want)
    assert got.dtype == np.dtype(f"datetime64[{want}]")
    np.testing.assert_array_equal(got.view(np.int64),
                                  stamps.astype(f"datetime64[{want}]").view(np.int64))


def test_in_unit_floors_before_1970_and_keeps_nat():
    stamps = np.array([-1500, -1, 0, 1499, np.iinfo(np.int64).min], dtype=np.int64) \
        .view("datetime64[ns]")
    assert in_unit(stamps, "us").view(np.int64).tolist()[:4] == [-2, -1, 0, 1]
    assert np.isnat(in_unit(stamps, "us")[4])


def test_in_unit_hands_back_the_same_unit_and_casts_others():
    stamps = np.array(["2022-04-01"], dtype="datetime64[us]")
    assert in_unit(stamps, "us") is stamps
    days = np.array(["2022-04-01"], dtype="datetime64[D]")
    assert in_unit(days, "s") == np.array(["2022-04-01"], dtype="datetime64[s]")
