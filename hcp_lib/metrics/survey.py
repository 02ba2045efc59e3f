"""二、第三方评估: mean scores per group, the change on last quarter, top and bottom lists."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd

from ..config import Config
from ..figures import ScoreEntry, Survey, SurveyGroup
from ..quarters import Quarter
from ._common import Units, quarter_of


def _rows(table: pd.DataFrame, quarter: Quarter, group: str) -> list[ScoreEntry]:
    if not len(table):
        return []
    keep = table["quarter"].map(quarter_of) == quarter
    keep &= table["group"].astype(object) == group
    part = table.loc[keep & table["score"].notna()]
    return [ScoreEntry(str(u), Decimal(str(s).strip())) for u, s in zip(part["unit"], part["score"],
                                                                        strict=True)]


def _mean(entries: list[ScoreEntry]) -> Fraction | None:
    if not entries:
        return None
    return sum((Fraction(e.score) for e in entries), Fraction(0)) / len(entries)


def _group(current: list[ScoreEntry], previous: list[ScoreEntry], top: int, bottom: int,
           units: Units) -> SurveyGroup:
    entries = [ScoreEntry(units.short(e.unit), e.score) for e in current]
    best = sorted(entries, key=lambda e: -e.score)  # stable: ties keep the recorded order
    lowest = sorted(entries, key=lambda e: e.score)
    return SurveyGroup(
        count=len(entries),
        mean=_mean(entries) or Fraction(0),
        previous_mean=_mean(previous),
        top=[e.unit for e in best[:top]],
        bottom=[e.unit for e in lowest[:bottom]],
        scores=best,
    )


def survey(table: pd.DataFrame, quarter: Quarter, config: Config, units: Units) -> Survey | None:
    """None when the quarter has no survey scores. ``table`` may hold several quarters."""
    rule = config.survey
    prev = quarter.previous()
    unit_rows = _rows(table, quarter, rule.unit_group)
    district_rows = _rows(table, quarter, rule.district_group)
    if not unit_rows and not district_rows:
        return None
    return Survey(
        units=_group(unit_rows, _rows(table, prev, rule.unit_group),
                     rule.top_units, rule.bottom_units, units),
        districts=_group(district_rows, _rows(table, prev, rule.district_group),
                         rule.top_districts, rule.bottom_districts, units),
    )
