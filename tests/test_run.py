"""`hcp run` end to end, through the same entry point users run, on the fixture bulletin."""

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from present_fixtures import make_bulletin

from hcp_lib.exitcodes import NOTEBOOK_FAILED, OK, USAGE
from hcp_lib.present.io import save_bulletin
from hcp_lib.reconcile import STATUSES

ROOT = Path(__file__).resolve().parents[1]


def hcp(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "hcp_lib.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def saved_bulletin(tmp_path_factory) -> Path:
    return save_bulletin(make_bulletin(), tmp_path_factory.mktemp("fixture") / "bulletin.json")


@pytest.fixture(scope="module")
def report(saved_bulletin, tiny_data, tmp_path_factory) -> Path:
    """The fixture bulletin run through ``hcp run``; the analyst copy's trends section reads the
    previous quarter from the tiny dataset, through a cache of the test's own."""
    from jupyter_client.kernelspec import KernelSpecManager

    if "hcp" not in KernelSpecManager().find_kernel_specs():
        pytest.fail("the 'hcp' Jupyter kernel is not installed (make installs it: "
                    "python -m ipykernel install --sys-prefix --name hcp)")
    out = tmp_path_factory.mktemp("reports") / "2022Q2"
    cache = tmp_path_factory.mktemp("cache")
    done = hcp("run", "2022Q2", "--bulletin", str(saved_bulletin), "--out", str(out),
               "--data", str(tiny_data), "--cache", str(cache))
    assert done.returncode == OK, done.stderr
    assert str(out) in done.stdout
    return out


def _notebook(path: Path, *sources: str) -> Path:
    cells = [new_code_cell('quarter = "2022Q2"', metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(s) for s in sources]
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_report_folder_holds_every_output(report):
    names = {p.name for p in report.iterdir()}
    assert {"bulletin-2022Q2.html", "bulletin-2022Q2.ipynb", "tables-2022Q2.xlsx", "charts",
            "manifest.json", "run.log"} <= names
    charts = sorted(p.name for p in (report / "charts").glob("*.png"))
    assert len(charts) == 6
    assert sorted(p.name for p in (report / "charts").iterdir()) == charts  # no markers left
    assert (report / "mail" / "body.html").is_file()  # written beside the notebook
    assert not list(report.parent.glob(".2022Q2.*")), "temporary folders left behind"


def test_leadership_html_is_clean_and_self_contained(report):
    html = (report / "bulletin-2022Q2.html").read_text(encoding="utf-8")
    for needle in ("厦门市政务服务“好差评”情况通报", "第2期（总第10期）", "厦门市行政审批管理局",
                   "2022年7月26日", "【评优评先】", "【“好差评”】", "【优质服务】", "1950306",
                   "98.05%", "99.98%", "厦门市省网上办事大厅“好差评”第二季度服务评价情况"):
        assert needle in html, needle
    for banned in ("<script src=", "<link rel=\"stylesheet\"", "<pre", "hcp.prepare",
                   "import ", "bulletin_path", "injected-parameters", "jp-InputArea",
                   "Traceback"):
        assert banned not in html, banned
    images = html.count("<img ")
    assert images == 1 and html.count('src="data:image/png;base64,') == images  # leadership_charts
    for appendix in ("【附表】", "【附图】", "【附录】", "【数据说明】"):
        assert appendix not in html, appendix
    assert "@font-face" in html  # the fall-back CJK fonts, embedded
    assert html.index("【评优评先】") < html.index("一、企业群众评价情况") < html.index("五、主动评价率情况") \
        < html.index("【优质服务】")


def test_executed_notebook_kept_with_parameters(report):
    nb = nbformat.read(report / "bulletin-2022Q2.ipynb", as_version=4)
    tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
    assert "injected-parameters" in tags
    assert all(c.outputs or not c.source.startswith("hcp.") or c.source.endswith(";")
               for c in nb.cells if c.cell_type == "code")


def test_manifest_and_log(report):
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["quarter"] == "2022Q2"
    assert manifest["parameters"]["kernel"] == "hcp"
    assert manifest["inputs"]["bulletin"]["sha256"]
    assert {"inputs", "execute", "export"} <= set(manifest["timings_seconds"])
    assert "papermill" in manifest["packages"] and "nbconvert" in manifest["packages"]
    outputs = {o["path"]: o for o in manifest["outputs"]}
    html = report / "bulletin-2022Q2.html"
    assert outputs["bulletin-2022Q2.html"]["sha256"] == hashlib.sha256(html.read_bytes()).hexdigest()
    log = (report / "run.log").read_text(encoding="utf-8")
    assert "[execute]" in log and "[export]" in log
    # the fixture holds the published figures: only the source's own slips differ
    reconciliation = manifest["reconciliation"]
    assert reconciliation["published"].endswith("data/published/2022Q2.yaml")
    assert set(reconciliation["summary"]) == set(STATUSES) and reconciliation["entries"] == 192
    assert reconciliation["ok"] is True and reconciliation["summary"]["known"] == 2
    assert "reconcile-2022Q2.json" in outputs


def test_reconciliation_appendix_ends_the_analyst_copy(report):
    html = (report / "bulletin-2022Q2-analyst.html").read_text(encoding="utf-8")
    assert html.count("<img ") == 6 + 2  # and 趋势分析's two charts (2022Q1 and 2022Q2)
    assert html.index("【数据说明】") < html.index("【附表】") < html.index("【附图】")
    heading = '<h2 class="section">【附录】与已发布通报核对</h2>'
    assert html.index("【附图】") < html.index("【附】趋势分析") < html.index(heading)
    assert "趋势分析" not in (report / "bulletin-2022Q2.html").read_text(encoding="utf-8")
    assert "共核对已发布通报的数字和表述 192 项：" in html
    assert '<table class="data reconcile">' in html


def test_no_appendix_for_a_quarter_without_a_published_bulletin(tmp_path):
    saved = save_bulletin(replace(make_bulletin(), quarter="2022Q1", previous_quarter="2021Q4"),
                          tmp_path / "q1.json")
    out = tmp_path / "2022Q1"
    done = hcp("run", "2022Q1", "--bulletin", str(saved), "--out", str(out), "--quiet")
    assert done.returncode == OK, done.stderr
    html = (out / "bulletin-2022Q1-analyst.html").read_text(encoding="utf-8")
    assert "【附录】" not in html and '"data reconcile"' not in html and "【附图】" in html
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reconciliation"] is None
    assert not (out / "reconcile-2022Q1.json").exists()


def test_failing_cell_exits_5_and_leaves_the_previous_report(report, tmp_path):
    before = hashlib.sha256((report / "bulletin-2022Q2.html").read_bytes()).hexdigest()
    listing = sorted(p.name for p in report.iterdir())
    nb = _notebook(tmp_path / "broken.ipynb", "x = 1", 'raise RuntimeError("boom")')
    done = hcp("run", "2022Q2", "--bulletin", str(report / "bulletin.json"), "--out", str(report),
               "--notebook", str(nb), "--quiet")
    assert done.returncode == NOTEBOOK_FAILED
    assert "broken.ipynb" in done.stderr and "raise RuntimeError" in done.stderr
    assert "RuntimeError: boom" in done.stderr
    assert sorted(p.name for p in report.iterdir()) == listing
    assert hashlib.sha256((report / "bulletin-2022Q2.html").read_bytes()).hexdigest() == before
    failed = report.with_name("2022Q2.failed")
    assert (failed / "run.log").is_file()
    assert not list(report.parent.glob(".2022Q2.*"))


def test_a_new_run_replaces_the_report_whole(saved_bulletin, tmp_path):
    out = tmp_path / "2022Q2"
    out.mkdir()
    (out / "stale.txt").write_text("from an earlier run")
    nb = _notebook(tmp_path / "tiny.ipynb", "print(quarter)")
    args = ("run", "2022Q2", "--bulletin", str(saved_bulletin), "--out", str(out),
            "--notebook", str(nb), "--quiet")
    done = hcp(*args)  # without a manifest the folder is not a report: refused, kept
    assert done.returncode == USAGE and "not an hcp report" in done.stderr
    assert (out / "stale.txt").exists()
    (out / "manifest.json").write_text('{"hcp_version": "0.1.0", "quarter": "2022Q2"}')
    done = hcp(*args)
    assert done.returncode == OK, done.stderr
    assert not (out / "stale.txt").exists()
    assert (out / "manifest.json").is_file() and (out / "bulletin-2022Q2.html").is_file()


@pytest.mark.parametrize(
    "args",
    [["20222"], ["2022Q2", "--date", "26/07/2022"], ["2022Q2", "--data", "/no/such/folder"],
     ["2022Q2", "--config", "/no/such.yaml"], ["2022Q2", "--timeout", "0"],
     ["2022Q2", "--published", "/no/such.yaml"]],
)
def test_bad_parameters_exit_2_before_anything_runs(args, tmp_path):
    done = hcp("run", *args, "--out", str(tmp_path / "r"))
    assert done.returncode == USAGE, done.stderr
    assert not (tmp_path / "r").exists()
