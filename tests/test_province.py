"""The province-shaped benchmark generator (benchmarks/province.py): shape, validity, seeds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hcp_lib.stream import stream_quarter

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("province", ROOT / "benchmarks" / "province.py")
province = sys.modules.setdefault("province", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(province)

ROWS = 30_000
CHUNK = 12_000  # three chunks: the repeated id lands in a later chunk and a later batch


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("province") / "2022Q2"
    return province.generate(folder, ROWS, seed=11, chunk_rows=CHUNK)


@pytest.fixture(scope="module")
def streamed(written):
    return stream_quarter(written.folder, "2022Q2", mode="quarantine", batch_rows=10_000)


def _rows(folder: Path) -> dict[str, pa.Table]:
    """Each file's rows (not its bytes: the writer's page layout may vary)."""
    return {path.name: pq.read_table(path) for path in sorted(folder.glob("*.parquet"))}


def _same(a: dict[str, pa.Table], b: dict[str, pa.Table]) -> bool:
    return a.keys() == b.keys() and all(a[name].equals(b[name]) for name in a)


def test_sizes_and_row_groups(written):
    ev = pq.ParquetFile(written.folder / "评价明细.parquet")
    cases = pq.ParquetFile(written.folder / "办件明细.parquet")
    assert ev.metadata.num_rows == written.evaluations == ROWS
    assert ev.metadata.num_row_groups == 3
    extra = sum(round(n * province.EXTRA_CASES) for n in (CHUNK, CHUNK, ROWS - 2 * CHUNK))
    assert cases.metadata.num_rows == written.cases == ROWS + extra


def test_rows_validate_but_the_planted_ones(written, streamed):
    tables = streamed.report.tables
    for name in ("evaluations", "cases"):
        report = tables[name]
        assert report.read == (written.evaluations if name == "evaluations" else written.cases)
        assert report.rejected == written.planted[name]
        errors = [p for p in report.problems if p.severity == "error"]
        assert sum(p.count for p in errors) == written.planted[name]
    kinds = {p.kind for p in tables["evaluations"].problems}
    assert kinds == {"unknown_unit", "bad_level", "empty", "duplicate_key"}
    assert {p.kind for p in tables["cases"].problems} == {"bad_enum"}


def test_level_and_channel_shares(streamed):
    ev = streamed.aggregates.evaluations
    total = ev["count"].sum()
    levels = ev.groupby("level", observed=True)["count"].sum() / total
    for level, share in province.LEVEL_SHARES.items():
        assert levels[level] == pytest.approx(share, abs=0.004)
    channels = ev.groupby("channel", observed=True)["count"].sum() / total
    assert set(channels.index) <= set(province.CHANNEL_SHARES)
    for channel, share in province.CHANNEL_SHARES.items():
        assert channels[channel] == pytest.approx(share, abs=0.01)
    # 实体大厅 37% in the province's terms: both hall terminals together.
    assert channels["政务大厅平板电脑"] + channels["政务大厅其他终端"] == pytest.approx(0.37, abs=0.01)


def test_evaluations_find_their_cases(streamed):
    meta = streamed.aggregates.meta
    # Only the evaluation whose case was planted bad (邮寄) finds none.
    assert meta["evaluations_without_case"] == 1
    cases = streamed.aggregates.cases
    hall = cases.loc[cases["hall"], "cases"].sum()
    assert 0 < hall < cases["cases"].sum()


def test_channel_vocabulary_is_the_configured_one():
    from hcp_lib.config import load_config

    assert set(province.CHANNEL_SHARES) == set(load_config().input.channels)
    assert sum(province.CHANNEL_SHARES.values()) == pytest.approx(1.0)
    assert sum(province.PROVINCE_CHANNELS.values()) == pytest.approx(1.0)


def test_same_seed_same_rows_other_seed_other_rows(tmp_path, written):
    again = province.generate(tmp_path / "a", ROWS, seed=11, chunk_rows=CHUNK)
    other = province.generate(tmp_path / "b", ROWS, seed=12, chunk_rows=CHUNK)
    assert _same(_rows(again.folder), _rows(written.folder))
    assert not _same(_rows(other.folder), _rows(written.folder))


def test_months_past_the_quarter_are_out_of_period(tmp_path):
    done = province.generate(tmp_path / "year", 12_000, months=12, seed=3, chunk_rows=12_000)
    report = stream_quarter(done.folder, "2022Q2", mode="quarantine").report
    outside = sum(p.count for p in report.tables["evaluations"].problems
                  if p.kind == "out_of_period")
    assert outside == pytest.approx(9_000, rel=0.05)
