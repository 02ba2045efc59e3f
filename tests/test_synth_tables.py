"""The generator's fast text and ordering helpers give exactly what the plain ways give: the
demo data's bytes depend on it (the files are the same bytes as before these helpers)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from hcp_lib.synth.records import stable_order
from hcp_lib.synth.tables import _by_day, _digits, _fixed, _rows, _times

SECONDS = st.integers(min_value=946_684_800, max_value=2_000_000_000)  # 2000 … 2033


@given(st.lists(st.integers(min_value=0, max_value=10**15), max_size=60),
       st.integers(min_value=1, max_value=13))
def test_digits_are_the_low_digits_zero_padded(numbers, width):
    got = _digits(np.array(numbers, dtype=np.int64), width)
    assert got.shape == (len(numbers), width)
    assert [bytes(row).decode() for row in got] == [f"{x:0{width}d}"[-width:] for x in numbers]


@given(st.lists(st.integers(min_value=-(10**9), max_value=10**9), max_size=80))
def test_stable_order_is_argsorts_stable_order(keys):
    keys = np.array(keys, dtype=np.int64)
    assert np.array_equal(stable_order(keys), np.argsort(keys, kind="stable"))


def test_stable_order_with_keys_too_wide_to_pack():
    keys = np.array([2**62, -(2**62), 0, 2**62, 5], dtype=np.int64)
    assert np.array_equal(stable_order(keys), np.argsort(keys, kind="stable"))
    assert len(stable_order(np.array([], dtype=np.int64))) == 0


@given(st.lists(SECONDS, min_size=1, max_size=50))
def test_times_as_text_print_as_arrow_prints_timestamps(seconds):
    seconds = np.array(seconds, dtype=np.int64)
    arrow = pa.array(seconds, pa.int64()).cast(pa.timestamp("s")).cast(pa.string())
    assert _times(seconds, as_text=True).to_pylist() == arrow.to_pylist()
    assert _times(seconds, as_text=False).equals(pa.array(seconds, pa.int64()).cast(pa.timestamp("s")))


@given(st.lists(SECONDS, min_size=1, max_size=50))
def test_days_are_formatted_as_strftime_formats_them(seconds):
    got = _by_day(np.array(seconds, dtype=np.int64), "%y%m%d")
    epoch = datetime(1970, 1, 1)
    assert [bytes(r).decode() for r in got] == [
        (epoch + timedelta(seconds=s)).strftime("%y%m%d") for s in seconds]


def test_rows_and_fixed_text():
    table = np.frombuffer(b"abcdefghi", dtype=np.uint8).reshape(3, 3)
    assert _rows(table, np.array([2, 0, 2])).tobytes() == b"ghiabcghi"
    text = _fixed([_rows(table, np.array([1, 0])), _digits(np.array([7, 42]), 2)])
    assert text.to_pylist() == ["def07", "abc42"]
