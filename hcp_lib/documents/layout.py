"""What every format needs to lay a table out: merged header cells, cell text, alignment.

A label whose sub-levels are empty spans down; equal neighbours span across, the way the
printed region table merges 非常满意 over 数量 and 占比.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Number

import pandas as pd

from ..present.sanitize import strip_controls


@dataclass(frozen=True)
class HeaderCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


def header_cells(df: pd.DataFrame) -> list[HeaderCell]:
    """The header as merged cells, row by row (top-left position and spans)."""
    levels = df.columns.nlevels
    columns = list(df.columns) if levels > 1 else [(c,) for c in df.columns]
    out: list[HeaderCell] = []
    taken: set[tuple[int, int]] = set()
    for level in range(levels):
        c = 0
        while c < len(columns):
            if (level, c) in taken:
                c += 1
                continue
            col = columns[c]
            down = all(not col[lv] for lv in range(level + 1, levels))
            rowspan = levels - level if down else 1
            end = c
            while (rowspan == 1 and end + 1 < len(columns)
                   and columns[end + 1][: level + 1] == col[: level + 1]):
                end += 1
            out.append(HeaderCell(strip_controls(str(col[level])), level, c, rowspan, end - c + 1))
            for lv in range(level, level + rowspan):
                for cc in range(c, end + 1):
                    taken.add((lv, cc))
            c = end + 1
    return out


def cell_text(value: object) -> str:
    """A body cell as printed (whole floats without .0), control characters removed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return strip_controls(str(value), keep_lines=False)


def is_numeric(value: object) -> bool:
    """Numbers and percentages align right in every format."""
    text = cell_text(value)
    return isinstance(value, Number) or text.rstrip("%").replace(".", "", 1).isdigit()
