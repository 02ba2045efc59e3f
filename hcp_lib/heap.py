"""The process heap while a quarter streams: pages reused between batches, returned when many.

Each batch allocates and frees the same few hundred MB (Arrow's decoded columns, numpy's
temporaries, pandas' frames). With the defaults, those blocks came from fresh pages every time:
glibc serves any block over its mmap threshold with ``mmap`` and unmaps it on free, Arrow's
mimalloc pool purges what it freed, and the engine trimmed the heap after each batch. Every
page was then faulted in and zeroed again by the kernel: a third of the default quarter's CPU
was system time. Here the blocks stay on one heap (glibc's, Arrow's too) and are reused, and
the heap is trimmed only when what it holds free passes a limit, so memory stays bounded at a
province's volume without paying for it at a city's.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from functools import cache

import pyarrow as pa

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

# Blocks below this come from the heap and are reused; glibc's default starts at 128 KB and
# adapts up to 32 MB, so a batch's column (500,000 rows x 8 bytes = 4 MB) was often mapped.
MMAP_THRESHOLD = 256 << 20


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


@cache
def reuse_pages() -> bool:
    """Keep freed blocks for the next batch (once per process; harmless to other work).

    Arrow's default pool becomes the system allocator, so its buffers share glibc's heap with
    numpy's, unless the user chose a pool with ``ARROW_DEFAULT_MEMORY_POOL``. Returns whether
    the heap is glibc's (elsewhere nothing changes)."""
    libc = _glibc()
    if libc is None:
        return False
    libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    libc.mallopt(_M_TRIM_THRESHOLD, HELD_LIMIT)
    libc.mallopt(_M_TOP_PAD, 64 << 20)
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(pa.system_memory_pool())
    return True


def held_free() -> int:
    """Bytes the heap holds free (every arena); 0 where that cannot be known."""
    libc = _glibc()
    return int(libc.mallinfo2().fordblks) if libc is not None else 0


def give_back(freed: int = 0) -> None:
    """Return the heap's free pages to the system once they pass ``HELD_LIMIT``.

    ``freed``: the bytes just released by a one-off step (the case index's pieces) that no
    later batch reuses; from ``ONE_OFF`` up they are returned at once. Arrow's own pool, where
    it is not the system allocator, keeps its freed pages regardless (over a 100M-row table
    they added up to 1.4 GB), so it is always asked."""
    pool = pa.default_memory_pool()
    if pool.backend_name != "system":
        pool.release_unused()
    libc = _glibc()
    if libc is None:
        return
    if freed >= ONE_OFF or held_free() > HELD_LIMIT:
        with contextlib.suppress(OSError):
            libc.malloc_trim(0)
