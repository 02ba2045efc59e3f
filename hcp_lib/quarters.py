"""Quarters: parsing, bounds, the previous quarter and the bulletin's issue numbering."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_CN_DIGITS = "一二三四"
_PATTERNS = (
    re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$"),
    re.compile(r"^\s*(\d{4})\s*-\s*[Qq]?([1-4])\s*$"),
    re.compile(r"^\s*(\d{4})年第([1-4一二三四])季度\s*$"),
)


class QuarterError(ValueError):
    """A string that names no quarter."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter; ordered, hashable, printable both ways."""

    year: int
    q: int

    def __post_init__(self) -> None:
        if not 1 <= self.q <= 4:
            raise QuarterError(f"季度应为 1-4 / quarter number must be 1-4, got {self.q}")

    @classmethod
    def parse(cls, text: str | Quarter) -> Quarter:
        """Accept ``2022Q2``, ``2022-Q2``, ``2022-2`` or ``2022年第二季度``."""
        if isinstance(text, Quarter):
            return text
        for pattern in _PATTERNS:
            m = pattern.match(str(text))
            if m:
                digit = m.group(2)
                q = _CN_DIGITS.index(digit) + 1 if digit in _CN_DIGITS else int(digit)
                return cls(int(m.group(1)), q)
        raise QuarterError(f"不是季度 / not a quarter: {text!r} (expected e.g. 2022Q2 or 2022年第二季度)")

    @classmethod
    def of(cls, day: date | datetime) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def label_cn(self) -> str:
        """``2022年第二季度``."""
        return f"{self.year}年第{_CN_DIGITS[self.q - 1]}季度"

    @property
    def short_cn(self) -> str:
        """``二季度``, as the bulletin's sentences say it."""
        return f"{_CN_DIGITS[self.q - 1]}季度"

    @property
    def ordinal_cn(self) -> str:
        """``第二季度``."""
        return f"第{_CN_DIGITS[self.q - 1]}季度"

    @property
    def start(self) -> datetime:
        return datetime(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> datetime:
        """Exclusive upper bound: the first instant of the next quarter."""
        return self.next().start

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    @property
    def months(self) -> tuple[int, int, int]:
        first = 3 * self.q - 2
        return (first, first + 1, first + 2)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def index(self) -> int:
        """A running count of quarters, for differences between two quarters."""
        return self.year * 4 + self.q - 1

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class IssueNumber:
    """The bulletin's numbering: 第N期 within the year, 总第M期 since the first issue."""

    in_year: int
    overall: int

    @property
    def label_cn(self) -> str:
        return f"第{self.in_year}期（总第{self.overall}期）"


def issue_number(quarter: Quarter, first_quarter: Quarter, first_number: int = 1) -> IssueNumber:
    """Number a quarterly bulletin, given which quarter was issue ``first_number``."""
    overall = first_number + quarter.index() - first_quarter.index()
    if overall < 1:
        raise QuarterError(f"{quarter} 早于第一期通报 / precedes the first bulletin ({first_quarter})")
    return IssueNumber(in_year=quarter.q, overall=overall)
