"""Workbook cells as analysts use them, text that cannot become a formula, honest chart axes,
and the HTML copy printed by Chromium (skipped where Debian's chromium is absent)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from present_fixtures import make_bulletin

from hcp_lib.config import load_config
from hcp_lib.present.sanitize import neutralise_cell, strip_controls
from hcp_lib.present.workbook import as_number, write_workbook


def test_percentages_and_scores_become_numbers_with_their_printed_format():
    assert as_number("97.857%") == (pytest.approx(0.97857), "0.000%")
    assert as_number("99.96%") == (pytest.approx(0.9996), "0.00%")
    assert as_number("96.25") == (pytest.approx(96.25), "0.00")
    assert as_number("市商务局") is None and as_number("=1+1") is None


def test_workbook_numbers_text_and_setup(tmp_path):
    from openpyxl import load_workbook

    df = pd.DataFrame({"单位": ["=HYPERLINK(\"http://x\")", "http://example.org", "-a\x07b", "市商务局"],
                       "满意率": ["97.857%", "99.996%", "100.000%", "98.400%"], "排名": [1, 2, 3, 4]})
    path = write_workbook({"满意率": df}, tmp_path / "t.xlsx", "通报", {"季度": "2022年第二季度"})
    book = load_workbook(path)
    assert book.sheetnames[0] == "说明"
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert notes["季度"] == "2022年第二季度" and "生成时间" in notes
    sheet = book["满意率"]
    assert sheet["B2"].value == pytest.approx(0.97857) and sheet["B2"].number_format == "0.000%"
    assert sheet["C2"].value == 1
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'=")
    assert sheet["A3"].hyperlink is None and sheet["A3"].value == "http://example.org"
    assert sheet["A4"].value == "'-ab"
    assert sheet.auto_filter.ref == "A1:C5"
    assert sheet.freeze_panes == "A2"
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"


def test_neutralising_and_stripping():
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise_cell("\tx") == "'x"
    assert neutralise_cell("市商务局") == "市商务局"
    assert strip_controls("a\x00b\x1bc\nd") == "abc\nd"


def test_html_text_has_no_control_characters():
    from hcp_lib.present.html import blocks_html, table_html
    from hcp_lib.present.narrative import Block

    assert "\x07" not in blocks_html([Block("paragraph", "坏\x07字")])
    assert "\x1b" not in table_html(pd.DataFrame({"a": ["x\x1by"]}))


@pytest.mark.parametrize(("start", "chart"), [(90.0, "unit_satisfaction"), (95.0, "unit_satisfaction")])
def test_rate_axis_starts_where_configured(start, chart):
    from hcp_lib.present.charts import CHARTS

    config = load_config()
    settings = config.documents.model_copy(update={"charts": config.documents.charts.model_copy(
        update={"rate_axis_start": start})})
    config = config.model_copy(update={"documents": settings})
    fig = CHARTS[chart][1](make_bulletin(), config)
    ax = fig.axes[0]
    assert ax.get_xlim()[0] == pytest.approx(start)
    assert f"横轴自 {start:g} 起" in ax.get_xlabel()
    assert any("数据来源" in t.get_text() for t in fig.texts) or "数据来源" in fig.get_supxlabel()


def test_counts_and_trends_start_at_zero():
    from hcp_lib.present.charts import CHARTS

    config = load_config()
    for name in ("bad_reviews", "trends", "active_rates"):
        fig = CHARTS[name][1](make_bulletin(), config)
        for ax in fig.axes:
            if ax.get_visible():
                low = ax.get_ylim()[0] if name == "trends" else ax.get_xlim()[0]
                assert low == 0, name


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_chromium_prints_the_leadership_html_on_a4_at_full_size(tmp_path):
    """The HTML copy printed by a browser: A4 pages, the body at 16 pt (no shrink-to-fit)."""
    import nbformat
    from pypdf import PdfReader

    from hcp_lib.documents.html import export_copy, fonts_css, notebook_text
    from hcp_lib.present import notebook as hcp
    from hcp_lib.present.notebook import Report

    config = load_config()
    report = Report(make_bulletin(), config, tmp_path)
    cells = []
    for call, section in ((hcp.masthead, "masthead"), (hcp.evaluations, "evaluations"),
                          (hcp.commendations, "commendations"), (hcp.tables, "tables")):
        cell = nbformat.v4.new_code_cell(metadata={"tags": [f"section-{section}"]})
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": call(report).data})]
        cells.append(cell)
    nb_path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), nb_path)
    html = export_copy(nb_path, tmp_path / "b.html", "t", config.documents.leadership,
                       ["masthead", "evaluations", "commendations", "tables"],
                       fonts_css(notebook_text(nb_path), config.documents.fonts))
    assert "附表" not in html.read_text(encoding="utf-8")
    pdf = tmp_path / "b.pdf"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()],
                       capture_output=True, timeout=120, check=False)
    reader = PdfReader(str(pdf))
    assert 2 <= len(reader.pages) <= 8
    page = reader.pages[0]
    assert abs(float(page.mediabox.width) - 595.28) < 2
    sizes: Counter[float] = Counter()

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes[round(size * tm[0] * cm[0] if tm[0] and cm[0] else size, 1)] += len(text.strip())

    page.extract_text(visitor_text=visit)
    # 3号 paragraphs and the 2号 title print at their own sizes: nothing was shrunk to fit
    # (a shrunk page would show them at about 11 and 15 pt). Wide tables print at 小五 (9 pt).
    assert sizes[16.0] > 100 and sizes[22.0] > 0, sizes
