"""Where things live: a quarter's input folder and the root that holds every quarter's."""

from __future__ import annotations

from pathlib import Path

from .quarters import Quarter, QuarterError


class DataFolderError(ValueError):
    """``--data`` does not hold the quarter's folder; the message says what was expected."""


def data_root(data: str | Path, quarter: Quarter | str) -> Path:
    """The root holding one folder per quarter, as every command reads ``--data``.

    ``--data`` is that root (``DIR/2022Q2/``, and beside it the previous and next quarters'
    folders). Given the quarter's own folder instead (its name is the quarter), its parent is
    the root, so the neighbours are found the same way. Raises DataFolderError otherwise.
    """
    data = Path(data)
    q = Quarter.parse(quarter)
    if (data / str(q)).is_dir():
        return data
    if data.is_dir() and _names_quarter(data.name, q):
        return data.parent
    if not data.exists():
        raise DataFolderError(f"--data {data}: 数据文件夹不存在 / no such folder "
                              "(run `hcp demo` for sample data)")
    if not data.is_dir():
        raise DataFolderError(f"--data {data}: 不是文件夹 / not a folder")
    raise DataFolderError(f"--data {data}: 其中没有 {q} 的文件夹 / no folder for {q} in it "
                          f"(expected {data / str(q)}: --data is the folder holding one "
                          "sub-folder per quarter)")


def quarter_folder(data: str | Path, quarter: Quarter | str) -> Path:
    """The folder of one quarter under the ``--data`` root (see ``data_root``)."""
    return data_root(data, quarter) / str(Quarter.parse(quarter))


def _names_quarter(name: str, q: Quarter) -> bool:
    try:
        return Quarter.parse(name) == q
    except QuarterError:
        return False
