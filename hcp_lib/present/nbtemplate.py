"""Where the ``hcp_bulletin`` nbconvert template lives, and the cell tags it drops.

Kept apart from ``html.py`` so that ``hcp kernel install`` (part of every set-up) and
nbconvert's exporter entry point import no pandas, jinja2 or configuration to find a folder.
"""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NBCONVERT_TEMPLATES = TEMPLATES / "nbconvert"
TEMPLATE_NAME = "hcp_bulletin"
REMOVED_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})
