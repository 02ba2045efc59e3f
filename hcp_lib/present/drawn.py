"""Charts drawn once per run, shared by the run's thread, its kept process and the kernel.

``hcp run`` draws charts in a thread while the notebook executes (``documents.background``),
and in the process kept after the previous quarter when there is one; the notebook draws too
instead of waiting: each chart is drawn by whichever side claims it first, and all show the
very same file. The handshake is in ``<out_dir>/charts``:

- ``.drawing``: the run shares the charts (written before the kernel runs anything);
- ``.<name>.claim``: created exclusively by the side that draws ``<name>``, holding its
  process id: a claim whose process is gone is taken over by the side waiting for it;
- ``<name>.png``: written aside and renamed into place, so a chart seen is whole;
- ``.drawn``: every chart is in place (``.drawing`` renamed). A ``.drawing`` that just
  disappears means the run gave up: the notebook draws what it still needs itself.

The notebook's kernel starts drawing as soon as it has the bulletin (``ahead``, from its first
cell), on a thread, while papermill sends it the text sections' cells: its core is otherwise
idle until the first chart is asked for.

The run removes the markers (``clear``) before it lists the report's files. A notebook run by
hand finds no marker and draws every chart itself, as always.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

CHARTS_DIR = "charts"
DRAWING = ".drawing"
DRAWN = ".drawn"
WAIT_SECONDS = 300.0
"""How long the notebook waits for a chart the run claimed before drawing it itself."""
POLL_SECONDS = 0.02


def chart_path(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / CHARTS_DIR / f"{name}.png"


def _marker(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / CHARTS_DIR / name


def _claim_path(out_dir: str | Path, name: str) -> Path:
    return _marker(out_dir, f".{name}.claim")


def announce(out_dir: str | Path) -> None:
    """Tell the notebook that the run shares the charts."""
    marker = _marker(out_dir, DRAWING)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def claim(out_dir: str | Path, name: str) -> bool:
    """True for the one caller that gets to draw ``name``; the claim names its process."""
    try:
        fd = os.open(_claim_path(out_dir, name), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    try:
        os.write(fd, str(os.getpid()).encode("ascii"))
    finally:
        os.close(fd)
    return True


def _abandoned(out_dir: str | Path, name: str) -> bool:
    """Whether ``name``'s claim was left by a process that is gone (it died drawing); the
    claim is then released, for the caller to claim again."""
    path = _claim_path(out_dir, name)
    try:
        pid = int(path.read_text(encoding="ascii") or 0)
    except (OSError, ValueError):
        return False
    if pid <= 0 or _alive(pid):  # 0: the claimer has not written its number yet
        return False
    path.unlink(missing_ok=True)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def publish(out_dir: str | Path, name: str, png: bytes) -> Path:
    """Write chart ``name`` aside and rename it into place (never seen half written)."""
    target = chart_path(out_dir, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    aside.write_bytes(png)
    os.replace(aside, target)
    return target


def draw_claimed(out_dir: str | Path, name: str, draw: Callable[[], bytes]) -> bytes:
    """Draw a chart this caller claimed and publish it; on failure the claim is released
    (the other side may then draw it)."""
    try:
        png = draw()
        publish(out_dir, name, png)
    except BaseException:
        _claim_path(out_dir, name).unlink(missing_ok=True)
        raise
    return png


def take(out_dir: str | Path, name: str, draw: Callable[[], bytes],
         give_up: Callable[[], bool] | None = None) -> bytes | None:
    """Chart ``name`` in a run that shares its charts: drawn here when unclaimed, else waited
    for. None when the run does not share charts (or gave up, or ``give_up()``)."""
    target = chart_path(out_dir, name)
    drawing, drawn = _marker(out_dir, DRAWING), _marker(out_dir, DRAWN)
    if give_up is None:
        deadline = time.monotonic() + WAIT_SECONDS
        give_up = lambda: time.monotonic() > deadline  # noqa: E731
    while True:
        pending = drawing.is_file()
        if target.is_file() and (pending or drawn.is_file()):
            return target.read_bytes()
        if not pending:
            return None
        if claim(out_dir, name):
            return draw_claimed(out_dir, name, draw)
        if _abandoned(out_dir, name):
            continue
        if give_up():
            return None
        time.sleep(POLL_SECONDS)


def finish(out_dir: str | Path, complete: bool) -> None:
    """Every chart is in place (``complete``), or the run gave up: nobody waits any more."""
    drawing = _marker(out_dir, DRAWING)
    if complete:
        os.replace(drawing, _marker(out_dir, DRAWN))
    else:
        drawing.unlink(missing_ok=True)


def clear(out_dir: str | Path) -> None:
    """Remove the markers and claims (before the report's files are listed)."""
    folder = Path(out_dir) / CHARTS_DIR
    for path in (*folder.glob(".*.claim"), folder / DRAWING, folder / DRAWN):
        path.unlink(missing_ok=True)


def draw_unclaimed(out_dir: str | Path, names: list[str],
                   drawer: Callable[[str], Callable[[], bytes]]) -> None:
    """In a run that shares its charts, draw those of ``names`` nobody has claimed, in that
    order. A drawing that fails releases its claim and stops here: the caller that needs the
    chart then draws it itself (``take``) and meets the failure there."""
    for name in names:
        if not _marker(out_dir, DRAWING).is_file():
            return  # the run gave up, or every chart is in place
        if claim(out_dir, name):
            try:
                draw_claimed(out_dir, name, drawer(name))
            except Exception:  # noqa: BLE001 - drawn again, and raised, where it is needed
                log.debug("drawing %s ahead failed", name, exc_info=True)
                return


def ahead(out_dir: str | Path, names: list[str], drawer: Callable[[str], Callable[[], bytes]],
          first: Callable[[], object] | None = None) -> threading.Thread | None:
    """On a thread of its own: ``first`` (what the notebook alone makes, before its cell asks
    for it; a failure there is met again in the cell), then ``draw_unclaimed``. Returns the
    thread; None when the run does not share charts."""
    if not _marker(out_dir, DRAWING).is_file():
        return None

    def work() -> None:
        if first is not None:
            try:
                first()
            except Exception:  # noqa: BLE001 - made again, and raised, where it is needed
                log.debug("making ahead failed", exc_info=True)
        draw_unclaimed(out_dir, names, drawer)

    thread = threading.Thread(target=work, name="hcp-charts-ahead", daemon=True)
    thread.start()
    return thread
