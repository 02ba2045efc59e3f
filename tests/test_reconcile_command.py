"""`hcp reconcile` argument handling and exit codes, over a stand-in pipeline (the real one: test_backtest)."""

import sys
import types
from dataclasses import replace
from pathlib import Path

import pytest

from hcp_lib.cli import main
from hcp_lib.config import load_config
from hcp_lib.exitcodes import ERROR, OK, RECONCILE_MISMATCH
from tests.bulletin_factory import published_2022q2


@pytest.fixture
def pipeline(monkeypatch):
    """Stand in for hcp_lib.pipeline; records the call and returns the bulletin set on it."""
    module = types.ModuleType("hcp_lib.pipeline")
    module.calls = []
    module.bulletin = published_2022q2(load_config())

    def build_bulletin(quarter, data_dir, config, issue_date=None, cache_dir=None):
        module.calls.append((quarter, Path(data_dir), issue_date))
        return module.bulletin

    module.build_bulletin = build_bulletin
    monkeypatch.setitem(sys.modules, "hcp_lib.pipeline", module)
    return module


def test_reconcile_ok(pipeline, capsys, tmp_path):
    (tmp_path / "2022Q2").mkdir()
    assert main(["reconcile", "2022Q2", "--data", str(tmp_path)]) == OK
    out = capsys.readouterr().out
    assert "项目" in out and "已知差异" in out and "OK" in out
    quarter, data_dir, issue_date = pipeline.calls[0]
    assert (quarter, data_dir, str(issue_date)) == ("2022Q2", tmp_path, "2022-07-26")


def test_reconcile_mismatch_exit_code(pipeline, capsys, tmp_path):
    (tmp_path / "2022Q2").mkdir()
    ev = pipeline.bulletin.evaluations
    pipeline.bulletin = replace(pipeline.bulletin, evaluations=replace(ev, active=ev.active - 1))
    assert main(["reconcile", "2022Q2", "--data", str(tmp_path)]) == RECONCILE_MISMATCH
    assert "mismatch: evaluations.active" in capsys.readouterr().out


def test_missing_published_file(pipeline, capsys, tmp_path):
    assert main(["reconcile", "2022Q2", "--published", str(tmp_path / "none.yaml")]) == ERROR
    assert "does not exist" in capsys.readouterr().err
    assert main(["reconcile", "2019Q1"]) == ERROR
    assert pipeline.calls == []
