"""64-bit hashes of id text, computed from Arrow's buffers with numpy (no Python object per row).

Ids are compared by hash where a whole table's ids cannot be held (duplicates across batches,
files or workers; the evaluation -> case lookup). Each id's UTF-8 bytes are read as 8-byte
words (zero-padded), and each word is folded in with MurmurHash3's 64-bit finaliser, seeded by
the length. That is vectorised per distinct id length (ids come in a few lengths), about ten
times faster than hashing Python strings, and the same on every process and machine, which the
distributed engine relies on. Two different ids collide with a probability of about n²/2⁶⁵
(below 10⁻⁶ at 100 million ids); where a collision would matter within a batch
(``duplicated``), the text decides.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

_MIX = np.uint64(0x100000001B3)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S33 = np.uint64(33)
_LITTLE = sys.byteorder == "little"


def text_arrow(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A column as Arrow text, without copying when pandas already holds it in Arrow."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed Python objects: hash their text
        array = pa.array([None if pd.isna(v) else str(v) for v in values], pa.large_string())
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
            or pa.types.is_string_view(array.type)):
        array = array.cast(pa.large_string())
    return array


def column_hashes(values: pd.Series) -> np.ndarray:
    """One 64-bit hash per value, the same for the same text whatever the pandas dtype."""
    if not len(values):
        return np.zeros(0, dtype=np.uint64)
    return arrow_hashes(text_arrow(values))


def arrow_hashes(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """One 64-bit hash per string of an Arrow text array (a null hashes as "")."""
    if isinstance(text, pa.ChunkedArray):
        parts = [arrow_hashes(chunk) for chunk in text.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    if pa.types.is_string_view(text.type):
        text = text.cast(pa.large_string())
    wide = pa.types.is_large_string(text.type)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64 if wide else np.int32)
    offsets = offsets[text.offset:text.offset + len(text) + 1].astype(np.int64)
    data = text.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    if text.null_count:
        lengths[~text.is_valid().to_numpy(zero_copy_only=False)] = 0
    shortest, longest = (int(lengths.min()), int(lengths.max())) if len(lengths) else (0, 0)
    if shortest == longest:  # the usual id column: one length, and (no nulls) one block
        return _fixed_width(data, offsets[:-1], shortest, contiguous=not text.null_count)
    out = np.empty(len(text), dtype=np.uint64)
    for length in np.flatnonzero(np.bincount(lengths - shortest)) + shortest:
        rows = np.flatnonzero(lengths == length)
        out[rows] = _fixed_width(data, offsets[rows], int(length))
    return out


CHUNK = 1 << 15
"""Rows hashed at a time. The finaliser makes about eight passes a word over the rows; over a
whole batch (4 MB a pass) each went out of the core's cache and back, over 32,768 rows (256 KB)
they stay in it: 4.3 against 11 ms for a batch of 500,000 ids of 19 bytes."""


def _fixed_width(data: np.ndarray, starts: np.ndarray, length: int,
                 contiguous: bool = False) -> np.ndarray:
    """Hashes of strings of one byte length starting at ``starts`` (``contiguous``: known to
    follow one another), ``CHUNK`` rows at a time."""
    n = len(starts)
    if n and length and not contiguous:
        contiguous = bool(starts[-1] - starts[0] == (n - 1) * length
                          and np.all(np.diff(starts) == length))
    if n <= CHUNK:
        return _fixed_chunk(data, starts, length, contiguous)
    out = np.empty(n, dtype=np.uint64)
    for at in range(0, n, CHUNK):
        out[at:at + CHUNK] = _fixed_chunk(data, starts[at:at + CHUNK], length, contiguous)
    return out


def _fixed_chunk(data: np.ndarray, starts: np.ndarray, length: int,
                 contiguous: bool) -> np.ndarray:
    n = len(starts)
    words = (length + 7) // 8
    with np.errstate(over="ignore"):
        seed = np.uint64(length + 1) * _GOLDEN
    if not words:
        return np.full(n, seed, dtype=np.uint64)
    if contiguous and n and length >= 8 and _LITTLE:
        columns = _words_in_place(data, int(starts[0]), n, length)
    else:
        raw = (data[int(starts[0]):int(starts[0]) + n * length].reshape(n, length)
               if contiguous and n else data[starts[:, None] + np.arange(length)])
        padded = np.zeros((n, words * 8), dtype=np.uint8)
        padded[:, :length] = raw
        block = padded.view(np.uint64)
        columns = iter([block[:, j] for j in range(words)])
    shifted = np.empty(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = next(columns) ^ seed  # a new array: never the rows' own buffer
        _mix(h, shifted)
        for word in columns:
            h ^= word
            _mix(h, shifted)
    return h


def _mix(h: np.ndarray, shifted: np.ndarray) -> None:
    """MurmurHash3's 64-bit finaliser, in place (``shifted``: scratch of the same size)."""
    for multiplier in (_M1, _M2, None):
        np.right_shift(h, _S33, out=shifted)
        h ^= shifted
        if multiplier is not None:
            h *= multiplier


def _words_in_place(data: np.ndarray, first: int, n: int, length: int) -> Iterator[np.ndarray]:
    """Each row's 8-byte words, zero-padded, read where the rows lie (``n`` rows of ``length``
    >= 8 bytes from ``first``), without copying the rows into a padded block.

    A full word is an unaligned view with the rows' stride. The last, partial word is read as
    the eight bytes that end the row and shifted right: on a little-endian machine that leaves
    the row's last bytes, zero-padded, as the padded block held them."""
    full, rest = divmod(length, 8)
    for j in range(full):
        yield np.ndarray((n,), dtype=np.uint64, buffer=data, offset=first + 8 * j,
                         strides=(length,))
    if rest:
        ending = np.ndarray((n,), dtype=np.uint64, buffer=data, offset=first + length - 8,
                            strides=(length,))
        yield ending >> np.uint64(8 * (8 - rest))


def key_hashes(keys: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row of key values (text as the user typed it)."""
    if keys.shape[1] == 1:  # 0 * _MIX ^ h is h
        return column_hashes(keys.iloc[:, 0])
    out = np.zeros(len(keys), dtype=np.uint64)
    for name in keys.columns:
        with np.errstate(over="ignore"):
            out = out * _MIX ^ column_hashes(keys[name])
    return out


def hash_order(hashes: np.ndarray) -> np.ndarray:
    """``np.argsort(hashes, kind="stable")``, two to three times faster.

    Each hash's high bits and its row number are packed into one word and the words sorted
    by value: beside the hashes the peak is the order. Where numpy's vectorised sort is slow
    (``buckets_first``), the words are first put in order of their top 16 bits
    (``by_top_bits``), then sorted with numpy's stable sort, which finds each short unordered
    stretch in an array so nearly in order and sorts it where it lies.
    Words whose high bits tie (a few at 4M hashes, and every repeated hash) are then put in
    hash order, run by run. The words are distinct (each holds its row), so any sort of them
    gives the same order.
    """
    n = len(hashes)
    bits = max(int(n - 1).bit_length(), 1)
    shift = np.uint64(bits)
    order = np.empty(n, dtype=np.uint64)
    for start in range(0, n, CHUNK):  # a chunk at a time: its three passes stay in cache
        stop = min(start + CHUNK, n)
        part = order[start:stop]
        np.right_shift(hashes[start:stop], shift, out=part)
        part <<= shift
        part |= np.arange(start, stop, dtype=np.uint64)
    if n >= BUCKETS_FROM and buckets_first():
        order = order[by_top_bits(hashes)]
        order.sort(kind="stable")
    else:
        order.sort()
    _ties_put_right(hashes, order, bits)
    order &= np.uint64((1 << bits) - 1)
    return order.view(np.int64)


BUCKETS_FROM = 1 << 12
"""From this many hashes on, ``hash_order`` puts them in order of their top bits first."""


def by_top_bits(hashes: np.ndarray) -> np.ndarray:
    """The rows in order of their hashes' top 16 bits (ties in row order): numpy sorts
    16-bit keys by counting (a radix sort, two passes over the rows)."""
    return np.argsort((hashes >> np.uint64(48)).astype(np.uint16), kind="stable")


@cache
def buckets_first() -> bool:
    """Whether ``hash_order`` orders words by their top bits before sorting them: timed once
    a process, on 65,536 random words (about 4 ms).

    numpy sorts 64-bit words with x86-simd-sort, whose partitions rely on AVX-512's
    compressing stores: 3.3 ms for 500,000 words on an Intel AVX-512 machine, but 24 ms on
    AMD's Zen 4, which microcodes those stores. The top-bits pass and the stable sort after
    it took 9 ms there."""
    words = np.random.default_rng(0).integers(0, 2**64 - 1, 1 << 16, dtype=np.uint64,
                                              endpoint=True)

    def quick() -> None:
        words.copy().sort()

    def buckets() -> None:
        words[by_top_bits(words)].sort(kind="stable")

    return _fastest(buckets) < _fastest(quick)


def _fastest(step: Callable[[], None], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def _ties_put_right(hashes: np.ndarray, words: np.ndarray, bits: int) -> None:
    """Sorted (high bits, row) words: each run of equal high bits sorted by the full hash.

    The runs are contiguous and short, so only their words move. They are sorted together:
    the runs' high bits already order them, and a stable sort keeps equal hashes in row order."""
    n, limit = len(words), np.uint64(1 << bits)
    same = np.empty(max(n - 1, 0), dtype=bool)
    scratch = np.empty(min(CHUNK, max(n - 1, 0)), dtype=np.uint64)
    for start in range(0, n - 1, CHUNK):  # neighbours share their high bits: their xor is low
        stop = min(start + CHUNK, n - 1)
        low = np.bitwise_xor(words[start + 1:stop + 1], words[start:stop],
                             out=scratch[:stop - start])
        np.less(low, limit, out=same[start:stop])
    if not same.any():
        return
    tied = np.zeros(n, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    at = np.flatnonzero(tied)
    rows = (words[at] & np.uint64((1 << bits) - 1)).view(np.int64)
    words[at] = words[at][np.argsort(hashes[rows], kind="stable")]


RANGES_FROM = 1 << 16
"""Sorted hashes from this many on are searched a top-byte range at a time (``range_cuts``)."""
_TOP_BYTES = np.arange(1, 256, dtype=np.uint64) << np.uint64(56)


def range_cuts(ordered: np.ndarray) -> list[int] | None:
    """Where each of the 256 ranges of sorted hashes' top byte begins, and the end; None for
    fewer than ``RANGES_FROM`` hashes (a whole search of them stays in cache anyway)."""
    if len(ordered) < RANGES_FROM:
        return None
    return [0, *np.searchsorted(ordered, _TOP_BYTES).tolist(), len(ordered)]


def search_sorted(hay: np.ndarray, needles: np.ndarray, cuts: list[int] | None) -> np.ndarray:
    """``np.searchsorted(hay, needles)`` for sorted hashes and sorted needles.

    With ``cuts`` (``range_cuts(hay)``) each top-byte range of the needles is searched in its
    own slice of ``hay``: the hashes are uniform, so at 20M a slice is 80,000 hashes, which
    stay in cache, where one search over the whole array misses it at nearly every step
    (twice as fast at 20M hashes, the same at 2M). The answers are the same.
    """
    if cuts is None or len(needles) < 256:
        return np.searchsorted(hay, needles)
    starts = [0, *np.searchsorted(needles, _TOP_BYTES).tolist(), len(needles)]
    out = np.empty(len(needles), dtype=np.int64)
    for r in range(256):
        a, b = starts[r], starts[r + 1]
        if b > a:
            lo = cuts[r]
            found = np.searchsorted(hay[lo:cuts[r + 1]], needles[a:b])
            found += lo
            out[a:b] = found
    return out


@dataclass
class Hashed:
    """A batch's key hashes, once: one per row, and the rows in hash order.

    Within-batch duplicates, the keys seen in earlier batches and the accepted rows' ids all
    use the same hashes and the same sort.
    """

    hashes: np.ndarray
    order: np.ndarray

    @classmethod
    def of(cls, keys: pd.DataFrame) -> Hashed:
        hashes = key_hashes(keys)
        return cls(hashes, hash_order(hashes))

    @cached_property
    def sorted(self) -> np.ndarray:
        """Gathered once: the duplicate check and the earlier batches' keys both ask."""
        return self.hashes[self.order]


def duplicated(keys: pd.DataFrame, hashed: Hashed | None = None) -> np.ndarray:
    """Rows whose key repeats an earlier row's, exactly: hashes find candidates, text decides.

    Rows with an incomplete key are not compared.
    """
    hashed = hashed if hashed is not None else Hashed.of(keys)
    dup = np.zeros(len(keys), dtype=bool)
    ordered = hashed.sorted
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return dup
    run = np.zeros(len(keys), dtype=bool)  # rows whose hash another row shares
    run[1:] |= same
    run[:-1] |= same
    candidates = np.sort(hashed.order[run])
    sub = keys.iloc[candidates].astype(object)
    complete = sub.notna().all(axis=1).to_numpy()
    sub, candidates = sub.loc[complete], candidates[complete]
    dup[candidates] = (sub.iloc[:, 0].duplicated(keep="first") if sub.shape[1] == 1
                       else sub.duplicated(keep="first")).to_numpy()
    return dup
