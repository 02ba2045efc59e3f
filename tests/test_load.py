import json
import shutil

import pandas as pd
import pytest
from helpers import FIXTURES, eval_row, write_evals

from hcp_lib.contract import TABLES
from hcp_lib.load import (
    FileRecord,
    InputValidationError,
    LoadReport,
    empty_table,
    load_quarter,
)


def test_strict_raises_with_the_grouped_summary(config):
    with pytest.raises(InputValidationError) as exc:
        load_quarter(FIXTURES / "bad_2022Q2", "2022Q2", config, mode="strict")
    report = exc.value.report
    assert isinstance(report, LoadReport) and not report.ok
    assert str(exc.value) == report.summary_text()
    assert "评价明细_1.csv" in str(exc.value) and "行4" in str(exc.value)


def test_quarantine_returns_accepted_rows_and_counts(config):
    inputs = load_quarter(FIXTURES / "bad_2022Q2", "2022Q2", config, mode="quarantine")
    assert not inputs.report.ok
    assert inputs.report.mode == "quarantine"
    assert len(inputs.tables["evaluations"]) == inputs.report.tables["evaluations"].accepted == 3


def test_mode_defaults_to_the_configuration(config):
    with pytest.raises(InputValidationError):
        load_quarter(FIXTURES / "bad_2022Q2", "2022Q2", config)
    quarantine = config.model_copy(update={"input": config.input.model_copy(
        update={"default_mode": "quarantine"})})
    assert load_quarter(FIXTURES / "bad_2022Q2", "2022Q2", quarantine).report.mode == "quarantine"


def test_missing_optional_tables_give_empty_frames_with_columns(config, quarter_dir):
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1)])
    inputs = load_quarter(quarter_dir, "2022Q2", config, mode="strict")
    assert inputs.report.ok
    for name in ("survey", "stars", "red_flags", "commendations", "bad_reviews"):
        frame = inputs.tables[name]
        assert frame.empty
        wanted = [c.name for c in TABLES[name].columns if not c.personal]
        assert set(wanted) <= set(frame.columns), name
    assert "unit_name" in inputs.tables["survey"].columns
    assert inputs.tables["survey"]["score"].dtype == "float64"
    empty = empty_table("evaluations", "2022Q2", config)
    assert empty["evaluated_at"].dtype == "datetime64[ns]" and "comment" not in empty.columns


@pytest.mark.parametrize("mode", ["strict", "quarantine"])
def test_missing_evaluations_is_a_file_level_error(config, quarter_dir, mode):
    with pytest.raises(InputValidationError) as exc:
        load_quarter(quarter_dir, "2022Q2", config, mode=mode)
    problems = exc.value.report.tables["evaluations"].problems
    assert [p.kind for p in problems] == ["missing_table"]
    assert "评价明细" in str(exc.value)


def test_missing_folder_names_the_path(config, tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_quarter(tmp_path / "nowhere", "2022Q2", config)


def test_tables_argument_limits_what_is_loaded(config, quarter_dir):
    inputs = load_quarter(quarter_dir, "2022Q2", config, tables=["cases"])
    assert list(inputs.tables) == ["cases"]


def test_file_records_and_json_report(config, tmp_path):
    folder = tmp_path / "q"
    shutil.copytree(FIXTURES / "good_2022Q2", folder)
    inputs = load_quarter(folder, "2022Q2", config)
    files = inputs.report.tables["evaluations"].files
    assert all(isinstance(f, FileRecord) for f in files)
    assert [(f.sheet, f.rows) for f in files if f.path.endswith(".xlsx")] == [
        ("Sheet1", 3), ("Sheet2", 2)]
    assert {f.encoding for f in files if f.path.endswith(".csv")} == {"utf-8-sig", "gb18030"}
    assert all(len(f.sha256) == 64 for f in files)
    data = json.loads(json.dumps(inputs.report.to_dict(), ensure_ascii=False))
    assert data["ok"] is True and data["tables"]["evaluations"]["read"] == 20


def test_missing_required_column_rejects_that_files_rows_once(config, quarter_dir):
    header = ["评价编号", "办件编号", "事项编码", "事项名称", "实施单位", "行政区划代码", "评价渠道",
              "评价等级", "评价方式", "评价时间"]
    write_evals(quarter_dir / "评价明细_1.csv", [eval_row(1)])
    write_evals(quarter_dir / "评价明细_2.csv", [eval_row(2), eval_row(3)], header=header)
    inputs = load_quarter(quarter_dir, "2022Q2", config, mode="quarantine",
                          rejects_dir=quarter_dir / "rej")
    table = inputs.report.tables["evaluations"]
    assert (table.read, table.accepted, table.rejected) == (3, 1, 2)
    assert [(p.kind, p.file, p.detail) for p in table.problems] == [
        ("missing_column", "评价明细_2.csv", "汇聚时间")]
    rejects = pd.read_csv(quarter_dir / "rej" / "evaluations_rejects.csv", encoding="utf-8-sig")
    assert rejects["reasons"].str.contains("汇聚时间").all()


def test_stale_rejects_file_is_removed(config, quarter_dir):
    rejects = quarter_dir / "rej"
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1, level="?")])
    load_quarter(quarter_dir, "2022Q2", config, mode="quarantine", rejects_dir=rejects)
    assert (rejects / "evaluations_rejects.csv").exists()
    write_evals(quarter_dir / "评价明细.csv", [eval_row(1)])
    load_quarter(quarter_dir, "2022Q2", config, mode="quarantine", rejects_dir=rejects)
    assert not (rejects / "evaluations_rejects.csv").exists()
