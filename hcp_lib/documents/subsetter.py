"""Font subsets cut in a process of their own while the HTML copies wait for them.

Cutting the shipped CJK fonts to a page's characters takes about a second of pure Python
(fontTools), and the characters are known only once the notebook has executed. In ``hcp run``
that second fell on the run's own process, which is still writing the e-mail body, the PDF and
Word in its thread: the two shared one interpreter lock while the kernel's core stood idle. A
worker spawned while the notebook executes (importing fontTools meanwhile) cuts the largest
font on that core while the run cuts the others; the bytes are fontTools' either way.

Only worth its start-up when the font cache will miss, as in a first or ``--no-cache`` run:
``worth_starting`` says so.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType

log = logging.getLogger("hcp.run")


def worth_starting(cache_dir: Path | None) -> bool:
    """True when no subset has been kept yet (``cache_dir``: the run's font cache): the
    HTML export will cut its fonts from scratch."""
    if cache_dir is None:
        return True
    try:
        return not any(Path(cache_dir).glob("*.woff"))
    except OSError:
        return True


def _ready() -> None:
    """Run first in the worker: fontTools' subsetter imported before it is needed."""
    from fontTools import subset  # noqa: F401


class FontWorker:
    """One spawned process that cuts font subsets (``woff``); closed with the context."""

    def __init__(self) -> None:
        # spawn: the run's process has threads (the background thread, pyarrow's pools)
        self._pool = ProcessPoolExecutor(max_workers=1,
                                         mp_context=multiprocessing.get_context("spawn"))
        self._pool.submit(_ready)

    def __enter__(self) -> FontWorker:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def woff(self, path: Path, characters: str) -> Callable[[], bytes]:
        """Start cutting ``path`` to ``characters``; the returned call waits for the bytes
        (cut here instead when the worker has died)."""
        from .fonts import woff_bytes

        try:
            future: Future[bytes] = self._pool.submit(woff_bytes, path, characters)
        except (BrokenProcessPool, RuntimeError):
            return lambda: woff_bytes(path, characters)

        def result() -> bytes:
            try:
                return future.result()
            except BrokenProcessPool:
                log.warning("the font worker stopped; cutting %s here", path.name)
                return woff_bytes(path, characters)

        return result
