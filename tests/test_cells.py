"""A typed Parquet export and its CSV twin give the same report, aggregates and rejects.

Parquet date-times stay typed and few-valued text is read as dictionaries (hcp_lib/cells.py);
the CSV twin holds the text those values would print as. Whatever differs must be the file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import EVAL_HEADER, NAMES, eval_row, write_evals

from hcp_lib.cells import in_order_of_appearance
from hcp_lib.config import load_config
from hcp_lib.load import load_quarter
from hcp_lib.reduce import reduce_quarter
from hcp_lib.stream import stream_quarter

QUARTER = "2022Q2"
CASES = ("办件编号,事项编码,事项名称,实施单位,行政区划代码,办理渠道,办理地点,办结时间\n"
         "0000001,X1,企业开办,厦门市市场监督管理局,350200,窗口,厦门市行政服务中心,2022-05-01 09:00:00\n")


@pytest.fixture(scope="module")
def config():
    return load_config()


def _moment(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _rows() -> list[dict[str, str]]:
    """Good rows and every kind of trouble a typed column can still hold."""
    rows = [eval_row(i, evaluated_at=f"2022-0{4 + i % 3}-{1 + i % 28:02d} 10:{i % 60:02d}:00",
                     case_id=f"{i % 3:07d}", unit=["厦门市市场监督管理局", "厦门市人力资源和社会保障局"][i % 2],
                     channel=str(1 + i % 5), level=str(5 - (i % 7 == 0) * 4))
            for i in range(1, 40)]
    rows += [
        eval_row(40, evaluated_at="2022-03-31 23:59:59"),          # before the quarter
        eval_row(41, evaluated_at="2022-07-01 00:00:00"),          # after it
        eval_row(42, evaluated_at="1999-05-01 10:00:00"),          # implausible
        eval_row(43, evaluated_at=""),                             # empty, required
        eval_row(44, pushed_at=""),                                # no push time
        eval_row(45, unit="不存在的单位"),                           # unknown unit (dictionary)
        eval_row(46, unit=""),                                     # empty unit (dictionary)
        eval_row(47, channel="99"),                                # bad channel code
        eval_row(3),                                               # a duplicate id
        eval_row(48, evaluated_at="2022-05-01 00:00:00"),          # midnight prints in full
    ]
    return rows


def _twins(tmp_path: Path) -> tuple[Path, Path]:
    rows = _rows()
    text_dir, typed_dir = tmp_path / "text", tmp_path / "typed"
    for folder in (text_dir, typed_dir):
        folder.mkdir()
        (folder / "办件明细.csv").write_text(CASES, encoding="utf-8")
    write_evals(text_dir / "评价明细.csv", rows)
    columns = {}
    for header in EVAL_HEADER:
        values = [r[NAMES[EVAL_HEADER.index(header)]] for r in rows]
        if header in ("评价时间", "汇聚时间"):
            columns[header] = pa.array([_moment(v) for v in values], pa.timestamp("ms"))
        else:
            columns[header] = pa.array([v if v else None for v in values], pa.string())
    pq.write_table(pa.table(columns), typed_dir / "评价明细.parquet", row_group_size=16)
    return text_dir, typed_dir


def _same_report(text: dict, typed: dict) -> None:
    """Reports equal but for the evaluations file's name, encoding and digest, and the
    header line a CSV has and Parquet has not (CSV rows are line numbers)."""
    def plain(report: dict, header_lines: int) -> dict:
        report.pop("folder")
        for table in report["tables"].values():
            table["files"] = [{"rows": f["rows"]} for f in table["files"]]
        table = report["tables"]["evaluations"]
        for p in table["problems"]:
            p["file"] = "评价明细"
            for example in p["examples"]:
                example["row"] -= header_lines
        return report
    assert plain(text, 1) == plain(typed, 0)


@pytest.mark.parametrize("batch_rows", [5, 16, 10_000])
def test_typed_parquet_reads_as_its_csv_twin(tmp_path, config, batch_rows):
    text_dir, typed_dir = _twins(tmp_path)
    results = {}
    for name, folder in (("text", text_dir), ("typed", typed_dir)):
        loaded = load_quarter(folder, QUARTER, config, mode="quarantine",
                              rejects_dir=tmp_path / f"{name}-whole")
        streamed = stream_quarter(folder, QUARTER, config, mode="quarantine",
                                  rejects_dir=tmp_path / f"{name}-stream", batch_rows=batch_rows)
        results[name] = (loaded, reduce_quarter(loaded.tables, config, quarter=QUARTER), streamed)
    (t_loaded, t_agg, t_stream), (p_loaded, p_agg, p_stream) = results["text"], results["typed"]
    assert any(p["kind"] == "out_of_period" for p in
               t_loaded.report.to_dict()["tables"]["evaluations"]["problems"])
    _same_report(t_loaded.report.to_dict(), p_loaded.report.to_dict())
    _same_report(t_stream.report.to_dict(), p_stream.report.to_dict())
    for name in ("evaluations", "cases", "bad_reviews"):
        pd.testing.assert_frame_equal(getattr(p_agg, name), getattr(t_agg, name), obj=name)
        pd.testing.assert_frame_equal(getattr(p_stream.aggregates, name), getattr(t_agg, name),
                                      obj=name)
    for kind in ("whole", "stream"):
        text = pd.read_csv(tmp_path / f"text-{kind}" / "evaluations_rejects.csv", dtype=str)
        typed = pd.read_csv(tmp_path / f"typed-{kind}" / "evaluations_rejects.csv", dtype=str)
        assert len(text) == 9  # every planted row but the midnight one
        text["row"] = (text["row"].astype(int) - 1).astype(str)
        pd.testing.assert_frame_equal(typed.drop(columns="file"), text.drop(columns="file"))


def test_out_of_range_moments_are_bad_not_a_crash(tmp_path, config):
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "办件明细.csv").write_text(CASES, encoding="utf-8")
    rows = [eval_row(1), eval_row(2)]
    columns = {h: pa.array([r[NAMES[EVAL_HEADER.index(h)]] for r in rows]) for h in EVAL_HEADER}
    columns["评价时间"] = pa.array([datetime(2022, 5, 1), datetime(2300, 1, 1)], pa.timestamp("s"))
    columns["汇聚时间"] = pa.array([datetime(2022, 5, 1)] * 2, pa.timestamp("s"))
    pq.write_table(pa.table(columns), folder / "评价明细.parquet")
    loaded = load_quarter(folder, QUARTER, config, mode="quarantine")
    problems = loaded.report.to_dict()["tables"]["evaluations"]["problems"]
    bad = [p for p in problems if p["kind"] == "bad_datetime"]
    assert bad and bad[0]["examples"][0]["value"] == "2300-01-01 00:00:00"
    assert loaded.report.tables["evaluations"].accepted == 1


def test_dictionary_order_is_order_of_first_use():
    first = pa.DictionaryArray.from_arrays(pa.array([2, None, 1, 2, 0], pa.int32()),
                                           pa.array(["c", "a", "b", "unused"]))
    second = pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int32()), pa.array(["d", "a"]))
    out = in_order_of_appearance(pa.chunked_array([first, second]))
    assert out.to_pylist() == ["b", None, "a", "b", "c", "d", "a"]
    assert out.chunk(0).dictionary.to_pylist() == ["b", "a", "c", "d"]


@pytest.mark.parametrize("index", [4, -1])
def test_an_index_outside_the_dictionary_is_refused(index):
    """The remap skips Arrow's per-row bounds checks: the distinct indices are checked instead."""
    bad = pa.DictionaryArray.from_arrays(pa.array([1, index, 0], pa.int32()),
                                         pa.array(["a", "b", "c"]), safe=False)
    with pytest.raises(pa.ArrowIndexError):
        in_order_of_appearance(pa.chunked_array([bad]))
