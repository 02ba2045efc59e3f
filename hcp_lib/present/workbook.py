"""The tables as one .xlsx workbook: a sheet per table, Chinese sheet names, merged headers.

Written with xlsxwriter directly (not ``DataFrame.to_excel``) so two-level headers become
merged cells the way the printed table shows them, and columns are wide enough for CJK text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd


def _width(value: object) -> int:
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | Path, title: str = "") -> Path:
    """Write ``tables`` (sheet name → DataFrame) to ``path``; returns the path."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    if title:
        book.set_properties({"title": title})
    head = book.add_format({"bold": True, "align": "center", "valign": "vcenter",
                            "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
    cell = book.add_format({"border": 1})
    for name, df in tables.items():
        sheet = book.add_worksheet(name[:31])
        levels = df.columns.nlevels
        columns = list(df.columns) if levels > 1 else [(c,) for c in df.columns]
        _write_header(sheet, columns, levels, head)
        for r, row in enumerate(df.itertuples(index=False), start=levels):
            for c, value in enumerate(row):
                sheet.write(r, c, _cell(value), cell)
        for c, col in enumerate(columns):
            values = [*(str(x) for x in col), *(df.iloc[:, c].astype(str).tolist())]
            sheet.set_column(c, c, min(60, max(6, max(map(_width, values)) + 2)))
        sheet.freeze_panes(levels, 0)
    book.close()
    return path


def _cell(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


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
