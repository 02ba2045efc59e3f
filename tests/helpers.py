"""Test helpers: small quarter folders written from text."""

from __future__ import annotations

import csv
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

EVAL_HEADER = ["评价编号", "办件编号", "事项编码", "事项名称", "实施单位", "行政区划代码", "评价渠道",
               "评价等级", "评价方式", "评价时间", "汇聚时间", "评价内容", "评价人", "联系方式"]
SECRET = "秘密评价内容13800138000"


def eval_row(i: int, **changes: str) -> dict[str, str]:
    """A valid 2022Q2 evaluation with a real unit; keyword changes use English names."""
    row = {
        "eval_id": f"{i:06d}", "case_id": f"0{i:07d}", "item_code": "11350200MB001",
        "item_name": "企业开办", "unit": "厦门市市场监督管理局", "region_code": "350200",
        "channel": "2", "level": "5", "mode": "主动评价",
        "evaluated_at": "2022-05-01 10:00:00", "pushed_at": "2022-05-01 11:00:00",
        "comment": SECRET, "rater": "张三丰", "contact": "13912345678",
    }
    row.update(changes)
    return row


NAMES = ["eval_id", "case_id", "item_code", "item_name", "unit", "region_code", "channel", "level",
         "mode", "evaluated_at", "pushed_at", "comment", "rater", "contact"]


def write_evals(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8",
                header: list[str] | None = None) -> Path:
    header = header or EVAL_HEADER
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row[NAMES[EVAL_HEADER.index(h)]] for h in header])
    return path


def write_cases(folder: Path) -> None:
    (folder / "办件明细.csv").write_text(
        "办件编号,事项编码,事项名称,实施单位,行政区划代码,办理渠道,办理地点,办结时间\n"
        "00000001,X1,企业开办,市人社局,350200,窗口,,2022-05-01 09:00:00\n", encoding="utf-8")
