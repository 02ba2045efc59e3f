"""Exact percentage formatting by a configured display policy.

Minimal on purpose: reconciliation needs one exact formatter so a computed ``Fraction`` prints
the way the bulletin would print it. Row-level rules (``total_100``) need the whole row and are
applied by the caller; here a single value is formatted.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .config import PercentPolicy


def format_percent(value: Fraction, policy: PercentPolicy) -> str:
    """``value`` (a rate in [0, 1]) as ``"99.98%"``, rounded exactly as ``policy`` says."""
    value = Fraction(value)
    step = 10**policy.decimals
    scaled = abs(value) * 100 * step
    if policy.method == "truncate":
        units = math.floor(scaled)
    else:  # half_up: halves go away from zero
        units = math.floor(scaled + Fraction(1, 2))
    if policy.min_nonzero and value != 0 and units == 0:
        units = 1
    if policy.below_100 and value < 1 and units >= 100 * step:
        units = 100 * step - 1
    sign = "-" if value < 0 and units else ""
    whole, frac = divmod(units, step)
    text = f"{sign}{whole}.{frac:0{policy.decimals}d}" if policy.decimals else f"{sign}{whole}"
    return text + "%"
