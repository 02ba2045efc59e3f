"""The process heap while a quarter streams: pages reused between batches, returned when many.

Each batch allocates and frees the same few hundred MB (Arrow's decoded columns, numpy's
temporaries, pandas' frames). With the defaults, those blocks came from fresh pages every time:
glibc serves any block over its mmap threshold with ``mmap`` and unmaps it on free, Arrow's
mimalloc pool purges what it freed 10 ms later, glibc gives each thread a heap of its own (the
readers allocate, the validating thread frees), and the engine trimmed the heap after each
batch. Every page was then faulted in and zeroed again by the kernel: a third of the default
quarter's CPU was system time. Here the blocks are reused: Arrow's pool keeps a freed page for
a second (``PURGE_DELAY_MS``), glibc's blocks stay on two heaps (``ARENAS``), and glibc's heap
is trimmed only when what it holds free passes a limit, so memory stays bounded at a
province's volume without paying for it at a city's.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from functools import cache

# Free heap memory tolerated before it is handed back to the system (``give_back``). A batch
# of 500,000 rows frees 0.5-0.7 GB that the next batch needs again: trimming below that only
# makes the kernel fault and zero the same pages again.
HELD_LIMIT = 1 << 30
# A one-off free this large is returned at once (``give_back(freed=...)``).
ONE_OFF = 64 << 20

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8

# Blocks below this come from the heap and are reused; glibc's default starts at 128 KB and
# adapts up to 32 MB, so a batch's column (500,000 rows x 8 bytes = 4 MB) was often mapped.
MMAP_THRESHOLD = 256 << 20

ARENAS = 2
"""glibc heaps shared by all of a process's threads (its default: up to eight a core, one per
thread here). A reader's blocks, freed by the validating thread, go back to the reader's
heap; with a heap per thread, each grew apart while others held free blocks."""

PURGE_DELAY_MS = 1000
"""Arrow's pool (mimalloc) returns a page to the system once it has lain free this long.
Its default, 10 ms, returned each batch's pages before the next batch could reuse them."""


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd",
        "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


@cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim, libc.mallopt, libc.mallinfo2  # noqa: B018 - all three, or none used
    except (OSError, AttributeError):
        return None
    libc.mallinfo2.restype = _MallInfo2
    return libc


_delay_set = False  # ``prepare`` set Arrow's purge delay before Arrow loaded
_self_purging = False  # Arrow's pool returns idle pages by itself (``reuse_pages``)


@cache
def prepare() -> None:
    """The settings that count only before threads start and Arrow loads: ``early.start`` calls
    this first, ``reuse_pages`` again (then the arenas apply to threads started later).

    Arrow's purge delay is set (``MIMALLOC_PURGE_DELAY``, read by Arrow's mimalloc when it
    loads) unless the user chose a pool or a delay; child processes inherit it."""
    global _delay_set
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, ARENAS)
    if "pyarrow" not in sys.modules and not os.environ.get("ARROW_DEFAULT_MEMORY_POOL") \
            and "MIMALLOC_PURGE_DELAY" not in os.environ:
        os.environ["MIMALLOC_PURGE_DELAY"] = str(PURGE_DELAY_MS)
        _delay_set = True


@cache
def reuse_pages() -> bool:
    """Keep freed blocks for the next batch (once per process; harmless to other work).

    Arrow's pool stays mimalloc where ``prepare`` set its purge delay in time. Otherwise (Arrow
    loaded first, as in a notebook) it becomes the system allocator, so its buffers share
    glibc's heap with numpy's. A pool the user chose with ``ARROW_DEFAULT_MEMORY_POOL`` is kept.
    Returns whether the heap is glibc's (elsewhere nothing changes)."""
    global _self_purging
    prepare()
    libc = _glibc()
    if libc is None:
        return False
    import pyarrow as pa

    libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    libc.mallopt(_M_TRIM_THRESHOLD, HELD_LIMIT)
    libc.mallopt(_M_TOP_PAD, 64 << 20)
    if _delay_set and pa.default_memory_pool().backend_name == "mimalloc":
        _self_purging = True
    elif not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(pa.system_memory_pool())
    return True


def held_free() -> int:
    """Bytes the heap holds free (every arena); 0 where that cannot be known."""
    libc = _glibc()
    return int(libc.mallinfo2().fordblks) if libc is not None else 0


def give_back(freed: int = 0) -> None:
    """Return the heap's free pages to the system once they pass ``HELD_LIMIT``.

    ``freed``: the bytes just released by a one-off step (the case index's pieces) that no
    later batch reuses; from ``ONE_OFF`` up they are returned at once. A pool the user chose
    may keep its freed pages until asked (over a 100M-row table they once added up to
    1.4 GB), so it is asked after every batch; mimalloc with ``PURGE_DELAY_MS`` returns what
    lies idle by itself, and asking would return this batch's pages before the next."""
    import pyarrow as pa

    pool = pa.default_memory_pool()
    if pool.backend_name != "system" and not _self_purging:
        pool.release_unused()
    libc = _glibc()
    if libc is None:
        return
    if freed >= ONE_OFF or held_free() > HELD_LIMIT:
        with contextlib.suppress(OSError):
            libc.malloc_trim(0)
