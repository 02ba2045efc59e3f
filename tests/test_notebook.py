"""The bulletin notebook is committed clean and stays a thin shell over hcp_lib."""

import ast
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "bulletin.ipynb"
PARAMETERS = {"quarter", "data_dir", "out_dir", "config_path", "issue_date", "bulletin_path", "mode",
              "published_path", "cache_dir"}


def _nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_committed_without_outputs():
    for cell in _nb().cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], cell.source
            assert cell.execution_count is None, cell.source


def test_notebook_is_valid_and_uses_the_hcp_kernel():
    nb = _nb()
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "hcp"


def test_parameters_cell():
    cells = [c for c in _nb().cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    names = {t.id for node in ast.parse(cells[0].source).body for t in node.targets}
    assert names == PARAMETERS


def test_code_cells_only_call_hcp_lib():
    for cell in _nb().cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.ImportFrom):
                assert node.module.startswith("hcp_lib"), cell.source
                continue
            value = node.value if isinstance(node, ast.Assign | ast.Expr) else None
            assert isinstance(value, ast.Call), cell.source
            assert isinstance(value.func, ast.Attribute) and value.func.value.id == "hcp", cell.source


def test_relative_paths_resolve_from_the_repository_root(monkeypatch):
    from hcp_lib.present.project import project_root, resolve

    monkeypatch.chdir(ROOT / "notebooks")  # where JupyterLab starts the kernel
    assert project_root() == ROOT
    assert resolve("data/config/xiamen.yaml") == ROOT / "data" / "config" / "xiamen.yaml"
    assert resolve("/abs/path") == Path("/abs/path")


def test_plain_papermill_run_from_the_notebooks_folder(tmp_path):
    """The notebook also runs outside `hcp run`, as JupyterLab or papermill would start it."""
    import os
    import subprocess
    import sys

    from present_fixtures import make_bulletin

    from hcp_lib.present.io import save_bulletin

    saved = save_bulletin(make_bulletin(), tmp_path / "b.json")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "papermill", "bulletin.ipynb", str(tmp_path / "run.ipynb"),
         "-k", "hcp", "-p", "bulletin_path", str(saved), "-p", "out_dir", str(out),
         "--no-progress-bar"],
        cwd=ROOT / "notebooks", env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "tables-2022Q2.xlsx").is_file()
    assert len(list((out / "charts").glob("*.png"))) == 6
