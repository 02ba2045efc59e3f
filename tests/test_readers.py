import codecs
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcp_lib.contract import CASES, EVALUATIONS
from hcp_lib.readers import (
    detect_encoding,
    find_files,
    map_headers,
    read_file,
    read_table,
)

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good_2022Q2"


def test_encodings_are_detected(tmp_path):
    text = "评价编号,实施单位\n001,厦门市公安局\n"
    cases = {"utf-8": text.encode("utf-8"), "utf-8-sig": codecs.BOM_UTF8 + text.encode("utf-8"),
             "gb18030": text.encode("gb18030")}
    for expected, data in cases.items():
        path = tmp_path / f"{expected}.csv"
        path.write_bytes(data)
        assert detect_encoding(path) == expected


def test_multibyte_character_cut_at_sample_end_is_still_utf8(tmp_path):
    data = ("a" * 9 + "厦门").encode("utf-8")  # 厦 spans bytes 9-11
    path = tmp_path / "cut.csv"
    path.write_bytes(data)
    assert detect_encoding(path, sample=10) == "utf-8"
    assert detect_encoding(path) == "utf-8"
    path.write_bytes(("a" * 9 + "厦门").encode("gb18030"))
    assert detect_encoding(path) == "gb18030"


def test_committed_fixtures_cover_each_encoding():
    assert detect_encoding(GOOD / "评价明细_1.csv") == "utf-8-sig"
    assert detect_encoding(GOOD / "评价明细_2.csv") == "gb18030"
    assert detect_encoding(GOOD / "办件明细.csv") == "utf-8"


def test_files_found_by_chinese_or_english_prefix(tmp_path):
    for name in ["评价明细_1.csv", "评价明细.xlsx", "evaluations-part2.parquet", "评价明细表说明.txt",
                 "~$评价明细.xlsx", "办件明细.csv", "evaluationsX.csv", "评价明细_2.docx"]:
        (tmp_path / name).write_bytes(b"")
    found = [p.name for p in find_files(tmp_path, EVALUATIONS)]
    assert found == ["evaluations-part2.parquet", "评价明细.xlsx", "评价明细_1.csv"]
    assert [p.name for p in find_files(tmp_path, CASES)] == ["办件明细.csv"]


def test_split_files_sort_naturally(tmp_path):
    for n in (10, 2, 1):
        (tmp_path / f"评价明细_{n}.csv").write_bytes(b"")
    assert [p.name for p in find_files(tmp_path, EVALUATIONS)] == [
        "评价明细_1.csv", "评价明细_2.csv", "评价明细_10.csv"]


def test_headers_map_by_chinese_english_or_alias():
    mapping = map_headers(["评价编号", "projectNo", "unit", " 评价 等级 ", "备注", "评价内容"], EVALUATIONS)
    assert mapping.keep == {0: "eval_id", 1: "case_id", 2: "unit", 3: "level"}
    assert mapping.unknown == ("备注",)
    assert "evaluated_at" in mapping.missing and "comment" not in mapping.missing


def test_csv_keeps_leading_zeros_and_row_numbers():
    (sheet,) = read_file(GOOD / "评价明细_2.csv", EVALUATIONS)
    frame = sheet.data.to_pandas()
    assert sheet.encoding == "gb18030"
    assert frame["eval_id"].tolist()[:2] == ["000006", "000007"]
    assert frame["case_id"].iloc[0] == "00000006"
    assert frame["unit"].iloc[0] == "厦门市市场监督管理局"
    assert frame["_row"].tolist() == [2, 3, 4, 5, 6]
    assert "comment" not in frame.columns  # personal, optional: never held


def test_xlsx_reads_every_sheet_with_dates_and_serials():
    sheets = read_file(GOOD / "评价明细_3.xlsx", EVALUATIONS)
    assert [s.sheet for s in sheets] == ["Sheet1", "Sheet2"]
    first = sheets[0].data.to_pandas()
    assert first["_row"].tolist() == [2, 3, 4]
    assert first["eval_id"].iloc[0] == "000011"
    assert first["evaluated_at"].iloc[0] == "2022-05-11 09:30:00"  # a date cell
    assert first["pushed_at"].iloc[0] == "2022-05-12 12:00:00"  # an Excel serial number
    assert sheets[1].rows == 2


def test_parquet_reads_aliases_and_timestamps():
    (sheet,) = read_file(GOOD / "evaluations-part4.parquet", EVALUATIONS)
    frame = sheet.data.to_pandas()
    # Typed in Parquet, typed here (to the second): printed, it is what a CSV would say.
    assert sheet.data.schema.field("evaluated_at").type == pa.timestamp("s")
    assert str(frame["evaluated_at"].iloc[0]) == "2022-05-17 10:16:00"
    assert frame["unit"].iloc[0] == "厦门市住房公积金中心"
    assert frame["_row"].iloc[0] == 1


def test_table_split_over_files_and_formats_stacks_with_sources():
    raw = read_table(GOOD, EVALUATIONS)
    assert len(raw.frame) == 20
    assert sorted(set(raw.frame["_file"])) == sorted(
        ["评价明细_1.csv", "评价明细_2.csv", "评价明细_3.xlsx", "evaluations-part4.parquet"])
    xlsx = raw.frame[raw.frame["_file"] == "评价明细_3.xlsx"]
    assert set(xlsx["_sheet"]) == {"Sheet1", "Sheet2"}
    assert raw.frame["eval_id"].is_unique


def test_a_ragged_line_is_a_broken_row_of_its_file_not_a_lost_file(tmp_path):
    (tmp_path / "评价明细.csv").write_text("评价编号,实施单位\n1,a\n2,b,13812345678\n3,c\n",
                                           encoding="utf-8")
    raw = read_table(tmp_path, EVALUATIONS)
    assert raw.errors == []
    assert list(raw.frame["eval_id"][~raw.broken]) == ["1", "3"]
    assert list(raw.frame["_row"]) == [2, 4, 3]
    assert raw.broken.tolist() == [False, False, True]
    assert raw.broken_detail[2] == "expected 2 fields, found 3"


@pytest.mark.parametrize("quoted", [True, False])
def test_empty_cells_are_missing(tmp_path, quoted):
    cell = '""' if quoted else ""
    (tmp_path / "办件明细.csv").write_text(f"办件编号,办理地点\n001,{cell}\n002,  \n", encoding="utf-8")
    raw = read_table(tmp_path, CASES)
    assert raw.frame["place"].isna().all()
    assert pd.api.types.is_string_dtype(raw.frame["case_id"])


def test_xlsx_row_numbers_count_blank_rows(tmp_path):
    import xlsxwriter

    path = tmp_path / "办件明细.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("第一页")
    sheet.write_row(2, 1, ["办件编号", "实施单位"])  # header on Excel row 3, from column B
    sheet.write_row(3, 1, ["007", "市人社局"])
    sheet.write_row(5, 1, [12345.0, "市公安局"])  # a number cell; row 5 left blank
    book.add_worksheet("空白")  # an empty sheet is skipped
    book.close()
    (sheet_data,) = read_file(path, CASES)
    frame = sheet_data.data.to_pandas()
    assert sheet_data.sheet == "第一页"
    assert frame["_row"].tolist() == [4, 6]
    assert frame["case_id"].tolist() == ["007", "12345"]


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="厦门市政务服务好差评abc,\n123", min_size=1, max_size=80),
       cut=st.integers(min_value=1, max_value=200))
def test_utf8_is_never_mistaken_for_gb18030_wherever_the_sample_ends(tmp_path_factory, text, cut):
    path = tmp_path_factory.mktemp("enc") / "x.csv"
    path.write_bytes(text.encode("utf-8"))
    assert detect_encoding(path, sample=cut) == "utf-8"
    if any(ord(ch) > 127 for ch in text):
        path.write_bytes(text.encode("gb18030"))
        assert detect_encoding(path) == "gb18030"
