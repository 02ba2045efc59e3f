"""Parquet read a span of row groups at a time: the same rows, in order, in batches of the
size asked (the last one shorter) across row groups' edges, whatever the row groups' sizes; a
part of the file reads only its row groups."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hcp_lib.batches import _row_group_batches


@pytest.fixture
def file(tmp_path):
    table = pa.table({"n": list(range(103)), "s": [f"v{i % 7}" for i in range(103)]})
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=10)  # eleven row groups, the last of 3 rows
    return path, table


def _whole(batches: list) -> pa.Table:
    return pa.concat_tables(b if isinstance(b, pa.Table) else pa.Table.from_batches([b])
                            for b in batches)


@pytest.mark.parametrize("batch_rows", [1, 3, 10, 26, 1000])
def test_every_row_once_in_order(file, batch_rows):
    path, table = file
    batches = list(_row_group_batches(pq.ParquetFile(path), batch_rows, ["n", "s"], None))
    assert [len(b) for b in batches[:-1]] == [batch_rows] * (len(batches) - 1)
    assert 0 < len(batches[-1]) <= batch_rows
    assert _whole(batches).equals(table)


def test_batches_cross_row_groups(file):
    """Row groups of 10 read 26 at a time: three batches, not one short one per row group."""
    path, table = file
    batches = list(_row_group_batches(pq.ParquetFile(path), 26, ["n", "s"], None))
    assert [len(b) for b in batches] == [26, 26, 26, 25]
    assert batches[0].column("n").to_pylist() == list(range(26))


def test_a_part_reads_its_row_groups_only(file):
    path, table = file
    batches = list(_row_group_batches(pq.ParquetFile(path), 4, ["n"], [3, 4, 5]))
    assert _whole(batches).column("n").to_pylist() == list(range(30, 60))
    assert list(_row_group_batches(pq.ParquetFile(path), 4, ["n"], [])) == []
