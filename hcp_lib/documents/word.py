"""The bulletin as an editable Word document (.docx) in 公文 layout, with python-docx.

Red 小标宋 title, 期号, issuer and date over a red rule, 仿宋 body at 16 pt with 2-character
indents, the region table with its merged headers, charts as images, page numbers
"— 1 —" in the footer. Fonts are named, not embedded: Word and WPS use the office's
official fonts, and fall back to their own where those are missing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from ..present.narrative import Block
from ..present.sanitize import strip_controls
from .content import Figure, Masthead, Part, Table
from .fonts import FALLBACK_FAMILIES
from .layout import cell_text, header_cells, is_numeric
from .settings import FontSettings

RED = "C00000"


def _font_name(run, family: str) -> None:
    from docx.oxml.ns import qn

    run.font.name = family
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), family)


def _run(paragraph, text: str, family: str, size: float, red: bool = False, bold: bool = False):
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(strip_controls(text, keep_lines=False))
    _font_name(run, family)
    run.font.size = Pt(size)
    run.font.bold = bold
    if red:
        run.font.color.rgb = RGBColor.from_string(RED)
    return run


class _CellRuns:
    """A table's cell runs, each of one look (font, size, bold) a copy of the first built the
    long way: python-docx looks up each run property's place among its possible siblings on
    every call, most of what a cell cost. The XML is the same."""

    def __init__(self) -> None:
        self._first: dict[tuple[str, float, bool], object] = {}

    def add(self, paragraph, text: str, family: str, size: float, bold: bool = False) -> None:
        import copy

        from docx.text.run import Run

        key = (family, size, bold)
        first = self._first.get(key)
        if first is None:
            element = _run(paragraph, "", family, size, bold=bold)._r
            self._first[key] = copy.deepcopy(element)
        else:
            element = copy.deepcopy(first)
            paragraph._p.append(element)
        Run(element, paragraph).text = strip_controls(text, keep_lines=False)


def _red_rule(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", RED)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _page_number(paragraph, family: str) -> None:
    """— PAGE — as a field, so Word and WPS number every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    _run(paragraph, "— ", family, 14)
    run = _run(paragraph, "", family, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text == " PAGE " else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _run(paragraph, " —", family, 14)


def _first(families: tuple[str, ...], role: str) -> str:
    """The first configured family (Word resolves it on the reader's machine)."""
    return (families or FALLBACK_FAMILIES[role])[0]


def write_docx(parts: Iterable[Part], target: str | Path, fonts: FontSettings | None = None) -> Path:
    """Lay ``parts`` out as a .docx at ``target``; returns the path."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    fonts = fonts or FontSettings()
    body, title, heading = (_first(fonts.body, "body"), _first(fonts.title, "title"),
                            _first(fonts.heading, "heading"))
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    normal.font.name = body
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", body)
    normal.paragraph_format.line_spacing = Pt(28.9)  # 22 lines in the 225 mm type area
    normal.paragraph_format.space_after = Pt(0)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer, body)

    for part in parts:
        if isinstance(part, Masthead):
            if part.mark:
                p = doc.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _run(p, part.mark, heading, 14, red=True)
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = Pt(40)
            _run(p, part.title, title, 22, red=True)
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, part.issue, body, 16)
            p = doc.add_paragraph()
            p.paragraph_format.tab_stops.add_tab_stop(Mm(156), alignment=2)  # right
            _run(p, part.issuer, body, 16)
            p.add_run().add_tab()
            _run(p, part.date, body, 16)
            _red_rule(p)
            doc.add_paragraph()
        elif isinstance(part, Block):
            p = doc.add_paragraph()
            if part.kind == "section":
                _run(p, part.text, heading, 16)
            elif part.kind == "heading":
                p.paragraph_format.first_line_indent = Pt(32)
                _run(p, part.text, heading, 16)
            else:
                p.paragraph_format.first_line_indent = Pt(32)
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                _run(p, part.text, body, 16)
        elif isinstance(part, Table):
            _table(doc, part, heading, body, WD_ALIGN_PARAGRAPH, WD_TABLE_ALIGNMENT, Pt)
        elif isinstance(part, Figure):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(part.png), width=Mm(150))
            cap = doc.add_paragraph()
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(cap, part.caption, heading, 12)
    target = Path(target)
    doc.save(str(target))
    return target


def _table(doc, part: Table, heading: str, body: str, align, table_align, Pt) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    df = part.frame
    cap = doc.add_paragraph()
    cap.alignment = align.CENTER
    cap.paragraph_format.keep_with_next = True
    _run(cap, part.title, heading, 12)
    levels = df.columns.nlevels
    table = doc.add_table(rows=levels + len(df), cols=len(df.columns))
    table.style = "Table Grid"
    table.alignment = table_align.CENTER
    # Cells are found through their rows, each row's cells built once: ``table.cell`` and
    # ``table.rows[r]`` rebuild every cell, or every row, of the table on each call, which made
    # a table's cost grow with the square of its size.
    rows, runs = list(table.rows), _CellRuns()
    for h in header_cells(df):
        cell = rows[h.row].cells[h.col]
        if h.rowspan > 1 or h.colspan > 1:
            cell = cell.merge(rows[h.row + h.rowspan - 1].cells[h.col + h.colspan - 1])
        p = cell.paragraphs[0]
        p.alignment = align.CENTER
        p.paragraph_format.line_spacing = 1.0
        runs.add(p, h.text, body, 10.5, bold=True)
    for r in range(levels):  # header rows repeat on every page
        tr_pr = rows[r]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)
    for r, row in enumerate(df.itertuples(index=False), start=levels):
        cells = rows[r].cells
        for c, value in enumerate(row):
            p = cells[c].paragraphs[0]
            p.paragraph_format.line_spacing = 1.0
            if is_numeric(value):
                p.alignment = align.RIGHT
            runs.add(p, cell_text(value), body, 10.5)
    doc.add_paragraph()
