"""One run at a time into a report folder, and the leftovers of killed runs cleaned up.

``hcp run`` takes an exclusive lock on ``.<name>.lock`` beside the target folder for the whole
run (``fcntl.flock``: the kernel releases it when the process dies, however it dies). A second
run into the same folder waits for the first. Holding the lock also proves that no live run
owns a ``.<name>.building-*`` or ``.<name>.old-*`` folder beside the target, so those are
leftovers of killed runs and are cleaned: a build is removed; a previous report that a killed
run had moved aside is put back when the target is missing. The lock file is removed when the
run ends.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no serialisation, leftovers still cleaned
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("hcp.run")


def lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def build_prefix(target: Path) -> str:
    return f".{target.name}.building-"


def old_prefix(target: Path) -> str:
    return f".{target.name}.old-"


@contextmanager
def run_lock(target: Path, *, wait_message: str = "") -> Iterator[None]:
    """Hold the lock of ``target`` while the body runs; waits while another run holds it."""
    path = lock_path(target)
    fd = _acquire(path, wait_message)
    try:
        yield
    finally:
        try:
            path.unlink(missing_ok=True)
        finally:
            os.close(fd)


def _acquire(path: Path, wait_message: str) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is None:
            return fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if wait_message:
                log.info(wait_message)
                wait_message = ""
            fcntl.flock(fd, fcntl.LOCK_EX)
        # The holder removes the file on release: a lock on a removed file locks nothing.
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n".encode())
            return fd
        os.close(fd)


def clean_leftovers(target: Path) -> list[Path]:
    """Remove what killed runs left beside ``target``; call only while holding its lock."""
    parent = target.parent
    if not parent.is_dir():
        return []
    cleaned = []
    olds = sorted((p for p in parent.iterdir() if p.name.startswith(old_prefix(target))),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    if olds and not target.exists():
        olds[0].rename(target)  # a run killed between moving the report aside and publishing
        log.info("restored the previous report %s from %s", target, olds[0].name)
        olds = olds[1:]
    for leftover in [*olds, *(p for p in parent.iterdir()
                              if p.name.startswith(build_prefix(target)))]:
        shutil.rmtree(leftover, ignore_errors=True)
        log.info("removed %s, left by a run that did not finish", leftover)
        cleaned.append(leftover)
    return cleaned
