"""Date-times in the export's spelling read from their digits agree with ``strptime`` on
every value, whatever its shape; the rest still goes through ``strptime``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from hcp_lib.isotime import CHUNK, iso_seconds
from hcp_lib.validate import DATE_FORMATS, DATETIME_FORMATS, _strptime, parse_datetimes


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(((a == b) | (np.isnat(a) & np.isnat(b))).all())


def _agree(values: list[str | None], formats: tuple[str, ...] = DATETIME_FORMATS) -> None:
    parsed = parse_datetimes(pd.Series(values, dtype=object), formats).to_numpy()
    assert _same(parsed, _strptime(pa.array(values, pa.string()), formats))


EDGES = ["2022-04-01 09:30:00", "2024-02-29 23:59:59", "2022-02-29 00:00:00",
         "1900-02-29 12:00:00", "2000-02-29 12:00:00", "2022-04-31 08:00:00",
         "2022-12-31 23:59:60", "2022-01-01 24:00:00", "2022-13-01 00:00:00",
         "2022-00-10 00:00:00", "2022-01-00 00:00:00", "1899-12-31 23:59:59",
         "1900-01-01 00:00:00", "2199-12-31 23:59:59", "2200-01-01 00:00:00",
         "1969-12-31 23:59:59", "0022-04-01 10:00:00", "2022-1-01 01:09:22",
         " 2022-01-01 01:09:22", "2022-01-01T01:09:22", "２０２２-01-01 01:09:22",
         "2022/04/01 09:30", "2022-04-01 09:30", "20220401T093000", "", None]


def test_edges_read_as_strptime_reads_them():
    _agree(EDGES)
    _agree(EDGES, DATE_FORMATS)


def test_only_the_exports_spelling_is_read_from_digits():
    seconds, read = iso_seconds(pa.array(EDGES, pa.string()))
    assert [v for v, r in zip(EDGES, read, strict=True) if r] == [
        "2022-04-01 09:30:00", "2024-02-29 23:59:59", "2000-02-29 12:00:00",
        "1900-01-01 00:00:00", "2199-12-31 23:59:59", "1969-12-31 23:59:59"]
    assert seconds[0] == pd.Timestamp("2022-04-01 09:30:00").value // 10**9
    assert seconds[EDGES.index("1969-12-31 23:59:59")] == -1


def test_a_year_beyond_what_nanoseconds_hold_is_not_a_date_time():
    parsed = parse_datetimes(pd.Series(["0022-04-01 10:00:00", "2022-04-01 10:00:00"]),
                             DATETIME_FORMATS)
    assert parsed.isna().tolist() == [True, False]


def test_chunks_slices_and_nulls(tmp_path):
    rng = np.random.default_rng(7)
    stamps = rng.integers(pd.Timestamp("1950-01-01").value // 10**9,
                          pd.Timestamp("2100-01-01").value // 10**9, 2 * CHUNK + 5)
    values = [str(pd.Timestamp(s, unit="s")) for s in stamps]
    values[CHUNK - 1] = "2022-02-30 10:00:00"  # at a chunk's edge
    values[CHUNK] = None
    array = pa.array(values, pa.string())
    for part in (array, array.slice(3, CHUNK + 10)):
        expected = _strptime(part, DATETIME_FORMATS)
        assert _same(parse_datetimes(pd.Series(part.to_pylist(), dtype=object),
                                     DATETIME_FORMATS).to_numpy(), expected)
        seconds, read = iso_seconds(part)
        assert _same(np.where(read, seconds.astype("datetime64[s]"), np.datetime64("NaT"))
                     .astype("datetime64[ns]")[read], expected[read])


_DIGIT = st.sampled_from("0123456789")
_ANY = st.sampled_from("0123456789-/: T.９x")


@st.composite
def _spelled(draw) -> str | None:
    """Mostly the export's shape, with fields anywhere in 00-99 and a character off now and
    then; sometimes other lengths, or nothing."""
    if draw(st.integers(0, 20)) == 0:
        return None
    chars = [draw(_DIGIT) for _ in range(19)]
    for i, c in {4: "-", 7: "-", 10: " ", 13: ":", 16: ":"}.items():
        chars[i] = c
    chars[0:2] = draw(st.sampled_from(["19", "20", "21", "22", "00", "18"]))
    for _ in range(draw(st.integers(0, 2))):
        chars[draw(st.integers(0, 18))] = draw(_ANY)
    text = "".join(chars)
    cut = draw(st.integers(-2, 2))
    return text[:cut] if cut < 0 else text + "0" * cut


@settings(max_examples=200, deadline=None)
@given(st.lists(_spelled(), min_size=1, max_size=60))
def test_any_text_reads_as_strptime_reads_it(values):
    _agree(values)
    _agree(values, DATE_FORMATS)
