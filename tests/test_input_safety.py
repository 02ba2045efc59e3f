"""Reading inputs safely: masks, escapes, names people use, headers where people put them."""

from __future__ import annotations

import pytest

from hcp_lib.contract import BAD_REVIEWS, EVALUATIONS, TABLES
from hcp_lib.masking import printable, redact
from hcp_lib.problems import Example, Problem
from hcp_lib.readers import ReadError, find_header, name_matches, read_table


def test_redact_masks_mobiles_and_id_numbers_but_not_short_codes():
    text = redact("王 13812345678, 35020319900101123X, 单位 350200, 编号 000030000182")
    assert "13812345678" not in text and "138****5678" in text
    assert "35020319900101123X" not in text and text.count("*") >= 4 + 11
    assert "350200" in text and "000030000182" in text


def test_printable_escapes_terminal_codes_and_line_breaks():
    assert printable("a\x1b[2Jb\nc\u202ed") == "a\\x1b[2Jb\\nc\\u202ed"
    assert printable("评价明细_1.csv") == "评价明细_1.csv"


def test_a_problem_masks_what_it_carries_in_every_form():
    p = Problem("evaluations", "f\x1b.csv", None, "评价编号", "bad_level", "error", 1,
                [Example(2, "13812345678")], "call 13912345678")
    for text in (p.line(), str(p.to_dict())):
        assert "13812345678" not in text and "13912345678" not in text
    assert "\x1b" not in p.line()


@pytest.mark.parametrize("name, table", [
    ("差评核实台帐.xlsx", "bad_reviews"), ("差评核实台账表.xls", "bad_reviews"),
    ("差评核实台账(1).et", "bad_reviews"), ("表扬台帐表（2）.ods", "commendations"),
    ("评价明细_3.xlsb", "evaluations"), ("EVALUATIONS-part2.parquet", "evaluations"),
])
def test_names_people_use_match_their_table(name, table):
    assert [t for t in TABLES if name_matches(name, TABLES[t])] == [table]


def test_a_name_that_only_starts_alike_is_not_matched():
    assert not name_matches("评价明细汇总说明.docx", EVALUATIONS)


HEADER = [c.header for c in BAD_REVIEWS.columns]


def test_the_header_below_a_title_is_found_and_named():
    layout = find_header([["2022年第二季度差评核实台账"], HEADER, ["1", "属实"]], BAD_REVIEWS,
                         None, "x.csv")
    assert layout.header == HEADER and layout.data_from == 2
    assert layout.notes[0][0] == "title_row" and "row 2" in layout.notes[0][1]


def test_a_continuation_borrows_the_first_header_only_when_as_wide():
    record = ["000030000182", "属实", "", "2022-04-04 04:15:12", "13812345678", ""]
    layout = find_header([record], BAD_REVIEWS, HEADER, "x.csv")
    assert layout.header == HEADER and layout.data_from == 0
    with pytest.raises(ReadError) as refused:
        find_header([record[:5]], BAD_REVIEWS, HEADER, "x.csv")
    assert "no header row" in str(refused.value) and "13812345678" not in str(refused.value)
    with pytest.raises(ReadError, match="no header row"):
        find_header([record], BAD_REVIEWS, None, "x.csv")


def test_control_characters_leave_ledger_text_and_few_valued_columns(tmp_path):
    (tmp_path / "差评核实台账.csv").write_text(
        "评价编号,核实结果,核实时间,整改情况\n1,属实,2022-04-04 04:15:12,已\x1b[31m整改\x07\n",
        encoding="utf-8")
    raw = read_table(tmp_path, BAD_REVIEWS)
    assert raw.frame["rectification"].tolist() == ["已[31m整改"]
    (tmp_path / "评价明细.csv").write_text("评价编号,事项名称\n1,登记\x1b\n2,登记\n",
                                           encoding="utf-8")
    names = read_table(tmp_path, EVALUATIONS).frame["item_name"]
    assert set(names) == {"登记"}


def test_utf16_is_read_and_a_binary_file_is_refused(tmp_path):
    (tmp_path / "差评核实台账.csv").write_text("评价编号,核实结果\n1,属实\n", encoding="utf-16")
    assert read_table(tmp_path, BAD_REVIEWS).frame["verdict"].tolist() == ["属实"]
    (tmp_path / "差评核实台账.csv").write_bytes(b"\x00\x01\x02abc")
    (name, message), = read_table(tmp_path, BAD_REVIEWS).errors
    assert "not a text file" in message
