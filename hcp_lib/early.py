"""A quarter's big tables start decoding while the rest of the library is still imported.

A command's process spends its first half second importing pandas and the library with one
core idle. ``start`` (called before those imports, by ``hcp validate``, ``hcp run`` and the
benchmarks' child processes) reads the first ``EARLY_BATCHES`` batches of the quarter's cases
and evaluations on one thread that imports only Arrow and the batch readers (``batches.py``).
The stream's readers then take those batches and the rest of each table (``claim``), so every
row is read once, in the same order, with the same read errors recorded: nothing about the
result depends on whether reading started early, only when.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import blas, collector, heap

EARLY_BATCHES = 2
"""Batches read ahead of the stream per table (of 500,000 rows: about 0.15 s of decoding)."""
BIG = ("cases", "evaluations")
"""The stream reads the cases first; so does this thread."""


@dataclass
class _Early:
    """One table's early batches, the reader they came from, and the files it could not read."""

    read: list[tuple[int, Any]] = field(default_factory=list)
    rest: Iterator[tuple[int, Any]] | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    error: BaseException | None = None
    wanted: bool = False
    done: threading.Event = field(default_factory=threading.Event)


_started: dict[tuple[Path, str, int], _Early] = {}
_lock = threading.Lock()


def _key(folder: str | Path, table: str, batch_rows: int) -> tuple[Path, str, int]:
    return Path(folder).resolve(), table, batch_rows


BATCH_ROWS = 500_000
"""The stream's batch size (``stream.BATCH_ROWS``; a test keeps them equal), here without
importing the stream."""


def start(folder: str | Path, batch_rows: int = BATCH_ROWS) -> None:
    """Begin reading ``folder``'s big tables on a thread of their own; a folder that is not
    there (or was started already) is left to the stream, which reports it."""
    blas.one_thread()  # before pandas loads numpy
    if not Path(folder).is_dir():
        return
    heap.prepare()  # before this thread starts and Arrow loads
    entries = {name: _Early() for name in BIG}
    with _lock:
        if any(_key(folder, name, batch_rows) in _started for name in BIG):
            return
        for name, entry in entries.items():
            _started[_key(folder, name, batch_rows)] = entry
    collector.pause()  # the library's imports follow; the stream's start resumes it
    threading.Thread(target=_read, args=(Path(folder), batch_rows, entries),
                     name="hcp-early-read", daemon=True).start()


def _read(folder: Path, batch_rows: int, entries: dict[str, _Early]) -> None:
    try:
        from .batches import sheet_batches
        from .contract import TABLES
    except BaseException as exc:  # noqa: BLE001 - the stream, reading again, meets it itself
        for entry in entries.values():
            entry.error = exc
            entry.done.set()
        return
    for name, entry in entries.items():
        try:
            entry.rest = sheet_batches(folder, TABLES[name], batch_rows, entry.errors)
            while not entry.wanted and len(entry.read) < EARLY_BATCHES:
                entry.read.append(next(entry.rest))
        except StopIteration:
            pass
        except BaseException as exc:  # noqa: BLE001 - raised where the stream's reader reads
            entry.error = exc
        finally:
            entry.done.set()


def claim(folder: str | Path, table: str, batch_rows: int
          ) -> tuple[Iterator[tuple[int, Any]], list[tuple[str, str]]] | None:
    """The table's batches as ``batches.sheet_batches`` yields them (those read early first)
    and its list of read errors, when ``start`` began reading it; else None. Waits for the
    batch being read to finish; a table is claimed once. The imports are over by now: the
    cycle collector runs again (``collector.resume``), whether or not reading began early."""
    collector.resume()
    with _lock:
        entry = _started.pop(_key(folder, table, batch_rows), None)
    if entry is None:
        return None
    entry.wanted = True
    entry.done.wait()
    if entry.error is not None and not entry.read and entry.rest is None:
        return None  # the thread could not even begin (an import failed): read as usual
    return _batches(entry), entry.errors


def _batches(entry: _Early) -> Iterator[tuple[int, Any]]:
    read, entry.read = entry.read, []
    while read:  # each batch held by its consumer alone once handed over
        yield read.pop(0)
    if entry.error is not None:
        raise entry.error
    if entry.rest is not None:
        yield from entry.rest


def release() -> None:
    """Drop what was read early and never claimed (a run that ended before streaming, or a
    refused one): the thread stops after the batch in hand, and the readers are closed here,
    not left to the interpreter's exit. The cycle collector runs again."""
    collector.resume()
    with _lock:
        left = list(_started.values())
        _started.clear()
    for entry in left:
        entry.wanted = True
    for entry in left:
        entry.done.wait()
        entry.read = []
        if entry.rest is not None:
            entry.rest.close()
