"""A copy's parts, in order, from the bulletin: what HTML, PDF and Word each lay out.

Every format reads the same parts, so the leadership copy says the same in all of them and
the analyst copy only adds. Parts are plain values (text, DataFrames, PNG bytes); nothing
here knows about a format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import Config
from ..figures import Bulletin
from ..present import charts as charts_module
from ..present.narrative import Block, Narrator
from ..present.sanitize import strip_controls
from ..quarters import IssueNumber, Quarter
from .settings import CopySettings

INPUTS_FILE = "inputs.json"
PROVISIONAL = "provisional"


@dataclass(frozen=True)
class Masthead:
    title: str
    issue: str
    issuer: str
    date: str
    mark: str = ""  # 征求意见稿 on a provisional run


@dataclass(frozen=True)
class Table:
    title: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class Figure:
    caption: str
    png: bytes
    name: str


Part = Masthead | Block | Table | Figure


def read_inputs(folder: str | Path) -> dict[str, Any] | None:
    """The run's inputs record (``inputs.json``) in ``folder``; None when there is none."""
    path = Path(folder) / INPUTS_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def provisional_mark(inputs: dict[str, Any] | None, config: Config) -> str:
    """The configured mark (征求意见稿) when the run says its inputs are incomplete."""
    if inputs and inputs.get("status") == PROVISIONAL:
        return config.documents.provisional_mark
    return ""


def masthead(b: Bulletin, config: Config, mark: str = "") -> Masthead:
    q = Quarter.parse(b.quarter)
    d = b.issue_date
    return Masthead(
        title=config.city.title,
        issue=f"{q.year}年{IssueNumber(b.issue_in_year, b.issue_overall).label_cn}",
        issuer=config.city.issuer,
        date=f"{d.year}年{d.month}月{d.day}日",
        mark=mark,
    )


def data_notes(inputs: dict[str, Any] | None) -> list[Part]:
    """数据说明: the inputs read, rows accepted and rejected per table, notices (missing ledgers)."""
    parts: list[Part] = [Block("section", "【数据说明】")]
    if not inputs:
        parts.append(Block("paragraph", "本次生成未附输入数据记录（inputs.json），无法列出各表读入与剔除的行数。"))
        return parts
    rows = inputs.get("tables") or []
    if rows:
        parts.append(Block("paragraph", (
            f"本通报由各数据表逐行校验后计算：共接受 {_int(inputs.get('accepted'))} 行，"
            f"剔除 {_int(inputs.get('rejected'))} 行。各表明细如下。")))
        frame = pd.DataFrame(
            [(str(r.get("quarter", "")), strip_controls(str(r.get("title") or r.get("table", ""))),
              len(r.get("files") or []), _int(r.get("read")), _int(r.get("accepted")),
              _int(r.get("rejected"))) for r in rows],
            columns=["季度", "数据表", "文件数", "读入行数", "接受行数", "剔除行数"])
        parts.append(Table("数据表读入情况", frame))
    else:
        parts.append(Block("paragraph", "本通报由已保存的计算结果生成，未重新读入原始数据。"))
    for notice in inputs.get("notices") or []:
        parts.append(Block("paragraph", strip_controls(str(notice))))
    if inputs.get("status") == PROVISIONAL:
        parts.append(Block("paragraph", "输入数据不完整，本通报为征求意见稿，数字可能在补齐数据后变动。"))
    return parts


def _int(value: object) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def chart_figures(b: Bulletin, config: Config, names: Iterable[str], prefix: str = "图",
                  charts_dir: Path | None = None) -> list[Figure]:
    """The named charts as PNG, captioned 图1 … in the order given.

    ``charts_dir`` holds the PNGs the notebook already drew (``<name>.png``); they are reused.
    """
    out = []
    for i, name in enumerate(names, 1):
        caption, _ = charts_module.CHARTS[name]
        drawn = charts_dir / f"{name}.png" if charts_dir else None
        png = (drawn.read_bytes() if drawn and drawn.is_file()
               else charts_module.render_chart(name, b, config))
        out.append(Figure(f"{prefix}{i}  {caption}", png, name))
    return out


def copy_parts(b: Bulletin, config: Config, copy: CopySettings,
               inputs: dict[str, Any] | None = None,
               published: Path | None = None,
               charts_dir: Path | None = None) -> Iterator[Part]:
    """Every part of ``copy``, in the order its sections are configured."""
    from ..present.tables import REGION_SHEET, all_tables, region_table

    narrator = Narrator(b, config)
    mark = provisional_mark(inputs, config)
    for section in copy.sections:
        if section == "masthead":
            yield masthead(b, config, mark)
        elif section == "evaluations":
            yield from narrator.evaluations()
            yield Table(narrator.region_table_title(), region_table(b, config))
        elif section == "active_rates":
            yield from narrator.active()
        elif section in ("awards", "survey", "satisfaction", "mechanism", "commendations"):
            yield from getattr(narrator, section)()
        elif section == "charts":
            yield from chart_figures(b, config, config.documents.leadership_charts,
                                     charts_dir=charts_dir)
        elif section == "data_notes":
            yield from data_notes(inputs)
        elif section == "tables":
            yield Block("section", "【附表】")
            shown = [(n, df) for n, df in all_tables(b, config).items()
                     if n != REGION_SHEET and not df.empty]
            for i, (name, df) in enumerate(shown, 1):
                yield Table(f"附表{i}  {name}", df)
        elif section == "figures":
            yield Block("section", "【附图】")
            yield from chart_figures(b, config, charts_module.CHARTS, charts_dir=charts_dir)
        elif section == "reconciliation":
            yield from _reconciliation(b, config, published)


def _reconciliation(b: Bulletin, config: Config, published: Path | None) -> Iterator[Part]:
    from ..present import appendix

    path = published or config.city.published_file(Quarter.parse(b.quarter))
    found = appendix.reconcile_file(b, config, path) if path else None
    if found is None:
        return
    yield Block("section", appendix.TITLE)
    if found.result is None:
        yield Block("paragraph", f"未能核对：{found.error}")
        return
    yield Block("paragraph", appendix.summary_cn(found.result))
    yield Table("核对明细", appendix.rows_frame(found.result))
