import json
import shutil

import pytest
from catalogue import write_config
from helpers import FIXTURES

from hcp_lib.cli import main
from hcp_lib.exitcodes import INVALID_INPUT, OK, USAGE


@pytest.fixture
def quarters(tmp_path):
    """The fixture quarters under a root as --data takes it, and a configuration without the
    coverage gate (the fixtures hold a few days of records)."""
    for name in ("good", "bad"):
        shutil.copytree(FIXTURES / f"{name}_2022Q2", tmp_path / name / "2022Q2")
    write_config(tmp_path / "config.yaml", {"gates": {"coverage": "off"}})
    return tmp_path


def test_clean_quarter_exits_zero(quarters, capsys):
    assert main(["validate", "2022Q2", "--data", str(quarters / "good"),
                 "--config", str(quarters / "config.yaml")]) == OK
    out = capsys.readouterr().out
    assert "评价明细 evaluations" in out and "20" in out and "OK" in out


def test_the_quarter_folder_itself_means_its_parent(quarters, capsys):
    assert main(["validate", "2022Q2", "--data", str(quarters / "good" / "2022Q2"),
                 "--config", str(quarters / "config.yaml")]) == OK


def test_strict_with_rejects_exits_three(quarters, capsys):
    assert main(["validate", "2022Q2", "--data", str(quarters / "bad"),
                 "--mode", "strict"]) == INVALID_INPUT
    assert "不存在的单位" in capsys.readouterr().out


def test_quarantine_writes_rejects_and_json_and_applies_the_ceiling(quarters, tmp_path, capsys):
    report = tmp_path / "report.json"
    code = main(["validate", "2022Q2", "--data", str(quarters / "bad"), "--mode",
                 "quarantine", "--rejects", str(tmp_path / "rej"), "--json", str(report),
                 "--config", str(quarters / "config.yaml")])
    assert code == INVALID_INPUT  # far more than gates.max_rejected_share set aside
    out = capsys.readouterr().out
    assert "max_rejected_share" in out and "10" in out
    assert (tmp_path / "rej" / "evaluations_rejects.csv").exists()
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["tables"]["evaluations"]["rejected"] == 10
    assert data["gates"]["failures"]


def test_default_data_folder_and_missing_paths(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "2022Q2"]) == USAGE
    assert "data/raw" in capsys.readouterr().err
    shutil.copytree(FIXTURES / "good_2022Q2", tmp_path / "data" / "raw" / "2022Q2")
    write_config(tmp_path / "config.yaml", {"gates": {"coverage": "off"}})
    assert main(["validate", "2022Q2", "--config", "config.yaml"]) == OK
    assert main(["validate", "2022Q2", "--config", "missing.yaml"]) == USAGE
    assert "missing.yaml" in capsys.readouterr().err
    assert main(["validate", "2022X9"]) == USAGE
