"""The documents read back as a person would: PDF text and pages, Word text, workbook cells."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from docx.oxml.ns import qn
from present_fixtures import make_bulletin

from hcp_lib.config import load_config
from hcp_lib.documents.content import Table, copy_parts
from hcp_lib.documents.export import file_name
from hcp_lib.documents.labels import key_cn
from hcp_lib.documents.layout import cell_text, header_cells
from hcp_lib.present.tables import region_table

A4 = (595.28, 841.89)  # points
INTERNAL_KEY = re.compile(r"[a-z_]+\.[a-z_]+\.")


@pytest.fixture(scope="module")
def bulletin():
    return make_bulletin()


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def leadership_parts(bulletin, config):
    return list(copy_parts(bulletin, config, config.documents.leadership))


@pytest.fixture(scope="module")
def leadership_pdf(leadership_parts, config, tmp_path_factory):
    from hcp_lib.documents.pdf import write_pdf

    return write_pdf(leadership_parts, tmp_path_factory.mktemp("pdf") / "b.pdf", config.documents.fonts)


def _pdf_text(path: Path) -> tuple[list[str], list]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return [p.extract_text() for p in reader.pages], reader.pages


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _appears(cell: str, lines: list[str], text: str) -> bool:
    """``cell`` is in the text whole, or (wrapped in its column, perhaps over a page break) as
    pieces of two or more characters, each on a line of its own, in order."""
    cell = _squash(cell)
    if cell in text:
        return True
    joined, n = "\n".join(lines), len(cell)
    longest = []  # from each position, the end of the longest piece found on one line
    for i in range(n):
        lo, hi = i, n
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if cell[i:mid] in joined else (lo, mid - 1)
        longest.append(lo)
    pieces: list[int | None] = [0] + [None] * n  # fewest pieces covering cell[:i]
    for i in range(n):
        if pieces[i] is None:
            continue
        for j in range(i + min(2, n - i), longest[i] + 1):
            if pieces[j] is None or pieces[j] > pieces[i] + 1:
                pieces[j] = pieces[i] + 1
    return pieces[n] is not None and pieces[n] <= max(12, n // 4)


def test_file_names_for_the_mail_attachments():
    assert file_name("2022Q2", "leadership", "pdf") == "bulletin-2022Q2.pdf"
    assert file_name("2022Q2", "leadership", "docx") == "bulletin-2022Q2.docx"
    assert file_name("2022Q2", "leadership", "html") == "bulletin-2022Q2.html"
    assert file_name("2022Q2", "analyst", "html") == "bulletin-2022Q2-analyst.html"


def test_pdf_pages_are_a4_and_hold_the_headline_and_every_region_cell(leadership_pdf, bulletin, config):
    texts, pages = _pdf_text(leadership_pdf)
    for page in pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1
    text = _squash("".join(texts))
    assert _squash(config.city.title) in text
    assert f"{bulletin.evaluations.total}" in text
    for row in region_table(bulletin, config).itertuples(index=False):
        for value in row:
            assert cell_text(value) in text, value
    assert "—1—" in text  # page numbers


def test_pdf_embeds_its_fonts(leadership_pdf):
    from pypdf import PdfReader

    for page in PdfReader(str(leadership_pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_every_table_cell_of_the_analyst_copy_reaches_the_pdf(bulletin, config, tmp_path):
    from hcp_lib.documents.pdf import write_pdf

    parts = [p for p in copy_parts(bulletin, config, config.documents.analyst)
             if not hasattr(p, "png")]  # charts are tested elsewhere; keep this fast
    texts, _ = _pdf_text(write_pdf(parts, tmp_path / "a.pdf"))
    text = _squash("".join(texts))
    lines = [_squash(ln) for t in texts for ln in t.splitlines()]
    tables = [p for p in parts if isinstance(p, Table)]
    assert len(tables) > 5
    for table in tables:
        for h in header_cells(table.frame):
            assert _appears(h.text, lines, text), h.text
        for row in table.frame.itertuples(index=False):
            for value in row:
                assert _appears(cell_text(value), lines, text), (table.title, value)


def test_leadership_copy_has_no_appendix_or_internal_keys(leadership_pdf, tmp_path, leadership_parts):
    from docx import Document

    from hcp_lib.documents.word import write_docx

    texts, _ = _pdf_text(leadership_pdf)
    doc = Document(str(write_docx(leadership_parts, tmp_path / "b.docx")))
    word = "\n".join(p.text for p in doc.paragraphs)
    for text in ("".join(texts), word):
        for banned in ("附表", "附图", "附录", "数据说明", "核对"):
            assert banned not in text
        assert not INTERNAL_KEY.search(text)


def test_docx_holds_the_masthead_and_the_region_table_cell_for_cell(leadership_parts, bulletin,
                                                                   config, tmp_path):
    from docx import Document

    from hcp_lib.documents.word import write_docx

    doc = Document(str(write_docx(leadership_parts, tmp_path / "b.docx")))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == config.city.title
    assert paragraphs[1] == "2022年第2期（总第10期）"
    assert paragraphs[2].split("\t") == [config.city.issuer, "2022年7月26日"]
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=0.5)
    assert doc.sections[0].top_margin.mm == pytest.approx(37, abs=0.5)
    df = region_table(bulletin, config)
    table = doc.tables[0]
    levels = df.columns.nlevels
    assert table.cell(0, 3).text == "非常不满意" and table.cell(0, 3)._tc is table.cell(0, 4)._tc
    for r, row in enumerate(df.itertuples(index=False), start=levels):
        assert [c.text for c in table.rows[r].cells] == [cell_text(v) for v in row]
    assert len(doc.inline_shapes) == len(config.documents.leadership_charts)
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer


def test_docx_table_cells_each_carry_the_table_font_size_and_header_weight(config, tmp_path):
    """Every cell's run has the same properties, not only the first of its kind (cell runs are
    copies of the first), and a header spanning two rows and two columns is one merged cell."""
    from docx import Document
    from docx.shared import Pt

    from hcp_lib.documents.word import write_docx

    columns = pd.MultiIndex.from_tuples([("地区", ""), ("评价数", "好评"), ("评价数", "差评"),
                                         ("满意率", "")])
    frame = pd.DataFrame([[f"区{i}", i * 10, i, f"{99 - i / 10:.2f}%"] for i in range(30)],
                         columns=columns)
    doc = Document(str(write_docx([Table("附表1  测试", frame)], tmp_path / "t.docx",
                                  config.documents.fonts)))
    table = doc.tables[0]
    assert table.cell(0, 0)._tc is table.cell(1, 0)._tc  # 地区 spans both header rows
    assert table.cell(0, 1)._tc is table.cell(0, 2)._tc and table.cell(0, 1).text == "评价数"
    families = set()
    for r, row in enumerate(table.rows):
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                assert run.font.size == Pt(10.5), (r, run.text)
                assert bool(run.font.bold) == (r < 2), (r, run.text)
                fonts = run._element.rPr.rFonts
                families.add(tuple(fonts.get(qn(a)) for a in ("w:eastAsia", "w:ascii", "w:hAnsi")))
    assert len(families) == 1 and len(set(*families)) == 1 and None not in next(iter(families))
    assert [c.text for c in table.rows[31].cells] == ["区29", "290", "29", "96.10%"]


def test_provisional_run_is_marked_in_every_format(bulletin, config, tmp_path):
    from docx import Document

    from hcp_lib.documents.pdf import write_pdf
    from hcp_lib.documents.word import write_docx

    inputs = {"status": "provisional", "notices": ["缺少第三方评估台账。"], "tables": []}
    copy = config.documents.leadership.model_copy(update={"sections": ("masthead", "awards")})
    parts = list(copy_parts(bulletin, config, copy, inputs))
    texts, _ = _pdf_text(write_pdf(parts, tmp_path / "p.pdf"))
    assert "征求意见稿" in texts[0]
    doc = Document(str(write_docx(parts, tmp_path / "p.docx")))
    assert doc.paragraphs[0].text == "征求意见稿"


def test_data_notes_list_tables_and_notices(bulletin, config):
    inputs = {"status": "provisional", "notices": ["缺少第三方评估台账。"], "accepted": 10,
              "rejected": 2, "tables": [{"quarter": "2022Q2", "table": "survey",
                                          "title": "第三方评估", "files": [], "read": 12,
                                          "accepted": 10, "rejected": 2}]}
    copy = config.documents.analyst.model_copy(update={"sections": ("data_notes",)})
    parts = list(copy_parts(bulletin, config, copy, inputs))
    text = " ".join(getattr(p, "text", "") for p in parts)
    assert "【数据说明】" in text and "缺少第三方评估台账。" in text and "剔除 2 行" in text
    table = next(p for p in parts if isinstance(p, Table))
    assert table.frame.iloc[0].tolist() == ["2022Q2", "第三方评估", 0, 12, 10, 2]
    missing = list(copy_parts(bulletin, config, copy, None))
    assert "未附输入数据记录" in missing[1].text


def test_reconciliation_keys_read_as_words():
    assert key_cn("evaluations.region.思明区.基本满意.share") == "企业群众评价·地区表·思明区·基本满意·占比"
    assert not INTERNAL_KEY.search(key_cn("mechanism.late_push.units.count"))


def test_copy_sections_come_from_configuration(bulletin, config):
    copy = config.documents.leadership.model_copy(update={"sections": ("masthead", "commendations")})
    parts = list(copy_parts(bulletin, config, copy))
    assert "【优质服务】" in [getattr(p, "text", "") for p in parts]
    assert "【评优评先】" not in [getattr(p, "text", "") for p in parts]


def test_inputs_json_shape_is_read(tmp_path):
    from hcp_lib.documents.content import read_inputs

    assert read_inputs(tmp_path) is None
    (tmp_path / "inputs.json").write_text(json.dumps({"status": "complete"}), encoding="utf-8")
    assert read_inputs(tmp_path) == {"status": "complete"}


def test_html_masthead_marks_a_provisional_run(bulletin, config, tmp_path):
    from hcp_lib.present import notebook as hcp
    from hcp_lib.present.notebook import Report

    report = Report(bulletin, config, tmp_path)
    assert "征求意见稿" not in hcp.masthead(report).data
    (tmp_path / "inputs.json").write_text(json.dumps({"status": "provisional"}), encoding="utf-8")
    head = hcp.masthead(report).data
    assert '<p class="provisional-mark">征求意见稿</p>' in head
    assert '@top-right { content: "征求意见稿"' in head  # on every printed page
    notes = hcp.data_notes(report).data
    assert "【数据说明】" in notes and "征求意见稿" in notes


def test_documents_configuration_is_checked():
    from pydantic import ValidationError

    from hcp_lib.documents.settings import CopySettings, DocumentSettings

    with pytest.raises(ValidationError, match="unknown charts"):
        DocumentSettings(leadership_charts=("pie",))
    with pytest.raises(ValidationError, match="always made as html"):
        DocumentSettings(leadership=CopySettings(sections=("masthead",), formats=("pdf",)))
    assert DocumentSettings().analyst.formats == ("html",)


def test_font_subsets_are_cached_between_runs(tmp_path):
    from fontTools.ttLib import TTFont

    from hcp_lib.documents.fonts import fallback_face, subset_woff

    face = fallback_face("heading")  # SimHei (TrueType): the quicker one to cut
    data = subset_woff(face.path, "厦门市通报", tmp_path)
    assert len(list(tmp_path.glob("*.woff"))) == 1
    assert subset_woff(face.path, "厦门市通报", tmp_path) == data
    import io

    font = TTFont(io.BytesIO(data))
    assert {ord(c) for c in "厦门市通报"} <= set(font.getBestCmap())
