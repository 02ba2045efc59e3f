"""Unexpected errors: one line for the user, the traceback in a log file.

The log is ``$HCP_LOG_DIR/hcp-errors.log`` (default ``data/work/logs``, else the system's
temporary folder when that cannot be written).
"""

from __future__ import annotations

import errno
import os
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

DEFAULT_LOG_DIR = Path("data") / "work" / "logs"
LOG_NAME = "hcp-errors.log"


def describe(exc: BaseException) -> str:
    """The error in one line, file system errors in words."""
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return f"the disk is full: cannot write{where}"
        return f"{exc.strerror or type(exc).__name__}:{where}" if exc.strerror else str(exc)
    text = " ".join(str(exc).split())
    return f"unexpected error: {type(exc).__name__}: {text[:300]}"


def log_traceback(exc: BaseException, command: str) -> Path | None:
    """Append the traceback to the error log; the log's path, or None if none could be written."""
    text = "".join(traceback.format_exception(exc))
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    folders = [Path(os.environ.get("HCP_LOG_DIR") or DEFAULT_LOG_DIR),
               Path(tempfile.gettempdir()) / "hcp"]
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / LOG_NAME
            with path.open("a", encoding="utf-8") as fh:
                fh.write(f"--- {stamp} hcp {command}\n{text}\n")
            return path.resolve()
        except OSError:
            continue
    return None
