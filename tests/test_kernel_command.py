"""`hcp kernel install`: the hcp kernel for this Python and the hcp_bulletin template."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from hcp_lib.cli import main


def test_kernel_install_into_a_prefix(tmp_path, capsys):
    assert main(["kernel", "install", "--prefix", str(tmp_path)]) == 0
    spec = json.loads((tmp_path / "share/jupyter/kernels/hcp/kernel.json").read_text())
    assert spec["argv"][0] == sys.executable and spec["display_name"] == "hcp (Python 3)"
    template = tmp_path / "share/jupyter/nbconvert/templates/hcp_bulletin"
    assert (template / "index.html.j2").is_file() and (template / "conf.json").is_file()
    assert "hcp_bulletin" in capsys.readouterr().out

    # nbconvert now finds the template by name
    nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output(
        "display_data", data={"text/html": "<p>通报正文</p>", "text/plain": "x"})])])
    nbformat.write(nb, tmp_path / "n.ipynb")
    env = {**os.environ, "JUPYTER_PATH": str(tmp_path / "share/jupyter")}
    done = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", "--template",
                           "hcp_bulletin", "n.ipynb"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "<p>通报正文</p>" in (tmp_path / "n.html").read_text(encoding="utf-8")


def test_kernel_help_is_bilingual(capsys):
    try:
        main(["kernel", "install", "--help"])
    except SystemExit as exit_:
        assert exit_.code == 0
    out = capsys.readouterr().out
    assert "安装内核和模板" in out and "install the kernel" in out
