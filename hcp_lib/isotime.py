"""Date-times written as exported (``2022-04-01 09:30:00``) read from Arrow's bytes with numpy.

Every evaluation and case carries two or three date-times as text. Arrow's ``strptime`` calls
the C library's once per value (about 70 ns each, a tenth of a quarter's validation), though
nearly every value is spelled the one way the export writes it. A value in exactly that
shape, with a month, day, hour, minute and second that exist, has one reading whatever
parser reads it: those are computed here from their digits, eight bytes at a time (each
value's bytes 0-7, 8-15 and 11-18 as one 64-bit word), a chunk at a time. Anything else
(another spelling, a day past the month's end, a leap second, a year outside 1900-2199, a
null) is left to ``strptime``, so every value reads as it did before.
"""

from __future__ import annotations

import calendar
from datetime import date
from functools import cache

import numpy as np
import pyarrow as pa

ISO_SECONDS = "%Y-%m-%d %H:%M:%S"
"""The export's own spelling: the only one read here."""
WIDTH = 19
FIRST_YEAR, YEARS = 1900, 300
CHUNK = 1 << 15
"""Values read at a time: a chunk's words (256 KB each) stay in the core's cache across the
thirty-odd passes."""

_U = np.uint64
_BYTE = _U(0xFF)


def _lanes(byte: int, lanes: tuple[int, ...]) -> np.uint64:
    """``byte`` repeated in each of the word's byte ``lanes`` (lane 0: the lowest byte, the
    first character on a little-endian machine)."""
    return _U(sum(byte << (8 * lane) for lane in lanes))


class _Word:
    """One 64-bit word of a value: where its digits and its fixed characters are."""

    def __init__(self, start: int, digits: tuple[int, ...], fixed: dict[int, str]) -> None:
        self.start = start
        self.fixed_mask = _lanes(0xFF, tuple(fixed))
        self.fixed = _U(sum(ord(c) << (8 * lane) for lane, c in fixed.items()))
        self.high = _lanes(0xF0, digits)
        self.high_digit = _lanes(0x30, digits)
        self.low = _lanes(0x0F, digits)
        self.six = _lanes(0x06, digits)

    def pairs(self, word: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(shape ok, pairs): byte ``k`` of pairs is ``10 * digit[k] + digit[k + 1]``. A
        byte is a digit when its high half is 3 and its low half plus 6 stays below 16."""
        ok = (word & self.fixed_mask) == self.fixed
        ok &= (word & self.high) == self.high_digit
        low = word & self.low
        ok &= ((low + self.six) & self.high) == 0
        return ok, low * _U(10) + (low >> _U(8))


# "YYYY-MM-", "DD HH:MM" and "HH:MM:SS" (bytes 11-18: only the seconds are new)
_WORDS = (_Word(0, (0, 1, 2, 3, 5, 6), {4: "-", 7: "-"}),
          _Word(8, (0, 1, 3, 4, 6, 7), {2: " ", 5: ":"}),
          _Word(11, (6, 7), {5: ":"}))


@cache
def _months() -> tuple[np.ndarray, np.ndarray]:
    """Per month from January 1900: its first day (days since 1970-01-01) and its length."""
    first = np.zeros(YEARS * 12, dtype=np.uint64)
    length = np.zeros(YEARS * 12, dtype=np.uint64)
    epoch = date(1970, 1, 1).toordinal()
    for i in range(YEARS * 12):
        year, month = FIRST_YEAR + i // 12, i % 12 + 1
        first[i] = _U(date(year, month, 1).toordinal() - epoch + 10 ** 6)  # kept positive
        length[i] = calendar.monthrange(year, month)[1]
    return first, length


def _byte(pairs: np.ndarray, lane: int) -> np.ndarray:
    return (pairs >> _U(8 * lane)) & _BYTE


def _block(raw: np.ndarray, start: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Seconds and ``read`` for ``n`` values of ``WIDTH`` bytes each from ``raw[start:]``."""
    first, length = _months()
    words = [np.ndarray((n,), "<u8", buffer=raw, offset=start + w.start, strides=(WIDTH,)).copy()
             for w in _WORDS]
    (ok, date_pairs), (ok_time, time_pairs), (ok_seconds, second_pairs) = (
        w.pairs(word) for w, word in zip(_WORDS, words, strict=True))
    ok &= ok_time
    ok &= ok_seconds
    month = _byte(date_pairs, 5)
    # months since January 1900 (wrapping far above the table for earlier years)
    index = ((date_pairs & _BYTE) * _U(1200) + _byte(date_pairs, 2) * _U(12) + month
             - _U(FIRST_YEAR * 12 + 1))
    ok &= (index < _U(YEARS * 12)) & (month - _U(1) < _U(12))
    index *= ok
    day, hour, minute = _byte(time_pairs, 0), _byte(time_pairs, 3), _byte(time_pairs, 6)
    second = _byte(second_pairs, 6)
    ok &= (day - _U(1) < length[index]) & (hour < _U(24)) & (minute < _U(60)) & (second < _U(60))
    days = first[index] + day - _U(10 ** 6 + 1)  # wraps back below zero before 1970
    seconds = (days * _U(86400) + hour * _U(3600) + minute * _U(60) + second) * ok
    return seconds.view(np.int64), ok


def iso_seconds(text: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """(seconds since the epoch, read) per value of ``text``: ``read`` marks the values in
    the export's spelling with a real date and time; the others' seconds are 0."""
    n = len(text)
    buffers = text.buffers()
    data = buffers[2] if len(buffers) == 3 and text.null_count < n else None
    if data is None or not pa.types.is_string(text.type):
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[text.offset:text.offset + n + 1]
    raw = np.frombuffer(data, dtype=np.uint8)
    shaped = np.diff(offsets) == WIDTH
    if text.null_count:
        shaped &= text.is_valid().to_numpy(zero_copy_only=False)
    if shaped.all() and offsets[-1] - offsets[0] == n * WIDTH:  # the usual column: one block
        rows, base = None, int(offsets[0])
    else:
        rows = np.flatnonzero(shaped)
        raw = raw[offsets[rows][:, None] + np.arange(WIDTH)].ravel()
        base = 0
    count = n if rows is None else len(rows)
    out_seconds = np.empty(count, dtype=np.int64)
    out_read = np.empty(count, dtype=bool)
    for at in range(0, count, CHUNK):
        size = min(CHUNK, count - at)
        out_seconds[at:at + size], out_read[at:at + size] = _block(raw, base + at * WIDTH, size)
    if rows is None:
        return out_seconds, out_read
    seconds, read = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    seconds[rows], read[rows] = out_seconds, out_read
    return seconds, read
