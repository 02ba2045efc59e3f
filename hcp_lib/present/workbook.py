"""The tables as one .xlsx workbook: a sheet per table, Chinese sheet names, merged headers.

Written with xlsxwriter directly (not ``DataFrame.to_excel``) so two-level headers become
merged cells the way the printed table shows them, and columns are wide enough for CJK text.
Figures the tables display as text ('97.857%', '96.25') are stored as numbers with the number
format that prints them the same, so analysts can sort and calculate; other text is written
as text only (never a formula or link), neutralised against formula injection. Each sheet has
an autofilter, frozen headers and a print setup (A4 landscape, fit to width, header rows
repeated); a 说明 sheet names the quarter, the source and the time of generation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from numbers import Number
from pathlib import Path

import pandas as pd

from .sanitize import neutralise_cell

_NUMBER = re.compile(r"^-?\d+(?:\.(\d+))?(%?)$")
NOTES_SHEET = "说明"


def as_number(value: object) -> tuple[float | int, str] | None:
    """A displayed figure as (number, Excel number format); None for text.

    '97.857%' → (0.97857, '0.000%'); '96.25' → (96.25, '0.00'); 12 → (12, '0').
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value, "0"
    if isinstance(value, float | Decimal) or (isinstance(value, Number) and hasattr(value, "item")):
        number = float(value)
        decimals = 0 if number.is_integer() else len(str(value).split(".")[-1])
        return (int(number) if number.is_integer() else number), ("0." + "0" * decimals
                                                                 if decimals else "0")
    if not isinstance(value, str):
        return None
    match = _NUMBER.match(value.strip())
    if not match:
        return None
    decimals = len(match.group(1) or "")
    pattern = "0." + "0" * decimals if decimals else "0"
    if match.group(2):
        return float(Decimal(value.strip()[:-1]) / 100), pattern + "%"
    number = Decimal(value.strip())
    return (int(number) if not decimals else float(number)), pattern


def _width(value: object) -> int:
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | Path, title: str = "",
                   notes: Mapping[str, str] | None = None) -> Path:
    """Write ``tables`` (sheet name → DataFrame) to ``path``, with a 说明 sheet; returns the path.

    ``notes`` (label → text) fill the 说明 sheet after the title and generation time.
    """
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Text stays text: no string is ever turned into a formula, a link or a number.
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    if title:
        book.set_properties({"title": title})
    head = book.add_format({"bold": True, "align": "center", "valign": "vcenter",
                            "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
    text_fmt = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    number_fmts: dict[str, object] = {}
    _write_notes(book, title, notes or {})
    for name, df in tables.items():
        sheet = book.add_worksheet(neutralise_cell(name)[:31].replace("'", ""))
        levels = df.columns.nlevels
        columns = list(df.columns) if levels > 1 else [(c,) for c in df.columns]
        _write_header(sheet, columns, levels, head)
        for r, row in enumerate(df.itertuples(index=False), start=levels):
            for c, value in enumerate(row):
                found = as_number(value.item() if hasattr(value, "item") else value)
                if found is None:
                    sheet.write_string(r, c, neutralise_cell(str(value)), text_fmt)
                else:
                    number, pattern = found
                    if pattern not in number_fmts:
                        number_fmts[pattern] = book.add_format({"border": 1, "num_format": pattern})
                    sheet.write_number(r, c, number, number_fmts[pattern])
        for c, col in enumerate(columns):
            values = [*(str(x) for x in col), *(df.iloc[:, c].astype(str).tolist())]
            sheet.set_column(c, c, min(50, max(6, max(map(_width, values)) + 2)))
        sheet.freeze_panes(levels, 0)
        if len(df.columns):
            sheet.autofilter(levels - 1, 0, levels - 1 + len(df), len(df.columns) - 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0, levels - 1)
        sheet.set_footer("&C第 &P 页，共 &N 页")
    book.close()
    return path


def _write_notes(book, title: str, notes: Mapping[str, str]) -> None:
    sheet = book.add_worksheet(NOTES_SHEET)
    bold = book.add_format({"bold": True})
    rows = [("通报", title), *notes.items(),
            ("生成时间", datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")),
            ("说明", "百分比和得分以数值保存，显示的小数位与通报一致；其他各表一表一页。")]
    for r, (label, text) in enumerate(rows):
        sheet.write_string(r, 0, neutralise_cell(label), bold)
        sheet.write_string(r, 1, neutralise_cell(str(text)))
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 80)


def _write_header(sheet, columns: list[tuple], levels: int, fmt) -> None:
    """Merge equal neighbours across a row, and a label with empty sub-levels down the rows."""
    done: set[tuple[int, int]] = set()
    for level in range(levels):
        c = 0
        while c < len(columns):
            if (level, c) in done:
                c += 1
                continue
            label = columns[c][level]
            if all(not columns[c][lv] for lv in range(level + 1, levels)):
                last_row = levels - 1
            else:
                last_row = level
            end = c
            while (
                end + 1 < len(columns)
                and columns[end + 1][: level + 1] == columns[c][: level + 1]
                and last_row == level
            ):
                end += 1
            if end > c or last_row > level:
                sheet.merge_range(level, c, last_row, end, label, fmt)
            else:
                sheet.write(level, c, label, fmt)
            for lv in range(level, last_row + 1):
                for cc in range(c, end + 1):
                    done.add((lv, cc))
            c = end + 1
