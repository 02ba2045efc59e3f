"""The bulletin notebook is committed clean and stays a thin shell over hcp_lib."""

import ast
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "bulletin.ipynb"
PARAMETERS = {"quarter", "data_dir", "out_dir", "config_path", "issue_date", "bulletin_path", "mode"}


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
