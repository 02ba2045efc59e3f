"""The pipeline's two quarters on the real loaders: the previous quarter streamed in a process
of its own gives what one process gives, its refusals included; a ``--no-cache`` run keeps its
own cache only while it runs."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest

from hcp_lib.config import load_config
from hcp_lib.load import InputValidationError
from hcp_lib.pipeline import compute

CFG = load_config()
QUARTER = "2022Q2"


def test_streamed_with_the_previous_quarter_apart_equals_the_memory_engine(tiny_data):
    streamed = compute(QUARTER, tiny_data, CFG, engine="stream")
    whole = compute(QUARTER, tiny_data, CFG, engine="memory")
    assert streamed.bulletin == whole.bulletin
    assert streamed.bulletin.evaluations.previous_levels is not None  # the previous quarter came
    assert streamed.reports == whole.reports
    assert [r.quarter for r in streamed.reports] == ["2022Q2", "2022Q3", "2022Q1"]
    assert {"load:2022Q1", "load:2022Q2"} <= set(streamed.timings)  # the child's timings too


def test_a_cached_previous_quarter_is_read_not_streamed_again(tiny_data, tmp_path):
    cache = tmp_path / "cache"
    first = compute(QUARTER, tiny_data, CFG, engine="stream", cache_dir=cache)
    assert len(list(cache.glob("2022Q1-*"))) == 1  # the child wrote the entry
    again = compute(QUARTER, tiny_data, CFG, engine="stream", cache_dir=cache)
    assert "cache:2022Q1" in again.timings and "load:2022Q1" not in again.timings
    assert again.bulletin == first.bulletin and again.reports == first.reports


def test_a_refused_previous_quarter_is_refused_in_the_run_with_its_report(tiny_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(tiny_data, data)
    evaluations = next((data / "2022Q1").glob("评价明细*"))
    frame = pd.read_parquet(evaluations)
    frame.loc[frame.index[:2], "评价等级"] = "不存在的等级"
    frame.to_parquet(evaluations, index=False)
    with pytest.raises(InputValidationError) as refused:
        compute(QUARTER, data, CFG, engine="stream")
    report = refused.value.report
    assert str(report.quarter) == "2022Q1"
    table = report.tables["evaluations"]
    assert (table.read - table.accepted, table.rejected) == (2, 2)
    assert "评价明细" in str(refused.value)


def test_a_validation_error_survives_pickling(tiny_data):
    from hcp_lib.load import load_quarter

    report = load_quarter(tiny_data / "2022Q1", "2022Q1", CFG).report
    error = pickle.loads(pickle.dumps(InputValidationError(report)))
    assert error.report == report and str(error) == report.summary_text()


def test_a_run_without_the_cache_leaves_no_cache_behind(tiny_report: Path):
    assert not (tiny_report / ".run-cache").exists()
    made = json.loads((tiny_report / "manifest.json").read_text(encoding="utf-8"))
    assert not [o for o in made["outputs"] if ".run-cache" in o["path"]]
    analyst = (tiny_report / f"bulletin-{QUARTER}-analyst.html").read_text(encoding="utf-8")
    assert "2022年第一季度" in analyst  # 趋势分析 still has the earlier quarter


@pytest.mark.parametrize("batch_rows", [500_000, 7])
def test_the_streamed_look_ahead_keeps_what_the_reduction_reads(tiny_data, batch_rows):
    """In one batch or many (each with categories of its own), the kept weeks hold the
    whole table's values, the item and unit columns still categorical."""
    from datetime import date

    from hcp_lib.load import load_quarter
    from hcp_lib.pipeline import LOOKAHEAD_COLUMNS, window_rows
    from hcp_lib.quarters import Quarter
    from hcp_lib.reduce import _end_of, _lookahead
    from hcp_lib.stream import stream_lookahead

    q, until = Quarter.parse(QUARTER), date(2022, 7, 20)
    streamed = stream_lookahead(tiny_data / "2022Q3", "2022Q3", window_rows(q, until), CFG,
                                batch_rows=batch_rows)
    whole = load_quarter(tiny_data / "2022Q3", "2022Q3", CFG)
    expected = _lookahead(whole.tables["evaluations"], q, _end_of(until))
    assert streamed.report == whole.report
    assert list(streamed.kept.columns) == list(LOOKAHEAD_COLUMNS)
    assert 0 < len(streamed.kept) < len(whole.tables["evaluations"])  # its weeks, not all
    pd.testing.assert_frame_equal(
        streamed.kept.astype(object).reset_index(drop=True),
        expected[list(LOOKAHEAD_COLUMNS)].astype(object).reset_index(drop=True))
    for name in ("item_code", "unit", "level"):
        assert isinstance(streamed.kept[name].dtype, pd.CategoricalDtype), name
