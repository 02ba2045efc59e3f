"""Saving a computed bulletin, so the notebook can render one that was computed elsewhere.

``hcp run`` computes once (validating the inputs on the way), saves the result beside the
report and points the notebook at it; tests point the notebook at a hand-made fixture.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from ..figures import Bulletin


def save_bulletin(bulletin: Bulletin, path: str | Path) -> Path:
    """Pickle ``bulletin`` (exact Fractions survive); returns the path written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        pickle.dump(bulletin, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def load_bulletin(path: str | Path) -> Bulletin:
    """Read a bulletin written by :func:`save_bulletin`; refuses anything else."""
    with Path(path).open("rb") as fh:
        obj = pickle.load(fh)  # noqa: S301 - our own file, written by save_bulletin
    if not isinstance(obj, Bulletin):
        raise TypeError(f"{path}: not a saved Bulletin (found {type(obj).__name__})")
    return obj


def write_bulletin_json(bulletin: Bulletin, path: str | Path) -> Path:
    """The figures as JSON (Fractions as exact 'p/q'), for anyone reading the report later."""
    path = Path(path)
    path.write_text(
        json.dumps(bulletin.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return path
