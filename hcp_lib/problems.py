"""Problems found in the input, grouped so that ten thousand bad rows read as one line.

A problem is one kind of fault in one column of one sheet of one file: a count and the first
few examples (row number and offending value). Row-level problems reject rows (``error``) or
only inform (``warning``); file-level problems have no rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .masking import printable, redact

Severity = Literal["error", "warning"]

KINDS: dict[str, str] = {
    "missing_table": "缺少数据文件 no file for a required table",
    "unreadable": "文件无法读取 file cannot be read",
    "missing_column": "缺少必需列 missing required column",
    "unknown_column": "未识别的列（已忽略） unrecognised column, ignored",
    "repeated_column": "重复的列（取第一列） column given twice, first used",
    "empty": "必填值为空 required value empty",
    "bad_datetime": "时间格式无法识别 not a date-time",
    "bad_date": "日期格式无法识别 not a date",
    "bad_month": "月份格式无法识别 not a month (YYYY-MM)",
    "bad_int": "不是整数 not an integer",
    "bad_float": "不是数值 not a number",
    "bad_bool": "不是是/否 not yes/no",
    "bad_enum": "不在允许值内 not an allowed value",
    "bad_level": "评价等级无法识别 not a level label or code",
    "bad_vocabulary": "不在配置的允许值内 not a configured value or code",
    "bad_region": "行政区划代码无效 not a 6- or 12-digit region code",
    "unknown_unit": "单位不在名录中 unit not in the registry",
    "wrong_quarter": "季度不符 not the quarter being loaded",
    "out_of_period": "时间不在本季度内 outside the quarter",
    "duplicate_key": "编号重复（保留首条） duplicate key, first kept",
    "unknown_eval_id": "评价编号在本季度评价明细中不存在 eval_id not among the quarter's evaluations",
    "ragged_row": "字段数与表头不符 wrong number of fields",
    "not_finite": "不是有限数值 not a finite number",
    "out_of_range": "数值超出合理范围 outside the plausible range",
    "implausible_date": "日期不合理 date outside the plausible range",
    "title_row": "表头不在第一行（上方各行已跳过） header not on the first row, rows above skipped",
    "no_header": "无表头行（沿用同表首个文件的表头） no header row, the table's first header used",
    "unmatched_file": "文件不属于任何表（已忽略） file matches no table, ignored",
    "outside_folder": "链接指向数据文件夹之外（已拒绝） link leaves the data folder, refused",
}


@dataclass
class Example:
    row: int | None
    value: str | None


@dataclass
class Problem:
    """One kind of fault in one column of one sheet of one file, counted, with examples."""

    table: str
    file: str | None
    sheet: str | None
    column: str | None
    """The Chinese header (as the user knows it), or None for a whole-file problem."""
    kind: str
    severity: Severity
    count: int
    examples: list[Example] = field(default_factory=list)
    detail: str = ""

    def __post_init__(self) -> None:
        """Whatever a problem carries is masked once, here, before any output sees it."""
        self.detail = redact(self.detail)
        for example in self.examples:
            if example.value is not None:
                example.value = redact(example.value)

    @property
    def file_level(self) -> bool:
        return self.kind in {"missing_table", "unreadable", "missing_column", "outside_folder"}

    @property
    def description(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def where(self) -> str:
        parts = [p for p in (self.file, f"sheet {self.sheet}" if self.sheet else None) if p]
        return printable(" / ".join(parts)) or "(folder)"

    def line(self) -> str:
        """One readable line: where, which column, what, how many, and a few examples."""
        col = f" [{printable(self.column)}]" if self.column else ""
        detail = f": {printable(self.detail)}" if self.detail else ""
        text = f"{self.severity.upper():7} {self.where()}{col} {self.description}{detail}"
        if self.count and not (self.file_level and not self.examples):
            text += f" — {self.count} 行 rows"
        if self.examples:
            shown = ", ".join(_example(e) for e in self.examples)
            more = " …" if self.count > len(self.examples) else ""
            text += f"; 例 e.g. {shown}{more}"
        return text

    def to_dict(self) -> dict:
        out = asdict(self)
        out["description"] = self.description
        return out


def _example(example: Example) -> str:
    row = f"行{example.row}" if example.row is not None else ""
    if example.value is None:
        return row
    return f"{row} {printable(repr(_clip(example.value)))}".strip()


def _clip(value: str, width: int = 40) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def group(
    table: str,
    kind: str,
    column: str | None,
    meta: pd.DataFrame,
    mask: np.ndarray,
    values: pd.Series | None,
    max_examples: int,
    severity: Severity = "error",
    detail: str = "",
) -> list[Problem]:
    """Group the rows under ``mask`` by file and sheet: one Problem each, first N as examples.

    ``meta`` holds ``_file``, ``_sheet`` and ``_row`` for every row; ``values`` the offending
    values (None when showing them would say nothing, or would leak personal data).
    """
    if not mask.any():
        return []
    hit = meta.loc[mask, ["_file", "_sheet", "_row"]]
    if values is not None:
        hit = hit.assign(_value=values[mask].astype(object).to_numpy())
    problems = []
    for (file, sheet), rows in hit.groupby(["_file", "_sheet"], sort=False, observed=True):
        head = rows.head(max_examples)
        examples = [
            Example(int(r), None if values is None or pd.isna(v) else str(v))
            for r, v in zip(head["_row"], head["_value"] if values is not None
                            else [None] * len(head), strict=True)
        ]
        problems.append(Problem(table, str(file), str(sheet) or None, column, kind, severity,
                                len(rows), examples, detail))
    return problems
