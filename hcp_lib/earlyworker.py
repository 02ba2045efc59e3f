"""The previous quarter's process, started before the run imports its own modules.

A cold run streams the previous quarter in a spawned process of its own
(``pipeline._previous``). Spawned when the pipeline gets there, that process spent its first
0.4 s of wall (0.55 s of CPU) importing pandas, Arrow and the library while both cores were
already busy with the quarter's stream and the kernel's boot, and its quarter then finished
last. ``hcp run`` now starts it (``start``) as soon as its arguments say the previous quarter
will be streamed, before it imports its own modules: the process imports while the run's
process still has a core to spare. The pipeline hands it the same task as before (``take``);
a command that stops first lets it go (``release``). Nothing about the result depends on
whether the process was started early, only when its work begins.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from . import collector

_pool: ProcessPoolExecutor | None = None


def pool() -> ProcessPoolExecutor:
    """A one-process pool, spawned (the run's process has threads: a fork could inherit a
    lock another thread holds, and then wait on it for ever), that imports the streaming
    modules at once with Python's cycle collector paused (``collector.py``)."""
    context = multiprocessing.get_context("spawn")
    apart = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=collector.pause)
    apart.submit(_ready)
    return apart


def _ready() -> None:
    """The first task: what streaming a quarter imports, before the quarter is handed over."""
    from . import pipeline, stream  # noqa: F401


def start() -> None:
    """Start the previous quarter's process now (a no-op when one is waiting already)."""
    global _pool
    if _pool is None:
        _pool = pool()


def take() -> ProcessPoolExecutor | None:
    """The process ``start`` began, now the caller's to use and shut down; else None."""
    global _pool
    taken, _pool = _pool, None
    return taken


def release() -> None:
    """Let a started process go unused (the command stopped before it needed it)."""
    taken = take()
    if taken is not None:
        taken.shutdown(wait=False, cancel_futures=True)
