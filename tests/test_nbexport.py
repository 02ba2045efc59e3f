"""``jupyter nbconvert --to hcp_bulletin``: the leadership export, registered by entry point."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output


def test_exporter_is_registered():
    names = {e.name: e.value for e in entry_points(group="nbconvert.exporters")}
    assert names.get("hcp_bulletin") == "hcp_lib.present.nbexport:BulletinExporter"


def test_nbconvert_to_hcp_bulletin_keeps_outputs_only(tmp_path):
    params = new_code_cell('quarter = "SECRET-PARAM"', metadata={"tags": ["parameters"]})
    shown = new_code_cell("hcp.masthead(report)", outputs=[new_output(
        "display_data", data={"text/html": '<p class="hcp-test">厦门市政务服务</p>', "text/plain": "x"})])
    nb = new_notebook(cells=[new_markdown_cell("# 分析员说明 NOTE"), params, shown],
                      metadata={"title": "测试通报"})
    path = tmp_path / "b.ipynb"
    nbformat.write(nb, path)
    done = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "hcp_bulletin", str(path)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert '<p class="hcp-test">厦门市政务服务</p>' in html
    assert "<title>测试通报</title>" in html
    for hidden in ("SECRET-PARAM", "hcp.masthead", "分析员说明"):
        assert hidden not in html
