"""Keeping personal data and terminal-control text out of every message.

Whatever reaches a message, log, manifest or report passes through here: ``redact`` masks
anything shaped like a mobile number or a resident ID number (a name cannot be recognised,
which is why personal columns are never quoted at all), and ``printable`` escapes control
characters so a file name cannot move the cursor, clear the screen or fake a new line.
"""

from __future__ import annotations

import re

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8,11}([\dXx])(?![\dXx])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
CONTROL_IN_TEXT = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
"""Control characters stripped from cell text (tab and line breaks are kept)."""


def redact(text: str) -> str:
    """Mask mobile numbers (138****5678) and 15/18-digit ID numbers (350203********1234)."""
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 7) + m.group(2), text)
    return _MOBILE.sub(r"\1****\2", text)


def printable(text: str) -> str:
    """Control characters as visible escapes (``\\x1b``, ``\\n``); everything else as is."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def safe(text: str) -> str:
    """Both: what every message shows of a value or a name it did not write itself."""
    return printable(redact(text))
