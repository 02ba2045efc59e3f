"""Charts drawn once per run and shared with the notebook through the report folder.

``hcp run`` draws the charts beside the kernel (the run's own process is otherwise idle while
the notebook executes), and the notebook shows the very same files. The handshake is in
``<out_dir>/charts``:

- ``.drawing``: the run is drawing; wait for its charts;
- ``<name>.png``: each chart written aside and renamed into place, so a chart seen is whole;
- ``.drawn``: the run has drawn them all (``.drawing`` renamed); the run removes it before
  the report is published. A ``.drawing`` that just disappears means the run gave up.

A notebook run by hand finds neither marker and draws every chart itself, as always.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

CHARTS_DIR = "charts"
DRAWING = ".drawing"
DRAWN = ".drawn"
WAIT_SECONDS = 300.0
"""How long the notebook waits for one chart before drawing it itself (a stuck drawer)."""
POLL_SECONDS = 0.02


def chart_path(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / CHARTS_DIR / f"{name}.png"


def _marker(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / CHARTS_DIR / name


def announce(out_dir: str | Path) -> None:
    """Tell the notebook that the run draws the charts."""
    marker = _marker(out_dir, DRAWING)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def publish(out_dir: str | Path, name: str, png: bytes) -> Path:
    """Write chart ``name`` aside and rename it into place (never seen half written)."""
    target = chart_path(out_dir, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    aside.write_bytes(png)
    os.replace(aside, target)
    return target


def finish(out_dir: str | Path, complete: bool) -> None:
    """Every chart is in place (``complete``), or the run gave up: the notebook stops waiting."""
    drawing = _marker(out_dir, DRAWING)
    if complete:
        os.replace(drawing, _marker(out_dir, DRAWN))
    else:
        drawing.unlink(missing_ok=True)


def clear(out_dir: str | Path) -> None:
    """Remove the markers (before the report's files are listed in its manifest)."""
    for name in (DRAWING, DRAWN):
        _marker(out_dir, name).unlink(missing_ok=True)


def wait_for(out_dir: str | Path, name: str, timeout: float = WAIT_SECONDS) -> bytes | None:
    """Chart ``name`` as the run drew it; None when the run does not draw it (draw it yourself).

    A ``<name>.png`` without a marker beside it is an earlier hand run's: not used.
    """
    target = chart_path(out_dir, name)
    drawing, drawn = _marker(out_dir, DRAWING), _marker(out_dir, DRAWN)
    deadline = time.monotonic() + timeout
    while True:
        pending = drawing.is_file()
        if target.is_file() and (pending or drawn.is_file()):
            return target.read_bytes()
        if not pending or time.monotonic() > deadline:
            return None
        time.sleep(POLL_SECONDS)
