"""The catalogue of bad inputs: one case per kind of broken export, each checked whole.

Every case copies the tiny quarter and its published report (``workspace``), breaks one thing
in the quarter's folder, and runs ``hcp validate`` (and ``hcp run`` where the report's promise
matters). Each asserts the exit code, the message, that every table's rows are accounted for
(read = accepted + rejected, with the expected counts for the table broken), and that the
inputs and the published report are byte for byte unchanged.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from catalogue import QUARTER, Workspace, invoke

from hcp_lib.exitcodes import INVALID_INPUT, OK
from hcp_lib.readers import _cell_text

EVALS = 9871  # rows of the tiny quarter's 评价明细 (checked by test_the_tiny_quarter_is_whole)


# --- ways to rewrite the tiny quarter's files ----------------------------------------------


def eval_rows(folder: Path) -> list[list[str]]:
    """评价明细.parquet as text rows, header first (what a CSV export would hold)."""
    frame = pd.read_parquet(folder / "评价明细.parquet")
    for name in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[name]):
            frame[name] = frame[name].dt.strftime("%Y-%m-%d %H:%M:%S")
    frame = frame.astype(object).where(frame.notna(), "")
    return [list(frame.columns), *frame.astype(str).values.tolist()]


def ledger_rows(path: Path) -> list[list[str]]:
    """A ledger workbook's first sheet as text rows, header first."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).to_python()
    return [[_cell_text(v, False) or "" for v in row] for row in rows]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)


def evals_as_csv(folder: Path, edit: Callable[[list[list[str]]], list[list[str]]] | None = None,
                 encoding: str = "utf-8", name: str = "评价明细.csv") -> list[list[str]]:
    """Replace the Parquet evaluations by one CSV (edited first)."""
    rows = eval_rows(folder)
    rows = edit(rows) if edit else rows
    (folder / "评价明细.parquet").unlink()
    write_csv(folder / name, rows, encoding)
    return rows


def ledger_as_csv(folder: Path, title: str,
                  edit: Callable[[list[list[str]]], list[list[str]]]) -> None:
    rows = ledger_rows(folder / f"{title}.xlsx")
    (folder / f"{title}.xlsx").unlink()
    write_csv(folder / f"{title}.csv", edit(rows))


def set_cell(rows: list[list[str]], header: str, value: str, at: int = 1) -> list[list[str]]:
    rows[at][rows[0].index(header)] = value
    return rows


def write_xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
    book.close()


def write_ods(path: Path, sheets: dict[str, list[list[str]]]) -> None:
    """A minimal OpenDocument spreadsheet (what LibreOffice and WPS save as .ods)."""
    import zipfile
    from xml.sax.saxutils import escape

    tables = []
    for name, rows in sheets.items():
        body = "".join(
            "<table:table-row>" + "".join(
                f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'
                for v in row) + "</table:table-row>" for row in rows)
        tables.append(f'<table:table table:name="{escape(name)}">{body}</table:table>')
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet>' + "".join(tables) +
        '</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)


# --- the catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One kind of bad input: how to make it and what the user must see."""

    kind: str
    make: Callable[[Path], None]
    code: int
    message: str
    """A regular expression the output must match."""
    table: str = "evaluations"
    read: int | None = None
    rejected: int | None = 0
    mode: str = "strict"
    run: bool = False
    """Also ``hcp run``: it must be refused with the same code, the report untouched."""
    absent: tuple[str, ...] = ()
    """Text that must not appear in any output (escape codes, personal data, file content)."""


def _title_row(f: Path) -> None:
    evals_as_csv(f, lambda rows: [["厦门市政务服务好差评评价明细（导出）"], *rows])


def _group_header_xlsx(f: Path) -> None:
    rows = ledger_rows(f / "差评核实台账.xlsx")
    (f / "差评核实台账.xlsx").unlink()
    write_xlsx(f / "差评核实台账.xlsx", {"台账": [["2022年第二季度差评核实台账"],
                                               ["核实信息"] + [""] * 5, *rows]})


def _split_headerless(f: Path) -> None:
    rows = evals_as_csv(f)
    (f / "评价明细.csv").unlink()
    write_csv(f / "评价明细_1.csv", rows[:6001])
    write_csv(f / "评价明细_2.csv", rows[6001:], "gb18030")


def _continuation_sheet(f: Path) -> None:
    rows = ledger_rows(f / "差评核实台账.xlsx")
    (f / "差评核实台账.xlsx").unlink()
    write_xlsx(f / "差评核实台账.xlsx", {"Sheet1": rows[:51], "Sheet2": rows[51:]})


def _headerless_narrower(f: Path) -> None:
    rows = evals_as_csv(f)
    (f / "评价明细.csv").unlink()
    write_csv(f / "评价明细_1.csv", rows[:6001])
    write_csv(f / "评价明细_2.csv", [r[1:] for r in rows[6001:]])


def _ragged(extra: bool) -> Callable[[Path], None]:
    def make(f: Path) -> None:
        def edit(rows: list[list[str]]) -> list[list[str]]:
            row = rows[100]
            rows[100] = [*row, "13912345678"] if extra else row[:-3]
            return rows
        evals_as_csv(f, edit)
    return make


def _truncated_csv(f: Path) -> None:
    evals_as_csv(f)
    data = (f / "评价明细.csv").read_bytes()
    (f / "评价明细.csv").write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 60])


def _cut(name: str) -> Callable[[Path], None]:
    def make(f: Path) -> None:
        data = (f / name).read_bytes()
        (f / name).write_bytes(data[: len(data) // 2])
    return make


def _bytes(name: str, content: bytes, drop: str | None = None) -> Callable[[Path], None]:
    def make(f: Path) -> None:
        if drop:
            (f / drop).unlink()
        (f / name).write_bytes(content)
    return make


def _big5(f: Path) -> None:
    (f / "红旗窗口.xlsx").unlink()
    (f / "红旗窗口.csv").write_bytes("季度,單位\n2022年第二季度,廈門市民政局\n".encode("big5"))


def _duplicate_files(f: Path) -> None:
    rows = evals_as_csv(f)
    (f / "评价明细.csv").unlink()
    write_csv(f / "评价明细_1.csv", rows[:6001])
    write_csv(f / "评价明细_2.csv", [rows[0], *rows[5001:]])


def _redownload(f: Path) -> None:
    data = (f / "评价明细.parquet").read_bytes()
    (f / "评价明细(1).parquet").write_bytes(data)


def _rename(old: str, new: str) -> Callable[[Path], None]:
    def make(f: Path) -> None:
        (f / old).rename(f / new)
    return make


def _eval_cell(header: str, value: str, at: int = 1) -> Callable[[Path], None]:
    return lambda f: evals_as_csv(f, lambda rows: set_cell(rows, header, value, at)) and None


def _ledger_cell(title: str, header: str, value: str) -> Callable[[Path], None]:
    return lambda f: ledger_as_csv(f, title, lambda rows: set_cell(rows, header, value))


def _drop_column(header: str) -> Callable[[Path], None]:
    def edit(rows: list[list[str]]) -> list[list[str]]:
        i = rows[0].index(header)
        return [r[:i] + r[i + 1:] for r in rows]
    return lambda f: evals_as_csv(f, edit) and None


def _repeated_column(f: Path) -> None:
    evals_as_csv(f, lambda rows: [r + [r[0]] for r in rows])


def _link_out(f: Path) -> None:
    secret = f.parent.parent / "outside.csv"
    secret.write_text("季度,单位\nroot:x:0:0:secret-line,/bin/sh\n", encoding="utf-8")
    (f / "红旗窗口.xlsx").unlink()
    (f / "红旗窗口.csv").symlink_to(secret)


def _file_name(name: str) -> Callable[[Path], None]:
    """An oddly named export with one bad level, so that the name is printed."""
    def make(f: Path) -> None:
        evals_as_csv(f, lambda rows: set_cell(rows, "评价等级", "很好"), name=name)
    return make


def _control_text(f: Path) -> None:
    ledger_as_csv(f, "差评核实台账",
                  lambda rows: set_cell(rows, "整改情况", "已整改\x1b[2J\x07\x08完成"))


def _as_ods(f: Path) -> None:
    rows = ledger_rows(f / "红旗窗口.xlsx")
    (f / "红旗窗口.xlsx").unlink()
    write_ods(f / "红旗窗口.ods", {"红旗窗口": rows})


def _stray(f: Path) -> None:
    (f / "差评统计表.xlsx").write_bytes((f / "红旗窗口.xlsx").read_bytes())


def _unsupported(f: Path) -> None:
    (f / "表扬台账.numbers").write_bytes(b"not read")


def _commendation_count(value: str) -> Callable[[Path], None]:
    return _ledger_cell("表扬台账", "数量", value)


CASES = [
    # encodings
    Case("utf16_with_bom", lambda f: evals_as_csv(f, encoding="utf-16") and None, OK,
         r"结果 result: OK", read=EVALS),
    Case("gb18030_split", _split_headerless, OK, r"no header row", read=EVALS),
    Case("binary_named_csv", _bytes("评价明细.csv", bytes(range(256)) * 40, "评价明细.parquet"),
         INVALID_INPUT, r"not a text file", read=0, run=True),
    Case("binary_file_in_quarantine", _bytes("评价明细.csv", bytes(range(256)) * 40,
                                             "评价明细.parquet"),
         INVALID_INPUT, r"not a text file", read=0, mode="quarantine", run=True),
    Case("workbook_named_csv", _bytes("评价明细.csv", b"PK\x03\x04" + b"\x00" * 200,
                                      "评价明细.parquet"),
         INVALID_INPUT, r"workbook \(zip/OLE\) saved under a \.csv name", read=0),
    Case("undecodable_text", _bytes("评价明细.csv", "评价编号,办件编号\n".encode() + b"\xff\xfe\xfd\x81",
                                    "评价明细.parquet"),
         INVALID_INPUT, r"not UTF-8 or GB18030 text", read=0),
    Case("big5", _big5, INVALID_INPUT, r"Big5", table="red_flags", read=0),
    Case("empty_file", _bytes("评价明细.csv", b"", "评价明细.parquet"), INVALID_INPUT,
         r"empty file", read=0, run=True),
    # truncation
    Case("truncated_csv", _truncated_csv, INVALID_INPUT, r"expected 14 fields, found \d+",
         read=EVALS, rejected=1, run=True),
    Case("truncated_parquet", _cut("评价明细.parquet"), INVALID_INPUT,
         r"not a readable Parquet file", read=0),
    Case("truncated_xlsx", _cut("差评核实台账.xlsx"), INVALID_INPUT, r"not a readable workbook",
         table="bad_reviews", read=0, run=True),
    # headers
    Case("title_row_csv", _title_row, OK, r"the header seems to be on row 2", read=EVALS),
    Case("group_header_rows_xlsx", _group_header_xlsx, OK, r"the header seems to be on row 3",
         table="bad_reviews", read=90),
    Case("continuation_sheet_without_header", _continuation_sheet, OK, r"no header row",
         table="bad_reviews", read=90),
    Case("headerless_file_of_another_width", _headerless_narrower, INVALID_INPUT,
         r"no header row: none of the first 10 rows names a column", read=6000, run=True),
    Case("missing_required_column", _drop_column("评价等级"), INVALID_INPUT,
         r"missing required column: 评价等级", read=EVALS, rejected=EVALS),
    Case("repeated_column", _repeated_column, OK, r"column given twice", read=EVALS),
    # ragged lines
    Case("ragged_line_extra_field", _ragged(True), INVALID_INPUT, r"expected 14 fields, found 15",
         read=EVALS, rejected=1, run=True, absent=("13912345678", "139****5678")),
    Case("ragged_line_missing_fields", _ragged(False), INVALID_INPUT,
         r"expected 14 fields, found 11", read=EVALS, rejected=1),
    Case("ragged_line_quarantined", _ragged(True), OK, r"QUARANTINED — 1 rows set aside",
         read=EVALS, rejected=1, mode="quarantine", absent=("13912345678",)),
    # duplicates
    Case("duplicates_across_files", _duplicate_files, INVALID_INPUT, r"duplicate key",
         read=EVALS + 1000, rejected=1000),
    Case("duplicates_across_batches", _redownload, INVALID_INPUT, r"duplicate key",
         read=2 * EVALS, rejected=EVALS),
    # units, levels, dates, numbers
    Case("unknown_unit", _eval_cell("实施单位", "厦门市不存在局"), INVALID_INPUT,
         r"unit not in the registry", read=EVALS, rejected=1),
    Case("bad_level", _eval_cell("评价等级", "很好"), INVALID_INPUT, r"not a level", read=EVALS,
         rejected=1),
    Case("bad_datetime", _eval_cell("评价时间", "2022-13-45 10:00:00"), INVALID_INPUT,
         r"not a date-time", read=EVALS, rejected=1),
    Case("datetime_beyond_range", _eval_cell("评价时间", "0022-04-01 10:00:00"), INVALID_INPUT,
         r"not a date-time", read=EVALS, rejected=1),
    Case("implausible_date", _eval_cell("汇聚时间", "1970-01-01 00:00:00"), INVALID_INPUT,
         r"date outside the plausible range.*2000-01-01", read=EVALS, rejected=1),
    Case("out_of_period", _eval_cell("评价时间", "2021-05-01 10:00:00"), INVALID_INPUT,
         r"outside the quarter", read=EVALS, rejected=1),
    Case("score_too_large", _ledger_cell("第三方评估", "得分", "1e30"), INVALID_INPUT,
         r"outside the plausible range: 0–100", table="survey", read=60, rejected=1, run=True),
    Case("score_infinite", _ledger_cell("第三方评估", "得分", "inf"), INVALID_INPUT,
         r"not a finite number", table="survey", read=60, rejected=1, run=True),
    Case("score_negative", _ledger_cell("第三方评估", "得分", "-3"), INVALID_INPUT,
         r"outside the plausible range", table="survey", read=60, rejected=1),
    Case("count_negative", _commendation_count("-1"), INVALID_INPUT,
         r"outside the plausible range: 0–1000", table="commendations", read=53, rejected=1),
    Case("count_in_exponent_notation", _commendation_count("1e3"), INVALID_INPUT,
         r"not an integer", table="commendations", read=53, rejected=1),
    Case("count_fractional", _commendation_count("2.5"), INVALID_INPUT, r"not an integer",
         table="commendations", read=53, rejected=1),
    # ledger names and formats
    Case("ledger_named_台帐", _rename("差评核实台账.xlsx", "差评核实台帐.xlsx"), OK,
         r"结果 result: OK", table="bad_reviews", read=90),
    Case("ledger_named_表_redownload", _rename("表扬台账.xlsx", "表扬台账表（1）.xlsx"), OK,
         r"结果 result: OK", table="commendations", read=53),
    Case("ledger_saved_as_wps_et", _rename("红旗窗口.xlsx", "红旗窗口.et"), OK,
         r"结果 result: OK", table="red_flags", read=10),
    Case("ledger_saved_as_ods", _as_ods, OK, r"结果 result: OK", table="red_flags", read=10),
    Case("workbook_named_xls", _rename("红旗窗口.xlsx", "红旗窗口.xls"), OK, r"结果 result: OK",
         table="red_flags", read=10),
    Case("html_page_named_xls", _bytes("红旗窗口.xls", b"<html><body><table><tr><td>quarter</td>"
                                       b"</tr></table></body></html>", "红旗窗口.xlsx"),
         INVALID_INPUT, r"an HTML page saved under a workbook name", table="red_flags", read=0),
    Case("file_matching_no_table", _stray, OK, r"差评统计表\.xlsx.*matches no table"),
    Case("unsupported_format", _unsupported, OK, r"表扬台账\.numbers.*not a readable format"),
    # injection text, links, file names
    Case("control_characters_in_ledger", _control_text, OK, r"结果 result: OK",
         table="bad_reviews", read=90, absent=("\x1b", "\x07")),
    Case("link_out_of_the_data_folder", _link_out, INVALID_INPUT,
         r"link that leads outside the data folder", table="red_flags", read=0, run=True,
         absent=("secret-line",)),
    Case("escape_codes_in_file_name", _file_name("评价明细_\x1b[2J.csv"), INVALID_INPUT,
         r"评价明细_\\x1b\[2J\.csv", read=EVALS, rejected=1, absent=("\x1b",)),
    Case("newline_in_file_name", _file_name("评价明细_a\nb.csv"), INVALID_INPUT,
         r"评价明细_a\\nb\.csv", read=EVALS, rejected=1, absent=("_a\nb",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_bad_input(case: Case, workspace: Workspace) -> None:
    case.make(workspace.quarter_dir)
    before = workspace.state()
    report = workspace.root / "load.json"
    done = invoke("validate", QUARTER, "--data", workspace.data, "--mode", case.mode,
                  "--json", report, "--rejects", workspace.root / "rejects")
    if case.code == OK:
        assert done.code == OK, done.output
        assert workspace.state() == before
    else:
        workspace.assert_refused(done, case.code, case.message, before)
    assert _search(case.message, done.output), (case.message, done.output)
    for text in case.absent:
        assert text not in done.output and text not in report.read_text(encoding="utf-8")
    loaded = json.loads(report.read_text(encoding="utf-8"))
    for name, table in loaded["tables"].items():
        assert table["read"] == table["accepted"] + table["rejected"], name
    table = loaded["tables"][case.table]
    if case.read is not None:
        assert table["read"] == case.read, (case.kind, table)
    if case.rejected is not None:
        assert table["rejected"] == case.rejected, (case.kind, table)
    rejects = workspace.root / "rejects" / f"{case.table}_rejects.csv"
    for text in case.absent:
        assert not rejects.exists() or text not in rejects.read_text(encoding="utf-8-sig")
    if case.run:
        ran = workspace.run("--mode", case.mode)
        workspace.assert_refused(ran, case.code, case.message, before)
        for text in case.absent:
            assert text not in ran.output


def _search(pattern: str, text: str) -> bool:
    import re

    return re.search(pattern, text, re.S) is not None


def test_the_catalogue_covers_enough_kinds() -> None:
    assert len({c.kind for c in CASES}) == len(CASES) >= 25


def test_the_tiny_quarter_is_whole(tiny_data: Path) -> None:
    assert len(eval_rows(tiny_data / QUARTER)) - 1 == EVALS


def test_a_link_inside_the_folder_is_read(workspace: Workspace) -> None:
    folder = workspace.quarter_dir
    (folder / "红旗窗口.xlsx").rename(folder / ".红旗窗口-original.xlsx")
    os.symlink(".红旗窗口-original.xlsx", folder / "红旗窗口.xlsx")
    done = invoke("validate", QUARTER, "--data", workspace.data)
    assert done.code == OK, done.output


ONE_BAD_EVALUATION = [c for c in CASES if c.table == "evaluations" and c.rejected == 1
                      and c.mode == "strict"]


@pytest.mark.parametrize("case", ONE_BAD_EVALUATION, ids=[c.kind for c in ONE_BAD_EVALUATION])
def test_quarantine_sets_the_bad_row_aside(case: Case, workspace: Workspace) -> None:
    """The same inputs in quarantine mode: exit 0, the row in the rejects file with its reason."""
    case.make(workspace.quarter_dir)
    before = workspace.state()
    rejects = workspace.root / "rejects"
    report = workspace.root / "load.json"
    done = invoke("validate", QUARTER, "--data", workspace.data, "--mode", "quarantine",
                  "--json", report, "--rejects", rejects)
    assert done.code == OK, done.output
    assert "QUARANTINED — 1 rows set aside" in done.output
    assert workspace.state() == before
    table = json.loads(report.read_text(encoding="utf-8"))["tables"]["evaluations"]
    assert (table["read"], table["accepted"], table["rejected"]) == (EVALS, EVALS - 1, 1)
    set_aside = pd.read_csv(rejects / "evaluations_rejects.csv", dtype=str,
                            encoding="utf-8-sig", keep_default_na=False)
    assert len(set_aside) == 1 and _search(case.message, " ".join(set_aside.iloc[0]))
    assert (set_aside[["评价内容", "评价人", "联系方式"]] == "").all().all()
