"""Where things live: a quarter's input folder and the project root."""

from __future__ import annotations

from pathlib import Path

from .quarters import Quarter


def quarter_folder(data: str | Path, quarter: Quarter | str) -> Path:
    """The folder of one quarter: ``data/<quarter>`` unless ``data`` is itself that folder.

    Commands take either a root holding one sub-folder per quarter or the quarter's folder;
    when neither exists, the expected ``data/<quarter>`` is returned for the error message.
    """
    data = Path(data)
    sub = data / str(Quarter.parse(quarter))
    return data if data.is_dir() and not sub.is_dir() else sub
