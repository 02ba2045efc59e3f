"""Rejects files: Arrow's kernels write the text pandas' ``to_csv`` wrote, only faster; the
rejected rows' reasons and date-times read as before."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hcp_lib.csvwrite import write_csv
from hcp_lib.validate import _Collector, datetime_text


def _mixed() -> pd.DataFrame:
    return pd.DataFrame({
        "文件": ["x y", "p\nq", "c,d", 'e"f', "", None, " s ", "x\tz"],
        "row": np.arange(8, dtype=np.int32),
        "score": [1.0, np.nan, 0.1, 2.5, 1e20, 3.0, -0.0, 7.0],
        "flag": [True, False] * 4,
        "level": pd.Categorical(["a", None, "b,c", "a", "a", "b,c", None, "z"]),
        "anything": [1, "x", None, 2.5, np.nan, True, "y", pd.NA],
        "text": pd.array(["a", None, "b", "c", "d", "e", "f", "g"], dtype="str"),
        "a,b": [""] * 8,
    })


def test_a_new_file_is_what_to_csv_writes(tmp_path):
    frame = _mixed()
    write_csv(frame, tmp_path / "ours.csv")
    frame.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8-sig")
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_a_frame_written_in_slices_is_written_whole(tmp_path, monkeypatch):
    from hcp_lib import csvwrite

    frame = pd.concat([_mixed()] * 5, ignore_index=True)
    write_csv(frame, tmp_path / "whole.csv")
    monkeypatch.setattr(csvwrite, "SLICE_ROWS", 3)
    write_csv(frame, tmp_path / "sliced.csv")
    assert (tmp_path / "sliced.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()


def test_appended_batches_are_what_to_csv_appends(tmp_path):
    frame = _mixed()
    for start, stop in ((0, 3), (3, 3), (3, 8)):
        write_csv(frame.iloc[start:stop], tmp_path / "ours.csv", append=start > 0)
        frame.iloc[start:stop].to_csv(tmp_path / "pandas.csv", index=False, header=start == 0,
                                      mode="a" if start else "w",
                                      encoding="utf-8" if start else "utf-8-sig")
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_a_carriage_return_is_quoted_and_reads_back(tmp_path):
    frame = pd.DataFrame({"reasons": ["a\rb", "plain"], "row": [1, 2]})
    write_csv(frame, tmp_path / "r.csv")
    assert b'"a\rb"' in (tmp_path / "r.csv").read_bytes()
    back = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig", dtype=str)
    assert back["reasons"].tolist() == ["a\rb", "plain"] and back["row"].tolist() == ["1", "2"]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_date_times_read_as_pandas_prints_them(unit):
    stamps = np.array(["2022-04-01T08:00:00", "NaT", "2022-04-01T08:00:00.5",
                       "1969-12-31T23:59:59.25", "1969-12-31T23:59:59", "2261-12-31T23:59:59"],
                      dtype=f"datetime64[{unit}]")
    expected = [None if pd.isna(v) else str(v) for v in pd.Series(stamps.astype("datetime64[ns]"))]
    assert datetime_text(stamps.astype("datetime64[ns]")).to_pylist() == expected


def test_each_rows_reasons_are_joined_in_the_order_the_checks_found_them():
    meta = pd.DataFrame({"_file": ["f"] * 6, "_sheet": [""] * 6, "_row": np.arange(1, 7)})
    found = _Collector(_table(), meta, 3)
    found.add("empty", None, np.array([1, 0, 1, 0, 0, 1], bool))
    found.add("bad_level", None, np.array([0, 0, 1, 1, 0, 1], bool))
    found.add("duplicate_key", None, np.array([0, 0, 0, 0, 0, 1], bool))
    got = found.reasons()
    every = pd.concat([pd.Series(texts.to_pylist(), index=where)
                       for where, texts in found._reasons])  # each check's rows and reasons
    expected = every.groupby(level=0, sort=True).agg("; ".join)
    assert got.index.equals(expected.index) and got.tolist() == expected.tolist()
    assert got.index.tolist() == [0, 2, 3, 5] and got[5].count("; ") == 2


def _table():
    from hcp_lib.contract import TABLES

    return TABLES["evaluations"]


@pytest.mark.parametrize("values", [
    pd.Series(["很好", "x" * 70, "评价等级无法识别" * 9], dtype="str"),
    pd.Series(pd.Categorical(["a", "b", "a"])),
    pd.Series(["a", None, 3], dtype=object),
    pd.Series([1, 20, 300]),
    pd.Series([1.0, 2.5, np.nan]),
])
def test_a_reason_quotes_its_value_as_pandas_prints_it(values):
    from hcp_lib.validate import _quoted_values

    expected = ("label '" + values.astype(str).fillna("").str.slice(0, 60) + "'").tolist()
    assert _quoted_values("label '", values).to_pylist() == expected
