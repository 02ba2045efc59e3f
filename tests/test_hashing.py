"""Id hashes: the same text hashes alike whatever its container; duplicates are decided by text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hcp_lib.hashing as hashing
from hcp_lib.hashing import (
    arrow_hashes,
    column_hashes,
    duplicated,
    hash_order,
    key_hashes,
    range_cuts,
    search_sorted,
)

ids = st.lists(st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["0001", "01", "甲"])),
               max_size=60)


@given(ids)
def test_same_text_same_hash_in_every_container(values):
    as_str = pd.Series(values, dtype="str")
    expected = column_hashes(as_str)
    assert np.array_equal(column_hashes(pd.Series(values, dtype=object)), expected)
    assert np.array_equal(arrow_hashes(pa.array(values, pa.large_string())), expected)
    chunked = pa.chunked_array([pa.array(values[:7], pa.string()),
                                pa.array(values[7:], pa.string())], pa.string())
    assert np.array_equal(arrow_hashes(chunked), expected)
    text = {v for v in values if v is not None}
    by_text = {v: column_hashes(pd.Series([v], dtype="str"))[0] for v in text}
    assert len(set(by_text.values())) == len(text)  # no collision among a few ids


@given(ids, ids)
def test_duplicates_are_pandas_duplicates(first, second):
    n = min(len(first), len(second))
    keys = pd.DataFrame({"a": pd.Series(first[:n], dtype="str"),
                         "b": pd.Series(second[:n], dtype="str")})
    for frame in (keys[["a"]], keys):
        complete = frame.notna().all(axis=1)
        expected = np.zeros(len(frame), dtype=bool)
        expected[complete.to_numpy()] = frame[complete].duplicated(keep="first").to_numpy()
        assert np.array_equal(duplicated(frame), expected)


@given(st.lists(st.integers(0, 2**64 - 1), max_size=300), st.integers(0, 40))
def test_hash_order_is_a_stable_argsort(values, repeats):
    hashes = np.array(values + values[:repeats], dtype=np.uint64)
    assert np.array_equal(hash_order(hashes), np.argsort(hashes, kind="stable"))


def test_high_bit_ties_are_put_right():
    base = np.uint64(0xABCDEF) << np.uint64(40)
    hashes = base | np.array([9, 3, 7, 3, 1], dtype=np.uint64)  # same high bits, low bits differ
    assert np.array_equal(hash_order(hashes), np.argsort(hashes, kind="stable"))
    assert np.array_equal(key_hashes(pd.DataFrame({"x": ["a", "b"]})),
                          column_hashes(pd.Series(["a", "b"])))


words = st.lists(st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 1, 2**63, 2**64 - 1]),
                           st.integers(0, 2**20).map(lambda low: (0xABC << 52) | low)),
                 max_size=400)


@given(words, st.integers(0, 60))
def test_hash_order_is_stable_with_a_shared_prefix_and_repeats(values, repeats):
    """The words sorted are the hashes' high bits and their rows: with a prefix every hash
    shares, repeats and the extreme words among them, the order is still the stable argsort."""
    hashes = np.array(values + values[:repeats], dtype=np.uint64)
    shared = hashes | np.uint64(0xF) << np.uint64(60)  # one bucket: the top bits alike
    assert np.array_equal(hash_order(hashes), np.argsort(hashes, kind="stable"))
    assert np.array_equal(hash_order(shared), np.argsort(shared, kind="stable"))


def test_big_arrays_order_as_numpy_does():
    """Many repeats and many high-bit ties among 80,000 hashes order as numpy's stable argsort."""
    rng = np.random.default_rng(11)
    n = 80_000
    hashes = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    hashes[::5] = rng.choice(hashes, len(hashes[::5]))
    hashes[::9] = (hashes[::9] >> np.uint64(30)) << np.uint64(30)  # ties in the high bits
    for sample in (hashes, hashes >> np.uint64(4) | np.uint64(3) << np.uint64(60)):
        assert np.array_equal(hash_order(sample), np.argsort(sample, kind="stable"))


def _awkward_hashes(rng: np.random.Generator, n: int, pool: np.ndarray) -> np.ndarray:
    """Hashes that meet the ranges' edges: the edges themselves and their neighbours, the
    smallest and largest hash, repeats, values from ``pool``, and plain random ones."""
    edges = np.arange(256, dtype=np.uint64) << np.uint64(56)
    special = np.concatenate([edges, edges - np.uint64(1), edges + np.uint64(1),
                              np.array([0, 2**64 - 1], dtype=np.uint64)])
    parts = [rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True),
             rng.choice(special, n // 4)]
    if len(pool):
        parts.append(rng.choice(pool, n // 4))
    return np.sort(np.concatenate(parts))


@given(st.integers(0, 2**32 - 1), st.integers(0, 3000), st.integers(0, 3000))
def test_search_sorted_answers_as_numpy_does(seed, hay_size, needle_size):
    """Range by range or whole, every needle lands where ``np.searchsorted`` puts it, also at
    the ranges' edges, on repeats, and with ranges empty on either side."""
    rng = np.random.default_rng(seed)
    hay = _awkward_hashes(rng, hay_size, np.zeros(0, dtype=np.uint64))
    needles = _awkward_hashes(rng, needle_size, hay)
    old = hashing.RANGES_FROM
    try:
        hashing.RANGES_FROM = 1
        cuts = range_cuts(hay)
    finally:
        hashing.RANGES_FROM = old
    assert (cuts is None) == (len(hay) == 0)
    want = np.searchsorted(hay, needles)
    assert np.array_equal(search_sorted(hay, needles, cuts), want)
    assert np.array_equal(search_sorted(hay, needles, None), want)


def test_big_sorted_hashes_are_cut_into_ranges():
    """From ``RANGES_FROM`` hashes on, a sorted array is searched by ranges, with the answers
    of one search over the whole."""
    rng = np.random.default_rng(7)
    hay = np.sort(rng.integers(0, 2**64 - 1, hashing.RANGES_FROM, dtype=np.uint64))
    assert range_cuts(hay[:-1]) is None
    cuts = range_cuts(hay)
    assert cuts is not None and len(cuts) == 257 and cuts[0] == 0 and cuts[-1] == len(hay)
    assert all(np.diff(cuts) >= 0)
    needles = _awkward_hashes(rng, 5000, hay)
    assert np.array_equal(search_sorted(hay, needles, cuts), np.searchsorted(hay, needles))


def test_hashes_do_not_change_between_versions():
    """Workers of a cluster, and every release, hash an id alike: these values are the
    function's, fixed when it was written (lengths of no word, one word, a word and a byte,
    multi-byte text, a null as "")."""
    values = ["", "a", "12345678", "123456789", "甲乙丙", None]
    assert [int(h) for h in arrow_hashes(pa.array(values))] == [
        0x9E3779B97F4A7C15, 0x2E49A6DD9FC6417A, 0x62278BDABED91D5F, 0xA233ADB6EE5F0305,
        0xEF3B9C952B793535, 0x9E3779B97F4A7C15]
    same_length = pa.array(["0001", "0002", None, "0004"])  # one length, a null among them
    assert np.array_equal(arrow_hashes(same_length),
                          [arrow_hashes(pa.array([v]))[0] for v in ["0001", "0002", "", "0004"]])


def _murmur_words(text: bytes) -> int:
    """The hash written out with Python integers, word by word: the definition the vectorised
    paths must agree with."""
    mask = (1 << 64) - 1

    def mix(h: int) -> int:
        for multiplier in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, None):
            h ^= h >> 33
            if multiplier is not None:
                h = (h * multiplier) & mask
        return h

    h = ((len(text) + 1) * 0x9E3779B97F4A7C15) & mask
    for i, at in enumerate(range(0, len(text), 8)):
        word = int.from_bytes(text[at:at + 8].ljust(8, b"\0"), "little")
        h = mix(word ^ h if i == 0 else h ^ word)
    return h


def test_rows_read_in_place_hash_as_the_padded_words():
    """Ids of one length lying one after another are read where they lie, a chunk of rows at a
    time; gathered ids are copied into zero-padded words. Both agree with each other and with
    the definition, across chunk edges, for every length from none to five words."""
    rng = np.random.default_rng(7)
    n = hashing.CHUNK + 37
    for length in range(41):
        data = rng.integers(0, 256, size=3 + n * length + 5, dtype=np.uint8)
        starts = 3 + np.arange(n, dtype=np.int64) * length
        in_place = hashing._fixed_width(data, starts, length, contiguous=True)
        gathered = hashing._fixed_width(data, starts[::-1].copy(), length)[::-1]
        assert np.array_equal(in_place, gathered), length
        for row in (0, hashing.CHUNK - 1, hashing.CHUNK, n - 1):
            text = data[starts[row]:starts[row] + length].tobytes()
            assert int(in_place[row]) == _murmur_words(text), (length, row)


@pytest.mark.parametrize("buckets", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_hash_order_past_the_bucket_threshold(seed, buckets, monkeypatch):
    """Above ``BUCKETS_FROM`` the words go through the top-bits pass first where that is the
    faster way (either way here): random hashes, repeats, one bucket holding everything (a
    shared top), and a few buckets crowded."""
    from hcp_lib.hashing import BUCKETS_FROM

    monkeypatch.setattr(hashing, "buckets_first", lambda: buckets)

    rng = np.random.default_rng(seed)
    n = int(rng.integers(BUCKETS_FROM, 6 * BUCKETS_FROM))
    hashes = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    hashes[rng.integers(0, n, n // 10)] = hashes[rng.integers(0, n, n // 10)]  # repeats
    shared = (hashes >> np.uint64(16)) | (np.uint64(0xBEEF) << np.uint64(48))
    crowded = hashes.copy()
    crowded[: n // 2] = (crowded[: n // 2] & np.uint64(2**48 - 1)) | (
        rng.integers(0, 3, n // 2, dtype=np.uint64) << np.uint64(48))
    for h in (hashes, shared, crowded, np.sort(hashes), np.sort(hashes)[::-1].copy()):
        assert np.array_equal(hash_order(h), np.argsort(h, kind="stable"))


def test_the_faster_sort_is_chosen_once():
    hashing.buckets_first.cache_clear()
    first = hashing.buckets_first()
    assert isinstance(first, bool) and hashing.buckets_first() is first
