"""Which folder ``hcp run --out`` may write: a missing or empty folder, or a previous report.

Publishing replaces the target folder, so the target must never be anything a user could
lose: not the input data, nothing inside it or above it, not the folder that holds every
quarter's reports, not a folder of other files. A previous hcp report is recognised by its
``manifest.json``; only a report of the same quarter may be replaced.
"""

from __future__ import annotations

import json
from pathlib import Path

from .quarters import Quarter

MANIFEST = "manifest.json"
DEFAULT_REPORTS_ROOT = Path("reports")


class OutDirRefused(ValueError):
    """``--out`` names a folder hcp must not replace; the message says why."""


def report_quarter(folder: Path) -> str | None:
    """The quarter of the hcp report in ``folder`` (from its manifest), or None if it is none."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or "hcp_version" not in manifest:
        return None
    quarter = manifest.get("quarter")
    return str(quarter) if isinstance(quarter, str) else None


def is_report_of(folder: Path, quarter: Quarter | str) -> bool:
    return report_quarter(folder) == str(Quarter.parse(quarter))


def check_out_dir(out: Path, quarter: Quarter, data_root: Path | None,
                  reports_root: Path = DEFAULT_REPORTS_ROOT) -> None:
    """Raise OutDirRefused unless ``out`` may receive the report of ``quarter``.

    Paths are compared resolved (symbolic links followed), so a link cannot smuggle the data
    folder in.
    """
    out = out.resolve()
    for parent in [out, *out.parents]:
        if parent.exists() and not parent.is_dir():
            raise OutDirRefused(f"--out {out}: {parent} 是文件不是文件夹 / is a file, not a folder")
    if data_root is not None:
        data = data_root.resolve()
        if out == data:
            raise OutDirRefused(f"--out {out} 是输入数据文件夹 / is the input data folder; choose a "
                                f"report folder such as {Path('reports') / str(quarter)}")
        if data in out.parents:
            raise OutDirRefused(f"--out {out} 在输入数据文件夹内 / is inside the input data folder {data}")
        if out in data.parents:
            raise OutDirRefused(f"--out {out} 包含输入数据文件夹 / holds the input data folder {data}")
    if out == reports_root.resolve():
        raise OutDirRefused(f"--out {out} 是存放所有通报的文件夹，请给出本季度的文件夹 / is the "
                            f"folder of all reports; give the quarter's folder, e.g. "
                            f"{out / str(quarter)}")
    if not out.exists():
        return
    entries = [p for p in out.iterdir()]
    if not entries:
        return
    found = report_quarter(out)
    if found == str(quarter):
        return
    if found is not None:
        raise OutDirRefused(f"--out {out} 存放的是 {found} 的通报，不予覆盖 / holds the report of "
                            f"{found}, not {quarter}; it is not replaced")
    if any(p.is_dir() and report_quarter(p) for p in entries):
        raise OutDirRefused(f"--out {out} 存放着其他季度的通报，请给出本季度的文件夹 / holds other "
                            f"quarters' reports; give the quarter's folder, e.g. "
                            f"{out / str(quarter)}")
    raise OutDirRefused(f"--out {out} 存放着其他文件（不是 hcp 通报），请给出空文件夹或新文件夹 / is a "
                        "folder of other files (not an hcp report); give an empty or new folder")
