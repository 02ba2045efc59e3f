"""HTML for the bulletin: fragments the notebook displays, and the leadership export.

The notebook's outputs are these fragments; ``export_html`` runs nbconvert over the executed
notebook with the ``hcp_bulletin`` template, which keeps outputs only (no code, prompts or
parameters), inlines the stylesheet and embeds images, so the file stands alone.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable
from functools import cache
from numbers import Number
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from .narrative import Block
from .sanitize import strip_controls

WIDE_TABLE = 8  # more columns than this print at 小五 so the region table fits the text width


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("hcp_lib", "templates/html"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def masthead_html(title: str, issue: str, issuer: str, date: str, mark: str = "") -> str:
    """The red masthead; ``mark`` (征求意见稿) is printed above it on a provisional run."""
    return _env().get_template("masthead.html.j2").render(
        title=title, issue=issue, issuer=issuer, date=date, mark=mark
    )


def blocks_html(blocks: Iterable[Block]) -> str:
    """Narrative blocks as headings and paragraphs (text escaped)."""
    tags = {"section": '<h2 class="section">{}</h2>', "heading": '<h3 class="heading">{}</h3>',
            "paragraph": "<p>{}</p>"}
    return "\n".join(Markup(tags[b.kind]).format(strip_controls(b.text)) for b in blocks)


def table_html(df: pd.DataFrame, title: str | None = None) -> str:
    """A table with merged multi-level headers (a label with empty sub-levels spans down)."""
    levels = df.columns.nlevels
    columns = list(df.columns) if levels > 1 else [(c,) for c in df.columns]
    head = []
    for level in range(levels):
        cells, c = [], 0
        while c < len(columns):
            col = columns[c]
            if level > 0 and not col[level] and _spans_down(col, level - 1, levels):
                c += 1
                continue
            rowspan = levels - level if _spans_down(col, level, levels) else 1
            end = c
            while (rowspan == 1 and end + 1 < len(columns)
                   and columns[end + 1][: level + 1] == col[: level + 1]):
                end += 1
            attrs = (f' colspan="{end - c + 1}"' if end > c else "") + (
                f' rowspan="{rowspan}"' if rowspan > 1 else "")
            cells.append(f"<th{attrs}>{escape(col[level])}</th>")
            c = end + 1
        head.append("<tr>" + "".join(cells) + "</tr>")
    body = [
        "<tr>" + "".join(f"<td{_align(v)}>{escape(_text(v))}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    ]
    caption = f'<caption>{escape(strip_controls(title))}</caption>' if title else ""
    wide = " wide" if len(columns) > WIDE_TABLE else ""
    return (f'<div class="table-wrap"><table class="data{wide}">{caption}\n'
            f'<thead>{"".join(head)}</thead>\n'
            f'<tbody>\n{chr(10).join(body)}\n</tbody>\n</table></div>')


def _spans_down(col: tuple, level: int, levels: int) -> bool:
    return all(not col[lv] for lv in range(level + 1, levels))


def _align(value: object) -> str:
    """Numbers and percentages align right, text left, as in the printed tables."""
    text = _text(value)
    numeric = isinstance(value, Number) or text.rstrip("%").replace(".", "", 1).isdigit()
    return ' class="num"' if numeric else ""


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return strip_controls(str(value), keep_lines=False)


def figure_html(png: bytes, caption: str) -> str:
    """A chart embedded as a data URI, with its caption."""
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure class="chart"><img alt="{escape(caption)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{escape(caption)}</figcaption></figure>')


def read_notebook(notebook: str | Path | Any) -> Any:
    """A notebook read from ``notebook``'s path, or ``notebook`` itself when already read
    (several exports of one executed notebook read it once)."""
    if not isinstance(notebook, str | Path):
        return notebook
    import nbformat

    return nbformat.read(str(notebook), as_version=4)


@cache
def shared_exporter() -> tuple[Any, Any, threading.Lock]:
    """One exporter for every HTML copy a process writes, its templates compiled once
    (0.05 s an exporter), with the preprocessor that drops a copy's unwanted sections, and a
    lock: the copy's tags are set on it for the duration of one export.

    ``hcp run``'s background thread builds it while the kernel works (``ready_exporter``)."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    from .nbexport import BulletinExporter

    exporter = BulletinExporter()  # drops the parameter cells itself
    remover = TagRemovePreprocessor(enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    return exporter, remover, threading.Lock()


def ready_exporter() -> None:
    """Export an empty notebook through the shared exporter, read back as an executed one is:
    its templates compile and the notebook schema's two validators (strict for reading,
    relaxed after the preprocessors) are built, 0.15 s that the run's first HTML copy would
    otherwise spend on its critical path."""
    import nbformat
    from nbformat.v4 import new_notebook

    empty = nbformat.reads(nbformat.writes(new_notebook()), as_version=4)
    exporter, _, lock = shared_exporter()
    with lock:
        exporter.from_notebook_node(empty, resources={"hcp_title": "", "hcp_fonts": ""})


def export_html(notebook: str | Path | Any, target: str | Path, title: str = "",
                remove_tags: Iterable[str] = (), font_css: str = "") -> Path:
    """Export an executed notebook (a path or a read notebook, left unchanged) to a
    self-contained HTML copy; returns the path written.

    Cells tagged with any of ``remove_tags`` are left out (a copy's unwanted sections);
    ``font_css`` holds ``@font-face`` rules with the embedded subset fonts.
    """
    nb = read_notebook(notebook)
    exporter, remover, lock = shared_exporter()
    with lock:
        remover.remove_cell_tags = set(remove_tags)
        body, _ = exporter.from_notebook_node(
            nb, resources={"hcp_title": title, "hcp_fonts": font_css}  # hcp_version: the exporter's
        )
    target = Path(target)
    target.write_text(body, encoding="utf-8")
    return target
