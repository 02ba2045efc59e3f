"""PDF in 公文 layout, typeset by Typst (the ``typst`` wheel bundles the compiler).

Why Typst (docs/documents.md has the measurements): no browser or system library is needed,
it reads OpenType/CFF CJK fonts such as the shipped Noto CJK (ReportLab cannot), subsets and
embeds every font, breaks long tables across pages with repeated headers, and typesets the
leadership copy in well under a second. The content goes in as JSON, so no text is ever
parsed as Typst markup.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..present.narrative import Block
from ..present.sanitize import strip_controls
from .content import Figure, Masthead, Part, Table
from .fonts import FALLBACK_FAMILIES, fallback_dir
from .layout import cell_text, header_cells, is_numeric
from .settings import FontSettings

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "typst" / "bulletin.typ"
MAX_WEIGHT = 24  # the widest column counts as at most this many characters
SHORT_TEXT = 10  # a text column whose longest cell is this wide (five 汉字) is not wrapped
WIDE_TABLE = 8  # more columns than this: the smaller table size, so figures fit the text width
TABLE_SIZES = (10.5, 9)  # 五号 and 小五 points, as printed tables use


class PdfError(RuntimeError):
    """Typst could not typeset the document (the message says why)."""


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _table_json(t: Table) -> dict:
    df = t.frame
    header = [{"text": h.text, "rowspan": h.rowspan, "colspan": h.colspan} for h in header_cells(df)]
    rows = [[{"text": cell_text(v), "num": is_numeric(v)} for v in row]
            for row in df.itertuples(index=False)]
    levels = df.columns.nlevels
    names = list(df.columns) if levels > 1 else [(c,) for c in df.columns]
    widths = []
    for c, col in enumerate(names):
        body = max((_width(r[c]["text"]) for r in rows), default=2)
        if rows and (all(r[c]["num"] for r in rows) or body <= SHORT_TEXT):
            widths.append(0)  # figures and short names never wrap: the column takes its widest
            continue
        label = max((_width(str(x)) for x in col if x), default=2) / (2 if levels > 1 else 1)
        widths.append(max(3, min(MAX_WEIGHT, max(label, body))))
    size = TABLE_SIZES[0] if len(names) <= WIDE_TABLE else TABLE_SIZES[1]
    return {"kind": "table", "title": strip_controls(t.title), "header": header, "rows": rows,
            "widths": widths, "size": size}


def content_json(parts: Iterable[Part], folder: Path, fonts: FontSettings) -> dict:
    """The Typst template's input; figures are written into ``folder`` beside it."""
    out: list[dict] = []
    title = issuer = mark = ""
    for i, p in enumerate(parts):
        if isinstance(p, Masthead):
            title, issuer, mark = p.title, p.issuer, p.mark
            out.append({"kind": "masthead", "title": p.title, "issue": p.issue,
                        "issuer": p.issuer, "date": p.date})
        elif isinstance(p, Block):
            out.append({"kind": p.kind, "text": strip_controls(p.text, keep_lines=False)})
        elif isinstance(p, Table):
            out.append(_table_json(p))
        elif isinstance(p, Figure):
            name = f"figure-{i}.png"
            (folder / name).write_bytes(p.png)
            out.append({"kind": "figure", "path": name, "caption": p.caption})
    return {
        "title": title, "issuer": issuer, "mark": mark, "parts": out,
        "fonts": {
            "body": [*fonts.body, *FALLBACK_FAMILIES["body"]],
            "title": [*fonts.title, *FALLBACK_FAMILIES["title"]],
            "heading": [*fonts.heading, *FALLBACK_FAMILIES["heading"]],
        },
    }


def write_pdf(parts: Iterable[Part], target: str | Path, fonts: FontSettings | None = None) -> Path:
    """Typeset ``parts`` to ``target`` (A4, fonts embedded); raises PdfError on failure."""
    import typst

    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="hcp-pdf-") as tmp:
        folder = Path(tmp)
        data = content_json(parts, folder, fonts or FontSettings())
        (folder / "content.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        main = folder / "bulletin.typ"
        main.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
        try:
            pdf = typst.compile(str(main), root=str(folder), font_paths=[str(fallback_dir())])
        except RuntimeError as exc:  # typst.TypstError
            raise PdfError(f"PDF typesetting failed: {getattr(exc, 'message', exc)}") from exc
    target.write_bytes(pdf)
    return target
