"""Read-ahead keeps order, hands errors over, and stops when the reader stops."""

from __future__ import annotations

import threading
import time

import pytest

from hcp_lib.prefetch import prefetch


def test_order_and_everything_arrives():
    assert list(prefetch(iter(range(100)), depth=2)) == list(range(100))
    assert list(prefetch(iter([]))) == []


def test_an_error_reaches_the_consumer_after_what_came_before():
    def broken():
        yield 1
        yield 2
        raise ValueError("damaged file")

    got = []
    with pytest.raises(ValueError, match="damaged file"):
        for item in prefetch(broken()):
            got.append(item)
    assert got == [1, 2]


def test_stopping_early_ends_the_worker():
    produced = []

    def endless():
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    before = threading.active_count()
    for item in prefetch(endless()):
        if item == 3:
            break
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before
    assert len(produced) <= 3 + 3  # bounded: at most a couple ahead


def test_read_ahead_starts_at_once_and_closes_unread():
    """Started before it is needed (the evaluations while the cases are validated), the first
    item is ready when asked for; closed without being read, its worker still ends."""
    from hcp_lib.prefetch import ReadAhead

    started = threading.Event()

    def items():
        started.set()
        yield from range(10)

    before = threading.active_count()
    ahead = ReadAhead(items())
    assert started.wait(5)  # nothing consumed yet
    ahead.close()
    assert threading.active_count() == before
    with ReadAhead(iter(range(5)), depth=2) as again:
        assert list(again) == list(range(5))
