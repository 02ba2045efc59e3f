"""`hcp run` against the pipeline's interface, with a stand-in pipeline module."""

import json
import sys
import types

import nbformat
import pytest
from catalogue import write_config
from helpers import FIXTURES
from nbformat.v4 import new_code_cell, new_notebook
from present_fixtures import make_bulletin

from hcp_lib.exitcodes import INVALID_INPUT, OK
from hcp_lib.load import load_quarter
from hcp_lib.run import check_options, main_run


def _pipeline(monkeypatch, build):
    """A stand-in ``pipeline.compute`` over ``build`` (returning bulletin, reports, timings)."""
    module = types.ModuleType("hcp_lib.pipeline")

    def compute(quarter, data_dir, config, *, before_compute=None, rejects_dir=None,
                trend_rows=False, **kwargs):
        bulletin, reports, timings = build(quarter, data_dir, config, **kwargs)
        if before_compute is not None:
            before_compute(reports, {})
        return types.SimpleNamespace(bulletin=bulletin, reports=reports, timings=timings,
                                     coverage={})

    module.compute = compute
    monkeypatch.setitem(sys.modules, "hcp_lib.pipeline", module)


@pytest.fixture
def no_gates(tmp_path):
    """A configuration without the completeness gates and plausibility checks (the stand-in
    pipeline reads a few fixture rows)."""
    return write_config(tmp_path / "config.yaml", {
        "gates": {"coverage": "off", "required_tables": []},
        "plausibility": {"level_direction": {"enabled": False}, "volume": {"enabled": False}}})


def test_invalid_inputs_exit_3_with_the_grouped_summary(monkeypatch, tmp_path, capsys):
    (tmp_path / "data" / "2022Q2").mkdir(parents=True)
    def build(*args, **kwargs):  # the real loader, on the committed bad fixtures
        load_quarter(FIXTURES / "bad_2022Q2", "2022Q2")

    _pipeline(monkeypatch, build)
    out = tmp_path / "reports" / "2022Q2"
    opts = check_options("2022Q2", data_dir=tmp_path / "data", out_dir=out)
    assert main_run(opts) == INVALID_INPUT
    err = capsys.readouterr().err
    assert "时间格式无法识别" in err
    assert not out.exists()
    assert (out.with_name("2022Q2.failed") / "run.log").is_file()


def test_manifest_lists_inputs_from_the_load_reports(monkeypatch, tmp_path, no_gates):
    (tmp_path / "data" / "2022Q2").mkdir(parents=True)
    calls = {}

    def build(quarter, data_dir, config, *, issue_date=None, mode="strict", cache_dir=None):
        calls.update(quarter=quarter, mode=mode, issue_date=issue_date)
        report = load_quarter(FIXTURES / "good_2022Q2", "2022Q2").report
        return make_bulletin(), [report], {"load": 0.5}

    _pipeline(monkeypatch, build)
    nb = tmp_path / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[
        new_code_cell('quarter = "2022Q2"', metadata={"tags": ["parameters"]}),
        new_code_cell("print(quarter)")]), nb)
    out = tmp_path / "reports" / "2022Q2"
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # run() must still put hcp_lib first
    opts = check_options("2022Q2", data_dir=tmp_path / "data", out_dir=out, notebook=nb,
                         issue_date="2022-07-26", mode="quarantine", config_path=no_gates)
    assert main_run(opts) == OK
    assert calls == {"quarter": "2022Q2", "mode": "quarantine",
                     "issue_date": opts.issue_date}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    report = load_quarter(FIXTURES / "good_2022Q2", "2022Q2").report
    accepted = sum(t.accepted for t in report.tables.values())
    assert accepted > 0
    assert manifest["inputs"]["accepted"] == accepted and manifest["inputs"]["rejected"] == 0
    first = manifest["inputs"]["tables"][0]
    assert first["quarter"] == "2022Q2" and first["table"] == "evaluations"
    assert first["files"][0]["sha256"] == report.tables["evaluations"].files[0].sha256
    assert manifest["timings_seconds"]["pipeline.load"] == 0.5
    assert manifest["parameters"]["mode"] == "quarantine"


@pytest.fixture(autouse=True)
def _quiet_logging():
    yield
    import logging

    for name in ("hcp", "papermill"):
        logging.getLogger(name).handlers.clear()
