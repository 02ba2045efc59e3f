"""The streaming path gives the in-memory path's aggregates, report and rejects, batch size aside."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import FIXTURES, eval_row, write_evals
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcp_lib.config import load_config
from hcp_lib.load import InputValidationError, load_quarter
from hcp_lib.reduce import reduce_quarter
from hcp_lib.stream import HashRuns, stream_lookahead, stream_quarter

QUARTER = "2022Q2"


@pytest.fixture(scope="module")
def config():
    return load_config()


def _both(folder: Path, config, batch_rows: int, tmp: Path, mode: str = "quarantine"):
    """The streamed quarter, and the same folder read as a look-ahead (every accepted
    evaluation kept), against the in-memory loader: aggregates, report and rejects files."""
    whole_rejects, stream_rejects = tmp / "whole", tmp / "stream"
    for d in (whole_rejects, stream_rejects):
        shutil.rmtree(d, ignore_errors=True)
    try:
        loaded = load_quarter(folder, QUARTER, config, mode=mode, rejects_dir=whole_rejects)
    except InputValidationError as exc:
        with pytest.raises(InputValidationError) as streamed:
            stream_quarter(folder, QUARTER, config, mode=mode, rejects_dir=stream_rejects,
                           batch_rows=batch_rows)
        assert streamed.value.report.to_dict() == exc.report.to_dict()
        with pytest.raises(InputValidationError) as ahead:
            stream_lookahead(folder, QUARTER, _all, config, mode=mode, batch_rows=batch_rows)
        assert ahead.value.report.to_dict() == exc.report.to_dict()
        return None
    _look_ahead_like_the_loader(folder, config, batch_rows, tmp, mode, loaded, whole_rejects)
    whole = reduce_quarter(loaded.tables, config, quarter=QUARTER)
    streamed = stream_quarter(folder, QUARTER, config, mode=mode, rejects_dir=stream_rejects,
                              batch_rows=batch_rows)
    agg = streamed.aggregates
    for name in ("evaluations", "cases", "bad_reviews", "post_bad_reviews"):
        pd.testing.assert_frame_equal(getattr(agg, name), getattr(whole, name), obj=name)
    assert sorted(agg.small) == sorted(whole.small)
    for name, frame in whole.small.items():
        pd.testing.assert_frame_equal(agg.small[name], frame, obj=name)
    assert agg.meta == whole.meta
    assert streamed.report.to_dict() == loaded.report.to_dict()
    assert streamed.report.summary_text() == loaded.report.summary_text()
    written = sorted(p.name for p in whole_rejects.glob("*.csv"))
    assert sorted(p.name for p in stream_rejects.glob("*.csv")) == written
    for name in written:
        assert (stream_rejects / name).read_bytes() == (whole_rejects / name).read_bytes()
    from hcp_lib.gates import coverage

    assert streamed.coverage == coverage(loaded.tables)
    return streamed


def _all(evaluations: pd.DataFrame) -> pd.DataFrame:
    return evaluations


def _look_ahead_like_the_loader(folder, config, batch_rows, tmp, mode, loaded, whole_rejects):
    rejects = tmp / "ahead"
    shutil.rmtree(rejects, ignore_errors=True)
    ahead = stream_lookahead(folder, QUARTER, _all, config, mode=mode, rejects_dir=rejects,
                             batch_rows=batch_rows)
    assert ahead.report.to_dict() == loaded.report.to_dict()
    written = sorted(p.name for p in whole_rejects.glob("*.csv"))
    assert sorted(p.name for p in rejects.glob("*.csv")) == written
    for name in written:
        assert (rejects / name).read_bytes() == (whole_rejects / name).read_bytes()
    expected = loaded.tables["evaluations"]
    pd.testing.assert_frame_equal(ahead.kept.astype(object).reset_index(drop=True),
                                  expected.astype(object).reset_index(drop=True))


@pytest.mark.parametrize("fixture", ["good_2022Q2", "bad_2022Q2"])
@pytest.mark.parametrize("batch_rows", [1, 3, 7, 10_000])
def test_fixtures_stream_like_the_whole_table(fixture, batch_rows, config, tmp_path):
    _both(FIXTURES / fixture, config, batch_rows, tmp_path)


def test_strict_mode_refuses_like_the_loader(config, tmp_path):
    _both(FIXTURES / "bad_2022Q2", config, 2, tmp_path, mode="strict")


def _quarter_dir(tmp_path: Path, rows: list[dict[str, str]], split: int | None = None) -> Path:
    folder = tmp_path / "q"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    shutil.copy(FIXTURES / "good_2022Q2" / "办件明细.csv", folder)
    if split is None:
        write_evals(folder / "评价明细.csv", rows)
    else:
        write_evals(folder / "评价明细_1.csv", rows[:split])
        write_evals(folder / "评价明细_2.csv", rows[split:])
    return folder


def test_duplicate_id_in_two_batches_and_a_bad_row_at_the_edge(config, tmp_path):
    rows = [eval_row(i) for i in range(10)]
    rows[6]["eval_id"] = rows[1]["eval_id"]  # batch 2 repeats batch 1's id
    rows[3]["level"] = "很好"  # last row of batch 1
    rows[4]["evaluated_at"] = "2022-13-01 10:00:00"  # first row of batch 2
    streamed = _both(_quarter_dir(tmp_path, rows), config, 4, tmp_path)
    kinds = {p.kind: p for p in streamed.report.tables["evaluations"].problems}
    assert kinds["duplicate_key"].count == 1 and kinds["duplicate_key"].examples[0].row == 8
    assert {"bad_level", "bad_datetime"} <= set(kinds)
    assert streamed.report.tables["evaluations"].rejected == 3


def test_duplicate_id_across_files(config, tmp_path):
    rows = [eval_row(i) for i in range(6)]
    rows[5]["eval_id"] = rows[0]["eval_id"]
    streamed = _both(_quarter_dir(tmp_path, rows, split=3), config, 2, tmp_path)
    assert streamed.report.tables["evaluations"].rejected == 1


LEVELS = ["5", "4", "3", "2", "1", "非常满意", "不满意", "x"]
DATES = ["2022-04-02 08:00:00", "2022-05-31 23:59:59", "2022-06-30 12:00:00",
         "2022-07-02 09:00:00", "2022/05/03 10:00", "bad", ""]
CHANNELS = ["1", "2", "3", "政务服务网", "??"]
UNITS = ["厦门市市场监督管理局", "市人社局", "市公安局", "无此单位"]


@st.composite
def quarters(draw):
    n = draw(st.integers(1, 40))
    rows = []
    for _ in range(n):
        rows.append(eval_row(
            draw(st.integers(0, n + 3)),  # ids repeat now and then
            case_id=f"0{draw(st.integers(0, 30)):07d}",
            level=draw(st.sampled_from(LEVELS)),
            evaluated_at=draw(st.sampled_from(DATES)),
            channel=draw(st.sampled_from(CHANNELS)),
            unit=draw(st.sampled_from(UNITS)),
            item_code=draw(st.sampled_from(["11350200MB001", "11350200MB002", "A"])),
            mode=draw(st.sampled_from(["主动评价", "默认评价", "其他"])),
        ))
    split = draw(st.none() | st.integers(0, n))
    return rows, split, draw(st.integers(1, 12))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quarters())
def test_random_quarters_stream_like_the_whole_table(config, tmp_path, quarter):
    rows, split, batch_rows = quarter
    _both(_quarter_dir(tmp_path, rows, split), config, batch_rows, tmp_path)


def test_hash_runs_and_case_lookup_past_the_range_size():
    """Runs and a case index big enough to be searched by ranges hold and find what they hold."""
    from hcp_lib.hashing import RANGES_FROM
    from hcp_lib.stream import CaseIds, CaseLookup

    rng = np.random.default_rng(11)
    runs = HashRuns()
    held = []
    for _ in range(3):
        batch = rng.integers(0, 2**64 - 1, RANGES_FROM, dtype=np.uint64)
        assert not runs.contains(batch).any()
        runs.add(batch)
        held.append(batch)
    every = np.concatenate(held)
    fresh = rng.integers(0, 2**64 - 1, 1000, dtype=np.uint64)
    assert runs.contains(np.concatenate([every, fresh])).tolist() == (
        [True] * len(every) + [False] * len(fresh))

    hashes = np.unique(every)
    lookup = CaseLookup(hashes, np.arange(len(hashes), dtype=np.uint32))
    assert lookup.cuts is not None
    ids = pd.Series([*(f"C{i}" for i in range(2000)), None])
    asked = CaseIds.of(ids)
    asked.hashes[:1000] = hashes[rng.choice(len(hashes), 1000)]  # half of them known
    order = np.argsort(asked.hashes, kind="stable")
    asked.order = order
    pos = lookup.positions(asked)
    known = np.isin(asked.hashes, hashes) & asked.present
    assert np.array_equal(pos >= 0, known)
    assert np.array_equal(hashes[pos[known]], asked.hashes[known])


def test_hash_runs_remember_across_merges():
    runs = HashRuns()
    rng = np.random.default_rng(1)
    seen = []
    for size in (5, 3, 9, 1, 20, 2):
        batch = rng.integers(0, 2**63, size).astype(np.uint64)
        assert not runs.contains(batch).any()
        runs.add(batch)
        seen.append(batch)
    assert runs.contains(np.concatenate(seen)).all()


@pytest.mark.parametrize("bits", [6, 20])
def test_hash_runs_filter_answers_as_the_runs_do(monkeypatch, bits):
    """Past ``FILTER_FROM`` hashes the set keeps a filter of their top bits. A coarse filter
    (most bits set: every needle searched) and a fine one (few set) give the same answers as
    the runs alone, across merges, with repeats within and across batches."""
    from hcp_lib import stream

    monkeypatch.setattr(stream, "FILTER_FROM", 50)
    monkeypatch.setattr(stream, "FILTER_BITS", bits)
    rng = np.random.default_rng(bits)
    runs, held = stream.HashRuns(), np.zeros(0, dtype=np.uint64)
    searched: list[int] = []
    search = stream.HashRuns._searched
    monkeypatch.setattr(stream.HashRuns, "_searched",
                        lambda self, needles, *runs: searched.append(len(needles))
                        or search(self, needles, *runs))
    for size in (30, 10, 40, 5, 200, 7, 120, 60):
        batch = rng.integers(0, 2**64 - 1, size, dtype=np.uint64)
        batch[: size // 4] = rng.choice(held, size // 4) if len(held) else batch[: size // 4]
        batch[-2:] = batch[:2]  # repeats within the batch too
        searched.clear()
        assert runs.contains(batch).tolist() == np.isin(batch, held).tolist()
        if runs._bits is not None and bits == 20:  # a fine filter: only the held are searched
            assert searched[0] <= size // 4 + 2 + 5
        runs.add(batch)
        held = np.concatenate([held, batch])
    assert runs._bits is not None and runs._bits.nbytes == 1 << (bits - 3)


MEMORY_CHILD = textwrap.dedent("""
    import resource, sys
    cap = int(sys.argv[2]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from hcp_lib.stream import stream_quarter
    result = stream_quarter(sys.argv[1], "2022Q2", mode="quarantine", batch_rows=200_000)
    print(result.aggregates.meta["evaluations"], result.report.tables["evaluations"].accepted)
""")


def _many_rows(folder: Path, n: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir()
    shutil.copy(FIXTURES / "good_2022Q2" / "办件明细.csv", folder)
    ids = np.arange(n)
    table = pa.table({
        "评价编号": pa.array(ids).cast(pa.string()),
        "办件编号": pa.array(ids % 20).cast(pa.string()),
        "事项编码": pa.array(np.array(["11350200MB001", "11350200MB002"])[ids % 2]),
        "事项名称": pa.array(["企业开办"] * n),
        "实施单位": pa.array(["市人社局"] * n),
        "行政区划代码": pa.array(["350200"] * n),
        "评价渠道": pa.array(ids % 7 + 1).cast(pa.string()),
        "评价等级": pa.array(np.where(ids % 1000 == 0, 1, 5 - ids % 2)).cast(pa.string()),
        "评价方式": pa.array(["主动评价"] * n),
        "评价时间": pa.array(np.datetime64("2022-04-01T00:00:00")
                         + (ids % (90 * 86400)).astype("timedelta64[s]")),
        "汇聚时间": pa.array(np.datetime64("2022-04-01T01:00:00")
                         + (ids % (90 * 86400)).astype("timedelta64[s]")),
    })
    pq.write_table(table, folder / "评价明细.parquet", row_group_size=200_000)


def test_millions_of_rows_stream_under_a_memory_cap(tmp_path):
    """2M evaluations within 1 GB of address space: the in-memory loader cannot (measured)."""
    n = 2_000_000
    folder = tmp_path / "big"
    _many_rows(folder, n)
    # One malloc arena, so that the cap measures what the stream holds, not the address space
    # each thread's arena reserves 64 MB at a time (peak 510-585 MB with one, 830 MB without).
    env = {"ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_ARENA_MAX": "1", "OMP_NUM_THREADS": "1",
           "HCP_PROGRESS": "0", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(folder), "1000"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [str(n), str(n)]


STREAMED_KINDS = (
    "utf16_with_bom", "gb18030_split", "big5", "truncated_csv", "truncated_parquet",
    "title_row_csv", "group_header_rows_xlsx", "continuation_sheet_without_header",
    "missing_required_column", "repeated_column", "ragged_line_extra_field",
    "ragged_line_quarantined", "duplicates_across_files", "duplicates_across_batches",
    "bad_level", "out_of_period", "control_characters_in_ledger", "link_out_of_the_data_folder",
)
"""The catalogue's cases that reach the streamed tables' readers (every case passes; these keep
the suite short). ``hcp validate`` streams, so the whole catalogue also runs through it."""


def _catalogue():
    from test_catalogue_inputs import CASES

    return [c for c in CASES if c.kind in STREAMED_KINDS]


@pytest.mark.parametrize("case", _catalogue(), ids=[c.kind for c in _catalogue()])
def test_every_catalogued_input_streams_like_the_whole_table(case, workspace, config):
    """Every reader, encoding and fault of the input catalogue, in batches of 1,000 rows."""
    case.make(workspace.quarter_dir)
    _both(workspace.quarter_dir, config, 1000, workspace.root / "cmp", mode=case.mode)


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(0, 40), min_size=1, max_size=12), cap=st.sampled_from([8, 30, 1 << 24]),
       seed=st.integers(0, 2**16))
def test_adding_sorted_hashes_tells_what_was_held_before(sizes, cap, seed):
    """``add_sorted`` answers as a search of every run would, whether the runs merge (found
    by neighbours in the merge) or stay apart (searched), with values repeated within a batch,
    across batches, and asked again after they were merged."""
    import hcp_lib.stream as stream

    rng = np.random.default_rng(seed)
    runs, held = HashRuns(), np.zeros(0, dtype=np.uint64)
    old_cap, stream.MAX_RUN = stream.MAX_RUN, cap
    try:
        for size in sizes:
            batch = rng.integers(0, 64, size, dtype=np.uint64)  # few values: many repeats
            batch.sort()
            assert runs.add_sorted(batch).tolist() == np.isin(batch, held).tolist()
            held = np.concatenate([held, batch])
            assert np.array_equal(np.sort(np.concatenate([held[:0], *runs.runs])), np.sort(held))
            assert all(np.all(r[1:] >= r[:-1]) for r in runs.runs)
    finally:
        stream.MAX_RUN = old_cap


def test_hash_runs_stop_merging_at_their_cap(monkeypatch):
    """Past the cap runs stay apart (no big merge at once) and membership is unchanged."""
    import hcp_lib.stream as stream

    monkeypatch.setattr(stream, "MAX_RUN", 8)
    runs = HashRuns()
    rng = np.random.default_rng(3)
    added = []
    for _ in range(10):
        batch = rng.integers(0, 2**63, 3, dtype=np.uint64)
        runs.add(batch)
        added.append(batch)
    assert max(len(r) for r in runs.runs) <= 8 and len(runs.runs) > 1
    every = np.concatenate(added)
    probe = np.concatenate([every, rng.integers(0, 2**63, 20, dtype=np.uint64)])
    assert runs.contains(probe).tolist() == [True] * len(every) + [False] * 20


def test_stacked_batches_leave_out_a_batch_with_no_rows():
    """A batch whose rows were all rejected has object-typed, category-less columns: stacked
    with the others it would fail (categories of another type) or turn times into objects."""
    from hcp_lib.stream import stacked_frames

    def batch(codes, moments):
        return pd.DataFrame({"item_code": pd.Categorical(codes),
                             "evaluated_at": pd.to_datetime(moments)})

    empty = pd.DataFrame({"item_code": pd.Categorical([], categories=pd.Index([], dtype=object)),
                          "evaluated_at": pd.Series([], dtype=object)})
    first = batch(["A", "B"], ["2022-07-01", "2022-07-02"])
    second = batch(["C"], ["2022-07-03"])
    out = stacked_frames([first, empty, second])
    assert out["item_code"].tolist() == ["A", "B", "C"]
    assert isinstance(out["item_code"].dtype, pd.CategoricalDtype)
    assert out["evaluated_at"].dtype == first["evaluated_at"].dtype
    assert len(stacked_frames([empty, empty])) == 0


def test_a_look_ahead_with_a_batch_all_rejected_keeps_its_weeks(config, tmp_path):
    """The run's look-ahead (``window_rows``) over a folder whose middle batch is all rejected:
    the weeks of the other batches are kept, every column there."""
    from datetime import date

    from hcp_lib.pipeline import LOOKAHEAD_COLUMNS, window_rows
    from hcp_lib.quarters import Quarter

    rows = [eval_row(i, evaluated_at="2022-07-05 10:00:00") for i in range(9)]
    for row in rows[3:6]:
        row["level"] = "很好"
    folder = _quarter_dir(tmp_path, rows)
    keep = window_rows(Quarter.parse(QUARTER), date(2022, 7, 20))
    ahead = stream_lookahead(folder, "2022Q3", keep, config, mode="quarantine", batch_rows=3)
    assert list(ahead.kept.columns) == list(LOOKAHEAD_COLUMNS)
    assert len(ahead.kept) == 6
    assert ahead.report.tables["evaluations"].rejected == 3
