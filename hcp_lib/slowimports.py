"""Imports that cost a run seconds and give it nothing, kept out of the run's process.

nbformat (papermill, nbconvert) loads jsonschema, and jsonschema imports ``rfc3987_syntax``
whenever it is installed (JupyterLab's jupyter-events pulls it in), only to check the "iri"
string formats of schemas that ask for them; that import builds a Lark grammar: 1.6 s of CPU,
a fifth of the floor ``benchmarks/bench_run.py`` measures. nbformat validates notebooks
without format checks, so nothing in ``hcp run`` ever calls it.
"""

from __future__ import annotations

import sys

UNUSED = ("rfc3987_syntax",)


def skip_unused() -> None:
    """Make ``import rfc3987_syntax`` fail fast (jsonschema then leaves the "iri" formats
    unchecked) in this process; a no-op once jsonschema is imported."""
    if "jsonschema" in sys.modules:
        return
    for name in UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[assignment]
