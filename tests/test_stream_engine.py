"""The streaming engine's own pieces: group numbering on codes, ids passed as read, readers
that read a bounded number of batches ahead and stop cleanly."""

from __future__ import annotations

import threading
import time

import numpy as np
import pyarrow as pa
import pytest
from helpers import FIXTURES

from hcp_lib.contract import TABLES
from hcp_lib.readers import _finish, _nothing_to_trim
from hcp_lib.stream import Groups, TableReader


def _codes(values: list) -> tuple[np.ndarray, np.ndarray]:
    labels = [None, *dict.fromkeys(v for v in values if v is not None)]
    where = {v: i for i, v in enumerate(labels)}
    return np.array([where[v] for v in values], dtype=np.int64), np.array(labels, dtype=object)


def _naive(batches: list[list[tuple]]) -> tuple[dict[tuple, int], list[int]]:
    ids: dict[tuple, int] = {}
    counts: list[int] = []
    for rows in batches:
        for row in rows:
            i = ids.setdefault(row, len(ids))
            counts += [0] * (len(ids) - len(counts))
            counts[i] += 1
    return ids, counts


def _add(groups: Groups, rows: list[tuple]) -> np.ndarray:
    columns = {name: _codes([r[d] for r in rows]) for d, name in enumerate(groups.names)}
    return groups.add(columns, len(rows))


@pytest.mark.parametrize("cardinality", [3, 300])
def test_groups_number_and_count_as_label_tuples_would(cardinality):
    """Ids in order of first appearance, the same counts, across batches whose labels come in
    different orders; 300 labels in each of nine dimensions need more than 63 bits."""
    rng = np.random.default_rng(7)
    names = tuple(f"d{i}" for i in range(9))
    batches = [[tuple(f"v{x}" if x else None for x in rng.integers(0, cardinality, 9))
                for _ in range(400)] for _ in range(3)]
    batches.append(batches[0][::-1])  # the same groups again, labels first seen in another order
    groups = Groups(names)
    for rows in batches:
        got = _add(groups, rows)
        ids = groups.ids
        assert [ids[r] for r in rows] == got.tolist()
    want_ids, want_counts = _naive(batches)
    assert groups.ids == want_ids
    assert groups.counts.tolist() == want_counts


def test_groups_merge_as_one():
    """A partition's groups folded in: the same as counting its rows here."""
    names = ("unit", "month")
    first, second = [("a", 4), ("b", 5), ("a", 4)], [("c", 6), ("a", 4), ("b", 4)]
    whole, part, alone = Groups(names), Groups(names), Groups(names)
    _add(whole, first)
    _add(whole, second)
    _add(alone, first)
    _add(part, second)
    remap = alone.merge(part)
    assert alone.ids == whole.ids
    assert alone.counts.tolist() == whole.counts.tolist()
    assert [alone.ids[k] for k in part.ids] == remap.tolist()


@pytest.mark.parametrize("values, plain", [
    (["E0001", "E0002", None], True),
    ([" E0001", "E0002"], False),
    (["E0001", ""], False),
    (["E0001\u3000", "E0002"], False),
    (["\u00a0E0001", "E0002"], False),
    (["E0001\t", "E0002"], False),
    # every value of one length: the edges are read as strides
    (["E0001", "E0002"], True),
    ([" E001", "E0002"], False),
    (["E0001", "E000 "], False),
    (["E0001", "E000\x7f"], False),
    (["\u3000", "E00"], False),
    (["甲", "乙"], False),
    (["~!~", "!~!"], True),
    (["", ""], False),
])
def test_ids_with_nothing_to_trim_pass_as_read(values, plain):
    column = pa.chunked_array([pa.array(values, pa.string())])
    assert _nothing_to_trim(column) is plain
    sliced = pa.chunked_array([pa.array(["  ", *values, "\t"], pa.string()).slice(1, len(values))])
    assert _nothing_to_trim(sliced) is plain  # a chunk that starts inside its buffers
    done = _finish(pa.table({"eval_id": column}), pa.array(np.arange(len(values), dtype=np.int32)))
    want = [None if v is None or not v.strip() else v.strip() for v in values]
    assert done.column("eval_id").to_pylist() == want


def test_evaluations_reader_closes_while_its_batches_wait(tmp_path):
    """The evaluations' reader reads ahead at once; closed before anything is taken (a failed
    run), its thread stops."""
    folder = FIXTURES / "good_2022Q2"
    before = threading.active_count()
    reader = TableReader(folder, TABLES["evaluations"], 1000, cases=True, waiting=3)
    reader.close()
    assert threading.active_count() == before


@pytest.mark.parametrize("room", [True, False])
def test_evaluations_reader_reads_ahead_a_bounded_number_of_batches(monkeypatch, room):
    """While nothing takes its batches (the cases are being validated), the evaluations'
    reader reads, stacks and hashes up to ``waiting`` batches, no further. Once the cases are
    indexed, the validating thread finds the cases of those batches; of the batches read
    after, the reader finds them when it has room, else the validating thread does. Either
    way every batch comes with its cases found, in order."""
    from hcp_lib import stream
    from hcp_lib.stream import CaseLookup

    monkeypatch.setattr(TableReader, "has_room", lambda self: room)
    hashed: list[int] = []  # rows of each batch read, stacked and hashed
    of = stream.Ahead.of
    monkeypatch.setattr(stream.Ahead, "of", classmethod(
        lambda cls, number, raw: hashed.append(len(raw.frame)) or of(number, raw)))
    no_cases = CaseLookup(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32))
    folder, table = FIXTURES / "good_2022Q2", TABLES["evaluations"]
    every = list(TableReader(folder, table, 3, cases=True).batches)
    assert len(every) > 4
    first_three = sum(len(b.raw.frame) for b in every[:3])
    hashed.clear()  # the batches of ``every``

    reader = TableReader(folder, table, 3, cases=True, waiting=3)
    try:
        deadline = time.monotonic() + 10
        while sum(hashed) < first_three and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # room to read a fourth batch, were it not bounded
        assert sum(hashed) == first_three
        reader.lookup = no_cases  # the cases are indexed
        hashed_ahead, found_ahead, batches = [], [], []
        for b in reader.batches:
            hashed_ahead.append(b.case_ids is not None)
            found_ahead.append(b.case_positions is not None)
            batches.append(b.find_cases(no_cases))
    finally:
        reader.close()
    assert not any(found_ahead[:2])  # read before the index: found by the validating thread
    assert all(found_ahead[3:]) is room and any(found_ahead[3:]) is room
    assert all(hashed_ahead[:2]) is room  # hashed while the cases were validated, given room
    assert [b.number for b in batches] == [b.number for b in every]
    assert [len(b.raw.frame) for b in batches] == [len(b.raw.frame) for b in every]
    assert all(b.case_positions is not None and (b.case_positions == -1).all() for b in batches)
    assert all(b.case_ids is None for b in batches)


def test_a_reader_has_room_unless_its_batch_is_awaited():
    """The consumer blocked on an empty queue marks it starved: then the reader hands its
    batches over without the cases' work."""
    from hcp_lib.prefetch import ReadAhead

    gate = threading.Event()

    def items():
        gate.wait(5)
        yield 1

    ahead = ReadAhead(items())
    assert not ahead.starved  # nobody has asked yet
    taken: list[int] = []
    consumer = threading.Thread(target=lambda: taken.extend(ahead))
    consumer.start()
    deadline = time.monotonic() + 5
    while not ahead.starved and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ahead.starved
    gate.set()
    consumer.join(5)
    assert taken == [1] and not ahead.starved


def test_validation_takes_the_key_hashes_worked_out_ahead(config):
    """Validation uses the hashes the reading thread made (not its own), and says which rows
    it accepted."""
    from hcp_lib.hashing import Hashed
    from hcp_lib.quarters import Quarter
    from hcp_lib.readers import read_table
    from hcp_lib.validate import key_as_read, validate_table

    table = TABLES["evaluations"]
    assert key_as_read(table) and key_as_read(TABLES["cases"])
    raw = read_table(FIXTURES / "good_2022Q2", table)
    keys = raw.frame[list(table.key)]
    given = Hashed.of(keys)
    given.hashes = given.hashes + np.uint64(1)  # not what validation would compute itself
    result = validate_table(raw, Quarter.parse("2022Q2"), config, earlier=lambda k, h: np.zeros(
        len(k), dtype=bool), prune=False, hashed=given)
    assert np.array_equal(result.key_hashes, given.hashes[result.accepted_rows])
    assert result.accepted_rows.sum() == len(result.accepted)
