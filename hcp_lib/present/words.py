"""Chinese wording chosen from the data: comparisons, magnitudes, lists, months, counts.

Kept apart from the templates so each choice (有所提高 or 基本持平, 近0.6 or 约2) is a plain
function a test can reach.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

CN_DIGITS = "零一二三四五六七八九"
Direction = Literal["up", "down", "flat"]


@dataclass(frozen=True)
class Change:
    """A change between two quarters, in points (percentage points for rates)."""

    direction: Direction
    points: Fraction  # absolute size, never negative

    def word(self, up: str = "有所提高", down: str = "有所下降", flat: str = "基本持平") -> str:
        return {"up": up, "down": down, "flat": flat}[self.direction]

    def slight(self, threshold: Fraction = Fraction(1, 2)) -> bool:
        """Small enough to say 略有 rather than give a figure."""
        return self.points < threshold

    @property
    def approx(self) -> str:
        return approx_points(self.points)


def change(
    current: Fraction | float,
    previous: Fraction | float | None,
    *,
    scale: int = 100,
    flat_below: Fraction = Fraction(1, 100),
) -> Change | None:
    """Compare two values; ``scale`` turns them into points (100 for rates in [0, 1]).

    A change below ``flat_below`` points (default 0.01, the last printed digit of a 2-decimal
    percentage) reads as 基本持平. ``None`` when there is no previous value.
    """
    if previous is None:
        return None
    diff = (Fraction(current) - Fraction(previous)) * scale
    if abs(diff) < flat_below:
        return Change("flat", abs(diff))
    return Change("up" if diff > 0 else "down", abs(diff))


def approx_points(points: Fraction) -> str:
    """A magnitude as the bulletin says it: 近0.6 (just under), 2 (exact), 约2 (just over).

    Below one point the figure is rounded to one decimal, otherwise to a whole number.
    """
    points = Fraction(points)
    step = Fraction(1) if points >= Fraction(95, 100) else Fraction(1, 10)
    nice = max(step, round(points / step) * step)
    text = _plain(nice)
    if points == nice:
        return text
    return f"近{text}" if points < nice else f"约{text}"


def _plain(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.1f}"


def join(items: Iterable[str], sep: str = "、", last: str | None = None) -> str:
    """Join a list; ``last`` (e.g. 以及) links the final item: A、B以及C."""
    items = [i for i in items if i]
    if last and len(items) > 1:
        return sep.join(items[:-1]) + last + items[-1]
    return sep.join(items)


def months_label(months: Sequence[int]) -> str:
    """[4] → 4 月份; [4, 5] → 4-5 月份 (a span, first to last)."""
    if not months:
        return ""
    first, last = min(months), max(months)
    return f"{first} 月份" if first == last else f"{first}-{last} 月份"


def cn_number(n: int) -> str:
    """Small counts in Chinese numerals (一 … 九十九), as in 锦旗一面, 十二、."""
    if n < 0 or n >= 100:
        return str(n)
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


def count_cn(n: int, measure: str) -> str:
    """锦旗一面, 两面 (两 before a measure word, not 二)."""
    return ("两" if n == 2 else cn_number(n)) + measure


def person_times(n: int) -> str:
    """20–29 → 20余人次 (the bulletin rounds down to the tens); under 10 or exact tens as is."""
    if n >= 10 and n % 10:
        return f"{n // 10 * 10}余人次"
    return f"{n}人次"


def wan(n: int) -> str:
    """20000 → 2 万; other values stay digits."""
    return f"{n // 10000} 万" if n >= 10000 and n % 10000 == 0 else str(n)


def group_people(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(person, unit) pairs grouped by unit, units in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for person, unit in pairs:
        groups.setdefault(unit, []).append(person)
    return list(groups.items())
