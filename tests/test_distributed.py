"""The Dask engine gives the streaming engine's aggregates, load report and rejects, exactly.

A local cluster (two worker processes) is started by the tests themselves.
"""

from __future__ import annotations

import shutil
import socket
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import EVAL_HEADER, FIXTURES, NAMES, eval_row

from hcp_lib.cli import main
from hcp_lib.config import load_config
from hcp_lib.contract import TABLES
from hcp_lib.exitcodes import SCHEDULER_UNREACHABLE, USAGE
from hcp_lib.load import InputValidationError
from hcp_lib.readers import find_files
from hcp_lib.stream import stream_quarter

pytest.importorskip("distributed")

from hcp_lib import distributed  # noqa: E402  (needs the cluster extra)

QUARTER = "2022Q2"
CASE_HEADER = ["办件编号", "事项编码", "事项名称", "实施单位", "行政区划代码", "办理渠道", "办理地点",
               "办结时间"]


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def client():
    with distributed.connect(workers=2, memory_limit="512MiB") as made:
        yield made


def _both(folder: Path, config, client, tmp: Path, batch_rows: int, mode: str = "quarantine",
          part_rows: int = distributed.PART_ROWS):
    """Run both engines; assert every frame, the report and the rejects files are equal."""
    ours, theirs = tmp / "dask", tmp / "stream"
    for d in (ours, theirs):
        shutil.rmtree(d, ignore_errors=True)
    try:
        expected = stream_quarter(folder, QUARTER, config, mode=mode, rejects_dir=theirs,
                                  batch_rows=batch_rows)
    except InputValidationError as exc:
        with pytest.raises(InputValidationError) as refused:
            distributed.dask_quarter(folder, QUARTER, config, client=client, mode=mode,
                                     rejects_dir=ours, batch_rows=batch_rows, part_rows=part_rows)
        assert refused.value.report.to_dict() == exc.report.to_dict()
        return None
    got = distributed.dask_quarter(folder, QUARTER, config, client=client, mode=mode,
                                   rejects_dir=ours, batch_rows=batch_rows, part_rows=part_rows)
    for name in ("evaluations", "cases", "bad_reviews", "post_bad_reviews"):
        pd.testing.assert_frame_equal(getattr(got.aggregates, name),
                                      getattr(expected.aggregates, name), obj=name)
    assert sorted(got.aggregates.small) == sorted(expected.aggregates.small)
    for name, frame in expected.aggregates.small.items():
        pd.testing.assert_frame_equal(got.aggregates.small[name], frame, obj=name)
    assert got.aggregates.meta == expected.aggregates.meta
    assert got.report.to_dict() == expected.report.to_dict()
    assert got.report.summary_text() == expected.report.summary_text()
    assert got.coverage == expected.coverage
    written = sorted(p.name for p in theirs.glob("*.csv"))
    assert sorted(p.name for p in ours.glob("*.csv")) == written
    for name in written:
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name
    return got


@pytest.mark.parametrize("fixture", ["good_2022Q2", "bad_2022Q2"])
@pytest.mark.parametrize("batch_rows", [3, 10_000])
def test_fixtures_on_a_local_cluster(fixture, batch_rows, config, client, tmp_path):
    _both(FIXTURES / fixture, config, client, tmp_path, batch_rows, part_rows=2)


def test_strict_mode_refuses_like_the_streaming_engine(config, client, tmp_path):
    _both(FIXTURES / "bad_2022Q2", config, client, tmp_path, 2, mode="strict")


def _parquet(path: Path, header: list[str], rows: list[list[str]]) -> None:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in header]
    pq.write_table(pa.table({h: pa.array(list(c), pa.string())
                             for h, c in zip(header, columns, strict=True)}), path,
                   row_group_size=3)  # several row groups: parts of a file are tasks too


UNITS = ["厦门市市场监督管理局", "市人社局", "厦门市公安局", "无此单位"]


def _partitioned(folder: Path) -> Path:
    """A quarter split into Parquet partitions: evaluations in four files, cases in three, with
    ids repeated across and within files, bad rows at file edges, cases in one file evaluated
    from another, and units first seen in later files."""
    folder.mkdir()
    for name in ("差评核实台账.csv", "红旗窗口.csv"):
        shutil.copy(FIXTURES / "good_2022Q2" / name, folder)
    cases = []
    for i in range(30):
        hall = i % 3 == 0
        cases.append([f"C{i:05d}", "11350200MB001", "企业开办", UNITS[min(i // 8, 2)], "350200",
                      "窗口" if hall or i % 3 == 1 else "网上",
                      "厦门市行政服务中心" if hall else "", f"2022-0{4 + i % 3}-0{1 + i % 9} 09:00"])
    cases[12][0] = cases[3][0]  # file 2 repeats file 1's case id
    cases[20][7] = "2022-02-30 09:00"  # a bad date, first row of file 3
    for n, (start, stop) in enumerate([(0, 10), (10, 20), (20, 30)], start=1):
        _parquet(folder / f"办件明细_{n}.parquet", CASE_HEADER, cases[start:stop])

    evaluations = []
    for i in range(40):
        row = eval_row(i, case_id=f"C{(i * 7) % 36:05d}",  # some name no case
                       unit=UNITS[(i // 10 + i) % 4 if i >= 20 else i % 2],
                       level=["5", "4", "1", "2", "5"][i % 5], channel=str(1 + i % 3),
                       evaluated_at=f"2022-0{4 + i % 3}-1{i % 10} 10:00:00")
        evaluations.append([row[NAMES[EVAL_HEADER.index(h)]] for h in EVAL_HEADER])
    evaluations[25][0] = evaluations[2][0]  # file 3 repeats file 1's id
    evaluations[37][0] = evaluations[25][0]  # and file 4 repeats it again
    evaluations[14][0] = evaluations[11][0]  # a repeat within file 2
    evaluations[19][7] = "很好"  # a bad level, last row of file 2
    evaluations[30][9] = "2022-13-01 10:00:00"  # a bad date, first row of file 4
    for n, start in enumerate(range(0, 40, 10), start=1):
        _parquet(folder / f"评价明细_{n}.parquet", EVAL_HEADER, evaluations[start:start + 10])
    return folder


@pytest.mark.parametrize(("batch_rows", "part_rows"), [(4, 1), (10_000, 1), (2, 10_000)])
def test_a_quarter_in_parquet_partitions(batch_rows, part_rows, config, client, tmp_path):
    folder = _partitioned(tmp_path / "q")
    parts = distributed.plan(find_files(folder, TABLES["evaluations"]), folder, part_rows)
    assert len(parts) == (16 if part_rows == 1 else 4)  # 4 files of 4 row groups
    got = _both(folder, config, client, tmp_path, batch_rows, part_rows=part_rows)
    def counts(table: str) -> dict[tuple[str, str], int]:
        return {(p.file, p.kind): p.count for p in got.report.tables[table].problems}

    evaluations = counts("evaluations")
    assert {k: n for k, n in evaluations.items() if k[1] == "duplicate_key"} == {
        ("评价明细_2.parquet", "duplicate_key"): 1, ("评价明细_3.parquet", "duplicate_key"): 1,
        ("评价明细_4.parquet", "duplicate_key"): 1}
    assert evaluations[("评价明细_2.parquet", "bad_level")] == 1
    assert evaluations[("评价明细_4.parquet", "bad_datetime")] == 1
    unknown = sum(n for (_, kind), n in evaluations.items() if kind == "unknown_unit")
    table = got.report.tables["evaluations"]
    assert unknown and 5 <= table.rejected <= 5 + unknown and table.accepted + table.rejected == 40
    assert counts("cases")[("办件明细_2.parquet", "duplicate_key")] == 1
    assert got.report.tables["cases"].rejected == 2
    meta = got.aggregates.meta
    assert meta["evaluations"] == table.accepted and meta["cases"] == 28
    assert 0 < meta["evaluations_without_case"] < table.accepted
    assert got.aggregates.evaluations["hall"].any()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def data(tmp_path) -> Path:
    """A data root with the good fixture as its 2022Q2 folder."""
    shutil.copytree(FIXTURES / "good_2022Q2", tmp_path / "raw" / QUARTER)
    return tmp_path / "raw"


def test_an_unreachable_scheduler_is_one_message_and_its_exit_code(monkeypatch, capsys, data):
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "1s")
    code = main(["validate", QUARTER, "--data", str(data), "--engine", "dask",
                 "--scheduler", f"tcp://127.0.0.1:{_free_port()}"])
    err = capsys.readouterr().err
    assert code == SCHEDULER_UNREACHABLE
    assert "scheduler" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_scheduler_without_workers_is_refused_not_waited_for(monkeypatch, capsys, data):
    from distributed import LocalCluster

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "1s")
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        code = main(["validate", QUARTER, "--data", str(data), "--engine", "dask",
                     "--scheduler", empty.scheduler_address])
    err = capsys.readouterr().err
    assert code == SCHEDULER_UNREACHABLE and "no workers" in err and "Traceback" not in err


def test_run_with_an_unreachable_scheduler_stops_before_the_notebook(monkeypatch, capsys,
                                                                     data, tmp_path):
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "1s")
    code = main(["run", QUARTER, "--data", str(data), "--out", str(tmp_path / "out"),
                 "--no-cache", "--quiet", "--mode", "quarantine", "--engine", "dask",
                 "--scheduler", f"tcp://127.0.0.1:{_free_port()}"])
    err = capsys.readouterr().err
    assert code == SCHEDULER_UNREACHABLE, err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_without_dask_the_engine_is_refused_with_a_usage_message(monkeypatch, capsys, data,
                                                                  tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    code = main(["validate", QUARTER, "--data", str(data), "--engine", "dask"])
    err = capsys.readouterr().err
    assert code == USAGE and "hcp[cluster]" in err and "Traceback" not in err
    code = main(["run", QUARTER, "--data", str(data), "--out", str(tmp_path / "out"),
                 "--engine", "dask"])
    err = capsys.readouterr().err
    assert code == USAGE and "hcp[cluster]" in err


def test_a_scheduler_needs_the_dask_engine(capsys, data):
    code = main(["validate", QUARTER, "--data", str(data),
                 "--scheduler", "tcp://127.0.0.1:8786"])
    assert code == USAGE and "--engine dask" in capsys.readouterr().err
