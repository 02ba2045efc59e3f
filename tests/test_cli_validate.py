import json
import shutil

from helpers import FIXTURES

from hcp_lib.cli import main
from hcp_lib.exitcodes import ERROR, INVALID_INPUT, OK


def test_clean_quarter_exits_zero(capsys):
    assert main(["validate", "2022Q2", "--data", str(FIXTURES / "good_2022Q2")]) == OK
    out = capsys.readouterr().out
    assert "评价明细 evaluations" in out and "20" in out and "OK" in out


def test_strict_with_rejects_exits_three(capsys):
    assert main(["validate", "2022Q2", "--data", str(FIXTURES / "bad_2022Q2"),
                 "--mode", "strict"]) == INVALID_INPUT
    assert "不存在的单位" in capsys.readouterr().out


def test_quarantine_exits_zero_and_writes_rejects_and_json(tmp_path, capsys):
    report = tmp_path / "report.json"
    code = main(["validate", "2022Q2", "--data", str(FIXTURES / "bad_2022Q2"), "--mode",
                 "quarantine", "--rejects", str(tmp_path / "rej"), "--json", str(report)])
    assert code == OK
    assert (tmp_path / "rej" / "evaluations_rejects.csv").exists()
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["tables"]["evaluations"]["rejected"] == 10
    assert "10" in capsys.readouterr().out


def test_default_data_folder_and_missing_paths(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "2022Q2"]) == ERROR
    assert "data/raw/2022Q2" in capsys.readouterr().err
    shutil.copytree(FIXTURES / "good_2022Q2", tmp_path / "data" / "raw" / "2022Q2")
    assert main(["validate", "2022Q2"]) == OK
    assert main(["validate", "2022Q2", "--config", "missing.yaml"]) == ERROR
    assert "missing.yaml" in capsys.readouterr().err
    assert main(["validate", "2022X9"]) == ERROR
