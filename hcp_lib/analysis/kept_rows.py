"""Each earlier quarter's trend rows, kept beside its cached aggregates.

趋势分析 shows the bulletin's quarter beside up to seven earlier ones, and each earlier
quarter's figures come from its own bulletin, computed from its aggregates (0.15-0.2 s a
quarter, about 1.2 s for two years, in the kernel on every run). The rows depend on three
things only: the aggregates (the cache entry's name already keys their inputs and reduction
rules), every other rule of the configuration, and the code that computes them. Keyed by all
three, a quarter's rows are computed once and read back afterwards; ``hcp run`` computes the
previous quarter's where it reduces that quarter (``pipeline``), off the kernel's path.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import date
from functools import cache
from pathlib import Path

from ..config import Config

ROWS_DIR = "trends"
"""Beside the entries in the cache folder: ``<cache>/trends/<entry>-<rules>.json``."""
ROWS_VERSION = 1


@cache
def _code_digest() -> str:
    """SHA-256 over the package's Python sources: rows kept by other code are not reused."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def rows_path(entry: Path, config: Config, issue: date) -> Path:
    """Where the rows of the quarter whose aggregates are at ``entry`` are kept."""
    rules = hashlib.sha256(json.dumps(
        [ROWS_VERSION, _code_digest(), issue.isoformat(), config.model_dump(mode="json")],
        sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return entry.parent / ROWS_DIR / f"{entry.name}-{rules[:16]}.json"


def read_rows(path: Path) -> list[dict] | None:
    """The kept rows, or None when there are none (or they cannot be read)."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rows if isinstance(rows, list) and all(isinstance(r, dict) for r in rows) else None


def keep_rows(path: Path, rows: list[dict]) -> None:
    """Write ``rows`` aside and rename them into place; a cache that cannot be written only
    costs the next run the computation."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, aside = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(rows, out, ensure_ascii=False)
        os.replace(aside, path)
    except OSError:
        return
