"""The cases' store and index: what goes in comes out sorted by hash, codes alongside, whatever
the batches' sizes; pickled (a Dask task's cases) it keeps only what it holds."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcp_lib.stream import CaseIndex, CaseStore, case_codes


def _batches(sizes: list[int], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = []
    for n in sizes:
        hashes = rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64) * np.uint64(2)
        hashes[: n // 3] |= np.uint64(1 << 63)  # every bucket, the top ones too
        out.append((hashes, rng.integers(0, 1 << 20, n).astype(np.uint32)))
    return out


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(0, 3000), max_size=12), seed=st.integers(0, 2**16),
       together=st.booleans(), in_order=st.lists(st.booleans(), max_size=12))
def test_sorted_equals_an_argsort_of_everything_added(sizes, seed, together, in_order):
    """Bucket by bucket, or two buckets at a time (``together``), each into its own slice;
    batches added in hash order (``in_order``, their codes alongside) or as they came, and
    repeated hashes kept in arrival order."""
    store = CaseStore()
    store.FIRST, store.LARGEST = 16, 256  # many chunks, some left part-filled
    store.PARALLEL_FROM = 0 if together else 1 << 62
    batches = _batches(sizes, seed)
    if len(batches) > 1 and len(batches[0][0]) and len(batches[1][0]):
        batches[1][0][0] = batches[0][0][0]  # one hash twice: arrival order decides
    for i, (hashes, codes) in enumerate(batches):
        if i < len(in_order) and in_order[i]:
            order = np.argsort(hashes, kind="stable")
            batches[i] = hashes, codes = hashes[order], codes[order]
            store.add(hashes, codes, is_sorted=True)
        else:
            store.add(hashes, codes)
    all_hashes = np.concatenate([np.zeros(0, np.uint64), *(h for h, _ in batches)])
    all_codes = np.concatenate([np.zeros(0, np.uint32), *(c for _, c in batches)])
    assert len(store) == len(all_hashes)
    order = np.argsort(all_hashes, kind="stable")
    hashes, codes = store.sorted()
    np.testing.assert_array_equal(hashes, all_hashes[order])
    np.testing.assert_array_equal(codes, all_codes[order])
    assert len(store) == 0 and not any(store.hashes)  # emptied on the way
    assert store.fill == [0] * len(store.fill)


def test_a_pickled_store_holds_the_same_cases_without_spare_room():
    store = CaseStore()
    for hashes, codes in _batches([1000, 777, 5], 3):
        store.add(hashes, codes)
    spare = sum(len(h) for chunks in store.hashes for h in chunks)
    copy = pickle.loads(pickle.dumps(store))
    assert sum(len(h) for chunks in copy.hashes for h in chunks) == len(store) < spare
    for left, right in zip(store.sorted(), copy.sorted(), strict=True):
        np.testing.assert_array_equal(left, right)


def test_codes_carry_the_group_and_both_flags():
    groups = np.array([0, 5, 1 << 20, 7])
    checked = np.array([True, False, True, False])
    hall = np.array([False, True, True, False])
    store = CaseStore()
    hashes = np.array([4, 3, 2, 1], dtype=np.uint64)
    store.add(hashes, case_codes(groups, checked, hall))
    index = CaseIndex.of(store)
    found = index.lookup.hashes.searchsorted(hashes)
    np.testing.assert_array_equal(index.lookup.hall(found), hall)
    np.testing.assert_array_equal(index.lookup.hall(np.array([-1, found[1]])), [False, True])
    evaluated = np.zeros(4, dtype=bool)
    evaluated[found[0]] = True  # group 0's checked case was evaluated
    checked_cases, without = index.checked_counts(evaluated, (1 << 20) + 1)
    assert checked_cases[0] == 1 and checked_cases[1 << 20] == 1 and checked_cases.sum() == 2
    assert without[0] == 0 and without[1 << 20] == 1 and without.sum() == 1
    with pytest.raises(ValueError, match="case groups"):
        case_codes(np.array([1 << 30]), np.array([True]), np.array([False]))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 2000), seed=st.integers(0, 2**16), share=st.sampled_from([0, 0.5, 1]))
def test_accepted_rows_in_hash_order_reuse_the_batchs_sort(n, seed, share):
    """What ``CaseFold`` stores as sorted runs: the accepted rows' hashes in (stable) hash
    order, and which accepted row each one is; all rows accepted, some, or none."""
    from hcp_lib.hashing import Hashed, hash_order
    from hcp_lib.stream import accepted_in_hash_order

    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64)
    if n > 3:
        hashes[3] = hashes[0]  # a repeated hash keeps its rows' order
    accepted = rng.random(n) < share if share < 1 else np.ones(n, dtype=bool)
    kept, rows = accepted_in_hash_order(Hashed(hashes, hash_order(hashes)), accepted)
    own = hashes[accepted]
    order = np.argsort(own, kind="stable")
    np.testing.assert_array_equal(rows, order)
    np.testing.assert_array_equal(kept, own[order])
