"""Where the project lives, so relative paths mean the same in JupyterLab and under papermill.

JupyterLab starts a notebook's kernel in ``notebooks/``; papermill and ``hcp run`` may start
it anywhere. Relative paths are read from the repository root, found by walking up.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
_MARKERS = ("pyproject.toml", "notebooks")


def project_root(start: str | Path | None = None) -> Path:
    """The nearest folder (from ``start`` or the cwd, upwards) holding the project's markers.

    Falls back to the folder the ``hcp_lib`` package was imported from.
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if all((folder / m).exists() for m in _MARKERS):
            return folder
    return PACKAGE_ROOT


def resolve(path: str | Path, root: Path | None = None) -> Path:
    """``path`` made absolute against the project root (absolute paths pass unchanged)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else (root or project_root()) / path


def default_notebook() -> Path:
    """The bulletin notebook shipped with the project."""
    return PACKAGE_ROOT / "notebooks" / "bulletin.ipynb"
