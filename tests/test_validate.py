import pandas as pd
import pytest
from helpers import FIXTURES, SECRET, eval_row, write_evals

from hcp_lib.contract import LEVELS
from hcp_lib.load import InputValidationError, load_quarter

BAD = FIXTURES / "bad_2022Q2"


def _load(folder, config, **kw):
    kw.setdefault("mode", "quarantine")
    return load_quarter(folder, "2022Q2", config, **kw)


@pytest.fixture(scope="module")
def bad(config, tmp_path_factory):
    rejects = tmp_path_factory.mktemp("rejects")
    inputs = load_quarter(BAD, "2022Q2", config, mode="quarantine", rejects_dir=rejects)
    return inputs, rejects


def _kinds(report, table="evaluations"):
    return {(p.column, p.kind): p for p in report.tables[table].problems}


def test_good_fixtures_load_clean_and_typed(config):
    inputs = load_quarter(FIXTURES / "good_2022Q2", "2022Q2", config, mode="strict")
    assert inputs.report.ok
    ev = inputs.tables["evaluations"]
    assert len(ev) == 20
    assert list(ev["level"].cat.categories) == list(LEVELS)
    assert ev["evaluated_at"].dtype == "datetime64[ns]"
    assert ev["eval_id"].str.len().eq(6).all()  # leading zeros kept
    assert set(ev["unit"]) <= set(config.registry.units)
    assert "厦门市市场监督管理局" in set(ev["unit_name"]) and "市市场监管局" in set(ev["unit"])
    assert set(ev["region_code"]) == {"350200", "350203"}  # 12-digit codes normalised
    assert set(ev["channel"]) <= set(config.input.channels)
    # descending codes: 5 = 非常满意, 4 = 满意
    row6 = ev.loc[ev["eval_id"] == "000006"].iloc[0]
    assert row6["level"] == "满意"
    survey = inputs.tables["survey"]
    assert survey["quarter"].tolist() == ["2022Q2"] * 3
    assert survey["score"].tolist() == [95.5, 92.0, 90.25]
    assert inputs.tables["stars"]["month"].tolist() == ["2022-04", "2022-05"]
    assert inputs.tables["commendations"]["count"].tolist()[0] == 1


def test_every_fault_kind_is_found_once_on_its_row(bad):
    inputs, _ = bad
    kinds = _kinds(inputs.report)
    expected = {
        ("评价等级", "bad_level"): (4, "非常好"),
        ("实施单位", "unknown_unit"): (5, "不存在的单位"),
        ("评价时间", "bad_datetime"): (6, "2022-13-45 10:00:00"),
        ("评价时间", "out_of_period"): (7, "2022-03-31 23:59:59"),
        ("评价方式", "bad_enum"): (8, "随便评价"),
        ("行政区划代码", "bad_region"): (9, "35020"),
        ("评价编号", "empty"): (10, None),
        ("评价渠道", "bad_vocabulary"): (11, "99"),
        ("评价编号", "duplicate_key"): (2, "000002"),
    }
    for key, (row, value) in expected.items():
        problem = kinds[key]
        assert problem.count == 1, key
        assert (problem.examples[0].row, problem.examples[0].value) == (row, value), key
    assert kinds[("评价编号", "duplicate_key")].file == "评价明细_2.csv"
    missing = kinds[(None, "missing_column")]
    assert missing.file == "评价明细_3.csv" and "评价时间" in missing.detail


def test_read_equals_accepted_plus_rejected(bad):
    inputs, _ = bad
    for t in inputs.report.tables.values():
        assert t.read == t.accepted + t.rejected
    ev = inputs.report.tables["evaluations"]
    assert (ev.read, ev.accepted, ev.rejected) == (13, 3, 10)
    assert len(inputs.tables["evaluations"]) == 3


def test_rejects_file_names_rows_and_reasons_without_personal_data(bad):
    inputs, rejects = bad
    path = rejects / "evaluations_rejects.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns[:4]) == ["file", "sheet", "row", "reasons"]
    assert len(frame) == 10
    unit_row = frame[frame["row"] == "5"].iloc[0]
    assert "不存在的单位" in unit_row["reasons"] and unit_row["file"] == "评价明细_1.csv"
    for header in ("评价内容", "评价人", "联系方式"):
        assert (frame[header] == "").all()
    text = path.read_text(encoding="utf-8-sig")
    assert "服务很好" not in text and "13912345678" not in text and "张" not in text.split("\n")[1]
    assert (rejects / "red_flags_rejects.csv").exists()
    assert not (rejects / "cases_rejects.csv").exists()


def test_personal_columns_never_reach_outputs(bad, config, quarter_dir):
    inputs, _ = bad
    for frame in inputs.tables.values():
        assert not {"comment", "rater", "contact"} & set(frame.columns)
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1), eval_row(2, level="好")])
    loaded = _load(quarter_dir, config, rejects_dir=quarter_dir / "rej")
    dump = str(loaded.report.to_dict()) + loaded.report.summary_text()
    dump += (quarter_dir / "rej" / "evaluations_rejects.csv").read_text(encoding="utf-8-sig")
    assert SECRET not in dump and "13912345678" not in dump and "张三丰" not in dump


def test_ascending_level_codes(config, quarter_dir):
    ascending = config.model_copy(update={"input": config.input.model_copy(
        update={"level_codes": "ascending"})})
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1, level="1"), eval_row(2, level="5"),
                                               eval_row(3, level="基本满意")])
    ev = _load(quarter_dir, ascending).tables["evaluations"]
    assert ev["level"].tolist() == ["非常满意", "非常不满意", "基本满意"]
    ev = _load(quarter_dir, config).tables["evaluations"]
    assert ev["level"].tolist() == ["非常不满意", "非常满意", "基本满意"]


def test_bad_level_code(config, quarter_dir):
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1, level="6"), eval_row(2, level="0")])
    report = _load(quarter_dir, config).report
    problem = _kinds(report)[("评价等级", "bad_level")]
    assert problem.count == 2 and [e.value for e in problem.examples] == ["6", "0"]


def test_datetime_formats_accepted(config, quarter_dir):
    times = ["2022-05-01 10:00:00", "2022/05/01 10:00", "20220501T100000"]
    write_evals(quarter_dir / "评价明细.csv",
                [eval_row(i, evaluated_at=t) for i, t in enumerate(times, start=1)])
    inputs = _load(quarter_dir, config, mode="strict")
    assert (inputs.tables["evaluations"]["evaluated_at"] == pd.Timestamp("2022-05-01 10:00")).all()


def test_period_bounds_are_half_open(config, quarter_dir):
    write_evals(quarter_dir / "评价明细.csv", [
        eval_row(1, evaluated_at="2022-04-01 00:00:00"),
        eval_row(2, evaluated_at="2022-06-30 23:59:59"),
        eval_row(3, evaluated_at="2022-07-01 00:00:00"),
    ])
    inputs = _load(quarter_dir, config)
    assert inputs.tables["evaluations"]["eval_id"].tolist() == ["000001", "000002"]
    assert _kinds(inputs.report)[("评价时间", "out_of_period")].examples[0].row == 4


def test_region_codes(config, quarter_dir):
    write_evals(quarter_dir / "评价明细.csv", [
        eval_row(1, region_code="350203000000"), eval_row(2, region_code="350203"),
        eval_row(3, region_code="350203000001"), eval_row(4, region_code="35020A"),
    ])
    inputs = _load(quarter_dir, config)
    assert inputs.tables["evaluations"]["region_code"].tolist() == ["350203", "350203"]
    assert _kinds(inputs.report)[("行政区划代码", "bad_region")].count == 2


def test_duplicate_ids_across_files_keep_the_first(config, quarter_dir):
    write_evals(quarter_dir / "评价明细_1.csv", [eval_row(1), eval_row(2)])
    write_evals(quarter_dir / "评价明细_2.csv", [eval_row(2), eval_row(3), eval_row(2)], "gb18030")
    inputs = _load(quarter_dir, config)
    ev = inputs.tables["evaluations"]
    assert ev["eval_id"].tolist() == ["000001", "000002", "000003"]
    assert ev.loc[1, "_file"] == "评价明细_1.csv"
    dup = _kinds(inputs.report)[("评价编号", "duplicate_key")]
    assert dup.count == 2 and [e.row for e in dup.examples] == [2, 4]


def test_unknown_unit_names_the_value(config, quarter_dir):
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1, unit="厦门市火星局")])
    with pytest.raises(InputValidationError) as exc:
        _load(quarter_dir, config, mode="strict")
    assert "厦门市火星局" in str(exc.value) and "评价明细.csv" in str(exc.value)


def test_empty_required_value_vs_empty_optional(config, quarter_dir):
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1, comment="", rater=""),
                                               eval_row(2, pushed_at="")])
    inputs = _load(quarter_dir, config)
    assert inputs.tables["evaluations"]["eval_id"].tolist() == ["000001"]
    assert _kinds(inputs.report)[("汇聚时间", "empty")].examples[0].row == 3


def test_a_row_with_several_faults_has_each_reason(config, quarter_dir):
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1, level="x", mode="y", unit="z")])
    inputs = _load(quarter_dir, config, rejects_dir=quarter_dir / "rej")
    frame = pd.read_csv(quarter_dir / "rej" / "evaluations_rejects.csv", dtype=str,
                        encoding="utf-8-sig")
    assert frame["reasons"].iloc[0].count(";") == 2
    assert inputs.report.tables["evaluations"].rejected == 1


def test_summary_stays_short_for_ten_thousand_bad_rows(config, quarter_dir):
    rows = [eval_row(i, level="坏", evaluated_at="not a time") for i in range(1, 10_001)]
    write_evals(quarter_dir / "评价明细.csv", rows)
    inputs = _load(quarter_dir, config)
    table = inputs.report.tables["evaluations"]
    assert table.rejected == 10_000 and table.accepted == 0
    assert len(table.problems) == 2
    assert all(p.count == 10_000 and len(p.examples) == 5 for p in table.problems)
    assert len(inputs.report.summary_text().splitlines()) < 25


def test_wrong_quarter_in_survey(config, quarter_dir):
    (quarter_dir / "第三方评估.csv").write_text(
        "季度,单位,类别,得分\n2022年第二季度,市人社局,窗口单位,95\n2022Q3,市公安局,窗口单位,90\n"
        "2022Q2,市公安局,窗口单位,九十\n", encoding="utf-8")
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1)])
    inputs = _load(quarter_dir, config)
    kinds = _kinds(inputs.report, "survey")
    assert kinds[("季度", "wrong_quarter")].examples[0].value == "2022Q3"
    assert kinds[("得分", "bad_float")].examples[0].value == "九十"
    assert inputs.tables["survey"]["unit"].tolist() == ["市人社局"]


def test_bad_review_for_unknown_evaluation_is_only_a_warning(bad):
    inputs, _ = bad
    problems = inputs.report.tables["bad_reviews"].problems
    assert [(p.kind, p.severity, p.examples[0].value) for p in problems] == [
        ("unknown_eval_id", "warning", "999999")]
    assert inputs.report.tables["bad_reviews"].rejected == 0
    assert len(inputs.tables["bad_reviews"]) == 2


def test_bad_month_and_bad_integer(config, quarter_dir):
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1)])
    (quarter_dir / "服务之星.csv").write_text(
        "月份,姓名,单位\n2022-04,李明,市人社局\n2022年5月,王芳,市公安局\n2022-13,赵六,市公安局\n",
        encoding="utf-8")
    (quarter_dir / "表扬台账.csv").write_text(
        "月份,单位,类型,数量\n2022-04,市人社局,锦旗,2\n2022-05,市人社局,锦旗,两面\n"
        "2022-05,市人社局,奖杯,1\n", encoding="utf-8")
    inputs = _load(quarter_dir, config)
    assert inputs.tables["stars"]["month"].tolist() == ["2022-04", "2022-05"]
    assert _kinds(inputs.report, "stars")[("月份", "bad_month")].examples[0].value == "2022-13"
    kinds = _kinds(inputs.report, "commendations")
    assert kinds[("数量", "bad_int")].examples[0].value == "两面"
    assert kinds[("类型", "bad_enum")].examples[0].value == "奖杯"
    assert inputs.tables["commendations"]["count"].tolist() == [2]


def test_unrecognised_header_is_a_warning_and_unreadable_file_an_error(config, quarter_dir):
    write_evals(quarter_dir / "评价明细_1.csv", [eval_row(1)])
    text = (quarter_dir / "评价明细_1.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    (quarter_dir / "评价明细_1.csv").write_text(
        "\n".join([lines[0] + ",备注", lines[1] + ",x"]) + "\n", encoding="utf-8")
    (quarter_dir / "评价明细_2.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(InputValidationError) as refused:  # quarantine cannot count its rows
        _load(quarter_dir, config)
    report = refused.value.report
    problems = report.tables["evaluations"].problems
    assert {(p.kind, p.severity) for p in problems} == {("unknown_column", "warning"),
                                                        ("unreadable", "error")}
    assert any(p.file == "评价明细_2.xlsx" and "not a readable workbook" in p.detail for p in problems)
    assert report.tables["evaluations"].read == 1
    assert not report.ok


def test_rejected_values_leave_no_empty_categories(config, quarter_dir):
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1), eval_row(2, unit="不存在的单位"),
                                               eval_row(3, level="?")])
    ev = _load(quarter_dir, config).tables["evaluations"]
    assert list(ev["unit_name"].cat.categories) == ["厦门市市场监督管理局"]
    assert list(ev["level"].cat.categories) == list(LEVELS)  # all five levels always
