"""Read ahead: the next batch is read on a second thread while this one is validated.

Reading and decoding Parquet (or parsing CSV) happens in Arrow's C++ code with the GIL
released, so on two cores it overlaps with the validation of the batch before. At most
``depth`` batches wait in the queue, so memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield what ``items`` yields, produced one step ahead on a worker thread."""
    waiting: queue.Queue = queue.Queue(maxsize=max(depth, 1))
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        waiting.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            waiting.put((_DONE, exc))
            return
        waiting.put((_DONE, None))

    worker = threading.Thread(target=produce, name="hcp-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = waiting.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # let a blocked producer see the stop and finish
            try:
                waiting.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.1)
