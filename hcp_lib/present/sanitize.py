"""Text from inputs made safe for documents: no control characters, no spreadsheet formulas.

Ledger text (unit names, notes) reaches HTML and xlsx. Control characters are dropped there
(tab and newline kept in HTML). In a spreadsheet a cell starting with = + - @ (or tab / CR)
would be read as a formula by Excel or WPS, so such text gets a leading apostrophe, as the
OWASP guidance on CSV/formula injection recommends.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROLS_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def strip_controls(text: str, keep_lines: bool = True) -> str:
    """``text`` without C0/C1 control characters (tab, LF and CR kept when ``keep_lines``)."""
    return (_CONTROLS if keep_lines else _CONTROLS_ALL).sub("", text)


def neutralise_cell(text: str) -> str:
    """Spreadsheet-safe text: a leading apostrophe before = + - @ tab CR; controls removed."""
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return strip_controls(text, keep_lines=False)
