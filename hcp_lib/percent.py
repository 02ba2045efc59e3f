"""Exact percentage and number formatting by a configured display policy.

Minimal stand-in with the agreed interface; the full module replaces it. A rate stays a
``Fraction`` until here, so printing never compounds float error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from .config import PercentPolicy


def _units(value: Fraction, step: int, method: str) -> int:
    scaled = abs(value) * step
    if method == "truncate":
        return math.floor(scaled)
    return math.floor(scaled + Fraction(1, 2))  # half_up: halves away from zero


def _text(units: int, decimals: int, negative: bool = False) -> str:
    step = 10**decimals
    whole, frac = divmod(units, step)
    sign = "-" if negative and units else ""
    return f"{sign}{whole}.{frac:0{decimals}d}" if decimals else f"{sign}{whole}"


def _percent_units(value: Fraction, policy: PercentPolicy) -> int:
    step = 10**policy.decimals
    units = _units(value * 100, step, policy.method)
    if policy.min_nonzero and value != 0 and units == 0:
        units = 1
    if policy.below_100 and value < 1 and units >= 100 * step:
        units = 100 * step - 1
    return units


def format_percent(value: Fraction, policy: PercentPolicy) -> str:
    """``value`` (a rate in [0, 1]) as ``"99.98%"``, rounded exactly as ``policy`` says."""
    value = Fraction(value)
    return _text(_percent_units(value, policy), policy.decimals, value < 0) + "%"


def format_number(
    value: Fraction | Decimal | int | float,
    decimals: int,
    method: Literal["half_up", "truncate"] = "half_up",
) -> str:
    """A plain number (a score, a rate already scaled to 0-100) to ``decimals`` places."""
    value = Fraction(value)
    return _text(_units(value, 10**decimals, method), decimals, value < 0)


def format_shares(counts: Sequence[int], policy: PercentPolicy) -> list[str]:
    """A row's shares of its own total; with ``total_100`` the largest absorbs the remainder."""
    total = sum(counts)
    if not total:
        return [_text(0, policy.decimals) + "%" for _ in counts]
    units = [_percent_units(Fraction(c, total), policy) for c in counts]
    if policy.total_100:
        largest = max(range(len(counts)), key=lambda i: counts[i])
        units[largest] += 100 * 10**policy.decimals - sum(units)
    return [_text(u, policy.decimals) + "%" for u in units]
