"""Small integer searches: counts whose exact rates print as the bulletin's figures.

Every printed rate here is half-up; the searches prefer counts whose exact value lies in
``[printed + lo, printed + hi]`` (in units of the printed figure), so truncation prints the
same and floating-point error cannot tip it either way.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

PREFERRED = (Fraction(1, 10), Fraction(4, 10))  # of the last printed digit


def half_up(value: Fraction, decimals: int) -> str:
    q = Decimal(10) ** -decimals
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(q, ROUND_HALF_UP))


def truncate(value: Fraction, decimals: int) -> str:
    scaled = value * 10**decimals
    whole = scaled.numerator // scaled.denominator
    s = f"{whole:0{decimals + 1}d}"
    return f"{s[:-decimals]}.{s[-decimals:]}" if decimals else s


def window(printed: str, decimals: int, strict: bool = True) -> tuple[Fraction, Fraction]:
    """The exact-value interval (as a fraction of 100) a printed percentage stands for."""
    unit = Fraction(1, 10**decimals)
    base = Fraction(Decimal(printed))
    if strict:
        return ((base + unit * PREFERRED[0]) / 100, (base + unit * PREFERRED[1]) / 100)
    return (base / 100, (base + unit / 2) / 100)


def in_window(value: Fraction, w: tuple[Fraction, Fraction]) -> bool:
    return w[0] <= value <= w[1]


def fit_active(printed: str, n_guess: int, decimals: int = 3, spread: int = 2000) -> tuple[int, int]:
    """(n, defaults) near n_guess with (n - defaults) / n printing as ``printed`` %.

    Tries n_guess, then n_guess ± 1, ± 2 …; inside the preferred window first.
    """
    for strict in (True, False):
        lo, hi = window(printed, decimals, strict)
        for k in range(spread):
            for n in (n_guess + k, n_guess - k) if k else (n_guess,):
                if n <= 0:
                    continue
                # defaults d with lo <= 1 - d/n <= hi  ->  (1-hi) n <= d <= (1-lo) n
                d_lo = -((-(1 - hi) * n).__floor__())  # ceil
                d_hi = ((1 - lo) * n).__floor__()
                if d_lo <= d_hi and (strict or Fraction(n - d_lo, n) < hi):
                    return n, int(d_lo)
    raise ValueError(f"no counts print as {printed}% near n={n_guess}")


def fit_satisfaction(printed: str, m_choices, n_range, step: int = 30,
                     decimals: int = 3) -> tuple[int, int, bool]:
    """(n, m, exact) with 100 - step*m/n printing as ``printed``: m evaluations' worth of
    30-point deficits (满意 = 1, 基本满意 = 2) over n evaluations.

    Prefers the preferred window; falls back to an exact hit of the printed value (rate equal
    to the printed figure, which half-up and truncation both print as is).
    """
    target = Fraction(Decimal(printed))
    best = None
    for strict in (True, False):
        unit = Fraction(1, 10**decimals)
        lo = target + unit * PREFERRED[0] if strict else target
        hi = target + unit * PREFERRED[1] if strict else target
        for m in m_choices:
            for n in range(*n_range):
                rate = 100 - Fraction(step * m, n)
                if lo <= rate <= hi:
                    margin = min(rate - target, target + unit / 2 - rate)
                    if best is None or margin > best[0]:
                        best = (margin, n, m, not strict)
        if best:
            return best[1], best[2], best[3]
    raise ValueError(f"no counts print as {printed}")
