"""Read ahead: the next batch is read on a second thread while this one is validated.

Reading and decoding Parquet (or parsing CSV) happens in Arrow's C++ code with the GIL
released, so on two cores it overlaps with the validation of the batch before. At most
``depth`` batches wait in the queue, so memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_DONE = object()


class ReadAhead(Generic[T]):
    """What ``items`` yields, produced on a worker thread that starts at once.

    Started before the consumer needs it (the evaluations while the cases are validated), the
    first batches are ready when asked for. ``close()`` (or leaving a ``with`` block) stops the
    worker, also when nothing was consumed.
    """

    def __init__(self, items: Iterator[T], depth: int = 1, name: str = "hcp-read-ahead") -> None:
        self._waiting: queue.Queue = queue.Queue(maxsize=max(depth, 1))
        self._stop = threading.Event()
        self._items = items
        self.starved = False
        """Whether the consumer is waiting for an item: the producer is the slower one."""
        self._worker = threading.Thread(target=self._produce, name=name, daemon=True)
        self._worker.start()

    def _produce(self) -> None:
        try:
            for item in self._items:
                while not self._stop.is_set():
                    try:
                        self._waiting.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if self._stop.is_set():
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            self._waiting.put((_DONE, exc))
            return
        self._waiting.put((_DONE, None))

    def __iter__(self) -> Iterator[T]:
        try:
            while True:
                self.starved = self._waiting.empty()
                item, error = self._waiting.get()
                self.starved = False
                if item is _DONE:
                    if error is not None:
                        raise error
                    return
                yield item
        finally:
            self.close()

    def close(self) -> None:
        self._stop.set()
        while self._worker.is_alive():  # let a blocked producer see the stop and finish
            try:
                self._waiting.get_nowait()
            except queue.Empty:
                self._worker.join(timeout=0.1)

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield what ``items`` yields, produced one step ahead on a worker thread."""
    yield from ReadAhead(items, depth)
