"""Progress bars for long stages: shown in a terminal, silent in logs, pipes and under cron.

A bar goes to stderr only when stderr is a terminal; ``HCP_PROGRESS=0`` turns bars off and
``HCP_PROGRESS=1`` forces them on. Labels name tables and stages, never a row's content.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def enabled() -> bool:
    """Bars on when stderr is a terminal, unless HCP_PROGRESS says otherwise."""
    forced = os.environ.get("HCP_PROGRESS", "").strip().lower()
    if forced in ("0", "false", "no", "off"):
        return False
    if forced in ("1", "true", "yes", "on"):
        return True
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


def progress(items: Iterable[T], *, desc: str, total: int | None = None,
             unit: str = "it") -> Iterator[T]:
    """``items``, with a bar on stderr while they are consumed when bars are enabled."""
    if not enabled():
        yield from items
        return
    with tqdm(items, desc=desc, total=total, unit=unit, leave=False, file=sys.stderr,
              dynamic_ncols=True) as bar:
        yield from bar


class Stage:
    """A bar over a stage's known steps (``with Stage("报告", 3) as stage: stage.step()``)."""

    def __init__(self, desc: str, total: int | None = None, unit: str = "step") -> None:
        self._bar = tqdm(desc=desc, total=total, unit=unit, leave=False, file=sys.stderr,
                         dynamic_ncols=True) if enabled() else None

    def step(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
