"""The analysis notebooks: committed clean, one hcp_lib call per cell, and they run."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {"trends.ipynb": {"data_dir", "first", "last", "config_path", "cache_dir", "units"},
             "explore.ipynb": {"quarter", "target", "data_dir", "config_path", "cache_dir"}}


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_clean_thin_and_parameterized(name):
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "hcp"
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert {t.id for n in ast.parse(params[0].source).body for t in n.targets} == NOTEBOOKS[name]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None
        if cell is params[0]:
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.ImportFrom):
                assert node.module.startswith("hcp_lib")
                continue
            assert isinstance(node.value, ast.Call) and node.value.func.value.id == "hcp", cell.source


@pytest.mark.parametrize("name,params", [
    ("trends.ipynb", []),
    ("explore.ipynb", ["-p", "target", "市市场监管局"]),
])
def test_runs_under_papermill(small_dataset, tmp_path, name, params):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "papermill", name, str(tmp_path / name), "-k", "hcp",
         "-p", "data_dir", str(small_dataset), "-p", "cache_dir", str(tmp_path / "cache"),
         *params, "--no-progress-bar"],
        cwd=ROOT / "notebooks", env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(tmp_path / name, as_version=4)
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in shown if o.output_type == "error"]
    assert len(shown) > 5
