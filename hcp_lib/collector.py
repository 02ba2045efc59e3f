"""Python's cycle collector held back while a command imports its libraries.

Importing pandas, pyarrow, pydantic and the library makes about 140,000 objects that live as
long as the process. While they are made, the collector (which counts allocations) ran some
220 times, now and then over every object made so far, and those objects were scanned again
by each full collection during the stream: on the demo quarter, 0.1 s of CPU at import and
about as much again while streaming, all of it holding the interpreter's lock the readers
need (measured in ``docs/scale.md``, *The cycle collector at start-up, the filter from four
million, a merged case index*).

``pause`` before a command's imports (``early.start`` does, since the imports follow it);
``resume`` once the work begins (``early.claim``, when the stream takes its batches over, and
``early.release``): what the imports made is frozen (``gc.freeze``: kept, never scanned again)
and the collector runs as before on everything allocated after. The few cycles the imports
left behind (about 60,000 small objects) are kept rather than collected: collecting them
takes 0.06 s, on the stream's critical path.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_paused = False


def pause() -> None:
    """Stop automatic collection until ``resume`` (a no-op where it is already off)."""
    global _paused
    with _lock:
        if _paused or not gc.isenabled():
            return
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze what was made while paused and collect automatically again; a no-op unless
    ``pause`` stopped collection."""
    global _paused
    with _lock:
        if not _paused:
            return
        _paused = False
        gc.freeze()
        gc.enable()


def paused() -> bool:
    return _paused
