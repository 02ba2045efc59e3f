"""Exact number and percentage display: every figure stays a Fraction until it is printed.

Rounding is done on integers (the value scaled by 10**decimals), so a share that lies exactly
on a ``.xx5`` boundary rounds the same way every time; no float is ever involved. A
``PercentPolicy`` (from configuration) says how one kind of figure prints; docs/rules.md gives
the bulletin evidence for each policy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from .config import PercentPolicy

Method = Literal["half_up", "truncate"]
Number = Fraction | Decimal | int


def round_scaled(value: Number, decimals: int, method: Method) -> int:
    """``value * 10**decimals`` as an integer: half away from zero, or toward zero."""
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    scaled = Fraction(value) * 10**decimals
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    if method == "truncate":
        units = magnitude.numerator // magnitude.denominator
    elif method == "half_up":
        units = math.floor(magnitude + Fraction(1, 2))
    else:
        raise ValueError(f"unknown rounding method {method!r}")
    return sign * units


def _digits(units: int, decimals: int) -> str:
    """Integer ``units`` of ``10**-decimals`` as text with exactly ``decimals`` places."""
    sign = "-" if units < 0 else ""
    units = abs(units)
    if decimals == 0:
        return f"{sign}{units}"
    whole, frac = divmod(units, 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}"


def format_number(value: Number, decimals: int, method: Method = "half_up") -> str:
    """A number with a fixed count of decimals, e.g. ``99.912`` or the score ``96.25``."""
    return _digits(round_scaled(value, decimals, method), decimals)


def _percent_units(value: Fraction, policy: PercentPolicy) -> int:
    """A rate in [0, 1] as integer units of ``10**-decimals`` percent, policy applied."""
    units = round_scaled(value * 100, policy.decimals, policy.method)
    if policy.min_nonzero and value > 0 and units <= 0:
        units = 1
    full = 100 * 10**policy.decimals
    if policy.below_100 and value < 1 and units >= full:
        units = full - 1
    return units


def format_percent(value: Fraction, policy: PercentPolicy) -> str:
    """A rate in [0, 1] printed as a percentage, e.g. ``Fraction(1030300, 1063749)`` -> ``96.86%``."""
    return _digits(_percent_units(Fraction(value), policy), policy.decimals) + "%"


def share_units(counts: Sequence[int], policy: PercentPolicy) -> list[int]:
    """Each count's share of the row total, in integer units of ``10**-decimals`` percent.

    With ``total_100`` the largest count (the first of equals) absorbs whatever the rounded
    shares miss or exceed, so the row prints exactly 100; the other shares keep their policy.
    """
    total = sum(counts)
    if total <= 0:
        return [0 for _ in counts]
    units = [_percent_units(Fraction(c, total), policy) for c in counts]
    if policy.total_100:
        largest = max(range(len(counts)), key=lambda i: (counts[i], -i))
        units[largest] += 100 * 10**policy.decimals - sum(units)
    return units


def format_shares(counts: Sequence[int], policy: PercentPolicy) -> list[str]:
    """A row of shares in the order given, e.g. the region table's five level columns."""
    return [_digits(u, policy.decimals) + "%" for u in share_units(counts, policy)]
