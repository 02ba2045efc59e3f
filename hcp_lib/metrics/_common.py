"""Helpers every metric module shares: unit roll-ups with a fallback, exact config numbers."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np
import pandas as pd

from ..contract import LEVELS, MODES
from ..quarters import Quarter, QuarterError
from ..registry import DISTRICT_KIND, Registry

ACTIVE_MODE = MODES[0]  # 主动评价


def exact(value: float | int | str) -> Fraction:
    """A configured number as the decimal it was written as (0.80 is 4/5, not a binary float)."""
    return Fraction(str(value))


class Units:
    """Registry roll-ups that tolerate names the registry does not know (kept as themselves)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._order = {name: i for i, name in enumerate(registry.units)}

    def known(self, name: str) -> bool:
        return name in self.registry.units

    def short(self, name: str) -> str:
        return self.registry.resolve(name) or name

    def top(self, name: str) -> str:
        return self.registry.top(name) if self.known(name) else name

    def bad_review_group(self, name: str) -> str:
        return self.registry.bad_review_group(name) if self.known(name) else name

    def kind(self, name: str) -> str | None:
        return self.registry.units[name].kind if self.known(name) else None

    def top_kind(self, name: str) -> str | None:
        return self.kind(self.top(name))

    def is_district(self, name: str) -> bool:
        return self.top_kind(name) == DISTRICT_KIND

    def full_name(self, name: str) -> str:
        short = self.short(name)
        return self.registry.full_name(short) if self.known(short) else name

    def order(self, name: str) -> tuple[int, str]:
        """Registry order, unknown names last (alphabetically): the tie-break of every list."""
        return (self._order.get(name, len(self._order)), name)

    def sorted(self, names: Iterable[str]) -> list[str]:
        return sorted(set(names), key=self.order)


def with_top(frame: pd.DataFrame, units: Units, column: str = "unit") -> pd.DataFrame:
    """Add ``top``: the unit each row is reported under (mapped once per distinct name)."""
    frame = frame.copy()
    names = frame[column].astype(object)
    mapping = {n: units.top(n) for n in names.dropna().unique()}
    frame["top"] = names.map(mapping)
    return frame


def _level_codes(levels: pd.Series) -> np.ndarray:
    """Each row's place in ``LEVELS``; -1 for a missing value or any other text."""
    return pd.Index(LEVELS).get_indexer(levels.astype(object)).astype(np.int64)


def level_counts(frame: pd.DataFrame, count: str = "count") -> dict[str, int]:
    """Counts per level after verification, every level present, best first.

    Summed by level code: a pandas group-by on a Series key formats that Series on the way
    (a tenth of a warm run went there).
    """
    codes = _level_codes(frame["level"])
    valid = codes >= 0
    sums = np.zeros(len(LEVELS), dtype=np.int64)
    np.add.at(sums, codes[valid], frame[count].to_numpy(dtype=np.int64)[valid])
    return {level: int(n) for level, n in zip(LEVELS, sums, strict=True)}


def level_counts_by(frame: pd.DataFrame, key: str, count: str = "count"
                    ) -> dict[object, dict[str, int]]:
    """``level_counts`` of each value of column ``key`` (missing values left out), summed in
    one pass instead of one masked copy of the frame per value."""
    codes = _level_codes(frame["level"])
    groups, values = pd.factorize(frame[key].astype(object))
    valid = (codes >= 0) & (groups >= 0)
    sums = np.zeros((len(values), len(LEVELS)), dtype=np.int64)
    np.add.at(sums, (groups[valid], codes[valid]), frame[count].to_numpy(dtype=np.int64)[valid])
    return {value: {level: int(n) for level, n in zip(LEVELS, row, strict=True)}
            for value, row in zip(values, sums, strict=True)}


def distinct_in_order(values: Iterable) -> list:
    seen: dict = {}
    for value in values:
        if value is not None and value == value and value not in seen:
            seen[value] = None
    return list(seen)


def quarter_of(value: object) -> Quarter | None:
    """The quarter a 季度 cell names (2022Q2, 2022年第二季度), or None."""
    try:
        return Quarter.parse(str(value))
    except QuarterError:
        return None
