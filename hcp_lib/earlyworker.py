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

Its quarter done, the process would sit idle for the rest of the run while the run's own
process, GIL-bound, draws charts, writes the e-mail body and the print copies beside the
notebook's client. ``hcp run`` keeps it instead (``kept_after_quarter``): it imports the
charts' and the e-mail's modules while the bulletin is computed (a core is idle then), and
``documents.background`` hands it charts and the e-mail body.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from . import collector

_pool: ProcessPoolExecutor | None = None
_kept: ProcessPoolExecutor | None = None
_keeping = False


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


@contextmanager
def kept_after_quarter() -> Iterator[None]:
    """Within: the process that reduced the previous quarter is kept (``finished``) for the
    run's charts and e-mail body (``kept``); at the end it is let go and waited for, so that
    nothing it writes outlives the run's outcome."""
    global _keeping
    _keeping = True
    try:
        yield
    finally:
        _keeping = False
        _let_go_kept(wait=True)


def finished(apart: ProcessPoolExecutor) -> None:
    """The previous quarter is reduced: the process is kept, importing what the charts and the
    e-mail body use while the run computes the bulletin, or shut down."""
    global _kept
    if _keeping and _kept is None:
        _kept = apart
        apart.submit(_ready_to_draw)
    else:
        apart.shutdown(wait=True)


def _ready_to_draw() -> None:
    """What the kept process imports (the cycle collector paused, as for the stream's imports)
    before it is handed the charts and the e-mail body; first, the heap its quarter's batches
    left free (some 600 MB, kept for batches that will not come) goes back to the system."""
    from . import heap

    heap.give_back(heap.ONE_OFF)
    collector.pause()
    try:
        from .documents import background  # noqa: F401
        from .mail import body  # noqa: F401
        from .present import charts  # noqa: F401
        from .present.fonts import setup_fonts
        from .present.notebook import Report  # noqa: F401

        setup_fonts()
    finally:
        collector.resume()


def kept() -> ProcessPoolExecutor | None:
    """The process kept after its quarter (``kept_after_quarter``), if any."""
    return _kept


def _let_go_kept(*, wait: bool) -> None:
    global _kept
    kept_pool, _kept = _kept, None
    if kept_pool is not None:
        kept_pool.shutdown(wait=wait, cancel_futures=True)


def release() -> None:
    """Let a started process go unused (the command stopped before it needed it), and one
    still kept."""
    taken = take()
    if taken is not None:
        taken.shutdown(wait=False, cancel_futures=True)
    _let_go_kept(wait=False)
