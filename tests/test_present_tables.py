import pytest
from present_fixtures import make_bulletin
from python_calamine import CalamineWorkbook

from hcp_lib.config import load_config
from hcp_lib.present.html import table_html
from hcp_lib.present.tables import TABLES, all_tables, region_table
from hcp_lib.present.workbook import write_workbook


@pytest.fixture(scope="module")
def tables():
    return all_tables(make_bulletin(), load_config())


def test_region_table_has_the_bulletins_columns():
    df = region_table(make_bulletin(), load_config())
    top = list(dict.fromkeys(c[0] for c in df.columns))
    assert top == ["县（市、区）", "总评价数", "用户评价", "非常不满意", "不满意", "基本满意", "满意", "非常满意"]
    assert [c[1] for c in df.columns[3:5]] == ["评价数", "百分比"]
    first = df.iloc[0].tolist()
    assert first[:3] == ["厦门市直", 1063749, 1030300]
    assert first[-2:] == [1063461, "99.96%"]


def test_every_table_has_chinese_headers(tables):
    assert list(tables) == list(TABLES)
    for df in tables.values():
        for col in df.columns:
            label = col[0] if isinstance(col, tuple) else col
            assert any("\u4e00" <= ch <= "\u9fff" for ch in label), label


def test_region_table_html_merges_headers():
    html = table_html(region_table(make_bulletin(), load_config()))
    assert '<th rowspan="2">县（市、区）</th>' in html
    assert '<th colspan="2">非常满意</th>' in html


def test_workbook_opens_with_chinese_sheets_and_merged_header(tables, tmp_path):
    path = write_workbook(tables, tmp_path / "tables-2022Q2.xlsx")
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["说明", *TABLES]
    sheet = book.get_sheet_by_name("区域评价情况")
    rows = sheet.to_python()
    assert rows[0][:4] == ["县（市、区）", "总评价数", "用户评价", "非常不满意"]
    assert rows[1][3:5] == ["评价数", "百分比"]
    assert rows[2][0] == "厦门市直" and rows[2][1] == 1063749
    merged = sheet.merged_cell_ranges
    assert ((0, 0), (1, 0)) in merged  # 县（市、区） spans both header rows
    assert ((0, 3), (0, 4)) in merged  # 非常不满意 spans 评价数 and 百分比
    assert book.get_sheet_by_name("服务之星").to_python()[0] == ["姓名", "单位", "获评次数"]
