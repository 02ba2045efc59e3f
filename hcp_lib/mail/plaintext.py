"""The bulletin as plain text: the ``text/plain`` alternative of the e-mail.

Read by clients that show no HTML, by screen readers and by previews. Paragraphs stay one line
each (clients wrap them; the transfer encoding keeps lines short on the wire); the region table
becomes one line per region, since a 13-column grid of Chinese text does not align in a
proportional font.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..present.narrative import Block

RULE = "━" * 24


def text_body(head: dict[str, str], blocks: Sequence[Block], table: pd.DataFrame,
              table_title: str, after_block: int, captions: Sequence[str], note: str) -> str:
    """Masthead, every block in order, the region table after block ``after_block``."""
    lines = [head["title"], f"{head['year']}年{head['issue']}",
             f"{head['issuer']}　　{head['date']}", RULE, ""]
    for i, block in enumerate(blocks):
        if i == after_block:
            lines += table_lines(table, table_title)
        if block.kind == "section":
            lines += ["", block.text, ""]
        elif block.kind == "heading":
            lines += [block.text]
        else:
            lines += [f"　　{block.text}", ""]
    if after_block >= len(blocks):
        lines += table_lines(table, table_title)
    if captions:
        lines += ["", "附图（见 HTML 版）：" + "；".join(captions) + "。"]
    lines += ["", note, ""]
    return "\n".join(lines)


def table_lines(table: pd.DataFrame, title: str) -> list[str]:
    """One line per row: the first column, then each header with its values."""
    columns = list(table.columns) if table.columns.nlevels > 1 else [(c,) for c in table.columns]
    groups: list[tuple[str, list[int]]] = []
    for i, col in enumerate(columns[1:], 1):
        if groups and groups[-1][0] == col[0]:
            groups[-1][1].append(i)
        else:
            groups.append((col[0], [i]))
    lines = [f"{title}：", ""]
    for row in table.itertuples(index=False):
        parts = []
        for name, idx in groups:
            values = [_text(row[i]) for i in idx]
            parts.append(f"{name} {values[0]}" + (f"（{'，'.join(values[1:])}）" if values[1:] else ""))
        lines.append(f"  {_text(row[0])}：" + "；".join(parts))
    return lines + [""]


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
